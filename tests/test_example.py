"""The bundled synthetic example: reproducible, and the demo finds what it was built to show."""

from __future__ import annotations

import subprocess
import sys

import pytest

import asset_map
from asset_map.demo import example_files, run_demo
from conftest import PROJECT


def test_the_generator_rewrites_the_committed_files_byte_for_byte(tmp_path):
    for script in ("make_example.py", "make_streets.py"):
        subprocess.run([sys.executable, str(PROJECT / "examples" / script), "--out", str(tmp_path)],
                       check=True, capture_output=True)
    committed = example_files(PROJECT)
    fresh = example_files(tmp_path)
    for name in ("small_areas", "lookup", "population", "assets", "streets"):
        assert getattr(fresh, name).read_bytes() == getattr(committed, name).read_bytes(), name


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = asset_map.Workspace(tmp_path_factory.mktemp("demo") / "demo.gpkg")
    boundaries, imported = run_demo(ws)
    return ws, boundaries, imported


def test_the_example_has_the_promised_shape(demo):
    ws, boundaries, imported = demo
    areas = boundaries.areas
    assert len(boundaries.small_areas) == 40
    pops = dict(zip(areas["area_name"], areas["all_ages"]))
    assert len(pops) == 6 and all(30_000 <= p <= 50_000 for p in pops.values())
    assert sum(pops.values()) == 237_425
    assert (imported.rows_read, imported.imported, imported.outside, imported.uncategorised, imported.rejected) == (
        298, 294, 2, 2, 4)
    assert imported.reconciles()
    assert set(imported.unknown_words) == {"Knitting circle", "Men's shed"}
    # Of the three rows without a known category, the knitting group gets one from its text by default (marked
    # inferred); "Southmoor Over 60s Bingo" has a suggestion ("Over 60s": older people) below the default
    # confidence, so it stays a suggestion; the men's shed has none.
    inferred = imported.assets[imported.assets["category_source"] == "inferred"]
    assert dict(zip(inferred["name"], inferred["categories"])) == {"Westbury Park Knit and Natter": "arts_culture"}
    bingo = imported.assets.set_index("name").loc["Southmoor Over 60s Bingo"]
    assert (bingo["categories"], bingo["inferred"]) == ("", "older_people_independence (Over 60s)")
    assert sorted(r.row for r in imported.rejects) == sorted(
        r.row for r in imported.rejects if "no coordinates" in r.reason or "placeholder" in r.reason)


def test_the_demo_finds_the_deliberate_gaps(demo):
    ws, _, _ = demo
    rows = {(r.area_name, r.category_id): r for r in ws.gaps().rows}
    assert rows[("Southmoor", "dementia")].assets == 0
    assert rows[("Southmoor", "dementia")].level != "ok"
    assert rows[("Eastfield", "money_advice")].level == "none"
    assert rows[("Eastfield", "food_cooking")].assets == 0
    assert rows[("Riverside", "young_people")].assets == 0
    assert sum(r.assets for (_, c), r in rows.items() if c == "bereavement") == 1
    # Southmoor is the oldest neighbourhood: its 65+ share is the highest.
    areas = ws.areas()
    share = dict(zip(areas["area_name"], areas["aged_65_and_over"] / areas["all_ages"]))
    assert max(share, key=share.get) == "Southmoor"


def test_the_demo_measures_reach_on_eastbrooks_streets_and_breaks_an_area_down(demo):
    ws, _, _ = demo
    net = ws.network(geometry=False)
    assert net is not None and net.source["file"] == "eastbrook_streets.osm.pbf"
    rows = {(r.area_name, r.category_id): r for r in ws.gaps().rows}
    assert rows[("Southmoor", "dementia")].reach == "20 min walk"
    assert rows[("Southmoor", "bereavement")].reach == "6 min drive"
    assert all(r.barrier_share is not None for r in rows.values())
    straight = {(r.area_name, r.category_id): r for r in ws.gaps(straight_line=True).rows}
    assert straight[("Southmoor", "dementia")].reach == "straight-line 1.6 km"
    assert straight[("Southmoor", "dementia")].barrier_share is None
    # The demo's population layer comes from the boundaries (no apportioning columns): --by small-areas works.
    small = ws.gaps(area="Southmoor", by="small-areas")
    assert {r.area_name for r in small.rows} == {f"Southmoor {k:02d}" for k in range(1, 7)}  # its six small areas


def test_the_river_names_itself_in_eastfield(demo):
    """Eastfield 02 lies across the River Ease from Eastfield's dementia group: 550 m in a straight line, about
    8 km on foot by Town Bridge (tests/test_example_streets.py). Its residents aged 65+ are Eastfield's barrier."""
    ws, _, _ = demo
    pop = ws.frame("population")
    eastfield = pop[pop["name"].str.startswith("Eastfield")]
    cut_off = float(eastfield.loc[eastfield["name"] == "Eastfield 02", "aged_65_and_over"].iloc[0])
    row = next(r for r in ws.gaps(area="Eastfield", category="dementia").rows)
    assert row.barrier_share == pytest.approx(cut_off / eastfield["aged_65_and_over"].sum())  # 453 of 3,012: 15%
    assert "Barrier: 15% of residents aged 65+ here" in row.reason
    straight = next(r for r in ws.gaps(area="Eastfield", category="dementia", straight_line=True).rows)
    assert straight.coverage - row.coverage == pytest.approx(row.barrier_share)  # in reach only by the crow


def test_a_what_if_puts_the_added_group_on_the_streets(demo):
    """A dementia group added in Eastfield 02, across the river: Eastfield's barrier for dementia goes, its
    coverage rises by as much."""
    import shapely

    from asset_map.geo import BNG, WGS84, transformer

    ws, _, _ = demo
    pop = ws.frame("population")
    spot = shapely.point_on_surface(pop.loc[pop["name"] == "Eastfield 02"].geometry.iloc[0])
    lon, lat = transformer(BNG, WGS84).transform(spot.x, spot.y)
    wi = ws.what_if(add=[f"East bank memory cafe;dementia;{lon:.6f},{lat:.6f}"])
    change = next(c for c in wi.changes(categories=["dementia"]) if c.after.area_name == "Eastfield")
    assert change.after.reach == "20 min walk"
    assert change.before.barrier_share == pytest.approx(0.150, abs=0.001)
    assert change.after.barrier_share == 0.0
    assert change.after.coverage - change.before.coverage == pytest.approx(change.before.barrier_share)
