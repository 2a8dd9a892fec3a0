"""A workspace kept in PostgreSQL with PostGIS, shared by a team.

``--workspace postgresql://USER:PASSWORD@HOST:PORT/DATABASE?schema=NAME`` (or
the ``ASSET_MAP_WORKSPACE`` environment variable) keeps the same layers and
tables as a GeoPackage workspace (see :mod:`asset_map.store.gpkg`) in one schema
of the database (``asset_map`` unless ``schema=`` says otherwise), so several
studies can share a database. Geometry columns are ``geom`` typed
``geometry(MultiPolygon, 27700)`` or ``geometry(Point, 27700)``, with a spatial
index, so QGIS opens the layers as they are. The password may be left out of
the address and given in ``PGPASSWORD`` or ``~/.pgpass`` instead; it is never
shown: messages name the workspace with the password replaced by ``***``.

Every change runs in one database transaction: the tables a command
replaces are dropped, re-created and filled (``COPY``) inside it, and other
users see the workspace as it was until the command commits; a command that
fails or is interrupted rolls back and leaves it exactly as it was. Commands
that change the workspace also hold a PostgreSQL advisory lock for the whole
command (:meth:`PostGISStore.lock`), so two analysts' imports run one after the
other and both land; the lock goes with the session if a process dies.

Needs the ``psycopg`` package (``pip install 'asset-map[postgis]'``) and the
PostGIS extension in the database (created on first write when the user may).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..errors import WorkspaceError
from .base import (CHANGES_KEY, CRS, LOCK_POLL, LOCK_TIMEOUT, LOCK_TIMEOUT_VAR, SCHEMA_KEY, SPATIAL_LAYERS,
                   STATE_TABLE, TRIGGER_PREFIX, Table, paused_gc, shared_repeats)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import psycopg

DEFAULT_SCHEMA = "asset_map"
SRID = int(CRS.split(":")[1])
#: First key of the advisory lock (the second is the schema's hash): "am" in ASCII.
LOCK_CLASS = 0x616D
_SCHEMA_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")
#: The pandas dtypes of the frames the workspace writes, and their column types.
_PG_TYPES = {"i": "bigint", "u": "bigint", "f": "double precision", "b": "boolean"}


def is_postgres_location(location: object) -> bool:
    """Whether a workspace location is a PostgreSQL address (the scheme in any case)."""
    return str(location).lower().startswith(("postgresql://", "postgres://"))


def _q(name: str) -> str:
    """A name (schema, table, column) quoted as an SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def mask_password(url: str) -> str:
    """The address with its password (in the user part or a ``password=`` parameter) replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}:***@{host}")
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urlunsplit(parts._replace(query=query))


class PostGISStore:
    """A workspace kept in one schema of a PostgreSQL database with PostGIS.

    Implements the interface of :class:`asset_map.store.gpkg.GeoPackageStore`
    (``location``, ``exists``, ``layers``, ``count``, ``read``, ``transaction``,
    ``lock``, ``side_path``).
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schemas = [v for k, v in query if k == "schema"]
        self.schema = schemas[-1] if schemas else DEFAULT_SCHEMA
        self.location = mask_password(url)
        if not _SCHEMA_RE.match(self.schema):
            raise WorkspaceError(
                f"{self.location}: schema {self.schema!r} is not a plain name; use lower-case letters, digits "
                "and _ (for example ?schema=trafford)"
            )
        self._conninfo = urlunsplit(parts._replace(
            query=urlencode([(k, v) for k, v in query if k != "schema"], quote_via=quote)))
        self._password = parts.password or next((v for k, v in query if k.lower() == "password"), None)
        self.database = parts.path.lstrip("/") or None
        self._lock_depth = 0
        self._reader: "psycopg.Connection | None" = None

    def __repr__(self) -> str:
        return f"PostGISStore({self.location!r})"

    # -- connections -----------------------------------------------------------------

    def _clean(self, text: str) -> str:
        """A server or driver message on one line, without the password."""
        if self._password:
            text = text.replace(self._password, "***")
        return " ".join(text.split())

    def _connect(self, *, autocommit: bool = True) -> "psycopg.Connection":
        try:
            import psycopg
        except ImportError:
            raise WorkspaceError(
                f"{self.location}: PostgreSQL workspaces need the psycopg package; "
                "install it with: pip install 'asset-map[postgis]'"
            ) from None
        try:
            return psycopg.connect(self._conninfo, autocommit=autocommit, application_name="asset-map",
                                   connect_timeout=10)
        except psycopg.Error as e:
            raise WorkspaceError(
                f"{self.location}: cannot connect to PostgreSQL ({self._clean(str(e))}); check the host, port, "
                "database, user and password (or PGPASSWORD)"
            ) from None

    @contextmanager
    def _session(self) -> Iterator["psycopg.Connection"]:
        """The connection reads use: one per store, opened on first use and again if it was lost
        (a server restart, an idle timeout: checked with a round trip before each use)."""
        import psycopg

        if self._reader is not None and not self._reader.closed:
            try:
                self._reader.execute("SELECT 1")
            except psycopg.OperationalError:
                self._reader.close()
        if self._reader is None or self._reader.closed:
            self._reader = self._connect()
        try:
            yield self._reader
        except psycopg.Error as e:
            if self._reader.broken:
                self._reader.close()
            raise WorkspaceError(f"{self.location}: PostgreSQL said: {self._clean(str(e))}") from None

    def _columns(self, con: "psycopg.Connection", name: str) -> list[str]:
        return _columns(con, self.schema, name)

    def _tables(self, con: "psycopg.Connection") -> list[str]:
        return _tables(con, self.schema)

    # -- reading ---------------------------------------------------------------------

    def exists(self) -> bool:
        with self._session() as con:
            return bool(con.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                                    (self.schema,)).fetchone())

    def layers(self) -> list[str]:
        """Names of the layers and tables in the workspace."""
        with self._session() as con:
            return self._tables(con)

    def changes(self) -> int:
        """How many changes the workspace has seen (:data:`~asset_map.store.base.STATE_TABLE`); 0 before the first,
        -1 when a table was dropped, replaced or added since asset-map last wrote (its tables' identities moved)."""
        with self._session() as con:
            if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                               (self.schema, STATE_TABLE)).fetchone():
                return 0
            rows = {k: (v, b) for k, v, b in con.execute(
                f"SELECT key, version, value FROM {_q(self.schema)}.{STATE_TABLE} WHERE key IN (%s, %s)",
                (CHANGES_KEY, SCHEMA_KEY)).fetchall()}
            tables = _table_identities(con, self.schema)
        schema = rows.get(SCHEMA_KEY, (None, None))[1]
        return rows.get(CHANGES_KEY, (0, None))[0] if schema is not None and bytes(schema) == tables else -1

    def state(self, key: str) -> tuple[int, bytes] | None:
        """The bookkeeping row ``key``: the changes count it was written at, and its value; ``None`` if there is none."""
        with self._session() as con:
            if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                               (self.schema, STATE_TABLE)).fetchone():
                return None
            row = con.execute(f"SELECT version, value FROM {_q(self.schema)}.{STATE_TABLE} WHERE key = %s",
                              (key,)).fetchone()
        return None if row is None else (row[0], None if row[1] is None else bytes(row[1]))

    def count(self, name: str) -> int | None:
        """The number of rows of a layer or table; ``None`` if the workspace does not have it."""
        with self._session() as con:
            if name not in self._tables(con):
                return None
            return con.execute(f"SELECT count(*) FROM {_q(self.schema)}.{_q(name)}").fetchone()[0]

    def read(self, name: str, *, where: str | None = None, params: tuple = (),
             columns: list[str] | None = None, exclude: Sequence[str] = ()) -> Table | None:
        """Read a layer or table in the order it was written; ``None`` if the workspace does not have it.

        ``where`` is an SQL condition on the table's columns, with ``?``
        placeholders for ``params``; ``columns`` reads only those (and the
        geometry only if ``"geometry"`` is among them); ``exclude`` reads all
        but those; as for a GeoPackage. The garbage collector is paused meanwhile (:func:`.base.paused_gc`).
        """
        with paused_gc():
            return self._read(name, where, params, columns, exclude)

    def _read(self, name: str, where: str | None, params: tuple, columns: list[str] | None,
              exclude: Sequence[str]) -> Table | None:
        """:meth:`read`, with the garbage collector paused."""
        with self._session() as con:
            if name not in self._tables(con):
                return None
            have = self._columns(con, name)
            if exclude:
                columns = [c for c in have if c not in exclude] + ["geometry"]
            with_geometry = "geom" in have and (columns is None or "geometry" in columns)
            plain = [c for c in have if c not in ("fid", "geom") and (columns is None or c in columns)]
            selected = [_q(c) for c in plain]
            if with_geometry:
                selected.append("ST_AsBinary(geom)")
            sql = f'SELECT {", ".join(selected) or "1"} FROM {_q(self.schema)}.{_q(name)}'
            if where:
                sql += " WHERE " + where.replace("%", "%%").replace("?", "%s")
            if "fid" in have:
                sql += " ORDER BY fid"
            rows = con.execute(sql, params).fetchall()
        data = {c: shared_repeats([r[i] for r in rows]) for i, c in enumerate(plain)}
        geometry = None
        if with_geometry:
            import numpy as np
            import shapely

            geometry = shapely.from_wkb(np.array([None if r[-1] is None else bytes(r[-1]) for r in rows],
                                                 dtype=object))
        return Table(data, geometry)

    def side_path(self, suffix: str) -> "os.PathLike[str]":
        """A local folder or file for this workspace's working files (in the current folder)."""
        from pathlib import Path

        return Path(f"asset-map-{self.database or 'postgres'}-{self.schema}{suffix}")

    # -- changing --------------------------------------------------------------------

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the workspace for one command that changes it (a PostgreSQL advisory lock).

        Another command that changes the same workspace (schema), from this
        machine or another, waits up to ``timeout`` seconds (default
        :data:`asset_map.store.gpkg.LOCK_TIMEOUT` or ``ASSET_MAP_LOCK_TIMEOUT``) and then
        goes on, so both changes land. The lock belongs to a database session:
        if the process holding it dies, the server releases it. Re-entrant
        within a process.

        Raises
        ------
        WorkspaceError
            If the wait runs out: naming who holds the workspace.
        """
        import time

        import psycopg

        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if timeout is None:
            timeout = float(os.environ.get(LOCK_TIMEOUT_VAR) or LOCK_TIMEOUT)
        con = self._connect()
        try:
            key = con.execute("SELECT hashtext(%s)", (self.schema,)).fetchone()[0]
            deadline = time.monotonic() + timeout
            while not con.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, key)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise WorkspaceError(
                        f"{self.location}: another asset-map command ({self._lock_holder(con, key)}) is changing "
                        f"this workspace; waited {timeout:g} s. Try again when it has finished (or set "
                        f"{LOCK_TIMEOUT_VAR} to wait longer)"
                    )
                time.sleep(LOCK_POLL)
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0
                try:
                    con.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, key))
                except psycopg.Error:
                    pass  # the session is gone, and its lock with it: the command's own outcome stands
        finally:
            con.close()

    def _lock_holder(self, con: "psycopg.Connection", key: int) -> str:
        row = con.execute(
            "SELECT a.usename, a.client_addr::text, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s::oid LIMIT 1",
            (LOCK_CLASS, key & 0xFFFFFFFF),
        ).fetchone()
        if not row:
            return "another session"
        user, addr, pid = row
        return f"user {user} from {addr or 'this server'}, database process {pid}"

    @contextmanager
    def transaction(self) -> Iterator["PostGISWriter"]:
        """Change the workspace all-or-nothing: one database transaction, committed when the block finishes."""
        import psycopg

        con = self._connect(autocommit=False)
        try:
            try:
                if not con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
                    con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error:
                raise WorkspaceError(
                    f"{self.location}: PostGIS is not installed in this database; ask its administrator to run "
                    "CREATE EXTENSION postgis"
                ) from None
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(self.schema)}")
            con.execute("SET LOCAL asset_map.writing = 'on'")  # this transaction's statements count once, at its end
            writer = PostGISWriter(con, self.schema)
            yield writer
            _watch(con, self.schema, writer.states)
            con.commit()
        except psycopg.Error as e:
            _roll_back(con)
            raise WorkspaceError(f"{self.location}: PostgreSQL said: {self._clean(str(e))}") from None
        except BaseException:
            _roll_back(con)
            raise
        finally:
            con.close()


class PostGISWriter:
    """Writes whole layers inside a transaction (:meth:`PostGISStore.transaction`)."""

    def __init__(self, con: "psycopg.Connection", schema: str) -> None:
        self.con = con
        self.schema = schema
        #: Bookkeeping rows to write as the transaction ends, and the changes count each was derived at.
        self.states: dict[str, tuple[bytes | None, int]] = {}

    def put_state(self, key: str, value: bytes | None, derived_at: int) -> None:
        """Keep ``value``, derived from the workspace as it was at changes count ``derived_at``, as the
        bookkeeping row ``key``: written, current as of this transaction, only if nothing changed since
        (``None``: remove the row, whatever changed)."""
        self.states[key] = (value, derived_at)

    def write(self, name: str, frame: "pd.DataFrame") -> None:
        """Replace table ``name`` with ``frame`` (a GeoDataFrame in EPSG:27700, or a DataFrame).

        Columns keep their pandas types (integers ``bigint``, floats ``double
        precision``, text ``text``); NaN is stored as NULL and polygons as
        multipolygons, as in a GeoPackage.
        """
        import shapely

        table = f"{_q(self.schema)}.{_q(name)}"
        geom_name = getattr(frame, "_geometry_column_name", None) if name in SPATIAL_LAYERS else None
        defs = ["fid bigserial PRIMARY KEY"] + [f'{_q(c)} {_PG_TYPES.get(frame[c].dtype.kind, "text")}'
                                               for c in frame.columns if c != geom_name]
        if geom_name is not None:
            kind = SPATIAL_LAYERS[name]
            if name == "population" and len(frame) and (shapely.get_type_id(frame.geometry.values) == 0).all():
                kind = "Point"  # population-weighted centroids rather than polygons
            defs.append(f"geom geometry({kind}, {SRID})")
        self.con.execute(f"DROP TABLE IF EXISTS {table}")
        self.con.execute(f"CREATE TABLE {table} ({', '.join(defs)})")
        self._copy(name, frame)
        if geom_name is not None:
            self.con.execute(f"CREATE INDEX {_q(name + '_geom_idx')} ON {table} USING gist (geom)")

    def _copy(self, name: str, frame: "pd.DataFrame") -> None:
        """Add the rows of ``frame`` to the existing table ``name`` (``COPY``); polygons become multipolygons."""
        import numpy as np
        import pandas as pd
        import shapely

        if not len(frame):
            return
        geom_name = getattr(frame, "_geometry_column_name", None) if name in SPATIAL_LAYERS else None
        plain = [c for c in frame.columns if c != geom_name]
        values: list[list[Any]] = [_column_values(frame[c]) for c in plain]
        if geom_name is not None:
            geoms = np.array(frame.geometry.values, dtype=object)  # a copy: the caller's frame stays as it is
            single = shapely.get_type_id(geoms) == 3
            if name != "assets" and single.any():
                geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
            geoms[pd.isna(geoms) | shapely.is_empty(geoms)] = None
            plain.append("geom")
            values.append(list(shapely.to_wkb(shapely.set_srid(geoms, SRID), hex=True, include_srid=True)))
        cols = ", ".join(_q(c) for c in plain)
        with self.con.cursor().copy(f"COPY {_q(self.schema)}.{_q(name)} ({cols}) FROM STDIN") as copy:
            for row in zip(*values):
                copy.write_row(row)

    def append(self, name: str, frame: "pd.DataFrame") -> None:
        """Add ``frame``'s rows to table ``name`` (created if missing; columns it lacks are added)."""
        have = _columns(self.con, self.schema, name)
        if not have:
            self.write(name, frame)
            return
        geometry = getattr(frame, "_geometry_column_name", None) if name in SPATIAL_LAYERS else None
        for column in frame.columns:
            if column != geometry and column not in have:
                kind = _PG_TYPES.get(frame[column].dtype.kind, "text")
                self.con.execute(f"ALTER TABLE {_q(self.schema)}.{_q(name)} ADD COLUMN {_q(column)} {kind}")
        self._copy(name, frame)

    def delete(self, name: str, where: str, params: tuple = ()) -> int:
        """Delete the rows of ``name`` matching the SQL condition ``where`` (``?`` placeholders); how many."""
        if not _columns(self.con, self.schema, name):
            return 0
        sql = where.replace("%", "%%").replace("?", "%s")
        cur = self.con.execute(f"DELETE FROM {_q(self.schema)}.{_q(name)} WHERE {sql}", params)
        return cur.rowcount

    def index(self, name: str, column: str) -> None:
        """Index ``column`` of table ``name`` for fast lookups."""
        self.con.execute(f"CREATE INDEX IF NOT EXISTS {_q(f'idx_{name}_{column}')} ON {_q(self.schema)}.{_q(name)} "
                         f"({_q(column)})")


def _tables(con: "psycopg.Connection", schema: str) -> list[str]:
    """The workspace's layers and tables (not its bookkeeping table), by name."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name <> %s "
        "ORDER BY table_name", (schema, STATE_TABLE)).fetchall()
    return [r[0] for r in rows]


def _watch(con: "psycopg.Connection", schema: str, states: "dict[str, tuple[bytes | None, int]]") -> None:
    """As a transaction ends: make sure every table of the workspace this user may put triggers on counts the
    statements other sessions run on it (tables this transaction made lack it; the others are left alone, so
    other sessions' edits are not waited for), record the tables' identities, and count this transaction as one
    change, writing its bookkeeping rows at the new count.

    The trigger's function runs as its owner (SECURITY DEFINER: a colleague who may edit a layer but not the
    bookkeeping table still has the edit counted) and skips asset-map's own transactions (``asset_map.writing``),
    which count once, here. When another session's edit holds the count's row (an edit not yet committed),
    nothing is waited for: the count is left, and the bookkeeping rows derived from the workspace are removed
    instead, so none of them is taken for current.
    """
    s, table = _q(schema), f"{_q(schema)}.{STATE_TABLE}"
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} (key text PRIMARY KEY, version bigint NOT NULL, value bytea)")
    if not con.execute(f"SELECT 1 FROM {table} WHERE key = %s", (CHANGES_KEY,)).fetchone():  # (reading never waits)
        con.execute(f"INSERT INTO {table} VALUES (%s, 0, NULL) ON CONFLICT (key) DO NOTHING", (CHANGES_KEY,))
    body = (f" BEGIN IF coalesce(current_setting('asset_map.writing', true), '') <> 'on' THEN "
            f"UPDATE {table} SET version = version + 1 WHERE key = '{CHANGES_KEY}'; END IF; RETURN NULL; END ")
    defined = con.execute("SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
                          "n.nspname = %s AND p.proname = %s", (schema, TRIGGER_PREFIX)).fetchone()
    if defined is None or defined[0] != body:  # (re)defined only when needed: replacing needs its owner
        con.execute(f"CREATE OR REPLACE FUNCTION {s}.{TRIGGER_PREFIX}() RETURNS trigger LANGUAGE plpgsql SECURITY "
                    f"DEFINER SET search_path = pg_catalog, pg_temp AS $${body}$$")
    for (name,) in con.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind IN ('r', 'p') AND c.relname <> %s AND has_table_privilege(c.oid, 'TRIGGER') AND NOT EXISTS "
            "(SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)",
            (schema, STATE_TABLE, TRIGGER_PREFIX)).fetchall():
        con.execute(f"CREATE TRIGGER {TRIGGER_PREFIX} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                    f"{s}.{_q(name)} FOR EACH STATEMENT EXECUTE FUNCTION {s}.{TRIGGER_PREFIX}()")
    con.execute(f"INSERT INTO {table} VALUES (%s, 0, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (SCHEMA_KEY, _table_identities(con, schema)))
    held = con.execute(f"SELECT version FROM {table} WHERE key = %s FOR UPDATE SKIP LOCKED", (CHANGES_KEY,)).fetchone()
    if held is None:  # another session's uncommitted edit holds the count: leave it, drop what was derived
        con.execute(f"DELETE FROM {table} WHERE key NOT IN (%s, %s)", (CHANGES_KEY, SCHEMA_KEY))
        return
    was = held[0]
    con.execute(f"UPDATE {table} SET version = %s WHERE key = %s", (was + 1, CHANGES_KEY))
    for key, (value, at) in states.items():
        if value is None:
            con.execute(f"DELETE FROM {table} WHERE key = %s", (key,))
        elif at == was:
            con.execute(f"INSERT INTO {table} VALUES (%s, %s, %s) ON CONFLICT (key) DO UPDATE SET version = "
                        "EXCLUDED.version, value = EXCLUDED.value", (key, was + 1, value))


def _table_identities(con: "psycopg.Connection", schema: str) -> bytes:
    """The workspace's tables as they are: each one's name and object id (a table dropped and made again gets
    another), in name order."""
    rows = con.execute("SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND c.relname <> %s ORDER BY c.relname",
                       (schema, STATE_TABLE)).fetchall()
    return ";".join(f"{name}:{oid}" for name, oid in rows).encode()


def _columns(con: "psycopg.Connection", schema: str, name: str) -> list[str]:
    """The columns of table ``schema.name`` in order; empty if there is no such table."""
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position", (schema, name)).fetchall()]


def _roll_back(con: "psycopg.Connection") -> None:
    """Abandon the transaction; if the connection is mid-command (Ctrl-C during COPY), closing it does that."""
    import psycopg

    try:
        con.rollback()
    except psycopg.Error:
        con.close()  # the server rolls back a transaction whose session ends


def _column_values(series: "pd.Series") -> list[Any]:
    """A column as plain Python values, missing values (NaN, None, NA) as ``None``."""
    import pandas as pd

    if series.dtype.kind in "iub":
        return series.tolist()
    values = series.tolist()
    missing = pd.isna(series).tolist()
    if series.dtype.kind == "f":
        return [None if m else v for v, m in zip(values, missing)]
    return [None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(values, missing)]
