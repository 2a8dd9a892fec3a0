"""Reporting how far an import has got, for a progress bar."""

from __future__ import annotations

from typing import Callable

#: ``progress(step, done, total)``: how far an import has got (``total`` 0 when unknown).
Progress = Callable[[str, int, int], None]
#: Rows between progress reports.
PROGRESS_EVERY = 250


def tick(progress: "Progress | None", step: str, done: int, total: int) -> None:
    """Report ``done`` of ``total`` for ``step``, if anyone is listening."""
    if progress is not None:
        progress(step, done, total)
