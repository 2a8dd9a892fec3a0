"""Postcodes online: the postcodes.io bulk lookup, against a local server speaking its format."""

from __future__ import annotations

import json
import math
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from asset_map.errors import PostcodeServiceError
from asset_map.inputs.postcodes_online import MAX_TERMINATED_CHECKS, lookup_postcodes_online
from conftest import fingerprint, local_server

#: Live postcodes the fake service knows: postcode -> (eastings, northings), None for no grid reference.
LIVE: dict[str, tuple[int | None, int | None]] = {
    f"M{d} {n}A{c}": (379_000 + 10 * d + n, 395_000 + 100 * d + ord(c)) for d in (30, 31, 32) for n in range(3)
    for c in "BDE"
}
LIVE.update({"M32 0JG": (379012, 395123), "WA15 8QY": (376543, 387654),
             "M33 7NG": (None, None), "WA14 2ZZ": (None, None)})
#: Terminated postcodes: postcode -> (year, month).
TERMINATED = {"M32 9XX": (2012, 6), "WA15 1AA": (1998, 11)}


@dataclass
class FakeService:
    url: str
    posts: list[list[str]] = field(default_factory=list)   # the postcodes of each POST, in order
    gets: list[str] = field(default_factory=list)          # the postcodes asked of /terminated_postcodes/
    script: list[tuple[int, bytes]] = field(default_factory=list)  # canned answers for the next POSTs
    delay: float = 0.0


def _json(status: int, obj: Any) -> tuple[int, bytes]:
    return status, json.dumps(obj).encode()


@pytest.fixture
def service():
    state = FakeService(url="")

    class Handler(BaseHTTPRequestHandler):
        def send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path != "/postcodes":
                return self.send(*_json(404, {"status": 404, "error": "Resource not found"}))
            try:
                asked = json.loads(body)["postcodes"]
            except (ValueError, KeyError):
                return self.send(*_json(400, {"status": 400, "error": "Invalid JSON submitted"}))
            state.posts.append(asked)
            if state.delay:
                time.sleep(state.delay)
            if state.script:
                return self.send(*state.script.pop(0))
            if len(asked) > 100:
                return self.send(*_json(400, {"status": 400, "error": "No more than 100 postcodes per request"}))
            result = [{"query": pc, "result": None if pc not in LIVE else
                       {"postcode": pc, "eastings": LIVE[pc][0], "northings": LIVE[pc][1], "latitude": 53.4}}
                      for pc in asked]
            self.send(*_json(200, {"status": 200, "result": result}))

        def do_GET(self) -> None:
            prefix = "/terminated_postcodes/"
            if not self.path.startswith(prefix):
                return self.send(*_json(404, {"status": 404, "error": "Resource not found"}))
            pc = urllib.parse.unquote(self.path[len(prefix):])
            state.gets.append(pc)
            if pc not in TERMINATED:
                return self.send(*_json(404, {"status": 404, "error": "Terminated postcode not found"}))
            year, month = TERMINATED[pc]
            self.send(*_json(200, {"status": 200, "result": {"postcode": pc, "year_terminated": year,
                                                             "month_terminated": month, "longitude": -2.3}}))

        def log_message(self, *args: Any) -> None:
            pass

    with local_server(Handler) as url:
        state.url = url
        yield state


def distinct_postcodes(n: int) -> list[str]:
    """``n`` distinct well-formed postcodes, the first ones known to the service."""
    known = sorted(LIVE)
    extra = [f"B{d} {k}{a}{b}" for d in range(1, 99) for k in range(10) for a in "AB" for b in "XY"]
    return (known + extra)[:n]


# ------------------------------------------------------------------ results
def test_found_not_found_no_grid_reference_and_terminated(service):
    asked = ["M32 0JG", "WA15 8QY", "M33 7NG", "M32 9XX", "WA15 1AA", "XX1 1XX"]
    got = lookup_postcodes_online(asked, base_url=service.url, backoff=0)
    assert set(got.found) == {"M32 0JG", "WA15 8QY", "M33 7NG", "M32 9XX", "WA15 1AA"}
    assert got.found["M32 0JG"] == (379012.0, 395123.0, "")
    assert got.found["WA15 8QY"] == (376543.0, 387654.0, "")
    x, y, term = got.found["M33 7NG"]
    assert math.isnan(x) and math.isnan(y) and term == ""
    assert got.found["M32 9XX"][2] == "2012-06"
    assert got.found["WA15 1AA"][2] == "1998-11"
    assert got.not_found == {"XX1 1XX"}
    assert sorted(service.gets) == ["M32 9XX", "WA15 1AA", "XX1 1XX"]  # only the nulls
    assert got.requests == 1 + 3


def test_without_terminated_check_nulls_are_not_found(service):
    got = lookup_postcodes_online(["M32 0JG", "M32 9XX", "XX1 1XX"], base_url=service.url, check_terminated=False)
    assert set(got.found) == {"M32 0JG"}
    assert got.not_found == {"M32 9XX", "XX1 1XX"}
    assert service.gets == [] and got.requests == 1


def test_terminated_checks_are_capped(service):
    unknown = distinct_postcodes(len(LIVE) + 80)[len(LIVE):]
    got = lookup_postcodes_online(unknown + ["M32 9XX"], base_url=service.url)
    assert len(service.gets) == MAX_TERMINATED_CHECKS == 50
    assert "M32 9XX" not in service.gets and "M32 9XX" in got.not_found  # 81st null: past the cap
    assert len(got.not_found) == 81 and got.found == {}


def test_empty_input_makes_no_request(service):
    got = lookup_postcodes_online([], base_url=service.url)
    assert (got.found, got.not_found, got.requests) == ({}, set(), 0)
    assert service.posts == []


# ------------------------------------------------------------------ batching
@pytest.mark.parametrize("batch_size", [100, 500])
def test_batches_of_at_most_100_with_progress(service, batch_size):
    asked = distinct_postcodes(250)
    calls: list[tuple[int, int]] = []
    got = lookup_postcodes_online(asked, base_url=service.url + "/", batch_size=batch_size,
                                  check_terminated=False, progress=lambda d, t: calls.append((d, t)))
    assert [len(b) for b in service.posts] == [100, 100, 50]
    assert [pc for b in service.posts for pc in b] == asked
    assert calls == [(100, 250), (200, 250), (250, 250)]
    assert got.requests == 3
    assert len(got.found) == len(LIVE) and len(got.not_found) == 250 - len(LIVE)
    assert got.found.keys() | got.not_found == set(asked) and not got.found.keys() & got.not_found


def test_duplicates_are_sent_once(service):
    got = lookup_postcodes_online(["M32 0JG", "M32 0JG", "WA15 8QY", "M32 0JG"], base_url=service.url,
                                  batch_size=2)
    assert service.posts == [["M32 0JG", "WA15 8QY"]]
    assert set(got.found) == {"M32 0JG", "WA15 8QY"} and got.requests == 1


# ------------------------------------------------------------------ failures
def test_5xx_is_retried_then_succeeds(service):
    service.script = [_json(503, {"status": 503, "error": "busy"})] * 2
    got = lookup_postcodes_online(["M32 0JG"], base_url=service.url, retries=2, backoff=0)
    assert got.found["M32 0JG"] == (379012.0, 395123.0, "")
    assert len(service.posts) == 3 and got.requests == 3


def test_5xx_every_time_gives_up(service):
    service.script = [_json(500, {"status": 500, "error": "broken"})] * 3
    with pytest.raises(PostcodeServiceError) as err:
        lookup_postcodes_online(["M32 0JG"], base_url=service.url, retries=2, backoff=0)
    msg = str(err.value)
    assert "unexpected answer" in msg and "HTTP 500" in msg and service.url in msg and "\n" not in msg
    assert len(service.posts) == 3


def test_4xx_is_not_retried(service):
    service.script = [_json(400, {"status": 400, "error": "Invalid JSON submitted"})]
    with pytest.raises(PostcodeServiceError) as err:
        lookup_postcodes_online(["M32 0JG"], base_url=service.url, retries=2, backoff=0)
    msg = str(err.value)
    assert "HTTP 400: Invalid JSON submitted" in msg and service.url in msg and "\n" not in msg
    assert len(service.posts) == 1


def test_timeout(service):
    service.delay = 0.6
    started = time.monotonic()
    with pytest.raises(PostcodeServiceError) as err:
        lookup_postcodes_online(["M32 0JG"], base_url=service.url, timeout=0.2, retries=1, backoff=0)
    assert time.monotonic() - started < 1.5
    msg = str(err.value)
    assert "timed out after 2 attempts of 0.2 seconds" in msg and service.url in msg and "\n" not in msg
    assert len(service.posts) == 2


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(PostcodeServiceError) as err:
        lookup_postcodes_online(["M32 0JG"], base_url=url, backoff=0)
    msg = str(err.value)
    assert msg.startswith(f"cannot reach the postcode service at {url} (")
    assert "`asset-map postcodes load`" in msg and "\n" not in msg


@pytest.mark.parametrize("answer,expected", [
    ((200, b"<html>\n<body>Gateway login</body>\n</html>"), "not JSON: <html> <body>Gateway login</body>"),
    (_json(200, {"status": 200}), "no result list"),
    (_json(200, {"status": 200, "result": "M32 0JG"}), "no result list"),
])
def test_unusable_answer(service, answer, expected):
    service.script = [answer]
    with pytest.raises(PostcodeServiceError) as err:
        lookup_postcodes_online(["M32 0JG"], base_url=service.url, backoff=0)
    msg = str(err.value)
    assert expected in msg and "unexpected answer" in msg and service.url in msg and "\n" not in msg
    assert len(service.posts) == 1


def test_not_a_web_address():
    with pytest.raises(PostcodeServiceError, match="not a web address"):
        lookup_postcodes_online(["M32 0JG"], base_url="api.postcodes.io")


# ------------------------------------------------------------------ imports with --online
def postcode_list(tmp_path, postcodes):
    from conftest import write_csv

    return write_csv(tmp_path / "list.csv", ["Name", "Category", "Postcode"],
                     [[f"Group {i}", "carers", pc] for i, pc in enumerate(postcodes)])


def test_import_online_locates_rejects_and_caches(service, tmp_path):
    import asset_map

    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    path = postcode_list(tmp_path, ["m32 0jg", "WA15 8QY", "M33 7NG", "M32 9XX", "XX1 1XX", "M32 0JG"])
    result = ws.import_assets(path, online=service.url)
    assert (result.rows_read, result.imported, result.rejected) == (6, 3, 3)
    assert result.assets["located_by"].tolist() == ["postcode"] * 3
    assert list(zip(result.assets.geometry.x, result.assets.geometry.y))[:2] == [(379012, 395123), (376543, 387654)]
    reasons = {r.row: r.reason for r in result.rejects}
    assert "no grid reference" in reasons[4] and "terminated (2012-06)" in reasons[5]
    assert "not in the postcode lookup" in reasons[6]
    assert service.posts == [["M32 0JG", "M32 9XX", "M33 7NG", "WA15 8QY", "XX1 1XX"]]  # each postcode once
    assert ws.status()["postcode_cache"] == 5
    # A second import asks the service nothing: every answer, "not found" too, is cached.
    again = ws.import_assets(path, online=service.url)
    assert (again.imported, again.rejected) == (3, 3)
    assert len(service.posts) == 1


def test_online_asks_only_for_what_the_lookup_lacks(service, tmp_path):
    import asset_map
    from conftest import write_csv

    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_postcodes(write_csv(tmp_path / "pc.csv", ["postcode", "easting", "northing"],
                                [["M32 0JG", "379000", "395000"]]))
    result = ws.import_assets(postcode_list(tmp_path, ["M32 0JG", "WA15 8QY"]), online=service.url, dry_run=True)
    assert result.imported == 2
    assert result.assets.geometry.x.tolist() == [379000, 376543]  # the loaded lookup wins
    assert service.posts == [["WA15 8QY"]]
    assert ws.status()["postcode_cache"] == 0  # a dry run writes nothing, the cache neither


def test_cli_online_and_offline(service, tmp_path):
    from typer.testing import CliRunner

    from asset_map.cli import app

    ws = tmp_path / "ws.gpkg"
    path = postcode_list(tmp_path, ["M32 0JG", "WA15 8QY"])
    runner = CliRunner()
    r = runner.invoke(app, ["import", str(path), "--online", "--postcode-service", service.url, "-w", str(ws)])
    assert r.exit_code == 0, r.stderr
    assert "located by postcode centroid" in r.stderr
    before = fingerprint(ws)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    other = postcode_list(tmp_path, ["M30 0AB"])
    r = runner.invoke(app, ["import", str(other), "--online", "--postcode-service", closed, "-w", str(ws)])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the postcode service at " + closed)
    assert "asset-map postcodes load" in lines[0]
    assert fingerprint(ws) == before
    r = runner.invoke(app, ["import", str(other), "--postcode-service", service.url, "-w", str(ws)])
    assert r.exit_code == 2 and "only with --online" in r.stderr
