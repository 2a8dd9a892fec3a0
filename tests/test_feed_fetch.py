"""Fetching ORUK feeds from a live API: against a local server paging v1 and v3 answers as ORUK APIs do."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from asset_map.errors import FeedError
from asset_map.inputs.feed_fetch import FetchedFeed, fetch_feed
from conftest import local_server

PATH = "/api/services"


@dataclass
class FakeFeed:
    """A service directory API. ``style`` is how it pages:

    ``v1`` (``page`` from 1), ``v1-zero`` (``page`` and ``number`` from 0, as
    Spring Data), ``v1-one-indexed`` (``page`` from 1, ``number`` from 0),
    ``v3``, ``array`` (no paging) or ``ignores-page`` (always the first page).
    """

    url: str = ""
    services: int = 250
    style: str = "v1"
    totals: bool = True                # totalElements/totalPages (total_items/total_pages) given
    flags: bool = True                 # first/last (first_page/last_page) given
    max_per_page: int = 1000           # the API gives at most this many services a page
    requests: list[dict[str, str]] = field(default_factory=list)   # the query of each request, in order
    paths: list[str] = field(default_factory=list)
    script: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)  # page -> canned answers
    delay: float = 0.0

    def ids(self) -> list[str]:
        return [f"svc-{i:04d}" for i in range(self.services)]

    def pages_asked(self) -> list[int]:
        return [int(q["page"]) for q in self.requests]

    def answer(self, page: int, per_page: int) -> Any:
        size = min(per_page, self.max_per_page)
        v3 = self.style == "v3"
        items = [{"id": i, "name": f"Service {i[4:]}", ("attributes" if v3 else "service_taxonomys"): []}
                 for i in self.ids()]
        if self.style == "array":
            return items
        if self.style == "ignores-page":
            page = 1
        index = page if self.style == "v1-zero" else page - 1          # 0 for the first page
        reported = index if self.style in ("v1-zero", "v1-one-indexed") else index + 1
        count = max(1, -(-len(items) // size))
        chunk = items[index * size:(index + 1) * size] if index >= 0 else []
        keys = (("total_items", "total_pages", "page_number", "first_page", "last_page", "contents") if v3 else
                ("totalElements", "totalPages", "number", "first", "last", "content"))
        doc: dict[str, Any] = {}
        if self.totals:
            doc[keys[0]], doc[keys[1]] = len(items), count
        doc[keys[2]], doc["size"] = reported, len(chunk)
        if self.flags:
            doc[keys[3]], doc[keys[4]] = index == 0, index >= count - 1
        if v3:
            doc["empty"] = not items
        doc[keys[5]] = chunk
        return doc


def _json(status: int, obj: Any) -> tuple[int, bytes]:
    return status, json.dumps(obj).encode()


@pytest.fixture
def feed():
    state = FakeFeed()

    class Handler(BaseHTTPRequestHandler):
        def send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            if parts.path != PATH:
                return self.send(*_json(404, {"error": "Not Found"}))
            query = dict(urllib.parse.parse_qsl(parts.query))
            state.paths.append(self.path)
            state.requests.append(query)
            if state.delay:
                time.sleep(state.delay)
            page, per_page = int(query.get("page", "1")), int(query.get("per_page", "50"))
            if state.script.get(page):
                return self.send(*state.script[page].pop(0))
            self.send(*_json(200, state.answer(page, per_page)))

        def log_message(self, *args: Any) -> None:
            pass

    with local_server(Handler) as url:
        state.url = url
        yield state


def services(got: FetchedFeed) -> list[str]:
    key = "contents" if got.version == "v3" else "content"
    return [s["id"] for page in got.pages for s in (page if isinstance(page, list) else page[key])]


def page_url(feed: FakeFeed, page: int, per_page: int = 100) -> str:
    return f"{feed.url}{PATH}?page={page}&per_page={per_page}"


# ------------------------------------------------------------------ paging
def test_v1_pages_in_order_with_the_query_sent(feed):
    got = fetch_feed(feed.url + "/api")
    assert feed.requests == [{"page": "1", "per_page": "100"}, {"page": "2", "per_page": "100"},
                             {"page": "3", "per_page": "100"}]
    assert [p["number"] for p in got.pages] == [1, 2, 3]
    assert [len(p["content"]) for p in got.pages] == [100, 100, 50]
    assert services(got) == feed.ids()
    assert (got.version, got.requests, got.from_cache) == ("v1", 3, 0)
    assert got.base_url == feed.url + "/api" and got.endpoint == feed.url + PATH


def test_v1_numbered_from_zero(feed):
    feed.style = "v1-zero"
    got = fetch_feed(feed.url + "/api")
    # Page 1 answers "number 1, not first": page 0 is fetched next and put first.
    assert feed.pages_asked() == [1, 0, 2]
    assert [p["number"] for p in got.pages] == [0, 1, 2]
    assert [p["first"] for p in got.pages] == [True, False, False]
    assert services(got) == feed.ids() and got.requests == 3


def test_v1_numbered_from_zero_in_a_single_page(feed):
    feed.style, feed.services = "v1-zero", 80
    got = fetch_feed(feed.url + "/api")
    assert feed.pages_asked() == [1, 0]  # page 1 is past the end: empty, and left out
    assert len(got.pages) == 1 and got.pages[0]["number"] == 0
    assert services(got) == feed.ids() and got.requests == 2


def test_v1_page_from_one_number_from_zero(feed):
    feed.style = "v1-one-indexed"  # Spring Data with one-indexed parameters
    got = fetch_feed(feed.url + "/api")
    assert feed.pages_asked() == [1, 2, 3]
    assert [p["number"] for p in got.pages] == [0, 1, 2]
    assert services(got) == feed.ids() and got.requests == 3


def test_v3(feed):
    feed.style = "v3"
    got = fetch_feed(feed.url + "/api", per_page=60)
    assert feed.requests == [{"page": str(k), "per_page": "60"} for k in (1, 2, 3, 4, 5)]
    assert [p["page_number"] for p in got.pages] == [1, 2, 3, 4, 5]
    assert [len(p["contents"]) for p in got.pages] == [60, 60, 60, 60, 10]
    assert got.pages[-1]["last_page"] is True
    assert services(got) == feed.ids() and (got.version, got.requests) == ("v3", 5)


def test_a_smaller_page_size_imposed_by_the_api(feed):
    feed.max_per_page = 50
    got = fetch_feed(feed.url + "/api", per_page=100)
    assert feed.pages_asked() == [1, 2, 3, 4, 5]
    assert services(got) == feed.ids()


def test_bare_array_is_one_page(feed):
    feed.style = "array"
    got = fetch_feed(feed.url + "/api")
    assert len(feed.requests) == 1 and got.requests == 1
    assert len(got.pages) == 1 and isinstance(got.pages[0], list)
    assert services(got) == feed.ids() and got.version == "v1"


def test_bare_array_of_v3_services(feed):
    feed.style = "array"
    feed.script[1] = [_json(200, [{"id": "a", "name": "A", "attributes": [], "schedules": []}])]
    got = fetch_feed(feed.url + "/api")
    assert got.version == "v3" and got.pages == [[{"id": "a", "name": "A", "attributes": [], "schedules": []}]]


@pytest.mark.parametrize("suffix", ["/api", "/api/", "/api/services", "/api/services/"])
def test_base_url_with_or_without_services(feed, suffix):
    got = fetch_feed(feed.url + suffix, per_page=200)
    assert [urllib.parse.urlsplit(p).path for p in feed.paths] == [PATH, PATH]
    assert services(got) == feed.ids() and got.endpoint == feed.url + PATH


def test_query_of_the_base_url_is_kept_and_its_paging_replaced(feed):
    fetch_feed(feed.url + "/api/services?taxonomy_id=bccsv%3A123&page=7&per_page=5", per_page=200)
    assert feed.requests == [{"taxonomy_id": "bccsv:123", "page": "1", "per_page": "200"},
                             {"taxonomy_id": "bccsv:123", "page": "2", "per_page": "200"}]


@pytest.mark.parametrize("totals,flags,asked", [
    (False, True, [1, 2, 3]),        # stops at the page marked last
    (True, False, [1, 2, 3]),        # stops at the page count
    (False, False, [1, 2, 3, 4]),    # stops at the first empty page
])
def test_where_paging_stops(feed, totals, flags, asked):
    feed.totals, feed.flags = totals, flags
    got = fetch_feed(feed.url + "/api")
    assert feed.pages_asked() == asked
    assert len(got.pages) == 3 and services(got) == feed.ids()  # an empty last page is left out


def test_empty_feed(feed):
    feed.services = 0
    got = fetch_feed(feed.url + "/api")
    assert feed.pages_asked() == [1]
    assert len(got.pages) == 1 and got.pages[0]["content"] == [] and got.pages[0]["totalElements"] == 0


def test_progress(feed):
    calls: list[tuple[int, int]] = []
    fetch_feed(feed.url + "/api", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    feed.totals, feed.flags, feed.requests = False, False, []
    calls.clear()
    fetch_feed(feed.url + "/api", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 0), (2, 0), (3, 0)] and len(feed.requests) == 4


# ------------------------------------------------------------------ cache
def test_cached_pages_are_not_fetched_again(feed, tmp_path):
    first = fetch_feed(feed.url + "/api", cache_dir=tmp_path / "cache")
    assert (first.requests, first.from_cache) == (3, 0)
    assert len(list((tmp_path / "cache").glob("*.json"))) == 3
    again = fetch_feed(feed.url + "/api", cache_dir=tmp_path / "cache")
    assert (again.requests, again.from_cache) == (0, 3) and len(feed.requests) == 3
    assert again.pages == first.pages
    other = fetch_feed(feed.url + "/api", per_page=200, cache_dir=tmp_path / "cache")  # other URLs: not cached
    assert (other.requests, other.from_cache) == (2, 0)


def test_a_damaged_cache_file_is_fetched_again(feed, tmp_path):
    fetch_feed(feed.url + "/api", cache_dir=tmp_path)
    for path in tmp_path.glob("*.json"):
        path.write_text('{"content": [{"id": "svc-00', encoding="utf-8")  # cut short
    got = fetch_feed(feed.url + "/api", cache_dir=tmp_path)
    assert (got.requests, got.from_cache) == (3, 0) and services(got) == feed.ids()


def test_failing_page_then_resume_from_the_cache(feed, tmp_path):
    feed.script[3] = [_json(500, {"error": "Internal Server Error"})] * 2
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", cache_dir=tmp_path, retries=1, backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"Page 3 of 3 of the feed at {page_url(feed, 3)} failed with HTTP 500 ")
    assert "after 2 attempts" in msg and "Internal Server Error" in msg
    assert msg.endswith("pages 1-2 were fetched and cached: run the same command again to resume")
    assert "\n" not in msg
    assert feed.pages_asked() == [1, 2, 3, 3]
    assert len(list(tmp_path.glob("*.json"))) == 2  # the failed page is not cached
    feed.requests.clear()
    got = fetch_feed(feed.url + "/api", cache_dir=tmp_path, retries=1, backoff=0)
    assert feed.pages_asked() == [3]
    assert (got.requests, got.from_cache) == (1, 2)
    assert services(got) == feed.ids()


def test_failing_page_without_cache_says_nothing_of_resuming(feed):
    feed.script[2] = [_json(502, {})] * 3
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"Page 2 of 3 of the feed at {page_url(feed, 2)} failed with HTTP 502 ")
    assert "3 attempts" in msg and "resume" not in msg and "save the feed as a JSON file" in msg
    assert feed.pages_asked() == [1, 2, 2, 2]


# ------------------------------------------------------------------ failures
def test_5xx_is_retried_then_succeeds(feed):
    feed.script[2] = [_json(503, {"error": "busy"})]
    got = fetch_feed(feed.url + "/api", retries=2, backoff=0)
    assert feed.pages_asked() == [1, 2, 2, 3]
    assert got.requests == 4 and services(got) == feed.ids()


def test_backoff_waits_between_attempts(feed):
    feed.script[1] = [_json(503, {})] * 2
    started = time.monotonic()
    fetch_feed(feed.url + "/api", per_page=300, retries=2, backoff=0.1)
    assert 0.3 <= time.monotonic() - started < 1.5  # 0.1 then 0.2 seconds
    assert feed.pages_asked() == [1, 1, 1]


def test_4xx_is_not_retried(feed):
    feed.script[1] = [_json(404, {"error": "No such directory"})]
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", retries=2, backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"Page 1 of the feed at {page_url(feed, 1)} failed with HTTP 404 ")
    assert "No such directory" in msg and "check the address of the feed" in msg and "\n" not in msg
    assert len(feed.requests) == 1


def test_wrong_address_is_a_404(feed):
    with pytest.raises(FeedError, match=r"HTTP 404 .*check the address of the feed"):
        fetch_feed(feed.url + "/other/api", backoff=0)
    assert feed.requests == []  # the fake API counts only its own path


def test_timeout(feed):
    feed.delay = 0.6
    started = time.monotonic()
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", timeout=0.2, retries=1, backoff=0)
    assert time.monotonic() - started < 1.5
    msg = str(err.value)
    assert msg.startswith(f"Page 1 of the feed at {page_url(feed, 1)} timed out after 2 attempts of 0.2 seconds; ")
    assert "\n" not in msg
    assert len(feed.requests) == 2


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    with pytest.raises(FeedError) as err:
        fetch_feed(url, backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"cannot reach the feed at http://127.0.0.1:{port}/api/services?page=1&per_page=100 "
                          f"(page 1: ")
    assert msg.endswith("; check the internet connection, or save the feed as a JSON file and import that")
    assert "\n" not in msg


@pytest.mark.parametrize("answer,expected", [
    ((200, b"<html>\n<body>Council login</body>\n</html>"), "is not JSON (<html> <body>Council login</body>"),
    ((200, b""), "is not JSON (an empty answer)"),
    (_json(200, {"status": "ok"}), "is not an Open Referral UK page (no 'content' or 'contents' list: "
                                   "{\"status\": \"ok\"})"),
    (_json(200, {"content": "none"}), "is not an Open Referral UK page"),
    (_json(200, "services"), "is not an Open Referral UK page"),
])
def test_unusable_answer(feed, tmp_path, answer, expected):
    feed.script[1] = [answer]
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", cache_dir=tmp_path, backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"Page 1 of the feed at {page_url(feed, 1)} {expected}")
    assert "\n" not in msg
    assert len(feed.requests) == 1 and list(tmp_path.iterdir()) == []  # nothing cached


def test_an_api_that_ignores_page(feed):
    feed.style = "ignores-page"
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"Page 2 of 3 of the feed at {page_url(feed, 2)} came back as page 1; ")
    assert "does not page with page and per_page" in msg
    assert feed.pages_asked() == [1, 2]


def test_a_page_reporting_another_number(feed):
    feed.script[2] = [_json(200, {"totalPages": 3, "number": 7, "content": [{"id": "other"}]})]
    with pytest.raises(FeedError, match=r"^Page 2 of 3 of the feed at .* came back as page 7; "):
        fetch_feed(feed.url + "/api", backoff=0)


def test_a_page_repeating_the_one_before(feed):
    first = feed.answer(1, 100)
    del first["number"]
    feed.script[1], feed.script[2] = [_json(200, first)], [_json(200, first)]
    with pytest.raises(FeedError, match=r"^Page 2 of 3 of the feed at .* repeated the page before; "):
        fetch_feed(feed.url + "/api", backoff=0)
    assert feed.pages_asked() == [1, 2]


def test_more_pages_than_allowed(feed):
    with pytest.raises(FeedError) as err:
        fetch_feed(feed.url + "/api", per_page=10, max_pages=4, backoff=0)
    assert "has more than 4 pages of 10 services" in str(err.value)
    assert feed.pages_asked() == [1, 2, 3, 4]


@pytest.mark.parametrize("url", ["directory.example.gov.uk/api", "ftp://example.org/api", ""])
def test_not_a_web_address(url):
    with pytest.raises(FeedError, match="is not a web address"):
        fetch_feed(url)
