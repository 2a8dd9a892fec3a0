"""The population layer: `asset-map population load`, and gaps counted where people live."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import BoundaryError, ColumnError, WorkspaceError
from conftest import (POINTS, TRAFFORD, X0, Y0, asset_row, fingerprint, square, trafford_localities, write_areas,
                      write_csv, write_points)

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def ws(tmp_path, two_areas):
    """West (W01, x 0–2 km) and East (E01, x 2–4 km) with no population yet."""
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name")
    return w


def test_coverage_counts_where_people_live(ws, tmp_path):
    result = ws.load_population(write_points(tmp_path / "pw.geojson", POINTS, crs="EPSG:4326"))
    assert result.outside == 1 and "1 of 5 small areas lie beyond the areas, wholly or in part (e.g. S5)" in result.warnings[0]
    areas = ws.areas().set_index("area_code")
    assert areas.loc["W01", "all_ages"] == 6000 and areas.loc["E01", "all_ages"] == 4000
    # A befriending group (800 m catchment) 300 m from S1 only; a dementia cafe (1.6 km) at S4.
    csv = write_csv(tmp_path / "assets.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Friends", "befriending", X0 + 200, Y0 + 1000),
        asset_row("Memory cafe", "dementia", X0 + 3000, Y0 + 1000),
    ])
    ws.import_assets(csv)
    rows = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    lonely_w = rows[("W01", "loneliness_isolation")]
    assert lonely_w.coverage == pytest.approx(1000 / 6000)  # S1 only
    assert lonely_w.uncovered == pytest.approx(5000)
    assert lonely_w.coverage_method.startswith("population-weighted")
    # 2SFCA: the group's catchment holds S1's 1,000 people, so S1 has 1/1000 and the others 0.
    assert lonely_w.access_per_10k == pytest.approx((1000 * 10) / 6000)
    assert rows[("E01", "loneliness_isolation")].coverage == 0
    # Dementia serves 65+: S4 (1,000) at 0 m and S2 (600) at 1,500 m are in reach; S1 and S3 are not.
    dem_w, dem_e = rows[("W01", "dementia")], rows[("E01", "dementia")]
    assert dem_w.target_population == 1000 and dem_e.target_population == 1000
    assert dem_w.coverage == pytest.approx(600 / 1000) and dem_e.coverage == 1.0
    assert dem_e.access_per_10k == pytest.approx(10_000 / 1600)
    # E2SFCA: S4 at 0 m weighs 1, S2 at 1,500 m (last third of 1.6 km) 0.22.
    r_cafe = 1 / (1000 + 0.22 * 600)
    assert dem_e.access_e2sfca_per_10k == pytest.approx(r_cafe * 10_000)
    assert dem_w.access_e2sfca_per_10k == pytest.approx(0.22 * r_cafe * 10_000 * 600 / 1000)


def test_population_from_a_csv_by_code(ws, tmp_path):
    pts = write_points(tmp_path / "pw.geojson", [(c, 0, 0, x, y) for c, _, _, x, y in POINTS[:4]])
    pop = write_csv(tmp_path / "pop.csv", ["LSOA21CD", "Population"], [["S1", 10], ["S2", 20], ["S3", 30], ["S4", 40]])
    ws.load_population(pts, population_csv=pop)
    assert dict(zip(ws.areas()["area_code"], ws.areas()["all_ages"])) == {"E01": 40, "W01": 60}


def test_cli_population_load_and_status(tmp_path, two_areas):
    path = tmp_path / "ws.gpkg"
    assert run("boundaries", "load", two_areas, "-w", path).exit_code == 0
    pts = write_points(tmp_path / "pw.geojson", POINTS[:4])
    r = run("population", "load", pts, "-w", path)
    assert r.exit_code == 0, r.stderr
    assert ("Stored 4 small areas from pw.geojson as the population layer (4 parts, shared by whole small areas (each to the area "
            "containing its point)): 10,000 people in 2 areas, 0 beyond them" in r.stderr)
    status = dict(line.split(": ", 1) for line in run("status", "-w", path).stdout.splitlines())
    assert status["population"] == "4"


def test_errors_are_one_line_and_leave_the_workspace_alone(ws, tmp_path):
    before = fingerprint(ws)
    no_pop = gpd.GeoDataFrame({"code": ["S1"]}, geometry=[Point(X0 + 5, Y0 + 5)], crs=27700)
    no_pop.to_file(tmp_path / "nopop.geojson")
    with pytest.raises(ColumnError, match=r"nopop.geojson: no total population column.*--population"):
        ws.load_population(tmp_path / "nopop.geojson")
    far = write_points(tmp_path / "far.geojson", [("S9", 100, 10, X0 + 1000, Y0 + 1000)])
    with pytest.raises(BoundaryError, match=r"far.geojson: no small area falls in area 'E01'"):
        ws.load_population(far)
    assert fingerprint(ws) == before
    r = run("population", "load", tmp_path / "nopop.geojson", "-w", ws.location)
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    empty = asset_map.Workspace(tmp_path / "empty.gpkg")
    with pytest.raises(WorkspaceError, match="no areas loaded; run `asset-map boundaries load FILE` first"):
        empty.load_population(far)


def test_reloading_boundaries_keeps_or_drops_the_layer(ws, tmp_path, two_areas):
    ws.load_population(write_points(tmp_path / "pw.geojson", POINTS[:4]))
    # New boundaries without population: the layer is counted in them.
    one = write_areas(tmp_path / "one.geojson", [("ALL", "Everywhere", 0, square(X0, Y0, 4000))])
    ws.load_boundaries(one, code_field="area_code", name_field="area_name")
    assert ws.areas()["all_ages"].tolist() == [10_000]
    assert set(ws.frame("population")["area_code"]) == {"ALL"}
    # Boundaries with their own population: the old layer no longer matches and goes.
    result = ws.load_boundaries(two_areas, code_field="area_code", name_field="area_name", population_field="pop")
    assert any("population layer loaded before was removed" in w for w in result.warnings)
    assert ws.status()["population"] == 0
    assert ws.gaps().rows[0].coverage_method.startswith("uniform")


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_output_areas_as_the_population_layer(tmp_path):
    ws, result = trafford_localities(tmp_path / "t.gpkg", small_areas="oa")
    parts = result.small_areas
    assert parts["code"].nunique() == 738 and result.outside == 0
    # 30 output areas straddle two localities: 768 parts, each OA's shares adding up to 1.
    assert len(parts) == 768 and parts.groupby("code")["share"].sum().round(12).eq(1).all()
    assert ws.areas()["all_ages"].sum() == pytest.approx(241_025)
    assert ws.areas()["aged_65_and_over"].sum() == result.small_areas["aged_65_and_over"].sum()


def test_capacity_column_weights_accessibility(layered, tmp_path):
    ws = layered
    csv = write_csv(tmp_path / "assets.csv", ["Name", "Category", "Latitude", "Longitude", "Capacity"], [
        asset_row("Big club", "befriending", X0 + 500, Y0 + 1000)[:4] + ["30 places"],
        asset_row("Small club", "befriending", X0 + 3000, Y0 + 1000)[:4] + ["unknown"],
        asset_row("Other club", "befriending", X0 + 3900, Y0 + 100)[:4] + [""],
    ])
    result = ws.import_assets(csv)
    assert result.rejected == 0
    assert any("column 'Capacity': 1 capacity not a positive number" in n for n in result.notes)
    caps = dict(zip(ws.assets()["name"], ws.assets()["capacity"]))
    assert caps["Big club"] == 30 and caps["Small club"] != caps["Small club"]  # NaN: no capacity
    report = ws.gaps(category="befriending")
    rows = {r.area_code: r for r in report.rows}
    # One club in places, two without a capacity: 30 places are not added to two unknowns, each counts 1.
    assert "Loneliness and social isolation: capacities in mixed units (places 1, no capacity 2): each asset " \
           "counted once for accessibility" in report.notes
    # S1 (1,000 people) alone in reach of the big club: 1 / 1,000; West holds S1, S2, S3 (6,000).
    assert rows["W01"].access_per_10k == pytest.approx(1 / 1000 * 1000 / 6000 * 10_000)
    # S4 (4,000) alone in reach of the small club; the other club reaches nobody.
    assert rows["E01"].access_per_10k == pytest.approx(1 / 4000 * 10_000)
    # Every club with a capacity in places (a bare number is in the taxonomy's unit, places): they weigh.
    csv = write_csv(tmp_path / "assets.csv", ["Name", "Category", "Latitude", "Longitude", "Capacity"], [
        asset_row("Big club", "befriending", X0 + 500, Y0 + 1000)[:4] + ["30 places"],
        asset_row("Small club", "befriending", X0 + 3000, Y0 + 1000)[:4] + ["10"],
        asset_row("Other club", "befriending", X0 + 3900, Y0 + 100)[:4] + ["2 Places"],
    ])
    ws.import_assets(csv)
    report = ws.gaps(category="befriending")
    rows = {r.area_code: r for r in report.rows}
    assert not [n for n in report.notes if "capacities" in n]
    assert rows["W01"].access_per_10k == pytest.approx(30 / 1000 * 1000 / 6000 * 10_000)
    assert rows["E01"].access_per_10k == pytest.approx(10 / 4000 * 10_000)


def test_an_area_with_nobody_counted_gets_the_share_of_its_area(ws, tmp_path):
    # Only West has small areas with people; East's one small area has 0 residents.
    ws.load_population(write_points(tmp_path / "pw.geojson", [POINTS[0], ("S9", 0, 0, X0 + 3000, Y0 + 1000)]))
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Pantry", "food bank", X0 + 3000, Y0 + 1000)]))
    east = {r.category_id: r for r in ws.gaps(area="East").rows}["food_cooking"]
    # The 1.2 km disc around the pantry, clipped by East's 2 km square: its share of the square, not 0%.
    disc = Point(X0 + 3000, Y0 + 1000).buffer(1200, quad_segs=64)
    share = square(X0 + 2000, Y0, 2000).intersection(disc).area / 4e6
    assert east.target_population == 0 and east.coverage == pytest.approx(share, abs=0.002)
    assert east.level != "none"
