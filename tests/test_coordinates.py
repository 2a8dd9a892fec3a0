"""Coordinate sanity per row: swapped pairs, grid references as degrees, (0, 0), outside Great Britain."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from asset_map.inputs.coordinates import (
    DEGREES_AS_GRID, GRID_AS_DEGREES, OUTSIDE, PLACEHOLDER, SWAPPED, check_easting_northing, check_lat_lon,
)
from conftest import write_csv

# Stretford Public Hall: 53.4466 N, 2.3089 W; easting 379,170, northing 395,070.
LAT, LON, EAST, NORTH = 53.4466, -2.3089, 379170.0, 395070.0


@pytest.mark.parametrize("lat,lon,kind", [
    (LAT, LON, None),
    (LON, LAT, SWAPPED),
    (0.0, 0.0, PLACEHOLDER),
    (NORTH, EAST, GRID_AS_DEGREES),        # northing in Latitude, easting in Longitude
    (EAST, NORTH, GRID_AS_DEGREES),
    (48.8566, 2.3522, OUTSIDE),            # Paris
    (53.4466, 182.0, OUTSIDE),
])
def test_lat_lon_checks(lat, lon, kind):
    problem = check_lat_lon(lat, lon)
    assert (problem and problem[0]) == kind


@pytest.mark.parametrize("east,north,kind", [
    (EAST, NORTH, None),
    (0.0, 0.0, PLACEHOLDER),
    (LON, LAT, DEGREES_AS_GRID),           # -2.3, 53.4: degrees in the grid columns
    (LAT, LON, DEGREES_AS_GRID),
    (1_200_000.0, 400_000.0, SWAPPED),     # northing first: Shetland-ish read the other way
    (-5_000.0, 300_000.0, OUTSIDE),
    (800_000.0, 800_000.0, OUTSIDE),
])
def test_easting_northing_checks(east, north, kind):
    problem = check_easting_northing(east, north)
    assert (problem and problem[0]) == kind


def test_each_row_says_what_is_wrong_with_its_coordinates(workspace, tmp_path):
    path = write_csv(tmp_path / "coords.csv", ["Name", "Category", "Latitude", "Longitude", "Postcode"], [
        ["Good", "carers", str(LAT), str(LON), ""],
        ["Swapped", "carers", str(LON), str(LAT), ""],
        ["Grid ref", "carers", str(NORTH), str(EAST), ""],
        ["Null island", "carers", "0", "0", ""],
        ["Paris", "carers", "48.8566", "2.3522", ""],
    ])
    result = workspace.import_assets(path, dry_run=True)
    assert (result.rows_read, result.imported, result.rejected) == (5, 1, 4)
    reasons = {r.row: r.reason for r in result.rejects}
    assert "looks swapped" in reasons[3]
    assert "looks like a British National Grid reference (easting 379170, northing 395070)" in reasons[4]
    assert "placeholder" in reasons[5]
    assert "outside Great Britain" in reasons[6]
    assert {r.column for r in result.rejects} == {"Latitude/Longitude"}


def test_a_placeholder_with_a_postcode_is_located_by_the_postcode(workspace, tmp_path):
    lookup = write_csv(tmp_path / "pc.csv", ["postcode", "easting", "northing"], [["M32 0LG", "379170", "395070"]])
    workspace.load_postcodes(lookup)
    path = write_csv(tmp_path / "coords.csv", ["Name", "Latitude", "Longitude", "Postcode"], [
        ["Hall", "0", "0", "m320lg"],
    ])
    result = workspace.import_assets(path, dry_run=True)
    assert result.rejected == 0
    assert result.assets["located_by"].tolist() == ["postcode"]
    assert (result.assets.geometry.x[0], result.assets.geometry.y[0]) == (EAST, NORTH)


def test_mislabelled_columns_get_one_note_with_the_fix(workspace, tmp_path):
    # Every row has latitude and longitude the other way round: the headers are wrong.
    rows = [[f"Group {i}", "carers", str(LON + i / 1000), str(LAT)] for i in range(5)]
    path = write_csv(tmp_path / "swapped.csv", ["Name", "Category", "Lat", "Long"], rows)
    result = workspace.import_assets(path, dry_run=True)
    assert result.rejected == 5
    assert ("5 rows have latitude and longitude swapped: if the columns are mislabelled, import again with "
            "--map latitude='Long' --map longitude='Lat'") in result.notes
    fixed = workspace.import_assets(path, columns={"latitude": "Long", "longitude": "Lat"}, dry_run=True)
    assert (fixed.imported, fixed.rejected) == (5, 0)


def test_one_typo_among_good_rows_gets_no_file_note(workspace, tmp_path):
    rows = [[f"Group {i}", "carers", str(LAT), str(LON)] for i in range(4)] + [["Typo", "carers", str(LON), str(LAT)]]
    path = write_csv(tmp_path / "typo.csv", ["Name", "Category", "Lat", "Long"], rows)
    result = workspace.import_assets(path, dry_run=True)
    assert (result.imported, result.rejected) == (4, 1)
    assert not any("swapped" in n for n in result.notes)


def test_easting_northing_mistakes(workspace, tmp_path):
    path = write_csv(tmp_path / "grid.csv", ["Name", "Easting", "Northing"], [
        ["Good", str(EAST), str(NORTH)],
        ["Degrees", str(LON), str(LAT)],
        ["Zero", "0", "0"],
    ])
    result = workspace.import_assets(path, dry_run=True)
    assert (result.imported, result.rejected) == (1, 2)
    reasons = {r.row: r.reason for r in result.rejects}
    assert "looks like longitude/latitude in degrees" in reasons[3]
    assert "placeholder" in reasons[4]


def test_geojson_with_latitude_first_is_named(workspace, tmp_path):
    path = tmp_path / "latfirst.geojson"
    gpd.GeoDataFrame({"name": ["Good", "Backwards"]}, geometry=[Point(LON, LAT), Point(LAT, LON)],
                     crs="EPSG:4326").to_file(path)
    result = workspace.import_assets(path, dry_run=True)
    (rej,) = result.rejects
    assert rej.row == 2 and rej.column == "geometry"
    assert "looks swapped" in rej.reason and "GeoJSON needs longitude first" in rej.reason


@pytest.mark.parametrize("seed", range(3))
def test_rows_placed_a_column_at_a_time_as_row_by_row(monkeypatch, seed):
    """Rows whose coordinates are plain numbers in Great Britain are placed a whole column at a time; every
    row ends where, and with the rejects and notes, reading each row gives (mistakes, blanks, postcodes,
    decimal commas, degrees and grid references mixed)."""
    import random

    import numpy as np
    import pandas as pd

    from asset_map.inputs import locating
    from asset_map.inputs.columns import ColumnMap

    rng = random.Random(seed)
    cells = [None, "0", "0.0", "-2.3089", "53.4466", "379170", "395070.5", "379,170", "1.5e5", " 12", "abc",
             "700001", "999.5", "1000", "-0", "53,4466", "5.", ".5", "61.0", "-8.75", "1.9", "49.75", "nan"]
    n = 400
    def row() -> list:
        mode = rng.random()
        if mode < 0.25:  # degrees in Great Britain
            return [f"{rng.uniform(49, 62):.5f}", f"{rng.uniform(-9, 2.5):.5f}", rng.choice(cells), None]
        if mode < 0.5:  # a grid reference
            return [None, None, f"{rng.uniform(-10, 720_000):.1f}", str(rng.randint(-10, 1_400_000))]
        return [rng.choice(cells) if rng.random() < 0.8 else None for _ in range(4)]

    frame = pd.DataFrame([row() for _ in range(n)], columns=["Latitude", "Longitude", "Easting", "Northing"],
                         dtype=object)
    frame["Postcode"] = [rng.choice([None, "M32 0LG", "not one"]) for _ in range(n)]
    cmap = ColumnMap({"latitude": "Latitude", "longitude": "Longitude", "easting": "Easting",
                      "northing": "Northing", "postcode": "Postcode"})
    results = []
    for plain in (True, False):
        if not plain:
            monkeypatch.setattr(locating._RowLocator, "place_plain", lambda self: np.zeros(n, dtype=bool))
        placement, notes = locating.Placement(frame, list(range(2, n + 2))), []
        locating.locate_rows(placement, cmap, notes, decimal_comma=seed == 2)
        results.append((placement.x.tolist(), placement.y.tolist(), placement.located_by.tolist(),
                        placement.ok.tolist(), sorted(map(repr, placement.rejects)), notes))
    assert str(results[0]) == str(results[1])
    assert (np.array(results[0][2]) == "coordinates").sum() > n / 4
