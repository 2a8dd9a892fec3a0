"""Served areas: borough-wide, online, by-area and radius services count where they serve."""

from __future__ import annotations

import pytest

from conftest import TRAFFORD, X0, Y0, bng_to_lonlat, trafford_localities, write_csv

FIX = __import__("pathlib").Path(__file__).parent / "fixtures" / "oruk"


@pytest.fixture
def ws(layered):
    """West (S1 1,000 at x 500, S2 3,000 at x 1,500, S3 2,000) and East (S4 4,000 at x 3,000)."""
    return layered


def row(name, category, x=None, y=None, served=""):
    lat = lon = ""
    if x is not None:
        lon, lat = (f"{v:.7f}" for v in bng_to_lonlat(x, y))
    return [name, category, lat, lon, served]


def import_list(ws, tmp_path):
    return ws.import_assets(write_csv(tmp_path / "list.csv", ["Name", "Category", "Latitude", "Longitude",
                                                              "Area served"], [
        row("Friends", "befriending", X0 + 500, Y0 + 1000),
        row("Befriending line", "befriending", served="Borough-wide"),
        row("East carers visits", "carers", served="east"),
        row("Youth bus", "youth club", X0 + 500, Y0 + 1000, served="within 3 km"),
        row("Mystery scope", "carers", served="Manchester"),
        row("No place", "carers"),
    ]))


def test_rows_without_a_place_that_serve_an_area_are_kept_not_rejected(ws, tmp_path):
    result = import_list(ws, tmp_path)
    assert (result.rows_read, result.imported, len(result.served_only), result.rejected) == (6, 2, 3, 1)
    assert result.reconciles()
    assert [r.row for r in result.rejects] == [7]
    kept = ws.frame("unlocated").set_index("name")
    assert kept.loc["Befriending line", "served_area"] == "Borough-wide"
    assert kept.loc["East carers visits", "categories"] == "carers"
    assert ws.status()["unlocated"] == 3


def test_a_served_row_without_a_category_gets_one_from_its_name(ws, tmp_path, monkeypatch):
    """Categorised as the imported rows are: its name suggests carers (used by default, marked inferred)."""
    monkeypatch.setattr("asset_map.inputs.categorising.DEFAULT_USE_CONFIDENCE", 0.0)  # whatever the calibration
    result = ws.import_assets(write_csv(tmp_path / "l.csv", ["Name", "Category", "Latitude", "Longitude",
                                                             "Area served"], [
        row("Friends", "befriending", X0 + 500, Y0 + 1000),
        row("Helpline for unpaid carers", "", served="Borough-wide"),
    ]))
    assert (result.imported, len(result.served_only)) == (1, 1)
    # "unpaid carers": carers; "helpline": information and signposting.
    cats = ws.frame("unlocated").set_index("name").loc["Helpline for unpaid carers", "categories"]
    assert cats == "carers;information_signposting"
    west = {r.category_id: r for r in ws.gaps(area="West").rows}["carers"]
    assert (west.assets, west.served, west.coverage) == (0, 1, 1.0)  # the borough-wide line reaches everyone


def test_served_areas_count_for_coverage_and_are_shown_separately(ws, tmp_path):
    import_list(ws, tmp_path)
    report = ws.gaps()
    rows = {(r.area_code, r.category_id): r for r in report.rows}
    lonely_w, lonely_e = rows[("W01", "loneliness_isolation")], rows[("E01", "loneliness_isolation")]
    # The borough-wide line reaches everyone; Friends alone reaches S1 (1,000 of West's 6,000).
    assert (lonely_w.coverage, lonely_w.coverage_located, lonely_w.served) == (1.0, pytest.approx(1000 / 6000), 1)
    assert (lonely_e.coverage, lonely_e.coverage_located, lonely_e.served) == (1.0, 0.0, 1)
    assert "1 service serves East without being located there" in lonely_e.reason
    assert "coverage 100% with them, 0% from located assets alone" in lonely_e.reason
    # Carers visits serve East by name only.
    assert rows[("E01", "carers")].coverage == 1.0 and rows[("W01", "carers")].coverage == 0.0
    assert rows[("W01", "carers")].served == 0
    # The youth bus stands by S1 (West) and serves 3 km around: S4 in East is 2.5 km away.
    young_e = rows[("E01", "young_people")]
    assert young_e.coverage == 1.0 and young_e.coverage_located == 0.0 and young_e.served == 1
    assert rows[("W01", "young_people")].served == 0  # it is located there: not counted again
    assert any("served areas not understood and not counted: 'Manchester'" in n for n in report.notes)
    # Accessibility counts located assets only.
    assert lonely_e.access_per_10k == 0


def test_what_if_and_served_area_keep_each_other(ws, tmp_path):
    import_list(ws, tmp_path)
    result = ws.what_if(without=["Youth bus"])
    after = {(r.area_code, r.category_id): r for r in result.after.rows}
    assert after[("E01", "young_people")].coverage == 0.0


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_directory_extent_serves_trafford(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    ws.import_assets(FIX / "csv_v3")
    report = ws.gaps()
    older = {r.area_name: r for r in report.rows if r.category_id == "older_people_independence"}
    # "Home from Hospital Telephone Friends" has no place; its GeoJSON extent is a box around Trafford.
    assert all(r.served == 1 and r.coverage == 1.0 and r.coverage_located == 0.0 for r in older.values())
    # The church halls' service area is Trafford's ONS code, which names no locality: reported, not guessed.
    assert any("'E08000009' ×3" in n for n in report.notes)



@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_the_study_area_code_counts_as_borough_wide(tmp_path):
    from typer.testing import CliRunner

    from asset_map.cli import app

    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    r = CliRunner().invoke(app, ["boundaries", "load", str(TRAFFORD / "boundaries" /
                                 "trafford_localities_generalised_resolution_2023.geojson"),
                                 "--name-field", "area_name", "--study-name", "Trafford", "--study-name", "E08000009",
                                 "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    assert ws.study_names() == {"trafford", "e08000009"}
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    ws.import_assets(FIX / "csv_v3")
    report = ws.gaps()
    # The church halls' befriending service serves E08000009 (Trafford): every locality is served.
    lonely = {r.area_name: r for r in report.rows if r.category_id == "loneliness_isolation"}
    assert all(r.coverage == 1.0 for r in lonely.values())
    assert not any("not understood" in n for n in report.notes)
    # Reloading the boundaries without --study-name keeps the names.
    ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                       name_field="area_name")
    assert ws.study_names() == {"trafford", "e08000009"}
