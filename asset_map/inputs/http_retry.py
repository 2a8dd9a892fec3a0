"""Sending one HTTP request with retries: the mechanism shared by the online services asset-map uses.

:func:`send` tries a request up to ``retries + 1`` times, waiting ``backoff``,
then twice that, and so on between attempts. A timeout, a reset connection or
an answer whose status ``retry_if`` accepts (5xx by default) is tried again;
any other answer is returned as it is. What could not be done is raised as
:class:`Unreachable` (no connection at all: offline, unknown host, refused)
or :class:`GaveUp` (every attempt failed), for the caller to turn into a
message about its own service. Standard library only; nothing is printed.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from typing import Callable


class Unreachable(Exception):
    """The service could not be reached at all; ``reason`` says why (e.g. "Name or service not known")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GaveUp(Exception):
    """Every attempt failed: ``kind`` is ``"timeout"``, ``"reset"`` or ``"status"`` (then ``status``/``text``)."""

    def __init__(self, kind: str, attempts: int, status: int = 0, text: str = "") -> None:
        super().__init__(kind)
        self.kind, self.attempts, self.status, self.text = kind, attempts, status, text


def send(
    request: urllib.request.Request,
    *,
    timeout: float,
    retries: int,
    backoff: float,
    retry_if: Callable[[int], bool] = lambda status: status >= 500,
    on_attempt: Callable[[], None] | None = None,
) -> tuple[int, str]:
    """The status and text (UTF-8, a byte-order mark dropped) of the first answer not worth retrying.

    Raises
    ------
    Unreachable
        If the connection cannot be made (retrying would not help).
    GaveUp
        If every attempt timed out, was reset or got a status ``retry_if`` accepts.
    """
    attempts = max(0, retries) + 1
    kind, last_status, last_text = "", 0, ""
    for attempt in range(attempts):
        if attempt and backoff > 0:
            time.sleep(backoff * 2 ** (attempt - 1))
        if on_attempt is not None:
            on_attempt()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            try:
                status, body = exc.code, exc.read() if exc.fp is not None else b""
            except (OSError, http.client.HTTPException):
                status, body = exc.code, b""
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, ConnectionResetError)):
                kind = "timeout" if isinstance(exc.reason, TimeoutError) else "reset"
                continue
            reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
            raise Unreachable(str(reason)) from None
        except TimeoutError:
            kind = "timeout"
            continue
        except (ConnectionError, http.client.HTTPException):
            kind = "reset"
            continue
        text = body.decode("utf-8-sig", "replace")
        if retry_if(status):
            kind, last_status, last_text = "status", status, text
            continue
        return status, text
    raise GaveUp(kind, attempts, last_status, last_text)
