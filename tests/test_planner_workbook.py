"""A planner's Excel workbook with postcodes, from inspect to import to gaps, every row accounted for.

The workbook is built here the way such files arrive: a "Read me" sheet
first, a merged title and a blank row above the header, headers in the
planner's words, postcodes typed carelessly, a label with a comma in it, a
category merged down over two rows, a row typed twice, bad and foreign
postcodes, and formatted empty rows at the end. The postcodes are real
Trafford postcodes and the areas the real Trafford localities.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from asset_map.cli import app
from conftest import TRAFFORD, fingerprint

pytestmark = pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")

HEADER = ["Name of group", "Type of support", "Venue", "Post Code", "Contact", "Notes"]
# Spreadsheet row 5 onwards (title in row 1, sub-title in row 2, blank row 3, header row 4).
ROWS = [
    ["Sale Moor Lunch Club", "Lunch club; Befriending", "St Paul's Hall", "M33 2AP", "0161 000 0001", ""],   # 5
    ["Partington Walking Group", "Walking", "Library steps", "M31 3HU", "", "Tuesdays"],                      # 6
    ["Carers Drop-in", "Carers, Dementia", "Sale Waterside", "m329up", "", ""],                               # 7
    ["Old Trafford Foodbank", "Food bank", "Church", "M15 4AN", "", ""],                                     # 8
    ["Crafty Fridays", "Crafternoon", "Community centre", "M33 4HU", "", "word not in the taxonomy"],         # 9
    ["Money Matters", "Money, debt and benefits advice", "Hub", "M16 0YW", "", "label with a comma"],         # 10
    ["Sale Moor Lunch Club", "Lunch club", "St Paul's Hall", "M33 2AP", "", "typed twice"],                  # 11
    ["Stretford Youth Zone", "Youth club", "Youth centre", "M32 9UP", "", "category merged over 2 rows"],    # 12
    ["Urmston Youth Forum", None, "Town hall", "M31 1AG", "", ""],                                           # 13
    ["Defibrillator, Altrincham", "N/A", "Station", "WA14 2AZ", "", "no category"],                          # 14
    ["Typo Postcode Club", "Befriending", "Hall", "M33 OEP", "", "letter O for zero"],                       # 15
    ["Manchester Hub", "Signposting", "City centre", "M1 1AE", "", "outside the borough's lookup: kept"],    # 16
    ["Somewhere Group", "Carers", "", "", "", "no postcode"],                                                # 17
]
FIRST_ROW = 5


def planner_workbook(path):
    from openpyxl import Workbook

    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    readme["A1"] = "This workbook lists community assets known to the Integrated Neighbourhood Team."
    readme["A2"] = "Please add new groups at the bottom of the Assets sheet."
    ws = wb.create_sheet("Assets")
    ws["A1"] = "Trafford community offer — asset list"
    ws.merge_cells("A1:F1")
    ws["A2"] = "Updated by the PCN social prescribing team"
    ws.append([])
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    ws.merge_cells("B12:B13")  # "Youth club" applies to both youth rows
    for k in range(20):
        ws.cell(row=FIRST_ROW + len(ROWS) + k, column=2).number_format = "@"
    wb.save(path)
    return path


def test_inspect_import_gaps_with_every_row_accounted_for(tmp_path):
    runner = CliRunner()
    ws = str(tmp_path / "ws.gpkg")

    def run(*args):
        r = runner.invoke(app, [str(a) for a in args] + ["-w", ws])
        assert r.exit_code == 0, r.stderr
        return r

    run("boundaries", "load", TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
        "--name-field", "area_name")
    run("postcodes", "load", TRAFFORD / "lookups" / "trafford_postcodes.csv")
    book = planner_workbook(tmp_path / "Community offer.xlsx")

    # 1. inspect: the right sheet, header and columns; the problems with their spreadsheet rows; nothing written.
    before = fingerprint(tmp_path / "ws.gpkg")
    r = run("inspect", book)
    out = r.stdout
    assert ("13 rows read; 10 would be imported, 1 kept without a location and 2 rejected (13 = 10 + 1 + 2)."
            in " ".join(out.split()))
    assert "'Assets'" in out  # says which sheet it read
    for col, fld in [("Name of group", "name"), ("Type of support", "category"), ("Post Code", "postcode")]:
        assert any(ln.split()[: len(col.split()) + 1] == col.split() + [fld] for ln in out.splitlines()), col
    problems = out.split("Problems (2 rows would be rejected)")[1]
    assert [ln.split()[0] for ln in problems.splitlines() if ln.strip()[:2].isdigit()] == ["15", "17"]
    assert "did you mean M33 0EP?" in " ".join(problems.split())  # the table may wrap it
    assert fingerprint(tmp_path / "ws.gpkg") == before

    # 2. import: the same counts, stored.
    r = run("import", book)
    assert "Note: 1 groups of likely duplicates involve this list" in r.stderr
    status = run("status").stdout
    # Crafty Fridays ("Crafternoon" is unknown); the defibrillator's name is a long-term-conditions word, used
    # by default as its category (marked inferred).
    assert "assets: 10" in status and "rejects: 2" in status and "assets_uncategorised: 1" in status
    assert "unlocated_outside_lookup: 1" in status  # the Manchester hub: M1 is beyond Trafford's lookup
    rejects = list(csv.DictReader(io.StringIO(run("rejects").stdout)))
    assert [(int(x["row"]), x["column"]) for x in rejects] == [(15, "Post Code"), (17, "Post Code")]
    geo = run("export", "geojson", "--layer", "assets", "-o", "-").stdout
    props = {f["properties"]["source_row"]: f["properties"] for f in json.loads(geo)["features"]}
    # every row accounted for: the assets, rows 15 and 17 rejected, row 16 kept without a location
    assert sorted(props) + [15, 16, 17] == list(range(FIRST_ROW, FIRST_ROW + len(ROWS)))
    assert props[7]["area_code"] == "Central" and props[7]["categories"] == ["carers", "dementia"]
    assert props[10]["categories"] == ["money_advice"]
    assert props[12]["categories"] == props[13]["categories"] == ["young_people"]
    assert props[9]["categories"] == []
    assert props[14]["categories"] == ["long_term_conditions"] and props[14]["category_source"] == "inferred"
    assert {p["area_code"] for p in props.values()} == {"Central", "North", "South", "West"}

    # 3. gaps: Central has the carers' drop-in; North has none of its own (the drop-in's 2 km reach some of it).
    gaps = list(csv.DictReader(io.StringIO(run("gaps", "--format", "csv").stdout)))
    by = {(g["area_name"], g["category_id"]): g for g in gaps}
    assert by[("Central", "carers")]["assets"] == "1"
    assert by[("North", "carers")]["assets"] == "0" and by[("North", "carers")]["level"] in ("none", "low")
    assert by[("North", "food_cooking")]["assets"] == "1"
    assert by[("Central", "loneliness_isolation")]["assets"] == "2"  # the lunch club twice: not merged silently
    run("duplicates", "--merge")
    gaps = list(csv.DictReader(io.StringIO(run("gaps", "--format", "csv").stdout)))
    by = {(g["area_name"], g["category_id"]): g for g in gaps}
    assert by[("Central", "loneliness_isolation")]["assets"] == "1"
