"""Every file asset-map writes for a user is opened here.

One place decides whether a path may be written, so that no command can
forget a check:

- a path that resolves to an open workspace, its lock, or its SQLite side
  files (``-journal``, ``-wal``, ``-shm``) is refused: writing there would
  replace every layer of the project;
- a symbolic link is written through to its target (the link stays a link);
- an existing folder, a parent that is a file, a read-only file or folder,
  and a name too long for the file system are refused with a one-line
  message that names the path and says what to do;
- the file is written to a private temporary file beside its target and
  renamed onto it only when complete (``os.replace`` is atomic), so a failed
  or interrupted write never leaves a half-written file in place of a good
  one, and leaves no leftovers.

``-`` is standard output: commands that write text handle it before calling
here (:func:`is_stdout`); for binary formats it is refused.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from .errors import OutputPathError

#: Paths no output may replace: every workspace opened in this process and its side files, and the lists read.
_PROTECTED: set[Path] = set()
#: The workspaces among them (a workspace is no input either).
_WORKSPACES: set[Path] = set()
#: SQLite's side files beside a database.
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
#: The longest file name most file systems take, in bytes.
NAME_MAX = 255
#: What a temporary file's name adds to its target's (``.NAME.XXXXXXXX.tmp.SUFFIX``).
_TMP_OVERHEAD = 24


def protect(paths: Iterable[str | os.PathLike], *, workspace: bool = False) -> None:
    """Refuse from now on any output that resolves to one of ``paths`` (a workspace and its side files, or an input)."""
    for p in paths:
        _PROTECTED.add(_resolved(Path(p)))
        if workspace:
            _WORKSPACES.add(_resolved(Path(p)))


def is_workspace(path: str | os.PathLike) -> bool:
    """Whether ``path`` resolves to a workspace opened in this process (or one of its working files)."""
    return _resolved(Path(path)) in _WORKSPACES


def is_stdout(path: str | os.PathLike | None) -> bool:
    """Whether an ``--output`` value means standard output (``-``)."""
    return path is not None and str(path) == "-"


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve(strict=False)
    except (OSError, RuntimeError):  # a link loop
        return path.absolute()


def check_output(path: str | os.PathLike, *, what: str = "file") -> Path:
    """The path to write for ``path`` (a link's target), or :class:`OutputPathError` saying why not.

    ``what`` is ``"file"`` or ``"folder"`` (an output that is a folder of files).
    """
    if is_stdout(path):
        raise OutputPathError("-o -: this output is not text, so it cannot go to standard output; "
                              "give a file name instead")
    given = Path(path)
    if str(path).strip() == "":
        raise OutputPathError("the output name is empty: give a file name with -o")
    target = _resolved(given)
    if target in _WORKSPACES:
        raise OutputPathError(f"{path}: that is the workspace (or one of its working files); writing there "
                              f"would replace the whole project. Choose another {what} name")
    if target in _PROTECTED:
        raise OutputPathError(f"{path}: that is the list this command reads; writing there would replace it. "
                              f"Choose another {what} name")
    _check_kind(path, target, what)
    _check_parent(path, target)
    _check_name(path, target)
    return target


def read_only(path: Path) -> bool:
    """Whether ``path`` may not be written: by permission, or with no write bit at all (so also for root)."""
    import stat

    try:
        return not os.access(path, os.W_OK) or not stat.S_IMODE(path.stat().st_mode) & 0o222
    except OSError:
        return False


def _check_kind(path, target: Path, what: str) -> None:
    if what == "file" and target.is_dir():
        raise OutputPathError(f"{path} is a folder: give a file name, e.g. {Path(path) / 'output'}{_suffix(path)}")
    if what == "folder" and target.exists() and not target.is_dir():
        raise OutputPathError(f"{path} is a file, not a folder: give a folder name for the files to go into")
    if what == "file" and target.exists() and read_only(target):
        raise OutputPathError(f"{path} is read-only: make it writable, or choose another file name")


def _check_parent(path, target: Path) -> None:
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputPathError(f"{path}: {parent} is a file, not a folder; choose a name in a folder")
            if read_only(parent):
                raise OutputPathError(f"{path}: the folder {parent} is read-only; choose a folder you can write to")
            return


def _check_name(path, target: Path) -> None:
    if len(target.name.encode("utf-8", "surrogateescape")) + _TMP_OVERHEAD > NAME_MAX:
        raise OutputPathError(f"{str(path)[:60]}...: the file name is too long for the file system "
                              f"({len(target.name)} characters); choose a shorter one")


def _suffix(path) -> str:
    return Path(path).suffix or ""


def write_atomically(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Check ``path`` (:func:`check_output`), call ``write(tmp)`` with a fresh path beside it, move it in place.

    The temporary file, and any SQLite side files a GeoPackage writer left
    beside it, are removed whatever happens. Returns the path written (a
    link's target).
    """
    target = check_output(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    except OSError as exc:
        raise _os_error(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL create the file themselves
    try:
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in SQLITE_SIDE_FILES)):
            leftover.unlink(missing_ok=True)
    return target


def write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8", newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` all-or-nothing (see :func:`write_atomically`)."""
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding=encoding, newline=newline))


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` all-or-nothing (see :func:`write_atomically`)."""
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


def output_folder(path: str | os.PathLike) -> Path:
    """A folder to write several files into, made if missing (its files go through :func:`write_atomically`)."""
    target = check_output(path, what="folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(path, exc) from None
    return target


def _os_error(path, exc: OSError) -> OutputPathError:
    """One line for a file system refusal, naming the path and what to do."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputPathError(f"{path}: permission denied; choose a folder you can write to")
    if exc.errno == errno.ENAMETOOLONG:
        return OutputPathError(f"{str(path)[:60]}...: the name is too long for the file system; choose a shorter one")
    if exc.errno == errno.ENOSPC:
        return OutputPathError(f"{path}: the disk is full; free some space and run the command again")
    if exc.errno in (errno.EISDIR, errno.ENOTDIR):
        return OutputPathError(f"{path}: a folder stands where a file should, or a file where a folder should; "
                               f"choose another name")
    return OutputPathError(f"{path}: cannot be written ({exc.strerror or exc}); choose another file name")
