"""The workspace file: location, layers QGIS can open, and all-or-nothing writes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest

import asset_map
from asset_map.errors import WorkspaceError
from asset_map.store import resolve_location
from asset_map.store.gpkg import GeoPackageWriter
from conftest import X0, Y0, asset_row, big_import, write_csv

pytestmark = pytest.mark.gpkg_only  # the PostGIS store's equivalents are in test_postgis.py


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas, population_field="pop")
    workspace.import_assets(assets_csv)
    return workspace


def test_location_from_argument_environment_or_default(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSET_MAP_WORKSPACE", raising=False)
    assert resolve_location(None) == Path("asset-map.gpkg")
    monkeypatch.setenv("ASSET_MAP_WORKSPACE", str(tmp_path / "env.gpkg"))
    assert resolve_location(None) == tmp_path / "env.gpkg"
    assert resolve_location(tmp_path / "arg.gpkg") == tmp_path / "arg.gpkg"


def test_layers_are_standard_geopackage_layers(filled):
    """What QGIS lists: the spatial layers in British National Grid and the plain tables."""
    layers = dict(pyogrio.list_layers(filled.store.path).tolist())
    assert layers == {
        "areas": "MultiPolygon", "assets": "Point", "rejects": None, "imports": None, "categories": None,
    }
    for name in ("areas", "assets"):
        assert pyogrio.read_info(filled.store.path, layer=name)["crs"] == "EPSG:27700"
    assert filled.status() == {
        "workspace": str(filled.store.path), "exists": True, "areas": 2, "population": 0, "need": 0, "assets": 5,
        "rejects": 1, "imports": 1, "postcodes": 0, "postcode_cache": 0, "unlocated": 0, "assets_merged": 0,
        "assets_outside": 1, "assets_uncategorised": 1,
    }


def test_failed_write_leaves_the_workspace_as_it_was(filled, monkeypatch, tmp_path):
    before = digest(filled.store.path)
    calls = []
    real_write = GeoPackageWriter.write

    def write_then_fail(self, name, frame):
        calls.append(name)
        real_write(self, name, frame)
        if len(calls) == 2:  # assets and rejects written, imports not yet
            raise OSError("disk full")

    monkeypatch.setattr(GeoPackageWriter, "write", write_then_fail)
    other = write_csv(tmp_path / "more.csv", ["Name", "Category", "Latitude", "Longitude"],
                      [asset_row("More", "carers", X0 + 50, Y0 + 50)])
    with pytest.raises(OSError, match="disk full"):
        filled.import_assets(other)
    assert digest(filled.store.path) == before
    assert list(tmp_path.glob(".ws.*")) == []  # the private copy is gone


def test_ctrl_c_during_a_write_leaves_the_workspace_as_it_was(filled, monkeypatch, two_areas):
    before = digest(filled.store.path)

    def interrupted(self, name, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(GeoPackageWriter, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        filled.load_boundaries(two_areas)
    assert digest(filled.store.path) == before


def start_import(path: Path, workspace: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "asset_map", "import", str(path), "-w", str(workspace)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def wait_for_private_copy(proc: subprocess.Popen, folder: Path, timeout: float = 60) -> Path | None:
    """The private copy the import writes to, once it has appeared (None if the import ended first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        found = [p for p in folder.glob(".ws.*.tmp.gpkg") if p.stat().st_size > 0]
        if found:
            return found[0]
        time.sleep(0.005)
    return None


def test_killed_import_leaves_the_workspace_as_it_was(filled, tmp_path):
    """kill -9 in the middle of a large import: the old file stays whole and the next write tidies up."""
    big = big_import(tmp_path)
    before = digest(filled.store.path)
    proc = start_import(big, filled.store.path)
    try:
        copy = wait_for_private_copy(proc, tmp_path)
        assert copy is not None, "the import finished or failed before it started writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert digest(filled.store.path) == before
    assert copy.exists()  # left behind by the killed process...
    filled.import_assets(write_csv(tmp_path / "one.csv", ["Name", "Category", "Latitude", "Longitude"],
                                   [asset_row("One", "carers", X0 + 5, Y0 + 5)]))
    assert not copy.exists()  # ...and removed by the next write
    assert len(filled.assets()) == 6


def test_sigterm_is_an_interruption_not_a_half_write(filled, tmp_path):
    big = big_import(tmp_path)
    before = digest(filled.store.path)
    proc = start_import(big, filled.store.path)
    try:
        assert wait_for_private_copy(proc, tmp_path) is not None, "the import ended before it started writing"
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Interrupted: the workspace is unchanged." in err
    assert digest(filled.store.path) == before
    assert list(tmp_path.glob(".ws.*.tmp.gpkg")) == []


def test_reading_a_file_that_is_not_a_workspace(tmp_path):
    bad = tmp_path / "notes.gpkg"
    bad.write_text("shopping list")
    with pytest.raises(WorkspaceError, match="notes.gpkg: not a GeoPackage workspace"):
        asset_map.Workspace(bad).gaps()
    with pytest.raises(WorkspaceError, match=r"none.gpkg: no areas loaded; run `asset-map boundaries load FILE` first"):
        asset_map.Workspace(tmp_path / "none.gpkg").gaps()
    assert not (tmp_path / "none.gpkg").exists()  # reading never creates a workspace


def test_taxonomy_is_stored_and_can_be_replaced(filled, tmp_path):
    assert filled.taxonomy().ids == asset_map.load_taxonomy().ids
    custom = tmp_path / "tax.csv"
    custom.write_text(
        "id,label,catchment_m,target_population,synonyms\n"
        "social,Social contact,1000,all,befriending; knitting circle\n"
        "care,Caring,2500,16+,carers\n"
    )
    filled.load_taxonomy(custom)
    assert filled.taxonomy().ids == ["social", "care"]
    cats = dict(zip(filled.assets()["name"], filled.assets()["categories"]))
    assert cats["West Befriending"] == "social;care"
    assert cats["Knit and Natter"] == "social"  # its words are re-mapped, not lost
    assert cats["East Food Bank"] == ""
    assert {r.category_id for r in filled.gaps().rows} == {"social", "care"}


def test_text_that_repeats_is_read_back_as_one_object_per_value(tmp_path):
    """A column whose cells repeat (categories) comes back with one string object per distinct value, equal
    to what was written; a column of distinct names comes back as read (the check is on the first cells)."""
    import pandas as pd

    import asset_map

    n = 12_000
    categories = [f"cat{k % 7}" if k % 5 else None for k in range(n)]
    names = [f"Group {k}" for k in range(n)]
    frame = pd.DataFrame({"category": categories, "name": names})
    store = asset_map.Workspace(tmp_path / "w.gpkg").store
    with store.transaction() as tx:
        tx.write("shared_test", frame)
    table = store.read("shared_test")
    assert table["category"] == categories and table["name"] == names
    assert len({id(v) for v in table["category"] if v is not None}) == 7
    assert len({id(v) for v in table["name"]}) == n


def test_numbers_in_a_text_column_stay_as_read():
    """Sharing repeated text never turns a number into an equal one of another type (1.0 into 1, True into 1):
    a column of a table that another program wrote may hold both."""
    from asset_map.store.base import shared_repeats

    cells = [f"cat{k % 3}" for k in range(100)] + [1, 1.0, True, None, "cat0"]
    out = shared_repeats(list(cells))
    assert out == cells and [type(v) for v in out[-5:]] == [int, float, bool, type(None), str]
    assert out[-1] is out[0] and len({id(v) for v in out[:100]}) == 3
