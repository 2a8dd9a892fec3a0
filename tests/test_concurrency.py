"""Two commands changing one workspace at once: both land, or the second says why it gave up.

Run against both stores: the GeoPackage's lock file and PostGIS's advisory lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import asset_map
from asset_map.errors import WorkspaceError
from asset_map.store import GeoPackageStore
from conftest import X0, Y0, cli_location, fingerprint


def east_north_list(path: Path, prefix: str, rows: int) -> Path:
    body = "".join(f"{prefix} {i},carers,{X0 + i % 2000:.0f},{Y0 + (i * 7) % 2000:.0f}\n" for i in range(rows))
    path.write_text("Name,Category,Easting,Northing\n" + body)
    return path


def import_process(path: Path, workspace: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "asset_map", "import", str(path), "-w", str(workspace)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


@pytest.fixture
def ws(tmp_path, two_areas):
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(two_areas, population_field="pop")
    return w


def test_two_imports_at_once_both_land(ws, tmp_path):
    a = east_north_list(tmp_path / "a.csv", "Alpha", 3000)
    b = east_north_list(tmp_path / "b.csv", "Beta", 3000)
    procs = [import_process(a, cli_location(ws)), import_process(b, cli_location(ws))]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assets = ws.assets()
    assert len(assets) == 6000
    assert sorted(assets["source"].unique()) == ["a.csv", "b.csv"]
    assert len(ws.imports()) == 2
    if isinstance(ws.store, GeoPackageStore):
        assert not ws.store.lock_path.exists()


def test_a_second_command_waits_for_the_first(ws, tmp_path):
    path = east_north_list(tmp_path / "c.csv", "Gamma", 10)
    with ws.store.lock():
        proc = import_process(path, cli_location(ws))
        time.sleep(1.5)
        assert proc.poll() is None  # waiting, not failing
        assert ws.assets() is None  # and nothing written yet
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert len(ws.assets()) == 10


def test_waiting_too_long_is_a_clear_one_line_error(ws, tmp_path):
    path = east_north_list(tmp_path / "d.csv", "Delta", 10)
    before = fingerprint(ws)
    with ws.store.lock():
        proc = import_process(path, cli_location(ws), ASSET_MAP_LOCK_TIMEOUT="1")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    err = " ".join(err.split())
    if isinstance(ws.store, GeoPackageStore):
        holder = f"process {os.getpid()}"
    else:  # the database session holding the lock, named by user, address and server process
        holder = "user postgres from 127.0.0.1/32, database process "
    assert f"another asset-map command ({holder}" in err
    assert ") is changing this workspace; waited 1 s" in err
    assert fingerprint(ws) == before


@pytest.mark.gpkg_only  # PostGIS: test_postgis.py::test_a_killed_holder_releases_the_lock
def test_a_lock_left_by_a_killed_process_is_taken_over(ws, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ws.store.lock_path.write_text(str(dead.pid))
    ws.import_assets(east_north_list(tmp_path / "e.csv", "Epsilon", 5))
    assert len(ws.assets()) == 5 and not ws.store.lock_path.exists()


def test_library_calls_wait_too(ws, tmp_path):
    with ws.store.lock():
        other = asset_map.Workspace(cli_location(ws))
        with pytest.raises(WorkspaceError, match="is changing this workspace; waited 0.3 s"):
            with other.store.lock(timeout=0.3):
                pass
    # Re-entrant in one process: a command that calls another does not wait for itself.
    with ws.store.lock(), ws.store.lock(timeout=0.1):
        pass
