"""Drill-down: a second level of areas (`boundaries load --level`) and `gaps --area A --by LEVEL`."""

from __future__ import annotations

import geopandas as gpd
import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import WorkspaceError
from conftest import TRAFFORD, X0, Y0, asset_row, square, write_areas, write_csv

runner = CliRunner()

#: Small areas of 1 km squares (S5: 2 km × 2 km), (code, all ages, x, y of the lower left corner, size).
SMALL = [("S1", 1000, 0, 0, 1000), ("S2", 2000, 0, 1000, 1000), ("S3", 1500, 1000, 0, 1000),
         ("S4", 500, 1000, 1000, 1000), ("S5", 4000, 2000, 0, 2000)]


@pytest.fixture
def drill(tmp_path):
    """North (x 0–2 km) and South (x 2–4 km); wards W1 (x 0–1 km) and W2 (x 1–2 km) inside North, W3 = South;
    small areas S1, S2 (in W1), S3, S4 (in W2), S5 (South); one befriending group (800 m) at S1's centre."""
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(write_areas(tmp_path / "loc.geojson", [
        ("N", "North", 0, square(X0, Y0, 2000)), ("S", "South", 0, square(X0 + 2000, Y0, 2000))]))
    small = gpd.GeoDataFrame({"code": [s[0] for s in SMALL], "all_ages": [s[1] for s in SMALL]},
                             geometry=[square(X0 + s[2], Y0 + s[3], s[4]) for s in SMALL], crs="EPSG:27700")
    small.to_file(tmp_path / "small.geojson")
    ws.load_population(tmp_path / "small.geojson", method="area")
    ws.load_boundaries(write_areas(tmp_path / "wards.geojson", [
        ("W1", "Ward One", 0, square(X0, Y0, 1000).union(square(X0, Y0 + 1000, 1000))),
        ("W2", "Ward Two", 0, square(X0 + 1000, Y0, 1000).union(square(X0 + 1000, Y0 + 1000, 1000))),
        ("W3", "Ward Three", 0, square(X0 + 2000, Y0, 2000))]), level="wards")
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Friends", "befriending", X0 + 500, Y0 + 500)]))
    return ws


def lonely(report):
    return {r.area_code: r for r in report.rows if r.category_id == "loneliness_isolation"}


def test_a_level_is_stored_beside_the_areas(drill):
    assert [str(c) for c in drill.areas()["area_code"]] == ["N", "S"]
    assert drill.areas().set_index("area_code")["all_ages"].to_dict() == {"N": 5000, "S": 4000}
    from asset_map.inputs.levels import level_names

    assert level_names(drill.store) == ["wards"]
    assert drill.status()["levels"] == {"wards": 3}


def test_gaps_by_ward_inside_an_area(drill):
    rows = lonely(drill.gaps(area="North", by="wards"))
    assert set(rows) == {"W1", "W2"}  # W3 lies in South
    # S1's centre is 0 m from the group: covered; S2 (1 km), S3 (1 km) and S4 (1.41 km) are beyond 800 m.
    assert rows["W1"].target_population == pytest.approx(3000)
    assert rows["W1"].coverage == pytest.approx(1000 / 3000)
    assert rows["W1"].uncovered == pytest.approx(2000)
    assert rows["W2"].target_population == pytest.approx(2000)
    assert rows["W2"].coverage == 0 and rows["W2"].uncovered == pytest.approx(2000)
    assert rows["W1"].assets == 1 and rows["W2"].assets == 0
    # Ranked among themselves: both have 2,000 unreached, W2 (no coverage at all) is the more severe.
    assert [r.area_code for r in drill.gaps(area="North", by="wards", category="befriending").rows] == ["W2", "W1"]


def test_gaps_by_ward_without_an_area_ranks_every_ward(drill):
    rows = lonely(drill.gaps(by="wards"))
    assert set(rows) == {"W1", "W2", "W3"}
    assert rows["W3"].target_population == pytest.approx(4000) and rows["W3"].coverage == 0


def test_gaps_by_small_area(drill):
    rows = lonely(drill.gaps(area="North", by="small-areas"))
    assert set(rows) == {"S1", "S2", "S3", "S4"}
    assert [rows[c].uncovered for c in ("S1", "S2", "S3", "S4")] == pytest.approx([0, 2000, 1500, 500])
    assert rows["S1"].coverage == 1.0


def test_an_unknown_level_names_the_levels_loaded(drill):
    with pytest.raises(WorkspaceError, match="the levels loaded are wards, small-areas"):
        drill.gaps(area="North", by="parishes")


def test_reloading_a_level_replaces_it_and_the_areas_keep_it(drill, tmp_path):
    drill.load_boundaries(write_areas(tmp_path / "w2.geojson", [("W9", "All", 0, square(X0, Y0, 4000))]),
                          level="wards")
    assert set(lonely(drill.gaps(by="wards"))) == {"W9"}
    drill.load_boundaries(write_areas(tmp_path / "loc2.geojson", [
        ("N", "North", 0, square(X0, Y0, 2000)), ("S", "South", 0, square(X0 + 2000, Y0, 2000))]))
    assert drill.status()["levels"] == {"wards": 1}


def test_cli_by(drill):
    where = drill.location
    out = runner.invoke(app, ["gaps", "--area", "north", "--by", "wards", "--category", "befriending",
                              "--format", "csv", "--workspace", where])
    assert out.exit_code == 0, out.output
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["area_code"] for r in rows] == ["W2", "W1"] and float(rows[1]["uncovered"]) == pytest.approx(2000)
    bad = runner.invoke(app, ["gaps", "--area", "North", "--by", "parish", "--workspace", where])
    assert bad.exit_code == 1
    assert "no such level; the levels loaded are wards, small-areas" in bad.output
    assert "Traceback" not in bad.output and len(bad.output.strip().splitlines()) <= 2
    status = runner.invoke(app, ["status", "--workspace", where])
    assert "wards" in status.output


def test_a_level_needs_its_own_name(drill, tmp_path):
    with pytest.raises(WorkspaceError, match="name of its own"):
        drill.load_boundaries(write_areas(tmp_path / "x.geojson", [("X", "X", 0, square(X0, Y0, 10))]),
                              level="small-areas")


LOCALITIES = TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson"
WARDS = TRAFFORD / "boundaries" / "trafford_ward_generalised_2023.geojson"
LSOA = TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson"
LSOA_POP = TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv"
POSTCODES = TRAFFORD / "lookups" / "trafford_postcodes.csv"


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="the real Trafford data is missing")
def test_trafford_wards_inside_north(tmp_path):
    import pandas as pd

    ws = asset_map.Workspace(tmp_path / "t.gpkg")
    ws.load_boundaries(LOCALITIES, name_field="area_name", population_csv=LSOA_POP, small_areas=LSOA)
    ws.load_boundaries(WARDS, level="wards")
    lookup = pd.read_csv(POSTCODES, dtype=str)
    expected = set(lookup.loc[lookup["locality"] == "North", "ward_code"])
    report = ws.gaps(area="North", by="wards", category="befriending")
    assert {r.area_code for r in report.rows} == expected
    north = ws.areas().set_index("area_name").loc["North", "all_ages"]
    total = sum(r.target_population for r in report.rows)
    assert total == pytest.approx(north, rel=0.01)


def small_features(page: str) -> dict:
    import json
    import re

    data = json.loads(re.search(r'<script id="asset-map-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    return {f["properties"]["code"]: f["properties"] for f in (data["small"] or {"features": []})["features"]}


def test_the_map_shades_where_the_unreached_live(drill):
    small = small_features(drill.export_html(area="North"))
    assert set(small) == {"S1", "S2", "S3", "S4"}  # South's S5 is not in focus
    assert [small[c]["loneliness_isolation_unreached"] for c in ("S1", "S2", "S3", "S4")] == [0, 2000, 1500, 500]
    assert [small[c]["loneliness_isolation_target"] for c in ("S1", "S2", "S3", "S4")] == [1000, 2000, 1500, 500]
    assert small_features(drill.export_html()) == {}  # no focus: no small areas
    what_if = drill.export_html(area="North", without=["Friends"])
    assert small_features(what_if) == {}  # the shading would be of the figures before the what-if: left out


def test_the_shading_of_every_small_area_for_the_whole_study_area(drill):
    from asset_map.inputs.levels import unreached_by_small_area

    inputs = drill._gap_inputs(None, None, None)[0]
    assert unreached_by_small_area(drill.store, inputs, None, drill.need()) is None
    everywhere = unreached_by_small_area(drill.store, inputs, None, drill.need(), everywhere=True)
    got = dict(zip(everywhere["area_code"], everywhere["loneliness_isolation_unreached"]))
    # Only S1 is reached (the group at its centre reaches its point); South's S5 is in too, 4,000 unreached.
    assert got == {"S1": 0, "S2": 2000, "S3": 1500, "S4": 500, "S5": 4000}
    north = unreached_by_small_area(drill.store, inputs, "N", drill.need())
    assert dict(zip(north["area_code"], north["loneliness_isolation_unreached"])) == {
        c: got[c] for c in ("S1", "S2", "S3", "S4")}


@pytest.mark.skipif(not (__import__("shutil").which("chromium") and __import__("shutil").which("chromedriver")),
                    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
@pytest.mark.gpkg_only  # the page in a browser; the stores are tested on both elsewhere
def test_the_shading_in_headless_chromium(drill, tmp_path):
    from test_html_map import chromium

    page = tmp_path / "north.html"
    page.write_text(drill.export_html(area="North", category="befriending"), encoding="utf-8")
    driver = chromium("900,900")
    try:
        driver.get(page.as_uri())
        fills = driver.execute_script(
            "var out = {}; assetMap.small.eachLayer(function (l) { out[l.feature.properties.code] ="
            " [l.options.fillColor, l.options.fillOpacity]; }); return out;")
        legend = driver.execute_script("return document.querySelector('.legend').textContent")
    finally:
        driver.quit()
    # S1 is wholly within reach (the lightest class); S2, S3 and S4 wholly out of reach (the darkest).
    assert fills == {"S1": ["#F2F0F7", 0.85], "S2": ["#54278F", 0.85], "S3": ["#54278F", 0.85],
                     "S4": ["#54278F", 0.85]}
    assert "Out of reach, by small area" in legend and "75% or more" in legend


def test_the_card_map_shades_where_the_unreached_live(drill):
    import io

    import numpy as np
    from PIL import Image

    (card,) = drill.gap_cards("North")
    assert card.gaps[0].category_id == "loneliness_isolation"
    assert card.shading.startswith("Small areas shaded by the share of their target residents (all ages) out of reach "
                                   "of Loneliness and social isolation")
    pixels = np.asarray(Image.open(io.BytesIO(card.map_png)).convert("RGB")).reshape(-1, 3)

    def share(hex_colour):
        rgb = [int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)]
        return (np.abs(pixels.astype(int) - rgb).sum(axis=1) <= 6).mean()

    # S2, S3 and S4 (three quarters of North) wholly out of reach, S1 (a quarter) wholly within.
    assert share("#54278F") > 2.5 * share("#F2F0F7") > 0
    assert "out of reach of Loneliness" in drill.cards_page(area="North")
    (plain,) = drill.gap_cards("North", without=["Friends"])
    assert plain.shading == ""  # with a what-if the map keeps the figures it shows: no shading


def test_by_needs_the_population_layer(tmp_path):
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(write_areas(tmp_path / "loc.geojson", [("N", "North", 100, square(X0, Y0, 2000))]))
    ws.load_boundaries(write_areas(tmp_path / "w.geojson", [("W1", "One", 0, square(X0, Y0, 2000))]), level="wards")
    with pytest.raises(WorkspaceError, match="--by wards needs the population layer"):
        ws.gaps(area="North", by="wards")
    assert asset_map.Workspace(tmp_path / "ws.gpkg").status()["levels"] == {"wards": 1}


def test_a_copied_workspace_keeps_its_levels(drill, tmp_path):
    drill.copy_to(tmp_path / "copy.gpkg")
    assert asset_map.Workspace(tmp_path / "copy.gpkg").status()["levels"] == {"wards": 3}
