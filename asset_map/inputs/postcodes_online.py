"""Locating postcodes online with postcodes.io, for users with no postcode lookup file.

The bulk lookup of `postcodes.io <https://postcodes.io>`_ is used:
``POST {base_url}/postcodes`` with the body ``{"postcodes": [...]}``, at most
100 postcodes a request. Its answer ``{"status": 200, "result": [...]}`` has
one item per postcode, ``{"query": "M32 0JG", "result": {...}}``, the inner
``result`` giving ``eastings`` and ``northings`` (British National Grid
metres, null for a postcode with no grid reference), or being null for a
postcode the service does not know, terminated ones included. Those nulls
may then be looked up one by one, at most :data:`MAX_TERMINATED_CHECKS` of
them, with ``GET {base_url}/terminated_postcodes/{postcode}`` (200 with
``year_terminated``/``month_terminated``, or 404).

Postcodes are de-duplicated and sent in batches; a timeout, a 5xx answer or
a reset connection is retried with a short backoff. What is returned is an
:class:`OnlineLookup`: every postcode asked for is either ``found`` (with
its point and termination month, as the offline lookup gives them) or
``not_found``. Any other failure raises :class:`PostcodeServiceError` with
one line that names the service and says what to do. Nothing is printed.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..errors import PostcodeServiceError
from .http_retry import GaveUp, Unreachable, send

DEFAULT_URL = "https://api.postcodes.io"
#: The most postcodes postcodes.io accepts in one bulk request.
MAX_BATCH = 100
#: The most ``terminated_postcodes`` look-ups made in one call.
MAX_TERMINATED_CHECKS = 50

_OFFLINE = "load a postcode lookup file with `asset-map postcodes load` (ONSPD or Code-Point Open) and import without --online"


@dataclass
class OnlineLookup:
    """Postcodes located by the online service.

    ``found`` maps a postcode to ``(easting, northing, terminated)``: NaN
    easting and northing when the service has no grid reference for it, and
    ``terminated`` empty for a live postcode or the month it was terminated
    (``"2012-06"``). ``requests`` counts HTTP requests made, retries included.
    """

    found: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    not_found: set[str] = field(default_factory=set)
    requests: int = 0


def _one_line(text: str, limit: int = 80) -> str:
    return " ".join(text.split())[:limit]


def _number(value: Any) -> float:
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


class _Client:
    """Sends requests to the service, retrying those that may succeed next time."""

    def __init__(self, base_url: str, timeout: float, retries: int, backoff: float, result: OnlineLookup) -> None:
        self.base_url, self.timeout, self.retries, self.backoff = base_url, timeout, max(0, retries), backoff
        self.result = result

    def unexpected(self, what: str) -> PostcodeServiceError:
        return PostcodeServiceError(
            f"the postcode service at {self.base_url} gave an unexpected answer ({what}); "
            f"try again later, or {_OFFLINE}")

    def fetch(self, path: str, payload: Any = None, *, missing_ok: bool = False) -> Any:
        """The JSON answer to a GET (or a POST of ``payload``); ``None`` for a 404 when ``missing_ok``."""
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        try:
            request = urllib.request.Request(self.base_url + path, data=data, method="GET" if data is None else "POST",
                                             headers={"Content-Type": "application/json", "Accept": "application/json",
                                                      "User-Agent": "asset-map"})
        except ValueError:
            raise PostcodeServiceError(
                f"{self.base_url} is not a web address; give the postcode service like {DEFAULT_URL}") from None
        try:
            status, text = send(request, timeout=self.timeout, retries=self.retries, backoff=self.backoff,
                                on_attempt=self.count)
        except Unreachable as exc:
            raise PostcodeServiceError(
                f"cannot reach the postcode service at {self.base_url} ({_one_line(exc.reason)}); "
                f"check the internet connection, or {_OFFLINE}") from None
        except GaveUp as exc:
            if exc.kind == "timeout":
                raise PostcodeServiceError(
                    f"the postcode service at {self.base_url} timed out after {exc.attempts} attempts of "
                    f"{self.timeout:g} seconds; try again later or with a longer --timeout, or {_OFFLINE}") from None
            if exc.kind == "reset":
                raise PostcodeServiceError(
                    f"cannot reach the postcode service at {self.base_url} (connection reset {exc.attempts} "
                    f"times); check the internet connection, or {_OFFLINE}") from None
            raise self.unexpected(f"HTTP {exc.status}: {_one_line(exc.text)}, {exc.attempts} attempts") from None
        if status == 404 and missing_ok:
            return None
        if status != 200:
            try:
                text = str(json.loads(text).get("error", text))
            except (ValueError, AttributeError):
                pass
            raise self.unexpected(f"HTTP {status}: {_one_line(text)}")
        try:
            return json.loads(text)
        except ValueError:
            raise self.unexpected(f"not JSON: {_one_line(text)}") from None

    def count(self) -> None:
        self.result.requests += 1


def _termination(client: _Client, postcode: str) -> str | None:
    """The month ``postcode`` was terminated, or ``None`` if the service does not know it as terminated."""
    answer = client.fetch("/terminated_postcodes/" + urllib.parse.quote(postcode), missing_ok=True)
    info = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(info, dict):
        return None
    year, month = info.get("year_terminated"), info.get("month_terminated")
    return f"{year:04d}-{month:02d}" if isinstance(year, int) and isinstance(month, int) else "date unknown"


def lookup_postcodes_online(
    postcodes: Iterable[str],
    *,
    base_url: str = DEFAULT_URL,
    timeout: float = 10.0,
    batch_size: int = MAX_BATCH,
    retries: int = 2,
    backoff: float = 0.5,
    check_terminated: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> OnlineLookup:
    """Locate standard-form postcodes (``"M32 0JG"``) with the postcodes.io bulk lookup.

    ``timeout`` is in seconds per request; a timed-out, reset or 5xx request
    is tried ``retries`` more times, waiting ``backoff``, then twice that...
    seconds between attempts. ``batch_size`` is capped at 100. With
    ``check_terminated``, up to :data:`MAX_TERMINATED_CHECKS` unknown
    postcodes are looked up as terminated ones; should that look-up fail,
    the rest stay ``not_found``. ``progress(done, total)`` is called after
    each batch, ``total`` counting distinct postcodes.

    Raises :class:`PostcodeServiceError` when the service cannot be reached,
    times out, or answers something unusable.
    """
    wanted = list(dict.fromkeys(postcodes))
    size = max(1, min(int(batch_size), MAX_BATCH))
    result = OnlineLookup()
    client = _Client(base_url.rstrip("/"), timeout, retries, backoff, result)
    for start in range(0, len(wanted), size):
        batch = wanted[start:start + size]
        answer = client.fetch("/postcodes", {"postcodes": batch})
        items = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise client.unexpected(f"no result list: {_one_line(json.dumps(answer))}")
        asked = set(batch)
        for item in items:
            query, hit = item.get("query"), item.get("result")
            if query in asked and isinstance(hit, dict):
                result.found[query] = (_number(hit.get("eastings")), _number(hit.get("northings")), "")
        result.not_found.update(asked - result.found.keys())
        if progress is not None:
            progress(start + len(batch), len(wanted))
    if check_terminated:
        for postcode in [p for p in wanted if p in result.not_found][:MAX_TERMINATED_CHECKS]:
            try:
                month = _termination(client, postcode)
            except PostcodeServiceError:
                break
            if month is not None:
                result.not_found.discard(postcode)
                result.found[postcode] = (math.nan, math.nan, month)
    return result
