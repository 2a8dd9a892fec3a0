"""The PostGIS workspace itself: tables QGIS opens, all-or-nothing changes, locks, and no password shown.

The rest of the suite runs against PostGIS as well (``[postgis]``, see conftest);
these are the PostGIS counterparts of test_workspace.py's GeoPackage file checks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import WorkspaceError
from asset_map.store.postgis import PostGISWriter, mask_password
from conftest import X0, Y0, asset_row, big_import, fingerprint, postgres_url, write_csv

pytestmark = pytest.mark.postgis_only


@pytest.fixture
def url(postgres_database) -> str:
    return postgres_url(postgres_database, f"w_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def filled(url, two_areas, assets_csv):
    ws = asset_map.Workspace(url)
    ws.load_boundaries(two_areas, population_field="pop")
    ws.import_assets(assets_csv)
    return ws


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url.split("?")[0], autocommit=True) as con:
        cur = con.execute(query, params)
        return cur.fetchall() if cur.description else []


def with_password(url: str, password: str) -> str:
    return url.replace("postgres@", f"postgres:{password}@", 1)


def test_layers_are_postgis_tables_in_british_national_grid(filled, url):
    schema = filled.store.schema
    geometry = sql(url, "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema = %s "
                        "ORDER BY 1", (schema,))
    assert geometry == [("areas", "MULTIPOLYGON", 27700), ("assets", "POINT", 27700)]
    assert filled.store.layers() == ["areas", "assets", "categories", "imports", "rejects"]
    indexes = {r[0] for r in sql(url, "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,))}
    assert {"areas_geom_idx", "assets_geom_idx"} <= indexes
    assert filled.status() == {
        "workspace": url, "exists": True, "areas": 2, "population": 0, "need": 0, "assets": 5,
        "rejects": 1, "imports": 1, "postcodes": 0, "postcode_cache": 0, "unlocated": 0, "assets_merged": 0,
        "assets_outside": 1, "assets_uncategorised": 1,
    }
    # The database computes the same areas: a GIS analyst's query agrees with asset-map's assignment.
    joined = sql(url, f'SELECT s.name, a.area_code FROM "{schema}".assets s LEFT JOIN "{schema}".areas a '
                      "ON ST_Within(s.geom, a.geom) ORDER BY s.fid")
    assigned = filled.assets()[["name", "area_code"]].itertuples(index=False)
    assert joined == [(n, c if isinstance(c, str) else None) for n, c in assigned]
    assert sum(c is None for _, c in joined) == 1  # the hospice over the border


def test_two_workspaces_share_a_database(filled, postgres_database, two_areas):
    other = asset_map.Workspace(postgres_url(postgres_database, f"w_{uuid.uuid4().hex[:12]}"))
    other.load_boundaries(two_areas, population_field="pop")
    assert other.assets() is None and len(filled.assets()) == 5


def test_failed_write_rolls_back(filled, monkeypatch, tmp_path):
    before = fingerprint(filled)
    calls = []
    real_write = PostGISWriter.write

    def write_then_fail(self, name, frame):
        calls.append(name)
        real_write(self, name, frame)
        if len(calls) == 2:  # assets and rejects written, imports not yet
            raise OSError("disk full")

    monkeypatch.setattr(PostGISWriter, "write", write_then_fail)
    other = write_csv(tmp_path / "more.csv", ["Name", "Category", "Latitude", "Longitude"],
                      [asset_row("More", "carers", X0 + 50, Y0 + 50)])
    with pytest.raises(OSError, match="disk full"):
        filled.import_assets(other)
    assert len(calls) == 2
    assert fingerprint(filled) == before


def test_a_first_write_that_fails_creates_nothing(url, two_areas, monkeypatch):
    def interrupted(self, name, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(PostGISWriter, "write", interrupted)
    ws = asset_map.Workspace(url)
    with pytest.raises(KeyboardInterrupt):
        ws.load_boundaries(two_areas, population_field="pop")
    assert not ws.store.exists()  # not even the schema


def start_import(path: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "asset_map", "import", str(path), "-w", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_writing(proc: subprocess.Popen, url: str, timeout: float = 60) -> bool:
    """Whether the import's transaction has started changing tables (it holds a transaction id)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if sql(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'asset-map' "
                    "AND backend_xid IS NOT NULL AND datname = current_database()")[0][0]:
            return True
        time.sleep(0.005)
    return False


def test_killed_import_leaves_the_workspace_as_it_was(filled, url, tmp_path):
    """kill -9 in the middle of a large import: the server rolls the transaction back and frees the lock."""
    before = fingerprint(filled)
    proc = start_import(big_import(tmp_path), url)
    try:
        assert wait_for_writing(proc, url), "the import finished or failed before it started writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert fingerprint(filled) == before
    with filled.store.lock(timeout=30):  # released with the dead process's session
        pass
    filled.import_assets(write_csv(tmp_path / "one.csv", ["Name", "Category", "Latitude", "Longitude"],
                                   [asset_row("One", "carers", X0 + 5, Y0 + 5)]))
    assert len(filled.assets()) == 6


def test_sigterm_is_an_interruption_not_a_half_write(filled, url, tmp_path):
    before = fingerprint(filled)
    proc = start_import(big_import(tmp_path), url)
    try:
        assert wait_for_writing(proc, url), "the import ended before it started writing"
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Interrupted: the workspace is unchanged." in err
    assert fingerprint(filled) == before


def test_a_killed_holder_releases_the_lock(filled, url, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, asset_map\n"
         "with asset_map.Workspace(sys.argv[1]).store.lock():\n    print('locked', flush=True); time.sleep(600)", url],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceError, match="is changing this workspace; waited 0.2 s"):
            with filled.store.lock(timeout=0.2):
                pass
        holder.kill()
        holder.wait()
        filled.import_assets(write_csv(tmp_path / "two.csv", ["Name", "Category", "Latitude", "Longitude"],
                                       [asset_row("Two", "carers", X0 + 5, Y0 + 5)]))
    finally:
        holder.kill()
    assert len(filled.assets()) == 6


def test_the_password_is_never_shown(url, two_areas, monkeypatch):
    secret = "pa55-Word.9"
    with_pw = with_password(url, secret)
    assert mask_password(with_pw) == with_password(url, "***")
    # The test server trusts local connections, so the command succeeds whatever the password.
    r = CliRunner().invoke(app, ["boundaries", "load", str(two_areas), "--population-field", "pop", "-w", with_pw])
    assert r.exit_code == 0, r.stderr
    assert "into " + with_password(url, "***") in " ".join(r.stderr.split())
    monkeypatch.setenv("ASSET_MAP_WORKSPACE", with_pw)  # the environment variable works the same
    r = CliRunner().invoke(app, ["status"])
    assert r.exit_code == 0, r.stderr
    assert secret not in r.stdout + r.stderr and "areas" in r.stdout
    assert repr(asset_map.Workspace(with_pw)) == f"Workspace({with_password(url, '***')!r})"
    # libpq also takes the password as a parameter, and the scheme in any case.
    as_parameter = url.replace("?", f"?password={secret}&").replace("postgresql://", "PostgreSQL://")
    r = CliRunner().invoke(app, ["status", "-w", as_parameter])
    assert r.exit_code == 0, r.stderr
    assert secret not in r.stdout + r.stderr and "password=***" in r.stdout


def test_cannot_connect_is_one_line_without_the_password():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = CliRunner().invoke(app, ["gaps", "-w", f"postgresql://alice:hunter2x@127.0.0.1:{port}/team?schema=trafford"])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr and "hunter2x" not in r.stderr
    assert lines[0].startswith(f"Error: postgresql://alice:***@127.0.0.1:{port}/team?schema=trafford: cannot "
                               "connect to PostgreSQL (")
    assert "check the host, port, database, user and password (or PGPASSWORD)" in lines[0]


def test_a_schema_that_is_not_a_plain_name(postgres_database):
    r = CliRunner().invoke(app, ["gaps", "-w", postgres_url(postgres_database, 'x"; DROP TABLE y')])
    assert r.exit_code == 1
    assert "is not a plain name; use lower-case letters, digits and _ (for example ?schema=trafford)" in r.stderr


def test_reading_a_missing_workspace_creates_nothing(url):
    ws = asset_map.Workspace(url)
    with pytest.raises(WorkspaceError, match=r"no areas loaded; run `asset-map boundaries load FILE` first"):
        ws.gaps()
    assert not ws.store.exists() and ws.store.layers() == [] and ws.store.count("assets") is None


def test_a_database_without_postgis_says_how_to_add_it(postgres_database, two_areas):
    import psycopg

    bare = f"bare_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as con:
        con.execute(f"CREATE DATABASE {bare}")
        con.execute("DROP ROLE IF EXISTS analyst")
        con.execute("CREATE ROLE analyst LOGIN")  # may not create extensions
        con.execute(f"GRANT CREATE ON DATABASE {bare} TO analyst")
    try:
        r = CliRunner().invoke(app, ["boundaries", "load", str(two_areas), "--population-field", "pop", "-w",
                                     postgres_url(bare, "s").replace("postgres@", "analyst@", 1)])
        assert r.exit_code == 1
        assert "PostGIS is not installed in this database; ask its administrator to run CREATE EXTENSION postgis" \
            in " ".join(r.stderr.split())
    finally:
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as con:
            con.execute(f"DROP DATABASE {bare} WITH (FORCE)")
            con.execute("DROP ROLE analyst")


def test_copy_a_geopackage_into_postgis_and_back(url, tmp_path, monkeypatch, two_areas, assets_csv):
    import asset_map.store
    import asset_map.workspace
    from conftest import POINTS, write_points

    monkeypatch.setattr(asset_map.workspace, "open_store", asset_map.store.open_store)  # real GeoPackage files here
    local = asset_map.Workspace(tmp_path / "local.gpkg")
    local.load_boundaries(two_areas, code_field="area_code", name_field="area_name")
    local.load_population(write_points(tmp_path / "pw.geojson", POINTS[:4]))
    local.import_assets(assets_csv)
    gaps = local.gaps().to_frame()

    r = CliRunner().invoke(app, ["copy", url, "-w", str(local.store.path)])
    assert r.exit_code == 0, r.stderr
    assert "areas 2, assets 5, categories" in r.stderr and "population 4" in r.stderr and "rejects 1" in r.stderr
    shared = asset_map.Workspace(url)
    assert shared.store.layers() == local.store.layers()
    assert shared.status() == {**local.status(), "workspace": url}
    assert shared.gaps().to_frame().equals(gaps)

    back = asset_map.Workspace(tmp_path / "back.gpkg")
    assert shared.copy_to(back.location) == {name: local.store.count(name) for name in local.store.layers()}
    assert back.gaps().to_frame().equals(gaps)

    again = CliRunner().invoke(app, ["copy", url, "-w", str(local.store.path)])
    assert again.exit_code == 1
    assert f"{url}: already holds a workspace (areas, assets," in again.stderr
    assert "copy into a new file or an empty schema" in " ".join(again.stderr.split())
    missing = CliRunner().invoke(app, ["copy", str(tmp_path / "x.gpkg"), "-w", str(tmp_path / "none.gpkg")])
    assert missing.exit_code == 1 and "none.gpkg: no workspace here to copy" in missing.stderr


def test_recorded_merges_with_a_column_added_in_the_same_import(url, two_areas, tmp_path):
    """An older workspace without a column the import adds (ALTER TABLE) and a merge to apply again: no hang."""
    ws = asset_map.Workspace(url)
    ws.load_boundaries(two_areas, population_field="pop")
    header = ["ID", "Name", "Category", "Latitude", "Longitude"]
    a = write_csv(tmp_path / "a.csv", header, [["A1", *asset_row("Lunch club", "carers", X0 + 5, Y0 + 5)]])
    b = write_csv(tmp_path / "b.csv", header, [["B1", *asset_row("Lunch Club", "carers", X0 + 8, Y0 + 5)],
                                               ["B2", *asset_row("Walk", "carers", X0 + 80, Y0 + 5)]])
    ws.import_assets(a)
    ws.import_assets(b)
    ws.merge("A1", ["B1"])
    sql(url, f'ALTER TABLE "{ws.store.schema}".assets DROP COLUMN last_verified')
    code = ("import sys, asset_map\n"
            "r = asset_map.Workspace(sys.argv[1]).import_assets(sys.argv[2], chunk_rows=1)\n"
            "print(r.imported, r.merged_again)")
    out = subprocess.run([sys.executable, "-c", code, url, str(b)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "1"]
    assert ws.assets().set_index("asset_id").loc["B1", "merged_into"] == "A1"


def test_a_lost_connection_is_opened_again(filled, url):
    """A notebook keeps a workspace for hours: the server may restart or drop idle sessions meanwhile."""
    assert filled.store.count("assets") == 5
    pid = filled.store._reader.info.backend_pid
    sql(url, "SELECT pg_terminate_backend(%s)", (pid,))
    assert filled.store.count("assets") == 5 and filled.store._reader.info.backend_pid != pid
