"""The gap inputs a large workspace keeps (asset_map.inputs.gap_state): the same rows as computed afresh, used
only while nothing has changed since, by asset-map or by another program."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

import asset_map
from asset_map.inputs import gap_state
from asset_map.inputs.workspace_change import keep_gap_inputs

from gaps_golden import fixed_today, plain, same


@contextlib.contextmanager
def from_the_tables():
    """Gaps (and what-ifs) computed from the tables, whatever is kept."""
    saved = gap_state.stored_report
    gap_state.stored_report = lambda *a, **k: None
    try:
        yield
    finally:
        gap_state.stored_report = saved


def computed(ws, **options) -> list[dict]:
    """The rows of ``ws.gaps(**options)`` computed from the tables, whatever is kept."""
    with from_the_tables():
        return plain(ws.gaps(**options).records())


def kept_rows(ws, stale_days=None) -> list[dict] | None:
    report = gap_state.stored_report(ws.store, ws.taxonomy(), stale_days)
    return None if report is None else plain(report.records())


@pytest.fixture
def example(tmp_path):
    """The bundled example: routed along its streets, it keeps its gap inputs."""
    from asset_map.demo import run_demo

    ws = asset_map.Workspace(tmp_path / "example.gpkg")
    run_demo(ws)
    assert ws.store.state(gap_state.KEY)[0] == ws.store.changes()
    return ws


def test_the_kept_inputs_give_every_field_of_every_row_as_computed_afresh(example):
    with fixed_today():
        kept = kept_rows(example)
        assert kept is not None and len(kept) == 126
        assert not same(kept, computed(example))
        assert example.status()["gap_inputs"] == "kept and up to date (gaps reads them instead of the register)"
        # gaps() uses them, and narrows them as it narrows computed rows
        assert plain(example.gaps().records()) == kept
        north = plain(example.gaps(area="Eastfield", category="dementia").records())
        assert north == computed(example, area="Eastfield", category="dementia") and len(north) == 1


@pytest.mark.gpkg_only  # the store's part is in the tests for both stores
def test_staleness_is_judged_on_the_day_and_age_asked_for(example):
    import datetime

    frame = example.assets()  # the example's records carry no date: give them dates a year apart
    frame["last_verified"] = [f"{2021 + k % 5}-06-01" if k % 7 else "unknown" for k in range(len(frame))]
    with example.store.transaction() as tx:
        tx.write("assets", frame)
    assert keep_gap_inputs(example)
    for today in (datetime.date(2026, 12, 7), datetime.date(2031, 1, 1)):
        with fixed_today(today):
            for days in (None, 30, 1000, 3650):
                assert not same(kept_rows(example, days), computed(example, stale_days=days))
    with fixed_today():
        stale = [r for r in kept_rows(example, 1000) if "not verified in 1000 days" in (r["confidence_reason"] or "")]
        assert stale and len(stale) < len(kept_rows(example, 1000))


def test_any_change_by_asset_map_leaves_them_out_of_date(example, monkeypatch):
    monkeypatch.setattr(gap_state, "worth_keeping", lambda store: False)  # changes no longer keep them
    before = example.store.changes()
    assets = example.store.read("assets", columns=["asset_id"])
    example.merge(assets["asset_id"][0], [assets["asset_id"][1]])
    assert example.store.changes() == before + 2  # the merge, and removing the kept inputs it made stale
    assert kept_rows(example) is None
    monkeypatch.undo()  # and a change keeps them again (the example has streets: it is worth it)
    example.merge(assets["asset_id"][0], [assets["asset_id"][2]])
    assert example.store.changes() == before + 4  # the merge, and keeping the inputs
    with fixed_today():
        assert kept_rows(example) == computed(example)


@pytest.mark.gpkg_only
def test_an_edit_made_by_another_program_leaves_them_out_of_date(example):
    # an edit in QGIS is an INSERT, UPDATE or DELETE on a layer: the workspace's triggers count it (every layer
    # and table has them; plain SQLite cannot run the GeoPackage's own spatial triggers, so the edit is made
    # here on a table without geometry)
    before = example.store.changes()
    with sqlite3.connect(example.location) as con:
        watched = {r[0] for r in con.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND "
                                             "name LIKE 'asset_map_changed%'")}
        layers = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        con.execute("DELETE FROM imports WHERE fid = 1")
    assert watched == layers and {"assets", "areas", "population", "network_edges"} <= layers
    assert example.store.changes() == before + 1
    assert kept_rows(example) is None
    assert example.status()["gap_inputs"].startswith("out of date: the workspace changed after they were kept")
    # asset-map's own bulk writes are not counted row by row: one transaction is one change
    example.store.changes()
    with example.store.transaction() as tx:
        tx.delete("assets", "fid IN (2, 3, 4)")
    assert example.store.changes() == before + 2


def test_a_value_derived_before_another_change_is_not_written(example):
    at = example.store.changes()
    with example.store.transaction() as tx:
        tx.delete("rejects", "1 = 0")  # another change lands first
    with example.store.transaction() as tx:
        tx.put_state(gap_state.KEY, b"derived from the workspace as it was", at)
    assert kept_rows(example) is None and example.store.state(gap_state.KEY)[1] != b"derived from the workspace as it was"


def test_small_workspaces_keep_nothing_unless_they_have_streets(layered, assets_csv, tmp_path):
    from asset_map.demo import run_demo

    layered.import_assets(assets_csv)  # a few assets, no street network: gaps are computed in a moment
    assert layered.store.state(gap_state.KEY) is None and layered.store.changes() > 0
    assert "gap_inputs" not in layered.status()
    ws = asset_map.Workspace(tmp_path / "streets.gpkg")
    run_demo(ws)  # 294 assets, but routed along the example's streets: kept
    assert ws.store.state(gap_state.KEY)[0] == ws.store.changes()


@pytest.mark.gpkg_only  # the store's part is in the tests for both stores
def test_a_value_of_another_layout_version_or_taxonomy_is_not_used(example, monkeypatch):
    value = example.store.state(gap_state.KEY)[1]
    taxonomy = example.taxonomy()
    assert gap_state.decode(value, taxonomy) is not None
    fewer = asset_map.categories.taxonomy.Taxonomy(list(taxonomy)[1:], source="test")
    assert gap_state.decode(value, fewer) is None
    assert gap_state.decode(value[: len(value) // 2], taxonomy) is None  # damaged
    monkeypatch.setattr(gap_state, "_version", lambda: "another")  # kept by another version of asset-map
    assert gap_state.decode(value, taxonomy) is None
    monkeypatch.undo()
    monkeypatch.setattr(gap_state, "FORMAT", gap_state.FORMAT + 1)  # another layout
    assert gap_state.decode(value, taxonomy) is None


@pytest.mark.postgis_only
def test_an_edit_made_by_another_program_in_the_database_leaves_them_out_of_date(example):
    before = example.store.changes()
    schema = example.store.schema
    with example.store._connect() as con:  # another user's session (autocommit): QGIS editing the layer
        con.execute(f'UPDATE "{schema}".assets SET name = \'Renamed in QGIS\' WHERE fid = 1')
    assert example.store.changes() == before + 1 and kept_rows(example) is None
    # a colleague who may edit the layer, but not the bookkeeping table, still has the edit counted
    with example.store._connect() as con:
        con.execute("DROP ROLE IF EXISTS asset_map_editor")
        con.execute("CREATE ROLE asset_map_editor")
        con.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO asset_map_editor')
        con.execute(f'GRANT SELECT, UPDATE ON "{schema}".assets TO asset_map_editor')
        try:
            con.execute("SET ROLE asset_map_editor")
            con.execute(f'UPDATE "{schema}".assets SET name = \'Renamed again\' WHERE fid = 1')
            con.execute("RESET ROLE")
        finally:
            con.execute("RESET ROLE")
            con.execute(f'REVOKE ALL ON "{schema}".assets FROM asset_map_editor')
            con.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM asset_map_editor')
            con.execute("DROP ROLE asset_map_editor")
    assert example.store.changes() == before + 2
    assert "asset_map_state" not in example.store.layers()


def test_a_copy_keeps_its_own(example, tmp_path):
    copy = asset_map.Workspace(tmp_path / "copy.gpkg")
    example.copy_to(copy.location)
    assert copy.store.state(gap_state.KEY)[0] == copy.store.changes()
    with fixed_today():
        assert kept_rows(copy) == kept_rows(example)


def _import_one_more(example, tmp_path, *options: str):
    """``asset-map import`` of a list of one more group into the example (with ``options``): the result."""
    from typer.testing import CliRunner

    from asset_map.cli import app
    from conftest import cli_location, write_csv

    extra = write_csv(tmp_path / "more.csv", ["name", "category", "easting", "northing"],
                      [["New befriending group", "befriending", 451_000, 301_000]])
    return CliRunner().invoke(app, ["import", str(extra), "-w", cli_location(example.location), *options])


def _interrupted(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("where", ["keeping the inputs", "printing the summary"])
def test_ctrl_c_after_the_import_landed_says_the_change_is_saved(example, tmp_path, monkeypatch, where):
    """Ctrl-C while the gap inputs are kept, or while the import's summary is printed before them (the import
    has landed by then), says the change is saved; in a dry run, that the workspace is unchanged."""
    from asset_map.cli import import_

    if where == "keeping the inputs":
        monkeypatch.setattr(gap_state, "refresh", _interrupted)
    else:
        monkeypatch.setattr(import_, "report_import", _interrupted)
        r = _import_one_more(example, tmp_path, "--dry-run")
        assert r.exit_code == 130 and "the workspace is unchanged" in r.stderr
    before = len(example.store.read("assets", columns=["name"]))
    r = _import_one_more(example, tmp_path)
    assert r.exit_code == 130
    assert "Interrupted after the change was saved" in r.stderr and "unchanged" not in r.stderr
    assert len(example.store.read("assets", columns=["name"])) == before + 1  # the import landed
    assert kept_rows(example) is None  # and the kept inputs are out of date, not wrong


def test_the_import_command_keeps_them_once_its_result_is_let_go_of(example, tmp_path):
    """``asset-map import`` keeps the gap inputs after its summary (with the list it read let go of), so they
    are up to date when it ends; a dry run changes nothing and keeps nothing."""
    before = example.store.changes()
    r = _import_one_more(example, tmp_path, "--dry-run")
    assert r.exit_code == 0 and example.store.changes() == before
    r = _import_one_more(example, tmp_path)
    assert r.exit_code == 0, r.stderr
    assert "imported" in r.stderr and example.store.changes() == before + 2  # the import, then keeping the inputs
    assert example.store.state(gap_state.KEY)[0] == example.store.changes()
    with fixed_today():
        assert kept_rows(example) == computed(example)


def test_changes_in_a_deferred_block_keep_them_once_when_asked(example, tmp_path, monkeypatch):
    """Inside ``keeping_deferred`` two imports keep nothing; ``keep()`` after the block keeps once; a block
    whose change failed or that only looked (a dry run) has nothing to keep."""
    from asset_map.errors import AssetMapError
    from asset_map.inputs.workspace_change import keeping_deferred
    from conftest import write_csv

    kept: list[int] = []
    real = gap_state.refresh
    monkeypatch.setattr(gap_state, "refresh", lambda *a, **k: kept.append(1) or real(*a, **k))
    rows = [["New befriending group", "befriending", 451_000, 301_000]]
    one, two = write_csv(tmp_path / "one.csv", ["name", "category", "easting", "northing"], rows), \
        write_csv(tmp_path / "two.csv", ["name", "category", "easting", "northing"], rows)
    with keeping_deferred(example) as deferred:
        example.import_assets(one)
        example.import_assets(two)
        assert kept == [] and example.store.state(gap_state.KEY)[0] < example.store.changes()
    deferred.keep()
    assert kept == [1] and example.store.state(gap_state.KEY)[0] == example.store.changes()
    deferred.keep()
    assert kept == [1]  # nothing changed since
    with keeping_deferred(example) as deferred:
        example.import_assets(one, dry_run=True)
        with pytest.raises(AssetMapError):
            example.import_assets(tmp_path / "missing.csv")
    deferred.keep()
    assert kept == [1]
    example.import_assets(two)  # outside a block, each change keeps them as before
    assert kept == [1, 1]


def test_a_deferred_block_holds_the_lock_and_nested_blocks_keep_for_the_outer(example, tmp_path):
    """While a deferred block is open another command cannot change the workspace (it waits for the lock),
    so nothing lands between the block's changes and their keeping; a change an inner block made, and one
    after it, are kept by the outer block's ``keep()``."""
    import os
    import subprocess
    import sys

    from asset_map.inputs.workspace_change import keeping_deferred
    from conftest import cli_location, write_csv

    rows = [["New befriending group", "befriending", 451_000, 301_000]]
    one, two = (write_csv(tmp_path / f"{n}.csv", ["name", "category", "easting", "northing"], rows)
                for n in ("one", "two"))
    with keeping_deferred(example) as outer:
        with keeping_deferred(example):
            example.import_assets(one)
        example.import_assets(two)
        other = subprocess.run([sys.executable, "-m", "asset_map", "import", str(one), "--source", "other.csv",
                                "-w", cli_location(example.location)], capture_output=True, text=True,
                               env={**os.environ, "ASSET_MAP_LOCK_TIMEOUT": "1"})
        assert other.returncode == 1 and "another asset-map command" in other.stderr
        outer.keep()
    assert example.store.state(gap_state.KEY)[0] == example.store.changes()


def test_a_what_if_starts_from_them(example):
    gone = example.store.read("assets", columns=["asset_id"])["asset_id"][5]
    with fixed_today():
        for robust in (False, True):
            kept = example.what_if(without=[gone], robust=robust)
            with from_the_tables():
                fresh = example.what_if(without=[gone], robust=robust)
            assert not same(plain(kept.before.records()), plain(fresh.before.records()))
            assert not same(plain(kept.after.records()), plain(fresh.after.records()))
            assert kept.before.records() != kept.after.records()  # the removal changed something


def test_a_what_if_never_sets_two_moments_side_by_side(example, tmp_path, monkeypatch):
    """A change that lands after a what-if has read the tables (another analyst's import) keeps the gap inputs
    of the workspace after it: the what-if's "before" is then computed from the tables it read, not taken
    from those kept inputs, so before and after describe one moment."""
    ids = example.store.read("assets", columns=["asset_id", "geometry"])
    gone, (x, y) = ids["asset_id"][5], ids.geometry[5].coords[0]
    with fixed_today():
        expected = example.what_if(without=[gone])
        read = example._gap_inputs

        def read_then_another_import(*args, **kwargs):
            out = read(*args, **kwargs)
            extra = tmp_path / "another.csv"
            extra.write_text(f"Name,Category,Easting,Northing\nNew carers group,carers,{x + 50:.0f},{y:.0f}\n")
            example.import_assets(extra)
            return out

        monkeypatch.setattr(example, "_gap_inputs", read_then_another_import)
        raced = example.what_if(without=[gone])
    assert example.store.state(gap_state.KEY)[0] == example.store.changes()  # kept, for the workspace after
    assert not same(plain(raced.before.records()), plain(expected.before.records()))
    assert not same(plain(raced.after.records()), plain(expected.after.records()))


@pytest.mark.gpkg_only  # the store's part is in the tests for both stores
def test_a_register_of_min_assets_keeps_them_without_streets(workspace, two_areas, tmp_path, monkeypatch):
    from conftest import X0, Y0, big_import

    monkeypatch.setattr(gap_state, "MIN_ASSETS", 500)  # 20,000 in use: the rule, at a size a test runs quickly
    workspace.load_boundaries(two_areas, population_field="pop")
    steps: list[str] = []
    heard = lambda step, done, total: steps.append(step)  # noqa: E731  (a progress display)
    workspace.import_assets(big_import(tmp_path, rows=gap_state.MIN_ASSETS - 1), progress=heard)
    assert workspace.store.state(gap_state.KEY) is None  # one short, no streets: computed each time
    assert gap_state.STEP not in steps
    more = tmp_path / "one.csv"
    more.write_text(f"Name,Category,Easting,Northing\nOne more club,carers,{X0 + 500:.0f},{Y0 + 500:.0f}\n")
    workspace.import_assets(more, progress=heard)
    assert workspace.store.state(gap_state.KEY)[0] == workspace.store.changes()
    assert steps[-1] == gap_state.STEP  # the progress display says what the last seconds are
    with fixed_today():
        assert not same(kept_rows(workspace), computed(workspace))


@pytest.mark.gpkg_only
def test_a_layer_replaced_or_added_by_another_program_leaves_them_out_of_date(example, tmp_path):
    import pyogrio

    # ogr2ogr -overwrite, or QGIS saving over a layer: the table is dropped and made again, which fires no trigger
    with fixed_today():
        before = kept_rows(example)
    half = example.assets().iloc[::2]
    pyogrio.write_dataframe(half, example.location, layer="assets", driver="GPKG")
    assert example.store.changes() == -1 and kept_rows(example) is None
    assert example.status()["gap_inputs"].startswith("out of date")
    with fixed_today():
        assert sum(r["assets"] for r in computed(example)) < sum(r["assets"] for r in before)
    example.merge(*_two_ids(example))  # the next asset-map change keeps them again
    assert example.store.changes() > 0 and kept_rows(example) is not None
    pyogrio.write_dataframe(half.head(3), example.location, layer="notes", driver="GPKG")  # a layer added
    assert kept_rows(example) is None
    assert keep_gap_inputs(example) and kept_rows(example) is not None  # kept again straight away, as they are


def _two_ids(ws):
    ids = ws.store.read("assets", columns=["asset_id", "merged_into"])
    free = [a for a, m in zip(ids["asset_id"], ids["merged_into"]) if not m]
    return free[0], [free[1]]


@pytest.mark.gpkg_only
def test_views_and_odd_layer_names_in_the_file_do_not_stop_a_change(example):
    import pyogrio

    frame = example.assets().head(2)
    pyogrio.write_dataframe(frame, example.location, layer='my "notes"', driver="GPKG")
    with sqlite3.connect(example.location) as con:  # a view registered as a layer, as QGIS's DB Manager makes one
        con.execute("CREATE VIEW big_assets AS SELECT * FROM assets WHERE capacity > 10")
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES "
                    "('big_assets', 'attributes', 'big_assets')")
    example.merge(*_two_ids(example))
    assert kept_rows(example) is not None
    with sqlite3.connect(example.location) as con:
        con.execute('DELETE FROM "my ""notes""" WHERE fid = 1')  # and the odd name's edits are counted
    assert kept_rows(example) is None


def test_kept_inputs_no_longer_worth_keeping_are_removed(example, monkeypatch):
    monkeypatch.setattr(gap_state, "worth_keeping", lambda store: False)  # e.g. the register re-imported smaller
    example.merge(*_two_ids(example))
    assert example.store.state(gap_state.KEY) is None and "gap_inputs" not in example.status()


@pytest.mark.postgis_only
def test_postgis_tables_dropped_views_and_open_edits(example):
    import time

    schema = example.store.schema
    with example.store._connect() as con:
        con.execute(f'CREATE VIEW "{schema}".dashboard AS SELECT now() AS refreshed')  # (a view on a layer would
        # stop asset-map from replacing that layer, as it always has)
    example.merge(*_two_ids(example))  # a view in the schema does not stop a change
    assert kept_rows(example) is not None
    with example.store._connect() as con:  # a table dropped and made again by another program
        con.execute(f'CREATE TABLE "{schema}".rejects_copy AS SELECT * FROM "{schema}".rejects')
        con.execute(f'DROP TABLE "{schema}".rejects')
        con.execute(f'ALTER TABLE "{schema}".rejects_copy RENAME TO rejects')
    assert example.store.changes() == -1 and kept_rows(example) is None
    example.merge(*_two_ids(example))
    assert kept_rows(example) is not None
    editing = example.store._connect(autocommit=False)  # QGIS with an edit not yet saved
    try:
        editing.execute(f'UPDATE "{schema}".rejects SET reason = reason WHERE false')
        start = time.monotonic()
        example.merge(*_two_ids(example))  # not held up by it...
        assert time.monotonic() - start < 10
        assert example.store.state(gap_state.KEY) is None  # ...and nothing it could make stale is kept
    finally:
        editing.commit()
        editing.close()
    example.merge(*_two_ids(example))
    assert kept_rows(example) is not None
