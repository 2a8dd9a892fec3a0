"""Postcodes offline: normalising, reading lookups (ONSPD, Code-Point Open, any CSV), locating assets."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import ColumnError, InputFileError
from asset_map.inputs.postcodes import normalise_postcode, read_postcode_lookup, suggest_postcode
from conftest import TRAFFORD, X0, Y0, bng_to_lonlat, fingerprint, write_csv


@pytest.mark.parametrize("raw,expected", [
    ("M32 0TH", "M32 0TH"), ("m320th", "M32 0TH"), ("  M32   0TH ", "M32 0TH"), ("M32\u00a00TH", "M32 0TH"),
    ("wa15 0hf", "WA15 0HF"), ("EC1A1BB", "EC1A 1BB"), ("W1A 0AX", "W1A 0AX"), ("SW1A 2AA", "SW1A 2AA"),
    ("WA15 OHF", None), ("M32", None), ("12345", None), ("", None), (None, None), ("M32 0TH X", None),
])
def test_normalise_postcode(raw, expected):
    assert normalise_postcode(raw) == expected


def test_suggest_postcode_fixes_letters_typed_for_digits():
    assert suggest_postcode("WA15 OHF") == "WA15 0HF"
    assert suggest_postcode("M33 I AB") == "M33 1AB"
    assert suggest_postcode("WA154 1HF") is None
    assert suggest_postcode("M32 0TH") is None  # nothing to fix


# ------------------------------------------------------------------ lookup files
def onspd(path):
    """An ONSPD-shaped extract: pcd (7-character), pcds, doterm, grid refs and lat/long."""
    e1, n1 = X0 + 100, Y0 + 100
    lon, lat = bng_to_lonlat(e1, n1)
    rows = [
        ["AB1 2CD", "AB1 2CD", "", str(int(e1)), str(int(n1)), f"{lat:.6f}", f"{lon:.6f}"],
        ["AB1 2CE", "AB1 2CE", "201905", str(int(e1) + 50), str(int(n1)), f"{lat:.6f}", f"{lon:.6f}"],
        ["AB1 2CF", "AB1 2CF", "", "", "", "99.999999", "0.000000"],  # no grid reference
        ["AB1 2CD", "AB1 2CD", "", "1", "1", "50", "-3"],  # listed twice: first kept
        ["ZZ", "ZZ", "", "1", "1", "50", "-3"],  # not a postcode
        ["AB12CG", "AB1 2CG", "", str(int(e1) + 100), str(int(n1) + 100), f"{lat:.6f}", f"{lon:.6f}"],
    ]
    header = ["pcd", "pcds", "doterm", "oseast1m", "osnrth1m", "lat", "long"]
    return write_csv(path, header, rows)


def test_an_onspd_file(tmp_path):
    lookup = read_postcode_lookup(onspd(tmp_path / "ONSPD_NOV_2026_UK.csv"))
    t = lookup.table.set_index("postcode")
    assert list(t.index) == ["AB1 2CD", "AB1 2CE", "AB1 2CF", "AB1 2CG"]
    assert (t.loc["AB1 2CD", "x"], t.loc["AB1 2CD", "y"]) == (X0 + 100, Y0 + 100)  # the first row kept
    assert t.loc["AB1 2CE", "terminated"] == "201905"
    assert math.isnan(t.loc["AB1 2CF", "x"])
    assert lookup.rows_read == 6
    assert lookup.skipped == {"not a valid postcode": 1, "listed twice (first kept)": 1}
    assert lookup.rows_read == len(lookup.table) + sum(lookup.skipped.values())
    assert (lookup.located, lookup.terminated) == (3, 1)


def test_code_point_open_folder_of_headerless_csvs(tmp_path):
    folder = tmp_path / "codepo_gb" / "Data" / "CSV"
    folder.mkdir(parents=True)
    (folder / "ab.csv").write_text(f'"AB1 2CD",10,{X0 + 100:.0f},{Y0 + 100:.0f},"S92000003","","S08000020","",'
                                   '"S12000033","S13002843"\n'
                                   f'"AB1 2CE",10,{X0 + 200:.0f},{Y0 + 100:.0f},"S92000003","","","","",""\n')
    (folder / "m.csv").write_text(f'"M320TH",10,{X0:.0f},{Y0:.0f},"E92000001","","","","",""\n')
    lookup = read_postcode_lookup(tmp_path / "codepo_gb")
    assert len(lookup.sources) == 2
    t = lookup.table.set_index("postcode")
    assert list(t.index) == ["AB1 2CD", "AB1 2CE", "M32 0TH"]
    assert (t.loc["M32 0TH", "x"], t.loc["M32 0TH", "y"]) == (X0, Y0)


def test_any_csv_with_postcode_and_lat_lon(tmp_path):
    lon, lat = bng_to_lonlat(X0 + 500, Y0 + 500)
    path = tmp_path / "pcs.csv"
    path.write_text(f"Post Code;Latitude;Longitude\nab1 2cd;{lat:.6f};{lon:.6f}\n", encoding="utf-8")
    t = read_postcode_lookup(path).table
    assert t["postcode"].tolist() == ["AB1 2CD"]
    assert t["x"].iloc[0] == pytest.approx(X0 + 500, abs=0.5) and t["y"].iloc[0] == pytest.approx(Y0 + 500, abs=0.5)


@pytest.mark.parametrize("name,content,error,message", [
    ("nopc.csv", "Name,Latitude,Longitude\nA,53,-2\n", ColumnError, "nopc.csv: no postcode column"),
    ("nocoords.csv", "Postcode,Ward\nM32 0TH,Gorse Hill\n", ColumnError,
     "nocoords.csv: no coordinate columns (oseast1m/osnrth1m, Easting/Northing or lat/long)"),
    ("empty.csv", "", InputFileError, "empty.csv: the file is empty"),
    ("junk.csv", "Postcode,Easting,Northing\nnot one,1,2\n", InputFileError, "junk.csv: no postcodes found"),
    ("onspd.zip", "PK", InputFileError, "onspd.zip: a postcode lookup must be CSV (unzip ONSPD or Code-Point"),
])
def test_bad_lookup_files(tmp_path, name, content, error, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(error) as info:
        read_postcode_lookup(path)
    assert message in str(info.value)


# ------------------------------------------------------------------ importing by postcode
@pytest.fixture
def with_lookup(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas, population_field="pop")
    workspace.load_postcodes(onspd(tmp_path / "onspd.csv"))
    return workspace


def test_rows_with_only_a_postcode_are_located_at_its_centroid(with_lookup, tmp_path):
    lon, lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    path = write_csv(tmp_path / "list.csv", ["Name", "Category", "Post code", "Latitude", "Longitude"], [
        ["By postcode", "carers", "ab1\u00a02cd", "", ""],
        ["No space", "carers", "AB12CG", "", ""],
        ["Exact beats postcode", "carers", "AB1 2CD", f"{lat:.7f}", f"{lon:.7f}"],
        ["Terminated", "carers", "AB1 2CE", "", ""],
        ["No grid ref", "carers", "AB1 2CF", "", ""],
        ["Unknown", "carers", "ZZ9 9ZZ", "", ""],
        ["Typo", "carers", "AB1 OCD", "", ""],
        ["Nothing", "carers", "", "", ""],
    ])
    result = with_lookup.import_assets(path)
    # ZZ9 9ZZ is well-formed and the 4-postcode lookup covers only area AB: kept, its location unknown.
    assert (result.rows_read, result.imported, len(result.outside_lookup), result.rejected) == (8, 3, 1, 4)
    assert result.outside_lookup[0]["name"] == "Unknown" and result.outside_lookup[0]["postcode"] == "ZZ9 9ZZ"
    assets = result.assets.set_index("name")
    assert assets.loc["By postcode", "located_by"] == "postcode"
    assert (assets.loc["By postcode"].geometry.x, assets.loc["By postcode"].geometry.y) == (X0 + 100, Y0 + 100)
    assert assets.loc["By postcode", "area_code"] == "W01"
    assert assets.loc["Exact beats postcode", "located_by"] == "coordinates"
    assert assets.loc["Exact beats postcode", "area_code"] == "E01"
    reasons = {r.row: (r.column, r.reason) for r in result.rejects}
    assert reasons[5] == ("Post code", "postcode AB1 2CE was terminated (201905); find the service's current postcode")
    assert reasons[6] == ("Post code", "postcode AB1 2CF has no grid reference in the postcode lookup; give coordinates")
    assert reasons[8] == ("Post code", "'AB1 OCD' is not a valid UK postcode (did you mean AB1 0CD?); correct it or "
                                       "give coordinates")
    assert reasons[9][1].startswith("no coordinates or postcode (the cells are empty)")


def test_a_postcode_missing_from_a_national_lookup_is_rejected_as_not_found(with_lookup, tmp_path, monkeypatch):
    """A lookup that covers the whole country (here: the threshold lowered to its 4 postcodes) knows every
    live postcode: one missing from it is rejected, and checking it is the right advice."""
    monkeypatch.setattr("asset_map.analysis.confidence.NATIONAL_LOOKUP", 4)
    path = write_csv(tmp_path / "list.csv", ["Name", "Category", "Post code"],
                     [["By postcode", "carers", "AB1 2CD"], ["Unknown", "carers", "ZZ9 9ZZ"]])
    result = with_lookup.import_assets(path)
    assert (result.rows_read, result.imported, len(result.outside_lookup), result.rejected) == (2, 1, 0, 1)
    assert (result.rejects[0].row, result.rejects[0].reason) == (
        3, "postcode ZZ9 9ZZ is not in the postcode lookup, which covers the whole country: check it (mistyped, "
           "or newer than the lookup), or give coordinates")


def test_cli_postcodes_load_and_status(tmp_path):
    ws = tmp_path / "ws.gpkg"
    r = CliRunner().invoke(app, ["postcodes", "load", str(onspd(tmp_path / "onspd.csv")), "-w", str(ws)])
    assert r.exit_code == 0, r.stderr
    assert ("Loaded 4 postcodes from 1 file(s) into " in r.stderr and "(3 with a grid reference, 1 terminated); "
            "6 rows read; 1 skipped: not a valid postcode; 1 skipped: listed twice (first kept)." in r.stderr)
    status = dict(line.split(": ", 1) for line in CliRunner().invoke(app, ["status", "-w", str(ws)]).stdout.splitlines())
    assert status["postcodes"] == "4"
    before = fingerprint(ws)
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Ward\nA,B\n")
    r = CliRunner().invoke(app, ["postcodes", "load", str(bad), "-w", str(ws)])
    assert r.exit_code == 1 and r.stderr.startswith("Error: ") and "bad.csv: no postcode column" in r.stderr
    assert fingerprint(ws) == before


# ------------------------------------------------------------------ real Trafford lists
@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
@pytest.mark.parametrize("name,column,counts", [
    # rows read, located by postcode, kept: postcode outside the lookup (Manchester and beyond), rejected
    ("charities_operating_in_trafford.csv", "charity_contact_postcode", (736, 278, 456, 2)),
    ("trafford_mental_health_services.csv", "postcode", (60, 44, 15, 1)),
])
def test_real_lists_with_postcodes_only(tmp_path, name, column, counts):
    lookup_csv = TRAFFORD / "lookups" / "trafford_postcodes.csv"
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                       name_field="area_name")
    ws.load_postcodes(lookup_csv)
    result = ws.import_assets(TRAFFORD / "assets" / name)
    assert (result.rows_read, result.imported, len(result.outside_lookup), result.rejected) == counts
    assert result.rows_read == result.imported + result.kept_unlocated + result.rejected
    assert set(result.assets["located_by"]) == {"postcode"}
    # Independent: the lookup's own locality column for each row's postcode.
    lk = pd.read_csv(lookup_csv)
    raw = pd.read_csv(TRAFFORD / "assets" / name, keep_default_na=False)
    postcodes = raw[column].map(normalise_postcode)
    expected = postcodes.map(dict(zip(lk["postcode"], lk["locality"]))).value_counts()
    assert result.assets["area_code"].value_counts().to_dict() == expected.to_dict()
    # Independent: the well-formed postcodes the lookup lacks are the rows kept, each with its row number.
    outside = postcodes.notna() & ~postcodes.isin(set(lk["postcode"]))
    assert [o["postcode"] for o in result.outside_lookup] == postcodes[outside].tolist()
    # No valid postcode is sent back to be checked: the rejects are a malformed postcode or an empty cell.
    assert not any(normalise_postcode(r.value) for r in result.rejects)
    assert not any("check it" in r.reason for r in result.rejects)
    log = ws.imports().iloc[-1]
    assert (log["rows_read"], log["imported"], log["kept_unlocated"], log["rejected"]) == (
        counts[0], counts[1], counts[2], counts[3])
    status = ws.status()
    assert (status["unlocated"], status["unlocated_outside_lookup"]) == (counts[2], counts[2])
