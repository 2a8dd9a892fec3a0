"""One view for every output: the area in focus, the what-if, the category a map opens on."""

from __future__ import annotations

import dataclasses
import json

import pytest

from asset_map.outputs.view import OutputView
from conftest import X0, Y0, asset_row, bng_to_lonlat, write_csv


@pytest.fixture
def ws(layered, tmp_path):
    """West: a befriending group and a food bank; East: nothing."""
    layered.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Friends", "befriending", X0 + 500, Y0 + 1000),
        asset_row("Pantry", "food bank", X0 + 1500, Y0 + 1000),
    ]))
    return layered


def hall() -> str:
    lon, lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    return f"Church hall;befriending;{lon:.6f},{lat:.6f}"


def test_opening_category_is_the_first_robust_gap_then_the_first_gap(ws):
    report = ws.gaps()
    east = [r for r in report.rows if r.area_code == "E01"]
    # East has nothing: befriending (19) and food (23) are "no provision" (West's lists hold them); the rest
    # are "no data?" (no list holds such assets at all).
    found = [r for r in east if r.finding != "no data?"]
    assert [(r.category_id, r.level) for r in found] == [("loneliness_isolation", "none"), ("food_cooking", "none")]
    unsure = next(r for r in east if r.finding == "no data?")
    assert unsure.priority < found[1].priority

    def view(robust=()):
        rows = [dataclasses.replace(r, robust=r.category_id in robust) for r in report.rows]
        return OutputView(report.with_rows(rows), None, area="E01")

    # The robust gap first, even below a gap that is not robust and a robust "no data?" row.
    assert view(robust={"food_cooking", unsure.category_id}).opening_category() == "food_cooking"
    # No robust gap: the first gap; no gap found in the lists: the first "no data?" row; no gap at all: row 1.
    assert view().opening_category() == "loneliness_isolation"
    rows = [dataclasses.replace(r, finding="no data?" if r.finding != "no data?" else r.finding) for r in report.rows]
    assert OutputView(report.with_rows(rows), None, area="E01").opening_category() == east[0].category_id
    rows = [dataclasses.replace(r, level="ok", finding="provision") for r in report.rows]
    assert OutputView(report.with_rows(rows), None, area="E01").opening_category() == east[0].category_id


def test_what_if_view_marks_added_and_removed_assets(ws):
    view = ws.output_view(area="East", add=[hall()], without=["Pantry"])
    assert view.area == "E01" and view.what_if_text() == "What if: + Church hall; − Pantry"
    assert sorted(zip(view.assets["name"], view.assets["what_if"])) == [("Church hall", "added"), ("Friends", "")]
    assert list(view.removed["name"]) == ["Pantry"] and list(view.removed["what_if"]) == ["removed"]
    assert view.assets.loc[view.assets["name"] == "Church hall", "area_code"].item() == "E01"
    # The figures are those after; before stays as the workspace holds it.
    after = {(r.area_code, r.category_id): r for r in view.report.rows}
    before = {(r.area_code, r.category_id): r for r in view.before.rows}
    assert (before[("E01", "loneliness_isolation")].coverage, after[("E01", "loneliness_isolation")].coverage) \
        == (0.0, 1.0)
    assert (before[("W01", "food_cooking")].assets, after[("W01", "food_cooking")].assets) == (1, 0)
    assert [r.priority for r in view.before.rows] == [r.priority for r in ws.gaps().rows]


def test_geojson_of_one_area_after_a_what_if(ws):
    areas = json.loads(ws.export_geojson("areas", area="East", add=[hall()], without=["Pantry"]))
    assert [f["properties"]["area_code"] for f in areas["features"]] == ["E01"]
    p = areas["features"][0]["properties"]
    assert p["what_if"] == "What if: + Church hall; − Pantry"
    assert (p["loneliness_isolation_coverage_before"], p["loneliness_isolation_coverage"]) == (0.0, 1.0)
    assert (p["loneliness_isolation_level_before"], p["loneliness_isolation_level"]) == ("none", "ok")
    assert (p["loneliness_isolation_assets_before"], p["loneliness_isolation_assets"]) == (0, 1)
    assets = json.loads(ws.export_geojson("assets", add=[hall()], without=["Pantry"]))
    marks = {f["properties"]["name"]: f["properties"]["what_if"] for f in assets["features"]}
    assert marks == {"Friends": "", "Pantry": "removed", "Church hall": "added"}
    east = json.loads(ws.export_geojson("assets", area="East"))
    assert east["features"] == []  # nothing is located in East
    plain = json.loads(ws.export_geojson("areas"))
    assert len(plain["features"]) == 2 and "what_if" not in plain["features"][0]["properties"]


def test_cards_say_what_the_what_if_changes(ws, tmp_path):
    cards = ws.gap_cards("East", add=[hall()], without=["Pantry"])
    assert len(cards) == 1
    assert cards[0].what_if == ["What if: + Church hall; − Pantry",
                                "Loneliness and social isolation in East: coverage 0% → 100%, 0 → 1 assets, none → ok"]
    assert "loneliness_isolation" not in [r.category_id for r in cards[0].gaps]  # no longer a gap after
    # The small map marks the hall as a green star.
    import io

    import matplotlib.image as mpimg
    import numpy as np

    from asset_map.outputs.slide_focus import ADDED_COLOUR

    img = np.rint(mpimg.imread(io.BytesIO(cards[0].map_png))[..., :3] * 255).astype(int)
    green = tuple(int(ADDED_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    assert (img == green).all(axis=-1).sum() > 20
    west = ws.gap_cards("West", add=[hall()], without=["Pantry"])[0]
    assert west.what_if[1] == "Food and cooking in West: coverage 100% → 0%, 1 → 0 assets, ok → none"
    from typer.testing import CliRunner

    from asset_map.cli import app

    out = tmp_path / "cards.md"
    r = CliRunner().invoke(app, ["report", "-o", str(out), "--format", "markdown", "--area", "East", "--add", hall(),
                                 "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "## What if" in text and "coverage 0% → 100%" in text
    assert len([p for p in tmp_path.iterdir() if p.suffix == ".png"]) == 1  # East's map beside the cards
    html = CliRunner().invoke(app, ["report", "-o", "-", "--area", "East", "--without", "Pantry", "-w", ws.location])
    assert html.exit_code == 0 and "<h2>What if</h2>" in html.stdout and "no figure of this area changes" in html.stdout


def test_gpkg_of_one_area_after_a_what_if(ws, tmp_path):
    import geopandas as gpd

    counts = ws.export_gpkg(tmp_path / "e.gpkg", area="East", add=[hall()], without=["Pantry"])
    # East alone; its one asset is the hall; its population part is S4.
    assert counts == {"areas": 1, "assets": 1, "population": 1}
    areas = gpd.read_file(tmp_path / "e.gpkg", layer="areas")
    row = areas.iloc[0]
    assert row["area_code"] == "E01" and row["what_if"] == "What if: + Church hall; − Pantry"
    assert (row["loneliness_isolation_coverage_before"], row["loneliness_isolation_coverage"]) == (0.0, 1.0)
    assert (row["loneliness_isolation_level_before"], row["loneliness_isolation_level"]) == ("none", "ok")
    assets = gpd.read_file(tmp_path / "e.gpkg", layer="assets")
    assert list(zip(assets["name"], assets["what_if"])) == [("Church hall", "added")]
    whole = ws.export_gpkg(tmp_path / "w.gpkg", without=["Pantry"])
    assert whole == {"areas": 2, "assets": 2, "population": 4}
    marks = gpd.read_file(tmp_path / "w.gpkg", layer="assets")
    assert sorted(zip(marks["name"], marks["what_if"].fillna(""))) == [("Friends", ""), ("Pantry", "removed")]
