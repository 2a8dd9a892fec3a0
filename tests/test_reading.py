"""Reading asset lists: encodings, delimiters, Excel, spatial files, columns, and files that cannot be read."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from asset_map.columns import detect_columns, parse_overrides
from asset_map.errors import ColumnError, InputFileError
from asset_map.readers import read_input
from conftest import X0, Y0

ROWS = [["St Mary’s Lunch Club", "Lunch club", "£2 a meal", "53.45", "-2.31"],
        ["Café Connect", "Befriending", "N/A", "53.46", "-2.32"]]
HEADER = ["Name", "Category", "Cost", "Latitude", "Longitude"]


def csv_bytes(delimiter: str, encoding: str, bom: bool = False) -> bytes:
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in ROWS]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.mark.parametrize("encoding,bom,delimiter", [
    ("utf-8", False, ","), ("utf-8", True, ","), ("cp1252", False, ","), ("utf-8", False, ";"),
    ("cp1252", False, "\t"), ("utf-8", True, "|"),
])
def test_csv_encodings_and_delimiters(tmp_path, encoding, bom, delimiter):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(delimiter, encoding, bom))
    table = read_input(path)
    assert table.columns == HEADER  # no BOM glued to "Name"
    assert table.frame["Name"].tolist() == ["St Mary’s Lunch Club", "Café Connect"]
    assert table.frame["Cost"].tolist() == ["£2 a meal", None]  # N/A is missing
    assert table.row_numbers == [2, 3]
    assert (table.notes == ["read as cp1252 (the file is not UTF-8)"]) == (encoding == "cp1252")


def test_missing_value_spellings_and_blank_lines(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("Name,Postcode\nA,NA\n\nB,-\nC, n/a \nD,null\nE,M32 0TH\n")
    table = read_input(path)
    assert table.frame["Postcode"].tolist() == [None, None, None, None, "M32 0TH"]
    assert table.row_numbers == [2, 4, 5, 6, 7]  # the blank line keeps its number


def test_excel_workbook(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["nothing here"])
    ws = wb.create_sheet("Services")
    ws.append(HEADER)
    ws.append([ROWS[0][0], ROWS[0][1], ROWS[0][2], 53.45, -2.31])
    ws.append([None, None, None, None, None])
    ws.append([ROWS[1][0], ROWS[1][1], "n/a", 53.46, -2.32])
    path = tmp_path / "list.xlsx"
    wb.save(path)
    table = read_input(path, sheet="Services")
    assert table.columns == HEADER
    assert table.frame["Name"].tolist() == ["St Mary’s Lunch Club", "Café Connect"]
    assert table.frame["Latitude"].tolist() == [53.45, 53.46]
    assert table.frame["Cost"].tolist() == ["£2 a meal", None]
    assert table.row_numbers == [2, 4]  # spreadsheet rows, the empty one skipped
    with pytest.raises(InputFileError, match=r"list.xlsx: no sheet 'Sheet9'; the sheets are Notes, Services"):
        read_input(path, sheet="Sheet9")


def test_geojson_and_geopackage_points(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["A", "B"], "category": ["carers", "arts"]},
                           geometry=[Point(X0, Y0), Point(X0 + 10, Y0)], crs=27700)
    gdf.to_crs(4326).to_file(tmp_path / "pts.geojson")
    gdf.to_file(tmp_path / "pts.gpkg", layer="assets")
    for name in ("pts.geojson", "pts.gpkg"):
        table = read_input(tmp_path / name)
        assert table.is_spatial and table.row_word == "feature"
        assert table.frame["name"].tolist() == ["A", "B"] and table.row_numbers == [1, 2]


@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", b"", "empty.csv: the file is empty"),
    ("blank.csv", b"\r\n\r\n  \r\n", "blank.csv: the file is empty"),
    ("header.csv", b"Name,Latitude,Longitude\r\n", "header.csv: has a header but no data rows"),
    ("list.docx", b"PK\x03\x04", "list.docx: unsupported file type '.docx'"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "old.xls: old Excel .xls files cannot be read; save it as .xlsx or CSV"),
    ("fake.xlsx", b"Name,Category\nA,B\n", "fake.xlsx: cannot be opened as an Excel workbook"),
    ("sheet.csv", b"PK\x03\x04\x14\x00\x06\x00\x00\x00\x00\x00", "sheet.csv: looks like a binary file, not CSV text"),
    ("ragged.csv", b"Name,Category\nA,B,C,D\n", "ragged.csv, row 2: 4 cells but the header has 2 columns"),
])
def test_files_that_cannot_be_read(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        read_input(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputFileError, match="nope.csv: no such file"):
        read_input(tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputFileError, match="dir.csv: is a folder"):
        read_input(tmp_path / "dir.csv")


def test_undecodable_with_a_given_encoding(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes("Name\nLine two\nCaf\u00e9\n".encode("cp1252"))
    with pytest.raises(InputFileError, match=r"list.csv, line 3: cannot be read as utf-8; save the file as "
                                             r"'CSV UTF-8' or pass --encoding"):
        read_input(path, encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown encoding 'klingon'"):
        read_input(path, encoding="klingon")
    assert read_input(path, encoding="latin-1").frame["Name"].tolist() == ["Line two", "Café"]


# ------------------------------------------------------------------ columns
@pytest.mark.parametrize("headers,expected", [
    (["Organisation name", "Type", "Lat", "Long"],
     {"name": "Organisation name", "category": "Type", "latitude": "Lat", "longitude": "Long"}),
    (["Service", "Need categories", "Post Code", "Latitude", "Lng"],
     {"name": "Service", "category": "Need categories", "postcode": "Post Code", "latitude": "Latitude",
      "longitude": "Lng"}),
    (["Asset ID", "Asset name", "Easting", "Northing", "Full address"],
     {"id": "Asset ID", "name": "Asset name", "easting": "Easting", "northing": "Northing",
      "address": "Full address"}),
    (["NAME", "X", "Y"], {"name": "NAME", "easting": "X", "northing": "Y"}),
    (["charity_name", "charity_contact_postcode", "charity_activities"],
     {"name": "charity_name", "postcode": "charity_contact_postcode", "description": "charity_activities"}),
])
def test_columns_are_detected_from_common_headers(headers, expected):
    assert detect_columns(headers).columns == expected


def test_map_overrides_detection():
    cmap = detect_columns(["Name", "Group", "Lat", "Lon"], parse_overrides(["name=Group", "latitude = Lat"]))
    assert cmap.get("name") == "Group" and cmap.get("latitude") == "Lat" and cmap.get("longitude") == "Lon"


@pytest.mark.parametrize("pairs,message", [
    (["Organisation"], "--map 'Organisation': write it as field=Column"),
    (["colour=Type"], "--map 'colour=Type': unknown field 'colour'; the fields are id, name, category"),
])
def test_bad_map_options(pairs, message):
    with pytest.raises(ColumnError) as info:
        parse_overrides(pairs)
    assert message in str(info.value)


def test_map_to_a_column_the_file_lacks():
    with pytest.raises(ColumnError, match=r"list.csv: --map name='Org': no such column; the columns are Name, Lat"):
        detect_columns(["Name", "Lat"], {"name": "Org"}, source="list.csv")


def test_import_without_coordinates_or_name_says_which_columns_it_found(workspace, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Organisation,Type,Town\nA,carers,Sale\n")
    with pytest.raises(ColumnError, match=r"list.csv: no coordinate or postcode columns \(Latitude/Longitude, "
                                          r"Easting/Northing or Postcode\); the columns are Organisation, Type, "
                                          r"Town; pass --map"):
        workspace.import_assets(path)
    path.write_text("Where,Latitude,Longitude\nSale,53.4,-2.3\n")
    with pytest.raises(ColumnError, match=r"no column for the asset name .*the columns are Where, Latitude, "
                                          r"Longitude; pass --map name=COLUMN"):
        workspace.import_assets(path)
    assert not workspace.store.path.exists()
