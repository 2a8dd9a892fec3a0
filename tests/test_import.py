"""Importing asset lists: every row imported or rejected with a reason, counts that reconcile."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from asset_map.errors import ColumnError, InputFileError, TaxonomyError
from conftest import X0, Y0, asset_row, bng_to_lonlat, fingerprint, square, write_csv


def test_import_counts_reconcile_and_rows_are_accounted_for(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas, population_field="pop")
    result = workspace.import_assets(assets_csv)
    assert (result.rows_read, result.imported, result.rejected) == (6, 5, 1)
    assert result.outside == 1 and result.uncategorised == 1
    assert result.reconciles()
    (rej,) = result.rejects
    assert (rej.row, rej.column) == (6, "Latitude/Longitude")  # header is row 1: the 5th asset is row 6
    assert "no coordinates" in rej.reason
    assets = workspace.assets().set_index("name")
    assert assets.loc["West Befriending", "categories"] == "loneliness_isolation;carers"
    assert assets.loc["West Befriending", "area_code"] == "W01"
    assert assets.loc["East Food Bank", "area_code"] == "E01"
    assert assets.loc["Hospice over the border", "location_status"] == "outside"
    assert pd.isna(assets.loc["Hospice over the border", "area_code"])
    assert assets.loc["Knit and Natter", "categories"] == ""
    assert result.unknown_words == {"Knitting circle": [7]}
    assert result.suggestions == {"Knitting circle": "arts_culture"}
    stored = workspace.rejects()
    assert stored[["source", "row", "column"]].values.tolist() == [["assets.csv", 6, "Latitude/Longitude"]]
    assert "Name=No Place Club" in stored.loc[0, "record"]
    log = workspace.imports()
    assert log[["rows_read", "imported", "outside", "uncategorised", "rejected"]].values.tolist() == [[6, 5, 1, 1, 1]]


def test_importing_the_same_file_twice_does_not_duplicate(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas)
    first = workspace.import_assets(assets_csv)
    ids = sorted(workspace.assets()["asset_id"])
    second = workspace.import_assets(assets_csv)
    assert second.replaced == first.imported == 5
    assert sorted(workspace.assets()["asset_id"]) == ids
    assert len(workspace.rejects()) == 1
    assert len(workspace.imports()) == 2


def test_reimport_of_an_edited_file_replaces_its_rows_only(workspace, two_areas, assets_csv, tmp_path):
    workspace.load_boundaries(two_areas)
    workspace.import_assets(assets_csv)
    other = write_csv(tmp_path / "other.csv", ["Name", "Category", "Latitude", "Longitude"],
                      [asset_row("Carers Cafe", "carers", X0 + 100, Y0 + 100)])
    workspace.import_assets(other)
    edited = write_csv(tmp_path / "assets.csv", ["Name", "Category", "Latitude", "Longitude"],
                       [asset_row("West Befriending", "Befriending", X0 + 1000, Y0 + 1000)])
    workspace.import_assets(edited)
    assert sorted(workspace.assets()["name"]) == ["Carers Cafe", "West Befriending"]
    assert workspace.rejects() is not None and len(workspace.rejects()) == 0


def test_assets_imported_before_boundaries_are_assigned_when_they_arrive(workspace, two_areas, assets_csv):
    workspace.import_assets(assets_csv)
    assert set(workspace.assets()["location_status"]) == {"unassigned"}
    workspace.load_boundaries(two_areas)
    assert workspace.assets()["location_status"].value_counts().to_dict() == {"inside": 4, "outside": 1}


def test_bad_rows_are_rejected_with_row_column_and_reason(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas)
    path = write_csv(
        tmp_path / "messy.csv",
        ["Organisation name", "Need", "Lat", "Long"],
        [
            ["", "carers", "52.6", "-1.2"],                # no name
            ["Zero Island", "carers", "0", "0"],           # (0, 0)
            ["Words", "carers", "n/a", "-1.2"],            # n/a reads as missing: half a pair
            ["Text", "carers", "fifty-two", "-1.2"],       # not a number
            ["Paris Club", "carers", "48.85", "2.35"],     # outside Great Britain
            ["Good", "carers", *asset_row("x", "", X0 + 10, Y0 + 10)[2:]],
        ],
    )
    result = workspace.import_assets(path)
    got = {(r.row, r.column): r.reason for r in result.rejects}
    assert set(got) == {(2, "Organisation name"), (3, "Lat/Long"), (4, "Lat"), (5, "Lat"), (6, "Lat/Long")}
    assert "no name" in got[(2, "Organisation name")]
    assert "latitude 0, longitude 0 is a placeholder" in got[(3, "Lat/Long")]
    assert "no Lat" in got[(4, "Lat")]
    assert "'fifty-two' is not a number" in got[(5, "Lat")]
    assert "outside Great Britain" in got[(6, "Lat/Long")]
    assert result.imported == 1 and result.reconciles()


def test_easting_northing_and_override_columns(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas)
    path = write_csv(tmp_path / "en.csv", ["Group", "Theme", "E", "N"],
                     [["Eastings Club", "Carers", f"{X0 + 3000:.0f}", f"{Y0 + 500:.0f}"]])
    with pytest.raises(ColumnError, match=r"en.csv: no coordinate or postcode columns .*the columns are Group, Theme, E, N"):
        workspace.import_assets(path)
    result = workspace.import_assets(path, columns={"name": "Group", "category": "Theme",
                                                    "easting": "E", "northing": "N"})
    assert result.imported == 1
    a = workspace.assets().iloc[0]
    assert (a["area_code"], a["categories"]) == ("E01", "carers")
    assert a.geometry.x == pytest.approx(X0 + 3000) and a.geometry.y == pytest.approx(Y0 + 500)


def test_fixed_category_for_a_single_purpose_list(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas)
    path = write_csv(tmp_path / "banks.csv", ["Name", "Type", "Latitude", "Longitude"],
                     [asset_row("Bank A", "Trussell", X0 + 100, Y0 + 100)])
    result = workspace.import_assets(path, categories=["Food bank"])
    assert workspace.assets()["categories"].tolist() == ["food_cooking"]
    assert any("ignored: --category applies to every row" in n for n in result.notes)
    with pytest.raises(TaxonomyError, match="unknown category 'Foood banks'; did you mean 'food_cooking'"):
        workspace.import_assets(path, categories=["Foood banks"])


def test_postcodes_without_a_lookup_are_rejected_saying_what_to_do(workspace, tmp_path):
    path = write_csv(tmp_path / "pc.csv", ["Name", "Postcode"], [["Club", "M32 0AA"]])
    result = workspace.import_assets(path)
    assert (result.rows_read, result.imported, result.rejected) == (1, 0, 1)
    assert result.rejects[0].column == "Postcode"
    assert "no postcode lookup is loaded: run `asset-map postcodes load FILE`" in result.rejects[0].reason


def test_geojson_gpkg_and_polygon_features(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas)
    pts = gpd.GeoDataFrame(
        {"name": ["Point Club", None], "category": ["Arts", "Arts"]},
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 200, Y0 + 200)], crs=27700,
    )
    pts.to_file(tmp_path / "pts.gpkg", layer="assets")
    r1 = workspace.import_assets(tmp_path / "pts.gpkg")
    assert (r1.imported, r1.rejected, r1.rejects[0].row) == (1, 1, 2)  # features count from 1
    shapes = gpd.GeoDataFrame(
        {"DISTNAME": ["St Chad's Church"]}, geometry=[square(X0 + 2500, Y0 + 500, 40)], crs=27700
    ).to_crs(4326)
    shapes.to_file(tmp_path / "worship.geojson")
    r2 = workspace.import_assets(tmp_path / "worship.geojson", categories=["faith group"])
    a = workspace.assets().set_index("name").loc["St Chad's Church"]
    assert (a["area_code"], a["located_by"], a["categories"]) == ("E01", "inside polygon", "community_spaces")
    assert any("placed at a point inside it" in n for n in r2.notes)


def test_excel_workbook(workspace, two_areas, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Category", "Latitude", "Longitude"])
    lon, lat = bng_to_lonlat(X0 + 300, Y0 + 300)
    ws.append(["Excel Carers", "Carers", lat, lon])
    ws.append([None, None, None, None])
    ws.append(["No coords", "Carers", None, None])
    wb.save(tmp_path / "list.xlsx")
    workspace.load_boundaries(two_areas)
    result = workspace.import_assets(tmp_path / "list.xlsx")
    assert (result.rows_read, result.imported, result.rejected) == (2, 1, 1)
    assert result.rejects[0].row == 4  # the Excel row, blank row 3 skipped
    assert workspace.assets()["area_code"].tolist() == ["W01"]


def test_dry_run_writes_nothing(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas)
    before = fingerprint(workspace)
    result = workspace.import_assets(assets_csv, dry_run=True)
    assert result.imported == 5
    assert fingerprint(workspace) == before


def test_empty_and_header_only_files(workspace, tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputFileError, match="empty.csv: the file is empty"):
        workspace.import_assets(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("Name,Latitude,Longitude\n")
    with pytest.raises(InputFileError, match="header.csv: has a header but no data rows"):
        workspace.import_assets(tmp_path / "header.csv")
    assert not workspace.store.exists()


def test_progress_is_reported_as_rows_done_of_total(workspace, tmp_path):
    rows = [asset_row(f"Group {i}", "carers", X0 + i, Y0) for i in range(600)] + [["No place", "carers", "", ""]]
    path = write_csv(tmp_path / "long.csv", ["Name", "Category", "Latitude", "Longitude"], rows)
    calls = []
    result = workspace.import_assets(path, progress=lambda step, done, total: calls.append((step, done, total)))
    assert result.imported == 600
    steps = [c[0] for c in calls]
    assert steps[0] == "reading" and steps[-1] == "writing"
    assert [c for c in calls if c[0] == "locating"] == [
        ("locating", 0, 601), ("locating", 250, 601), ("locating", 500, 601), ("locating", 601, 601)]
    assert [c for c in calls if c[0] == "categorising"][-1] == ("categorising", 500, 600)
    assert "checking for duplicates" in steps


def test_rejects_are_counted_by_kind(workspace, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Good", "carers", X0, Y0), ["", "carers", "53.4", "-2.3"], ["Far", "carers", "48.85", "2.35"],
        ["Swapped", "carers", "-2.3", "53.4"], ["Also swapped", "carers", "-2.31", "53.41"], ["Empty", "", "", ""],
    ])
    result = workspace.import_assets(path, dry_run=True)
    assert result.rejected_by_kind() == {"swapped": 2, "no name": 1, "outside Great Britain": 1, "no location": 1}
    assert sum(result.rejected_by_kind().values()) == result.rejected == 5


def test_nothing_imported_is_a_warning_naming_the_main_reason(workspace, tmp_path):
    path = write_csv(tmp_path / "pc.csv", ["Name", "Postcode"], [["A", "M32 0TH"], ["B", "M33 7XX"], ["", "M1 1AA"]])
    result = workspace.import_assets(path, dry_run=True)
    (warning,) = result.warnings
    assert warning.startswith("nothing would be imported: all 3 rows were rejected (2 of them: no postcode lookup "
                              "loaded); row 2: no coordinates, and no postcode lookup is loaded: run `asset-map "
                              "postcodes load FILE`")
    assert workspace.import_assets(write_csv(tmp_path / "ok.csv", ["Name", "Easting", "Northing"],
                                             [["A", str(X0), str(Y0)]])).warnings == []


def test_asset_id_place_keys_as_python_formats_them():
    """The keys hashed into asset ids, made a whole column at a time, are those Python's ``:.0f`` writes:
    halves rounded to even, -0, very large, non-finite and negative coordinates."""
    import numpy as np

    from asset_map.inputs.asset_ids import place_keys

    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-1000, 700_000, 5000), np.round(rng.uniform(0, 1000, 2000)) + 0.5,
                        [0.5, 1.5, 2.5, -0.4, -0.5, -0.0, 0.0, 1e17, 2 ** 52 + 0.5, np.nan, np.inf, -np.inf]])
    y = x[::-1].copy()
    names = [f"name {i}" for i in range(len(x))]
    assert place_keys("src", names, x, y) == [f"src|{n}|{a:.0f}|{b:.0f}" for n, a, b in zip(names, x.tolist(),
                                                                                            y.tolist())]
