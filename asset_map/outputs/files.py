"""Writing an output file all-or-nothing.

Every file asset-map writes for the user (maps, handouts, GeoPackages, CSV)
is written to a private file beside its target and renamed onto it only when
complete (``os.replace`` is atomic), so a failed or interrupted write never
leaves a half-written file in place of a good one, and leaves no leftovers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def replace_atomically(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` with a fresh path beside ``path`` (not yet created), then move it onto ``path``.

    The temporary file, and any SQLite side files a GeoPackage writer left
    beside it, are removed whatever happens.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL create the file themselves
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return path


def write_text_output(text: str, output: str | os.PathLike) -> Path:
    """Write ``text`` to the file ``output`` as UTF-8, all or nothing (see :func:`replace_atomically`).

    Standard output (``-``, or no ``--output``) is the command line's to write, not the library's.
    """
    return replace_atomically(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
