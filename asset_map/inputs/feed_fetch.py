"""Fetching an Open Referral UK (ORUK) service directory from its live API, page by page.

The services of a directory are listed by ``GET {base_url}/services?page=K&per_page=S``
(``base_url`` may already end with ``/services``; a query it carries, such as
``?taxonomy_id=...``, is kept). The paging, as published:

- **ORUK v1** (the first ORUK API, developers.openreferraluk.org/API-Implementation):
  "Pagination requires two parameters: ``page`` and ``per_page`` where page is the
  page of results defaulting to 1", ``per_page`` defaulting to 50. Each answer
  starts with ``totalElements``, ``totalPages``, ``number`` (the current page),
  ``size``, ``first`` and ``last``, then ``content``, the list of services.
  Some implementations are built on Spring Data, whose pages are numbered from
  0, so the numbering is not taken on trust (see below).
- **ORUK v3** (the HSDS 3 UK profile: ``schema/openapi.json`` of
  OpenReferralUK/uk-profile and of openreferral/specification, and its
  ``docs/hsds/api_reference.md``): ``/services`` takes the query parameters
  ``page`` ("Page number of paginated result") and ``per_page`` ("Number of
  results requested in a single page"), ``page`` being the one parameter ORUK
  requires; the answer is a ``Page`` (``total_items``, ``total_pages``,
  ``page_number``, ``size``, ``first_page``, ``last_page``, ``empty``) with the
  services in ``contents``. Neither spec states where numbering starts; their
  example ``examples/service_list.json`` has ``"page_number": 1`` with
  ``"first_page": true``, so pages are numbered from 1.

Page 1 is asked for first and its answer tells the numbering: ``number`` 1 (or
none) is numbering from 1; ``number`` 1 with ``first`` false is an API counting
from 0, that has just given its second page, so page 0 is fetched next and
kept first; ``number`` 0 with ``first`` true is an API taking ``page`` from 1
but reporting it from 0 (Spring's one-indexed parameters). Every later page
must report the number asked for (so shifted), or the API is taken not to page
as ORUK APIs do. Fetching stops after the page marked ``last``/``last_page``,
when the page count is reached, or at an empty page. An answer that is a bare
JSON array is the whole feed, in one page (an API without paging).

A timeout, a reset connection, a 5xx or 429 answer is retried with a short
backoff; other 4xx answers are not. With a ``cache_dir``, every page is kept
there as it arrives (the JSON as received, in a file named by a hash of the
page URL) and a cached page is used instead of fetching it, so that a command
that failed on page 5 resumes from page 5 when run again. Failures raise
:class:`FeedError` with one line that names the page and its URL, says what
happened and what to do. Nothing is printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import FeedError
from .http_retry import GaveUp, Unreachable, send

_SAVE = "save the feed as a JSON file and import that"

#: Field names that tell a v3 service from a v1 one, for a feed without paging.
_V3_SERVICE_KEYS = {"attributes", "schedules", "capacities", "last_modified", "minimum_age", "maximum_age"}
_V1_SERVICE_KEYS = {"service_taxonomys", "eligibilitys", "regular_schedules"}


@dataclass
class FetchedFeed:
    """What :func:`fetch_feed` got.

    ``pages`` holds the decoded JSON of each page in the feed's order (one
    bare list for an API without paging). ``requests`` counts HTTP requests
    made, retries included; ``from_cache`` the pages read from the cache
    instead. ``version`` is ``"v1"`` or ``"v3"``, from the shape of the pages.
    ``endpoint`` is the services URL paged through (``base_url`` with
    ``/services``, without ``page``/``per_page``).
    """

    base_url: str
    pages: list[Any]
    requests: int
    from_cache: int
    version: str
    endpoint: str = ""


@dataclass
class _Page:
    """The paging facts of one ORUK page."""

    items: list[Any]
    version: str
    number: int | None
    first: bool | None
    last: bool | None
    total_pages: int | None


def _one_line(text: str, limit: int = 80) -> str:
    return " ".join(text.split())[:limit]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _page_info(doc: Any) -> _Page | None:
    """The paging facts of ``doc``, or ``None`` when it is no ORUK page (a bare list is one)."""
    if isinstance(doc, list):
        keys = {k for item in doc[:50] if isinstance(item, dict) for k in item}
        version = "v3" if keys & _V3_SERVICE_KEYS and not keys & _V1_SERVICE_KEYS else "v1"
        return _Page(doc, version, None, True, True, 1)
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("contents"), list):
        return _Page(doc["contents"], "v3", _int(doc.get("page_number")), _bool(doc.get("first_page")),
                     _bool(doc.get("last_page")), _int(doc.get("total_pages")))
    if isinstance(doc.get("content"), list):
        return _Page(doc["content"], "v1", _int(doc.get("number")), _bool(doc.get("first")),
                     _bool(doc.get("last")), _int(doc.get("totalPages")))
    return None


def _endpoint(base_url: str) -> tuple[str, list[tuple[str, str]]]:
    """The services URL for ``base_url`` (no query) and the query it carried, less any paging."""
    text = base_url.strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedError(f"{text or repr(base_url)} is not a web address; give the feed's API like "
                        f"https://directory.example.gov.uk/api (its services are read from /services)")
    path = parts.path.rstrip("/")
    if not path.endswith("/services"):
        path += "/services"
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("page", "per_page")]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", "")), query


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` as ``"pages 1-3, 5"``."""
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
    return ("page " if len(numbers) == 1 else "pages ") + text


class _Fetcher:
    """Gets pages from the cache or the API, retrying requests that may succeed next time."""

    def __init__(self, endpoint: str, query: list[tuple[str, str]], per_page: int, timeout: float, retries: int,
                 backoff: float, cache_dir: Path | None) -> None:
        self.endpoint, self.query, self.per_page = endpoint, query, per_page
        self.timeout, self.retries, self.backoff = timeout, max(0, retries), backoff
        self.cache_dir = cache_dir
        self.requests = self.from_cache = 0
        self.total: int | None = None     # pages in the feed, once known
        self.done: list[int] = []         # ordinals of the pages got so far

    def url(self, number: int) -> str:
        query = self.query + [("page", str(number)), ("per_page", str(self.per_page))]
        return self.endpoint + "?" + urllib.parse.urlencode(query)

    # -------------------------------------------------------------- messages
    def label(self, ordinal: int) -> str:
        return f"page {ordinal}" + (f" of {self.total}" if self.total else "")

    def resume(self, advice: str) -> str:
        """What to do after a failure: ``advice``, and how to resume if pages were cached."""
        if self.done and self.cache_dir is not None:
            return (f"{advice}; {_ranges(self.done)} {'was' if len(self.done) == 1 else 'were'} fetched and cached: "
                    f"run the same command again to resume")
        return advice

    def error(self, ordinal: int, url: str, what: str, advice: str) -> FeedError:
        label = self.label(ordinal)
        return FeedError(f"{label[0].upper()}{label[1:]} of the feed at {url} {what}; {self.resume(advice)}")

    # -------------------------------------------------------------- cache
    def cache_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:40] + ".json")

    def cached(self, url: str) -> Any:
        path = self.cache_path(url)
        if path is None or not path.is_file():
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged cache file: fetch the page again
        return doc if _page_info(doc) is not None else None

    def keep(self, url: str, text: str) -> None:
        path = self.cache_path(url)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_text(text, encoding="utf-8")
            os.replace(part, path)
        except OSError as exc:
            raise FeedError(f"cannot keep the pages of the feed at {self.endpoint} in {self.cache_dir} "
                            f"({_one_line(exc.strerror or str(exc))}); give a cache folder that can be written to") \
                from None

    # -------------------------------------------------------------- pages
    def page(self, number: int, ordinal: int) -> tuple[Any, _Page]:
        """Page ``number`` (as sent in ``?page=``), from the cache or the API, with its paging facts."""
        url = self.url(number)
        doc = self.cached(url)
        if doc is not None:
            self.from_cache += 1
            return doc, _page_info(doc)  # type: ignore[return-value]
        text = self.get(url, ordinal)
        try:
            doc = json.loads(text)
        except ValueError:
            raise self.error(ordinal, url, f"is not JSON ({_one_line(text) or 'an empty answer'})",
                             f"check that the address is an Open Referral UK API, or {_SAVE}") from None
        info = _page_info(doc)
        if info is None:
            raise self.error(ordinal, url, f"is not an Open Referral UK page (no 'content' or 'contents' list: "
                                           f"{_one_line(json.dumps(doc))})",
                             f"check that the address is the services endpoint of an Open Referral UK API, "
                             f"or {_SAVE}")
        self.keep(url, text)
        return doc, info

    def get(self, url: str, ordinal: int) -> str:
        """The body of a 200 answer to ``GET url``."""
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "asset-map"})
        try:
            status, text = send(request, timeout=self.timeout, retries=self.retries, backoff=self.backoff,
                                retry_if=lambda code: code >= 500 or code == 429, on_attempt=self.count)
        except Unreachable as exc:
            raise FeedError(f"cannot reach the feed at {url} ({self.label(ordinal)}: {_one_line(exc.reason)}); "
                            f"{self.resume(f'check the internet connection, or {_SAVE}')}") from None
        except GaveUp as exc:
            if exc.kind == "timeout":
                raise self.error(ordinal, url, f"timed out after {exc.attempts} attempts of {self.timeout:g} "
                                 "seconds", f"try again later, or {_SAVE}") from None
            if exc.kind == "reset":
                raise FeedError(f"cannot reach the feed at {url} ({self.label(ordinal)}: connection reset "
                                f"{exc.attempts} times); "
                                f"{self.resume(f'check the internet connection, or {_SAVE}')}") from None
            shown = f"HTTP {exc.status}" + (f" ({_one_line(exc.text)})" if exc.text.strip() else "")
            raise self.error(ordinal, url, f"failed with {shown} after {exc.attempts} attempts",
                             f"try again later, or {_SAVE}") from None
        if status != 200:
            shown = f"HTTP {status}" + (f" ({_one_line(text)})" if text.strip() else "")
            if not self.done:
                raise self.error(ordinal, url, f"failed with {shown}",
                                 "check the address of the feed (its API, like "
                                 f"https://directory.example.gov.uk/api), or {_SAVE}")
            raise self.error(ordinal, url, f"failed with {shown}", f"try again later, or {_SAVE}")
        return text

    def count(self) -> None:
        self.requests += 1


def fetch_feed(
    base_url: str,
    *,
    per_page: int = 100,
    timeout: float = 20.0,
    retries: int = 2,
    backoff: float = 0.5,
    cache_dir: str | Path | None = None,
    max_pages: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> FetchedFeed:
    """Fetch every page of the services of the ORUK API at ``base_url``.

    ``base_url`` is the API (``https://directory.example.gov.uk/api``) or its
    services endpoint (``.../api/services``). ``per_page`` services are asked
    for in each page (the API may give fewer). ``timeout`` is in seconds per
    request; a timed-out, reset, 5xx or 429 request is tried ``retries`` more
    times, waiting ``backoff``, then twice that... seconds between attempts.
    With ``cache_dir``, pages are kept there as they arrive and cached pages
    are not fetched again. ``progress(done, total)`` is called after each
    page, ``total`` being the page count or 0 while it is unknown.

    Raises :class:`FeedError` when the API cannot be reached, times out, fails,
    answers something that is not an ORUK page, does not page as ORUK APIs
    do, or has more than ``max_pages`` pages.
    """
    endpoint, query = _endpoint(base_url)
    fetcher = _Fetcher(endpoint, query, max(1, int(per_page)), timeout, retries, backoff,
                       Path(cache_dir) if cache_dir is not None else None)
    first_doc, first = fetcher.page(1, 1)
    if isinstance(first_doc, list):  # a bare array: the whole feed, unpaged
        fetcher.done.append(1)
        if progress is not None:
            progress(1, 1)
        pages = [first_doc]
    else:
        pages = _all_pages(fetcher, first_doc, first, max_pages, progress)
    return FetchedFeed(base_url=base_url, pages=pages, requests=fetcher.requests,
                       from_cache=fetcher.from_cache, version=first.version, endpoint=endpoint)


def _all_pages(fetcher: "_Fetcher", first_doc: Any, first: "_Page", max_pages: int,
               progress: Callable[[int, int], None] | None) -> list[Any]:
    """Every page of a paged feed, numbered as page 1 tells (:func:`_numbering`), each checked (:func:`_check_page`).

    Stops after the page marked last, when the page count is reached, or at an empty page.
    """
    start, shift = _numbering(first)
    fetched = {1: (first_doc, first)}
    fetcher.total = first.total_pages
    pages: list[Any] = []
    previous: list[Any] | None = None
    number = start
    while True:
        ordinal = number - start + 1
        if ordinal > max_pages:
            raise FeedError(f"the feed at {fetcher.endpoint} has more than {max_pages} pages of {fetcher.per_page} "
                            f"services; {fetcher.resume(f'ask for more pages, or {_SAVE}')}")
        doc, info = fetched.pop(number, None) or fetcher.page(number, ordinal)
        _check_page(fetcher, info, first.version, number + shift, ordinal, fetcher.url(number), previous)
        if info.items or ordinal == 1:
            pages.append(doc)
            fetcher.done.append(ordinal)
            if progress is not None:
                progress(len(pages), fetcher.total or 0)
        if not info.items or info.last or (fetcher.total is not None and ordinal >= fetcher.total):
            return pages
        previous = info.items
        number += 1


def _numbering(first: "_Page") -> tuple[int, int]:
    """How pages are numbered, from the answer to page 1: the first page to ask for, and ``reported - asked``.

    ``number`` 0 means ``page`` is taken from 1 but reported from 0 (shift
    -1); ``number`` 1 that is not the first page means numbering from 0
    (that was the second page: start at 0).
    """
    if first.number == 0:
        return 1, -1
    if first.number == 1 and first.first is False:
        return 0, 0
    return 1, 0


def _check_page(fetcher: "_Fetcher", info: "_Page", version: str, expected: int, ordinal: int, url: str,
                previous: list[Any] | None) -> None:
    """Refuse a page of another ORUK version than the first, or numbered otherwise than asked for, or repeating
    the page before; take the page count it gives."""
    if info.version != version:
        raise fetcher.error(ordinal, url, f"is an ORUK {info.version} page after {version} ones", f"{_SAVE}")
    if info.total_pages is not None:
        fetcher.total = info.total_pages
    reported = info.number
    if (reported is not None and reported != expected) or (info.items and info.items == previous):
        seen = f"came back as page {reported}" if reported is not None else "repeated the page before"
        raise fetcher.error(ordinal, url, seen,
                            f"the API does not page with page and per_page as ORUK APIs do: {_SAVE}")
