"""The GeoPackage store: a workspace in one file that QGIS opens as it is.

Layers and tables: see :mod:`asset_map.store.base`.
"""

from __future__ import annotations

import glob
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ..errors import WorkspaceError
from ..files import NAME_MAX, SQLITE_SIDE_FILES, protect, read_only
from .base import (CHANGES_KEY, DEFAULT_WORKSPACE, LOCK_POLL, LOCK_TIMEOUT, LOCK_TIMEOUT_VAR, READ_BATCH,
                   SCHEMA_KEY, SPATIAL_LAYERS, STATE_TABLE, TRIGGER_PREFIX, Table, paused_gc, shared_repeats)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd


def _decode_gpkg_geometry(blobs: list[bytes | None]) -> "np.ndarray":
    """Decode GeoPackage geometry blobs (header + WKB) into shapely geometries.

    The header is ``GP``, a version byte, a flags byte, a 4-byte SRS id and an
    envelope whose length the flags give (0, 32, 48, 48 or 64 bytes). A
    layer of plain 2D points (every blob the same length, header and WKB
    type alike, no empty point) is decoded as one array
    (:func:`_decode_points`); anything else blob by blob.
    """
    import shapely

    points = _decode_points(blobs)
    if points is not None:
        return points
    import numpy as np

    wkb: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkb.append(None)
            continue
        flags = blob[3]
        if flags & 0b10000:  # empty geometry
            wkb.append(None)
            continue
        envelope = (0, 32, 48, 48, 64)[(flags >> 1) & 0b111]
        wkb.append(bytes(blob[8 + envelope:]))
    return shapely.from_wkb(np.array(wkb, dtype=object))


def _decode_points(blobs: list[bytes | None]) -> "np.ndarray | None":
    """The points of ``blobs`` when every one is a 2D WKB point (byte order, type 1, x, y) behind the same
    header without an envelope, with finite coordinates; else ``None``.

    The blobs are joined into one byte array, viewed as rows of 29 bytes,
    and the coordinates read as little- or big-endian doubles: the same
    points as decoding each one's WKB.
    """
    import numpy as np
    import shapely

    n = len(blobs)
    if n == 0 or not isinstance(blobs[0], bytes) or len(blobs[0]) != 29:
        return None
    try:
        joined = b"".join(blobs)
    except TypeError:  # a missing geometry
        return None
    if len(joined) != 29 * n:
        return None
    rows = np.frombuffer(joined, dtype=np.uint8).reshape(n, 29)
    head = rows[:, :4]
    if (head != rows[0, :4]).any() or rows[0, 3] & 0b11110 or bytes(rows[0, :2]) != b"GP":
        return None  # another header, an envelope or an empty geometry
    order = rows[0, 8]
    kind = "<u4" if order == 1 else ">u4"
    if order not in (0, 1) or (rows[:, 8] != order).any() or (rows[:, 9:13].copy().view(kind) != 1).any():
        return None
    xy = rows[:, 13:29].copy().view("<f8" if order == 1 else ">f8").astype(float).reshape(n, 2)
    if not np.isfinite(xy).all():
        return None
    return shapely.points(xy)


#: What the longest working file beside a workspace adds to its name (``.NAME.PID.tmp.gpkg-journal``).
_SIDE_NAME_OVERHEAD = 32


class GeoPackageStore:
    """A workspace kept in one GeoPackage file.

    The interface (``exists``, ``layers``, ``count``, ``read``, ``transaction``) is the
    one a shared database store implements too.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock_depth = 0
        #: What opening the workspace put right (a leftover of an interrupted change), for the user to hear.
        self.notes: list[str] = []
        protect([self.path, self.lock_path, *(f"{self.path}{s}" for s in SQLITE_SIDE_FILES)], workspace=True)

    @property
    def _file(self) -> Path:
        """The workspace file itself: a symbolic link's target, so that a change keeps the link."""
        return Path(os.path.realpath(self.path))

    @property
    def lock_path(self) -> Path:
        return self._file.with_name(f".{self._file.name}.lock")

    def _check_path(self, *, writing: bool) -> None:
        """Refuse, in one line that says what to do, a workspace path that cannot be used."""
        if self.path.is_dir():
            raise WorkspaceError(f"{self.path} is a folder: give the workspace file, "
                                 f"e.g. --workspace {self.path / DEFAULT_WORKSPACE}")
        if len(self._file.name.encode("utf-8", "surrogateescape")) + _SIDE_NAME_OVERHEAD > NAME_MAX:
            raise WorkspaceError(f"{str(self.path)[:60]}...: the workspace file name is too long for the file "
                                 f"system ({len(self._file.name)} characters); choose a shorter one")
        if not writing:
            return
        folder = self._file.parent
        if self._file.exists() and read_only(self._file):
            raise WorkspaceError(f"{self.path} is read-only, so this command cannot change it: make it writable "
                                 f"(chmod u+w), or work on a copy")
        if folder.exists() and read_only(folder):
            raise WorkspaceError(f"{self.path}: the folder {folder} is read-only, so the workspace cannot be "
                                 f"changed there; copy it to a folder you can write to")

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the workspace for one command that changes it, from its first read to its last write.

        Another command that changes the workspace waits (up to ``timeout``
        seconds, default :data:`LOCK_TIMEOUT` or the environment variable
        ``ASSET_MAP_LOCK_TIMEOUT``) and then goes on with the workspace as the
        first left it, so both changes land. The lock is a file beside the
        workspace created exclusively and holding the process id; a lock left
        by a process that no longer runs (killed) is taken over. Re-entrant
        within a process.

        Raises
        ------
        WorkspaceError
            If the wait runs out: naming the process that holds the workspace.
        """
        import time

        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if timeout is None:
            timeout = float(os.environ.get(LOCK_TIMEOUT_VAR) or LOCK_TIMEOUT)
        self._check_path(writing=True)
        self._file.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = self._lock_holder()
                if holder is not None and not _pid_alive(holder):
                    self.lock_path.unlink(missing_ok=True)  # left by a killed process
                    continue
                if time.monotonic() >= deadline:
                    who = f"process {holder}" if holder else "another process"
                    raise WorkspaceError(
                        f"{self.path}: another asset-map command ({who}) is changing this workspace; waited "
                        f"{timeout:g} s. Try again when it has finished (or set {LOCK_TIMEOUT_VAR} to wait longer); "
                        f"if no asset-map command is running, delete the lock file {self.lock_path.name}"
                    ) from None
                time.sleep(LOCK_POLL)
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            break
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            self.lock_path.unlink(missing_ok=True)

    def _lock_holder(self) -> int | None:
        try:
            return int(self.lock_path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    @property
    def location(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        """Whether the workspace file is there (a folder or an unusable name is refused, see ``_check_path``)."""
        self._check_path(writing=False)
        return self.path.is_file()

    def _recover_journal(self) -> None:
        """Put right what an interrupted change by another program left: a journal beside the workspace.

        SQLite undoes an unfinished change (a "hot" journal) when the file is
        next opened for writing; an empty journal is only a leftover and is
        removed. A journal that is still there after SQLite looked at it
        belongs to a program changing the file now, and is left alone.
        """
        journal = Path(f"{self._file}-journal")
        if not journal.exists():
            return
        if journal.stat().st_size == 0:
            journal.unlink(missing_ok=True)
            self.notes.append(f"{journal.name}: an empty journal left by an interrupted change was removed")
            return
        try:
            with _closing(sqlite3.connect(self._file)) as con:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"{self.path}: an interrupted change left {journal.name} beside it and it cannot "
                                 f"be undone ({exc}); make the workspace and its folder writable and run the "
                                 f"command again") from None
        if not journal.exists():
            self.notes.append(f"{journal.name}: an interrupted change to the workspace was undone")

    def side_path(self, suffix: str) -> Path:
        """A file or folder beside the workspace for its working files (``ws.gpkg`` + ``suffix``)."""
        return self.path.with_name(self.path.name + suffix)

    def _connect(self) -> sqlite3.Connection:
        if not self.exists():
            raise WorkspaceError(
                f"{self.path}: no workspace here; start one with `asset-map boundaries load` "
                "or `asset-map import`, or pass --workspace"
            )
        self._recover_journal()
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            con.execute("SELECT count(*) FROM gpkg_contents").fetchone()
        except sqlite3.DatabaseError:
            raise WorkspaceError(f"{self.path}: not a GeoPackage workspace") from None
        return con

    def layers(self) -> list[str]:
        """Names of the layers and tables in the workspace."""
        if not self.exists():
            return []
        with _closing(self._connect()) as con:
            return [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]

    def count(self, name: str) -> int | None:
        """The number of rows of a layer or table; ``None`` if the workspace does not have it."""
        if not self.exists():
            return None
        with _closing(self._connect()) as con:
            if not con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)).fetchone():
                return None
            return con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]

    def changes(self) -> int:
        """How many changes the workspace has seen (:data:`~asset_map.store.base.STATE_TABLE`); 0 before the first,
        -1 when a table was dropped, replaced or added since asset-map last wrote (SQLite's schema version moved)."""
        if not self.exists():
            return 0
        with _closing(self._connect()) as con:
            try:
                rows = dict(con.execute(f"SELECT key, version FROM {STATE_TABLE} WHERE key IN (?, ?)",
                                        (CHANGES_KEY, SCHEMA_KEY)).fetchall())
            except sqlite3.OperationalError:  # a workspace made before the table
                return 0
            schema = con.execute("PRAGMA schema_version").fetchone()[0]
        return rows.get(CHANGES_KEY, 0) if rows.get(SCHEMA_KEY) == schema else -1

    def state(self, key: str) -> tuple[int, bytes] | None:
        """The bookkeeping row ``key``: the changes count it was written at, and its value; ``None`` if there is none."""
        if not self.exists():
            return None
        with _closing(self._connect()) as con:
            try:
                return con.execute(f"SELECT version, value FROM {STATE_TABLE} WHERE key = ?", (key,)).fetchone()
            except sqlite3.OperationalError:  # a workspace made before the table
                return None

    def read(self, name: str, *, where: str | None = None, params: tuple = (),
             columns: list[str] | None = None, exclude: Sequence[str] = ()) -> Table | None:
        """Read a layer or table; ``None`` if the workspace does not have it.

        ``where`` is an SQL condition on the table's columns, with ``?``
        placeholders for ``params``; ``columns`` reads only those (and the
        geometry only if ``"geometry"`` is among them); ``exclude`` reads all
        but those.
        """
        if not self.exists():
            return None
        with paused_gc():
            return self._read(name, where, params, columns, exclude)

    def _read(self, name: str, where: str | None, params: tuple, columns: list[str] | None,
              exclude: Sequence[str]) -> Table | None:
        """:meth:`read`, with the garbage collector paused."""
        with _closing(self._connect()) as con:
            found = con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)).fetchone()
            if not found:
                return None
            geom_row = con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
            ).fetchone()
            geom_col = geom_row[0] if geom_row else None
            if exclude or columns is not None:
                have = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
                if exclude:
                    columns = [c for c in have if c not in exclude] + ["geometry"]
                wanted = [c for c in columns if c in have and c != geom_col]
                if geom_col and "geometry" not in columns:
                    geom_col = None
                selected = ", ".join(f'"{c}"' for c in wanted + ([geom_col] if geom_col else [])) or "1 AS fid"
            else:
                selected = "*"
            cur = con.execute(f'SELECT {selected} FROM "{name}"' + (f" WHERE {where}" if where else ""), params)
            names = [d[0] for d in cur.description]
            lists: list[list[Any]] = [[] for _ in names]
            while batch := cur.fetchmany(READ_BATCH):  # column by column, without holding every row's tuple
                for values, cells in zip(lists, zip(*batch)):
                    values.extend(cells)
        data = {n: shared_repeats(values) for n, values in zip(names, lists) if n not in ("fid", geom_col)}
        geometry = _decode_gpkg_geometry(lists[names.index(geom_col)]) if geom_col else None
        return Table(data, geometry)

    @contextmanager
    def transaction(self) -> Iterator["GeoPackageWriter"]:
        """Change the workspace all-or-nothing.

        Yields a writer on a private copy of the file; the copy replaces the
        workspace only when the block finishes without an exception.
        """
        import shutil

        self._check_path(writing=True)
        target = self._file
        target.parent.mkdir(parents=True, exist_ok=True)
        self._remove_stale_copies()
        if self.exists():
            self._recover_journal()
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.gpkg")
        try:
            if self.exists():
                shutil.copyfile(target, tmp)
                _watch(tmp, False)
            writer = GeoPackageWriter(tmp)
            yield writer
            if not tmp.exists():  # nothing was written
                return
            _watch(tmp, True, writer.states)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            for leftover in (tmp, *(Path(f"{tmp}{s}") for s in SQLITE_SIDE_FILES)):
                leftover.unlink(missing_ok=True)

    def _remove_stale_copies(self) -> None:
        """Delete copies left by killed processes (their process no longer runs), and the copies' journals."""
        stem = self._file.stem
        pattern = str(self._file.with_name(f".{glob.escape(stem)}.*.tmp.gpkg*"))
        for leftover in glob.glob(pattern):
            name = Path(leftover).name
            pid_text = name[len(stem) + 2:].split(".", 1)[0]
            if not pid_text.isdigit() or name.split(".tmp.gpkg", 1)[1] not in ("", *SQLITE_SIDE_FILES):
                continue
            if int(pid_text) == os.getpid() or not _pid_alive(int(pid_text)):
                Path(leftover).unlink(missing_ok=True)


class GeoPackageWriter:
    """Writes whole layers into the private copy of a transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: Bookkeeping rows to write as the transaction ends, and the changes count each was derived at.
        self.states: dict[str, tuple[bytes | None, int]] = {}

    def put_state(self, key: str, value: bytes | None, derived_at: int) -> None:
        """Keep ``value``, derived from the workspace as it was at changes count ``derived_at``, as the
        bookkeeping row ``key``: written, current as of this transaction, only if nothing changed since
        (``None``: remove the row, whatever changed)."""
        self.states[key] = (value, derived_at)

    def write(self, name: str, frame: "pd.DataFrame") -> None:
        """Replace layer ``name`` with ``frame`` (a GeoDataFrame in EPSG:27700, or a DataFrame)."""
        import pyogrio

        kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG", "use_arrow": True}
        if name in SPATIAL_LAYERS:
            kind = SPATIAL_LAYERS[name]
            if name == "population" and len(frame) and (frame.geometry.geom_type == "Point").all():
                kind = "Point"  # population-weighted centroids rather than polygons
            kwargs["geometry_type"] = kind
            kwargs["promote_to_multi"] = kind.startswith("Multi")
        pyogrio.write_dataframe(frame, self.path, **kwargs)

    def append(self, name: str, frame: "pd.DataFrame") -> None:
        """Add ``frame``'s rows to layer ``name`` (created if missing; columns it lacks are added)."""
        import pyogrio

        if not self.path.exists():  # a new workspace: nothing to add to
            self.write(name, frame)
            return
        with _closing(sqlite3.connect(self.path)) as con:
            found = con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)).fetchone()
            if found:
                have = {r[1] for r in con.execute(f'PRAGMA table_info("{name}")')}
                geometry = getattr(frame, "_geometry_column_name", None)
                for column in frame.columns:
                    if column != geometry and column not in have:
                        kind = {"i": "INTEGER", "u": "INTEGER", "f": "REAL", "b": "BOOLEAN"}.get(
                            frame[column].dtype.kind, "TEXT")
                        con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {kind}')
                con.commit()
        if not found:
            self.write(name, frame)
        elif len(frame):
            pyogrio.write_dataframe(frame, self.path, layer=name, driver="GPKG", append=True)

    def delete(self, name: str, where: str, params: tuple = ()) -> int:
        """Delete the rows of ``name`` matching the SQL condition ``where`` (``?`` placeholders); how many."""
        if not self.path.exists():
            return 0
        with _closing(sqlite3.connect(self.path)) as con:
            if not con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)).fetchone():
                return 0
            n = con.execute(f'DELETE FROM "{name}" WHERE {where}', params).rowcount
            con.commit()
        return n

    def index(self, name: str, column: str) -> None:
        """Index ``column`` of table ``name`` for fast lookups."""
        with _closing(sqlite3.connect(self.path)) as con:
            con.execute(f'CREATE INDEX IF NOT EXISTS "idx_{name}_{column}" ON "{name}" ("{column}")')
            con.commit()


def _watch(path: Path, on: bool, states: "dict[str, tuple[bytes | None, int]] | None" = None) -> None:
    """Take away (``on`` false, as a transaction starts: its own bulk writes are not counted row by row) or put
    back the triggers that count other programs' changes to each table listed as a layer or table (views have
    none), and, putting them back, count this transaction as one change, record SQLite's schema version as the
    transaction leaves it, and write its bookkeeping rows at the new count."""
    with _closing(sqlite3.connect(path)) as con:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                                   (TRIGGER_PREFIX + "%",)).fetchall():
            con.execute(f'DROP TRIGGER "{_quoted(name)}"')
        if on:
            con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (key TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                        "value BLOB)")
            bump = f"UPDATE {STATE_TABLE} SET version = version + 1 WHERE key = '{CHANGES_KEY}';"
            tables = [r[0] for r in con.execute("SELECT c.table_name FROM gpkg_contents c JOIN sqlite_master m ON "
                                                "m.name = c.table_name AND m.type = 'table'")]
            for k, name in enumerate(tables):
                for event in ("INSERT", "UPDATE", "DELETE"):
                    con.execute(f'CREATE TRIGGER "{TRIGGER_PREFIX}_{k}_{event.lower()}" AFTER {event} ON '
                                f'"{_quoted(name)}" BEGIN {bump} END')
            schema = con.execute("PRAGMA schema_version").fetchone()[0]
            con.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, 0, NULL) ON CONFLICT (key) DO NOTHING", (CHANGES_KEY,))
            con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES (?, ?, NULL)", (SCHEMA_KEY, schema))
            was = con.execute(f"SELECT version FROM {STATE_TABLE} WHERE key = ?", (CHANGES_KEY,)).fetchone()[0]
            con.execute(bump)
            for key, (value, at) in (states or {}).items():
                if value is None:
                    con.execute(f"DELETE FROM {STATE_TABLE} WHERE key = ?", (key,))
                elif at == was:
                    con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES (?, ?, ?)", (key, was + 1, value))
        con.commit()


def _quoted(name: str) -> str:
    """A name as it goes between double quotes in SQL."""
    return name.replace('"', '""')


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _closing(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield con
    finally:
        con.close()


