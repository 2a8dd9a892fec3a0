"""Forgiving names: areas, assets and places as a workshop types them (`gaps --area`, `--without`, `--add`)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from typer.testing import CliRunner

from asset_map.analysis.whatif import WhatIfError
from asset_map.cli import app
from asset_map.errors import UnknownAreaError
from conftest import TRAFFORD, X0, Y0, asset_row, fingerprint, trafford_localities, write_csv


@pytest.fixture
def ws(layered, tmp_path):
    """West (W01, x 0–2 km) and East (E01, x 2–4 km); a lookup with wards; one befriending group in West."""
    w = layered
    w.import_assets(write_csv(tmp_path / "a.csv", ["ID", "Name", "Category", "Latitude", "Longitude"], [
        ["G1", *asset_row("St. John's Friends & Neighbours", "befriending", X0 + 200, Y0 + 1000)],
    ]))
    stretford = "Stretford & Humphrey Park"
    w.load_postcodes(write_csv(tmp_path / "pc.csv", ["postcode", "easting", "northing", "ward_name"], [
        ["M32 0LG", X0 + 3000, Y0 + 1100, stretford],   # East
        ["M32 0AB", X0 + 3500, Y0 + 900, stretford],    # East
        ["M32 9ZZ", X0 + 1500, Y0 + 900, stretford],    # West: 2 of the ward's 3 postcodes are in East
        ["M16 0AA", X0 + 500, Y0 + 500, "Old Trafford"],  # West
        ["M16 0AB", X0 + 700, Y0 + 500, "Old Trafford"],  # West
    ]))
    return w


@pytest.mark.parametrize("query, code, said", [
    ("West", "W01", ""), ("  west. ", "W01", ""), ("e01", "E01", ""),
    ("Stretford", "E01", "Stretford is in the ward Stretford & Humphrey Park, mostly inside East (2 of its 3 "
                         "postcodes): showing East"),
    ("stretford and humphrey park", "E01", "Stretford & Humphrey Park is a ward mostly inside East (2 of its 3 "
                                           "postcodes): showing East"),
    ("OLD TRAFFORD", "W01", "Old Trafford is a ward inside West: showing West"),
    ("m16", "W01", "M16 is a postcode district inside West: showing West"),
    ("M32", "E01", "M32 is a postcode district mostly inside East (2 of its 3 postcodes): showing East"),
])
def test_areas_wards_and_districts_resolve_to_an_area(ws, query, code, said):
    assert ws.find_area(query) == (code, said)


def test_an_unknown_place_suggests_the_closest_area_or_ward(ws):
    with pytest.raises(UnknownAreaError, match=r"no area called 'Stretfrod'; did you mean 'Stretford & Humphrey "
                                               r"Park'\? \(the areas are: East, West\)"):
        ws.find_area("Stretfrod")
    with pytest.raises(UnknownAreaError, match=r"no area called 'M99'"):  # a district the lookup does not hold
        ws.find_area("M99")


def test_gaps_for_a_place_say_which_area_is_shown(ws):
    r = CliRunner().invoke(app, ["gaps", "--area", "Stretford", "-f", "csv", "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    assert "Stretford is in the ward Stretford & Humphrey Park, mostly inside East" in r.stderr
    rows = list(csv.DictReader(r.stdout.splitlines()))
    assert rows and {row["area_code"] for row in rows} == {"E01"}


def test_the_library_takes_places_too(ws):
    """From Python as on the command line: a ward or a district stands for the area holding it."""
    assert {r.area_code for r in ws.gaps(area="M32").rows} == {"E01"}
    assert ws.output_view(area="Old Trafford").area == "W01"
    export = CliRunner().invoke(app, ["export", "geojson", "--area", "m16", "-o", "-", "-w", ws.location])
    assert export.exit_code == 0, export.stderr
    assert "M16 is a postcode district inside West: showing West" in export.stderr
    assert '"area_code": "W01"' in export.stdout and '"area_code": "E01"' not in export.stdout


@pytest.mark.parametrize("name", ["St. John's Friends & Neighbours", "st johns friends and neighbours",
                                  "ST JOHNS FRIENDS & NEIGHBOURS!", "g1"])
def test_without_matches_names_in_any_case_and_punctuation(ws, name):
    result = ws.what_if(without=[name])
    assert result.removed == ["St. John's Friends & Neighbours"]
    west = next(r for r in result.after.rows if r.area_code == "W01" and r.category_id == "loneliness_isolation")
    assert (west.assets, west.coverage) == (0, 0)


def test_without_an_unknown_name_suggests_by_matching_form(ws):
    with pytest.raises(WhatIfError, match=r"did you mean \"St. John's Friends & Neighbours\"\?"):
        ws.what_if(without=["St Johns Friend"])


def test_add_reads_a_letter_o_typed_for_zero_in_a_postcode(ws):
    before = fingerprint(ws)
    result = ws.what_if(add=["Hall;befriending;M32 OLG"])  # letter O: import suggests M32 0LG; here it is used
    assert result.added[0].located_by == "postcode M32 0LG, read from 'M32 OLG'"
    east = next(r for r in result.after.rows if r.area_code == "E01" and r.category_id == "loneliness_isolation")
    assert east.assets == 1
    with pytest.raises(WhatIfError, match=r"'M33 OLG' is neither a postcode nor lon,lat \(did you mean M33 0LG\?\)"):
        ws.what_if(add=["Hall;befriending;M33 OLG"])  # corrected, but not in the lookup either
    assert fingerprint(ws) == before


# --------------------------------------------------------------------------- real data

@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_places_resolve_to_the_locality_holding_their_postcodes(tmp_path):
    lookup = TRAFFORD / "lookups" / "trafford_postcodes.csv"
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.load_postcodes(lookup)
    with open(lookup, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # Independently, from the lookup's own locality column: every postcode of Stretford & Humphrey Park is in
    # North (307 of them); M32's postcodes are mostly in North.
    stretford = Counter(r["locality"] for r in rows if r["ward_name"] == "Stretford & Humphrey Park")
    assert stretford == {"North": 307}
    m32 = Counter(r["locality"] for r in rows if r["postcode"].startswith("M32 "))
    assert m32.most_common(1)[0][0] == "North"
    assert ws.find_area("Stretford") == ("North", "Stretford is in the ward Stretford & Humphrey Park, inside "
                                                  "North: showing North")
    code, said = ws.find_area("m32")
    assert code == "North" and said.startswith("M32 is a postcode district mostly inside North (")
    n, total = (int(x.replace(",", "")) for x in said.split("(")[1].split(" postcodes")[0].split(" of its "))
    assert total == sum(m32.values()) and abs(n - m32["North"]) <= 5  # generalised borders vs the lookup's column
    # Timperley is the start of three wards' names, all in South (Timperley Central, North; not Hale Barns &
    # Timperley South, whose name does not start with it)
    assert ws.find_area("timperley") == ("South", "timperley is in the wards Timperley Central, Timperley North, "
                                                  "inside South: showing South")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    result = ws.what_if(without=["the globe old trafford pantry"])
    assert result.removed == ["The Globe: Old Trafford Pantry"]
