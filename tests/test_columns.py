"""Finding the columns of an asset list, ``--map field=Column`` overrides, and lists without coordinates."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from asset_map import ColumnError, load_taxonomy
from asset_map.cli import app
from asset_map.inputs.columns import FIELDS, detect_columns, parse_overrides
from asset_map.inputs.importer import prepare_assets
from asset_map.inputs.readers import read_input
from conftest import X0, Y0, asset_row, bng_to_lonlat, write_csv, ws_exists

TAXONOMY = load_taxonomy()


# ------------------------------------------------------------------ detection
@pytest.mark.parametrize("headers,expected", [
    (["Organisation name", "Category", "Lat", "Long"],
     {"name": "Organisation name", "category": "Category", "latitude": "Lat", "longitude": "Long"}),
    (["Name", "Category", "Latitude", "Longitude"],
     {"name": "Name", "category": "Category", "latitude": "Latitude", "longitude": "Longitude"}),
    (["Service", "Categories", "Lat", "Lng"],
     {"name": "Service", "category": "Categories", "latitude": "Lat", "longitude": "Lng"}),
    (["Service Name", "Need", "LAT", "LON"],
     {"name": "Service Name", "category": "Need", "latitude": "LAT", "longitude": "LON"}),
    (["ORGANISATION", "TYPE", "EASTING", "NORTHING", "POSTCODE"],
     {"name": "ORGANISATION", "category": "TYPE", "easting": "EASTING", "northing": "NORTHING",
      "postcode": "POSTCODE"}),
    (["Asset", "Needs", "Eastings", "Northings"],
     {"name": "Asset", "category": "Needs", "easting": "Eastings", "northing": "Northings"}),
    (["Name", "Category", "X", "Y"],
     {"name": "Name", "category": "Category", "easting": "X", "northing": "Y"}),
    (["name", "category", "x", "y"],
     {"name": "name", "category": "category", "easting": "x", "northing": "y"}),
    (["Venue", "Lat.", "Long."],
     {"name": "Venue", "latitude": "Lat.", "longitude": "Long."}),
    (["Group name", "Service type", "Post code", "Site latitude", "Site longitude"],
     {"name": "Group name", "category": "Service type", "postcode": "Post code", "latitude": "Site latitude",
      "longitude": "Site longitude"}),
    (["Asset ID", "Asset name", "Description", "Full address", "Postcode"],
     {"id": "Asset ID", "name": "Asset name", "description": "Description", "address": "Full address",
      "postcode": "Postcode"}),
    (["Organisation name", "Type", "Lat", "Long"],
     {"name": "Organisation name", "category": "Type", "latitude": "Lat", "longitude": "Long"}),
    (["Service", "Need categories", "Post Code", "Latitude", "Lng"],
     {"name": "Service", "category": "Need categories", "postcode": "Post Code", "latitude": "Latitude",
      "longitude": "Lng"}),
    (["Asset ID", "Asset name", "Easting", "Northing", "Full address"],
     {"id": "Asset ID", "name": "Asset name", "easting": "Easting", "northing": "Northing",
      "address": "Full address"}),
    (["charity_name", "charity_contact_postcode", "charity_activities"],
     {"name": "charity_name", "postcode": "charity_contact_postcode", "description": "charity_activities"}),
])
def test_common_header_variants_are_detected(headers, expected):
    assert detect_columns(headers).columns == expected


@pytest.mark.parametrize("headers,expected", [
    (["Organisation Name (required)", "Category", "Latitude (WGS84)", "Longitude (WGS 84)", "Post Code:"],
     {"name": "Organisation Name (required)", "category": "Category", "latitude": "Latitude (WGS84)",
      "longitude": "Longitude (WGS 84)", "postcode": "Post Code:"}),
    (["Name of group", "Type of service", "Postcode*", "Easting (m)", "Northing [m]"],
     {"name": "Name of group", "category": "Type of service", "postcode": "Postcode*", "easting": "Easting (m)",
      "northing": "Northing [m]"}),
    (["Name of organisation", "Primary category", "Lat.", "Long."],
     {"name": "Name of organisation", "category": "Primary category", "latitude": "Lat.", "longitude": "Long."}),
    (["Group/Organisation", "Category of support", "Contact postcode"],
     {"name": "Group/Organisation", "category": "Category of support", "postcode": "Contact postcode"}),
    (["Name", "What we offer", "Venue postcode"],
     {"name": "Name", "category": "What we offer", "postcode": "Venue postcode"}),
    (["Name", "Activity", "Postcode"], {"name": "Name", "category": "Activity", "postcode": "Postcode"}),
    (["Name of group", "Type of support", "Venue", "Post Code"],
     {"name": "Name of group", "category": "Type of support", "postcode": "Post Code"}),
    (["Site latitude (approx.)", "Site longitude (approx.)", "Name"],
     {"name": "Name", "latitude": "Site latitude (approx.)", "longitude": "Site longitude (approx.)"}),
])
def test_headers_with_notes_units_and_longer_wordings(headers, expected):
    assert detect_columns(headers).columns == expected


def test_stronger_matches_win_whatever_the_column_order():
    # Exact beats a bracketed note, which beats a mere ending.
    assert detect_columns(["Latitude (approx)", "Latitude"]).get("latitude") == "Latitude"
    assert detect_columns(["Site latitude", "Latitude (WGS84)"]).get("latitude") == "Latitude (WGS84)"
    # The venue's postcode is where the asset is; the contact postcode may be an office.
    assert detect_columns(["Contact postcode", "Venue postcode"]).get("postcode") == "Venue postcode"


def test_type_columns_do_not_take_the_name():
    assert detect_columns(["Service", "Service type"]).columns == {"name": "Service", "category": "Service type"}
    assert detect_columns(["Type of service", "Organisation"]).columns == {
        "name": "Organisation", "category": "Type of service"}
    assert detect_columns(["Type of service", "Group"]).columns == {"name": "Group", "category": "Type of service"}


def test_activities_is_the_category_only_when_there_is_none():
    assert detect_columns(["Name", "Activities"]).columns == {"name": "Name", "category": "Activities"}
    assert detect_columns(["Name", "Activities", "Category"]).columns == {
        "name": "Name", "category": "Category", "description": "Activities"}


def test_lat_lon_and_x_y_are_all_kept():
    assert detect_columns(["Name", "Latitude", "Longitude", "X", "Y"]).columns == {
        "name": "Name", "latitude": "Latitude", "longitude": "Longitude", "easting": "X", "northing": "Y"}


def test_each_column_serves_one_field_and_exact_names_win():
    # "Name" is the name; "Service" is then free but is not a category word, so it is left alone.
    cmap = detect_columns(["Service", "Name", "Category", "Latitude", "Longitude"])
    assert cmap.get("name") == "Name"
    assert cmap.get("category") == "Category"
    assert "Service" not in cmap.columns.values()
    # An exact "Organisation" beats a column that merely ends in "name".
    assert detect_columns(["Contact name", "Organisation"]).get("name") == "Organisation"
    # Nothing recognisable: no fields.
    assert detect_columns(["Foo", "Bar", "Baz"]).columns == {}


# ------------------------------------------------------------------ --map overrides
def test_parse_overrides():
    assert parse_overrides(None) == {}
    assert parse_overrides([]) == {}
    assert parse_overrides(["name=Organisation name", " latitude = Y coord ", "category=Type=Kind"]) == {
        "name": "Organisation name", "latitude": "Y coord", "category": "Type=Kind"}


def test_map_overrides_win_over_detection():
    headers = ["Name", "Group", "Lat", "Lon", "Where N", "Where E"]
    cmap = detect_columns(headers, parse_overrides(["name=Group", "easting=Where E", "northing=Where N"]))
    assert cmap.columns == {"name": "Group", "easting": "Where E", "northing": "Where N",
                            "latitude": "Lat", "longitude": "Lon"}
    # The column an override takes is not given to another field.
    cmap = detect_columns(headers, {"category": "Name"})
    assert cmap.get("category") == "Name"
    assert cmap.get("name") == "Group"


@pytest.mark.parametrize("pairs,fragments", [
    (["Organisation"], ["--map 'Organisation'", "write it as field=Column", "e.g. name='Organisation name'"]),
    (["name: Organisation"], ["--map 'name: Organisation'", "write it as field=Column"]),
    (["colour=Type"], ["--map 'colour=Type'", "unknown field 'colour'",
                       "the fields are " + ", ".join(FIELDS)]),
    (["=Organisation"], ["--map '=Organisation'", "unknown field ''"]),
    (["name=Organisation", "lattitude=Lat"], ["--map 'lattitude=Lat'", "unknown field 'lattitude'"]),
])
def test_bad_map_options(pairs, fragments):
    with pytest.raises(ColumnError) as info:
        parse_overrides(pairs)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_map_to_a_column_the_file_does_not_have():
    with pytest.raises(ColumnError) as info:
        detect_columns(["Name", "Lat", "Lon"], parse_overrides(["name=Organisation"]), source="list.csv")
    assert str(info.value) == ("list.csv: --map name='Organisation': no such column; "
                               "the columns are Name, Lat, Lon")
    with pytest.raises(ColumnError, match=r"--map name='name': no such column"):
        detect_columns(["Name", "Lat", "Lon"], {"name": "name"}, source="list.csv")  # case matters


# ------------------------------------------------------------------ the importer without coordinates
def no_coordinates_csv(tmp_path):
    e, n = X0 + 500, Y0 + 500
    return write_csv(tmp_path / "groups.csv", ["Organisation name", "Category", "Town", "Where E", "Where N"],
                     [["West Walkers", "walking group", "Sale", f"{e:.0f}", f"{n:.0f}"],
                      ["East Carers", "carers", "Sale", f"{e + 2000:.0f}", f"{n:.0f}"]])


def test_importer_without_coordinate_columns_lists_the_columns_and_suggests_map(tmp_path):
    table = read_input(no_coordinates_csv(tmp_path))
    with pytest.raises(ColumnError) as info:
        prepare_assets(table, TAXONOMY)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "groups.csv") + ": no coordinate or postcode columns")
    assert "the columns are Organisation name, Category, Town, Where E, Where N" in message
    assert "--map latitude=COLUMN --map longitude=COLUMN" in message
    assert "--map postcode=COLUMN" in message


def test_importer_with_only_half_a_coordinate_pair_refuses(tmp_path):
    path = write_csv(tmp_path / "half.csv", ["Name", "Category", "Lat"], [["A", "carers", "53.4"]])
    with pytest.raises(ColumnError) as info:
        prepare_assets(read_input(path), TAXONOMY)
    assert "the columns are Name, Category, Lat" in str(info.value)
    assert "--map longitude=COLUMN" in str(info.value)


def test_map_makes_the_same_file_importable(tmp_path, two_areas):
    import geopandas as gpd

    table = read_input(no_coordinates_csv(tmp_path))
    areas = gpd.read_file(two_areas).to_crs("EPSG:27700")
    result = prepare_assets(table, TAXONOMY, areas=areas,
                            column_overrides=parse_overrides(["easting=Where E", "northing=Where N"]))
    assert result.columns == {"name": "Organisation name", "category": "Category",
                              "easting": "Where E", "northing": "Where N"}
    assert result.imported == 2 and result.rejected == 0
    assert result.assets["name"].tolist() == ["West Walkers", "East Carers"]
    assert result.assets["categories"].tolist() == ["physical_activity", "carers"]
    assert result.assets["area_code"].tolist() == ["W01", "E01"]
    assert result.assets["located_by"].tolist() == ["coordinates", "coordinates"]


@pytest.mark.parametrize("overrides", [[], ["latitude=Where N (WGS84)", "longitude=Where E (WGS84)"]])
def test_latitude_longitude_with_bracketed_notes_with_or_without_map(tmp_path, overrides):
    lon, lat = bng_to_lonlat(X0 + 500, Y0 + 500)
    headers = ["Name", "Category", "Latitude (WGS84)", "Longitude (WGS84)"]
    if overrides:  # names no detection could guess: --map is the way
        headers[2:] = ["Where N (WGS84)", "Where E (WGS84)"]
    path = write_csv(tmp_path / "wgs.csv", headers, [["A", "Befriending", f"{lat:.7f}", f"{lon:.7f}"]])
    result = prepare_assets(read_input(path), TAXONOMY, column_overrides=parse_overrides(overrides))
    assert (result.columns["latitude"], result.columns["longitude"]) == (headers[2], headers[3])
    assert result.imported == 1
    assert result.assets["categories"].tolist() == ["loneliness_isolation"]
    point = result.assets.geometry.iloc[0]
    assert abs(point.x - (X0 + 500)) < 1 and abs(point.y - (Y0 + 500)) < 1


def test_x_y_columns_are_read_as_easting_and_northing(tmp_path):
    path = write_csv(tmp_path / "xy.csv", ["Name", "Category", "X", "Y"],
                     [["A", "dementia", f"{X0 + 100:.0f}", f"{Y0 + 200:.0f}"]])
    result = prepare_assets(read_input(path), TAXONOMY)
    assert result.columns["easting"] == "X" and result.columns["northing"] == "Y"
    assert (result.assets.geometry.iloc[0].x, result.assets.geometry.iloc[0].y) == (X0 + 100, Y0 + 200)


def test_import_without_a_name_column_says_which_columns_it_found(workspace, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Where,Latitude,Longitude\nSale,53.4,-2.3\n")
    with pytest.raises(ColumnError, match=r"list.csv: no column for the asset name .*the columns are Where, "
                                          r"Latitude, Longitude; pass --map name=COLUMN"):
        workspace.import_assets(path)
    assert not workspace.store.exists()


def test_workspace_import_without_coordinates_writes_nothing(tmp_path, workspace):
    path = no_coordinates_csv(tmp_path)
    with pytest.raises(ColumnError, match=r"the columns are Organisation name, Category, Town, Where E, Where N"):
        workspace.import_assets(path)
    assert not workspace.store.exists()
    result = workspace.import_assets(path, columns={"easting": "Where E", "northing": "Where N"})
    assert result.imported == 2
    assert sorted(workspace.assets()["name"]) == ["East Carers", "West Walkers"]


def test_cli_import_without_coordinates_is_one_error_line_and_map_fixes_it(tmp_path):
    runner = CliRunner()
    path = no_coordinates_csv(tmp_path)
    ws = tmp_path / "ws.gpkg"
    r = runner.invoke(app, ["import", str(path), "-w", str(ws)])
    assert r.exit_code == 1, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    assert "no coordinate or postcode columns" in lines[0] and "pass --map" in lines[0]
    r = runner.invoke(app, ["import", str(path), "--map", "colour=Town", "-w", str(ws)])
    assert r.exit_code == 1
    assert "Error: --map 'colour=Town': unknown field 'colour'" in r.stderr
    r = runner.invoke(app, ["import", str(path), "--map", "easting=Where E", "--map", "northing=Where N",
                            "-w", str(ws)])
    assert r.exit_code == 0, r.stderr
    assert ws_exists(ws)


def test_a_normal_list_needs_no_map(tmp_path):
    path = write_csv(tmp_path / "assets.csv", ["Name", "Category", "Latitude", "Longitude"],
                     [asset_row("West Befriending", "Befriending; carers", X0 + 1000, Y0 + 1000)])
    result = prepare_assets(read_input(path), TAXONOMY)
    assert result.columns == {"name": "Name", "category": "Category", "latitude": "Latitude",
                              "longitude": "Longitude"}
    assert result.assets["categories"].tolist() == ["loneliness_isolation;carers"]
