"""The workspace file: a link stays a link, read-only is refused, leftovers of a kill are put right."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

import asset_map
from asset_map.errors import WorkspaceError

pytestmark = pytest.mark.gpkg_only


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loaded(tmp_path, two_areas):
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(two_areas, name_field="area_name", code_field="area_code")
    return tmp_path / "ws.gpkg"


def test_a_workspace_behind_a_link_is_changed_through_it(loaded, tmp_path, assets_csv):
    link = tmp_path / "current.gpkg"
    link.symlink_to(loaded)
    result = asset_map.Workspace(link).import_assets(assets_csv)
    assert link.is_symlink() and os.readlink(link) == str(loaded)
    assert result.imported == 5 and len(asset_map.Workspace(loaded).table("assets")) == 5
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_read_only_workspace_is_refused_and_left_alone(loaded, assets_csv):
    before = _digest(loaded)
    loaded.chmod(0o444)
    with pytest.raises(WorkspaceError, match=r"ws\.gpkg is read-only.*make it writable"):
        asset_map.Workspace(loaded).import_assets(assets_csv)
    assert _digest(loaded) == before
    assert len(asset_map.Workspace(loaded).table("areas")) == 2  # reading still works


def test_a_workspace_in_a_read_only_folder_is_refused(loaded, tmp_path, assets_csv):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(WorkspaceError, match="is read-only, so the workspace cannot be changed there"):
            asset_map.Workspace(loaded).import_assets(assets_csv)
    finally:
        tmp_path.chmod(0o755)


def test_a_folder_or_an_overlong_name_is_no_workspace(tmp_path, two_areas):
    with pytest.raises(WorkspaceError, match="is a folder: give the workspace file"):
        asset_map.Workspace(tmp_path).load_boundaries(two_areas, name_field="area_name", code_field="area_code")
    with pytest.raises(WorkspaceError, match="too long"):
        asset_map.Workspace(tmp_path / ("w" * 240 + ".gpkg")).load_boundaries(two_areas, name_field="area_name",
                                                                                 code_field="area_code")


def test_a_killed_change_leaves_nothing_behind_the_next_time(loaded, tmp_path, assets_csv):
    dead = 2 ** 22 + 12345  # no such process
    for suffix in ("", "-journal", "-wal"):
        (tmp_path / f".ws.{dead}.tmp.gpkg{suffix}").write_bytes(b"left by a kill")
    asset_map.Workspace(loaded).import_assets(assets_csv)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".ws.")) == []


def test_a_journal_beside_the_workspace_is_undone_and_said(loaded):
    # Another program's change to a table, interrupted: the file as a kill leaves it, with its hot journal.
    table = sqlite3.connect(loaded).execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'attributes'").fetchone()[0]
    rows = len(asset_map.Workspace(loaded).table(table))
    con = sqlite3.connect(loaded, isolation_level=None)
    con.execute("PRAGMA cache_size=1")
    con.execute("BEGIN")
    con.execute(f'DELETE FROM "{table}"')
    con.execute(f'CREATE TABLE filler AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n '
                f'WHERE i < 20000) SELECT i, hex(randomblob(64)) AS x FROM n')  # spill pages to the file
    journal = loaded.with_name("ws.gpkg-journal")
    saved, half_written = journal.read_bytes(), loaded.read_bytes()
    con.close()  # closing rolls back; put back what a kill would have left
    loaded.write_bytes(half_written)
    journal.write_bytes(saved)
    ws = asset_map.Workspace(loaded)
    assert len(ws.table(table)) == rows == len(asset_map.Workspace(loaded).table(table))
    assert not journal.exists()
    assert any("was undone" in n for n in ws.store.notes)


def test_an_empty_journal_is_removed_and_said(loaded):
    journal = loaded.with_name("ws.gpkg-journal")
    journal.write_bytes(b"")
    ws = asset_map.Workspace(loaded)
    assert len(ws.table("areas")) == 2
    assert not journal.exists() and any("empty journal" in n for n in ws.store.notes)
