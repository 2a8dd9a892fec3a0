"""Organisations located elsewhere: a valid postcode outside a local postcode lookup's coverage.

The fixture is built here: the layered West/East workspace of conftest, and a
lookup that covers only districts M32 and M33 (4 postcodes, one terminated).
The list has a row in each covered district, a valid postcode beyond the
lookup (SK6 1LB, Stockport), one in a covered district that the lookup lacks
(M33 9QQ), one with no category whose name suggests one (M1 1AA), a
malformed postcode and a terminated one.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from asset_map.cli import app
from conftest import TRAFFORD, X0, Y0, cli_location, fingerprint, trafford_localities, write_csv

LOOKUP = [  # pcds, doterm, oseast1m, osnrth1m
    ("M32 0TH", "", X0 + 200, Y0 + 1000),    # West
    ("M33 7AB", "", X0 + 2500, Y0 + 1000),   # East
    ("M33 7AD", "", X0 + 2600, Y0 + 1000),   # East
    ("M33 7ZZ", "202001", X0 + 2700, Y0 + 1000),
]
COVERAGE = "a local lookup of 4 postcodes in postcode area M: districts M32, M33"

ROWS = [  # Name, Category, Postcode; the file's row numbers are 2..8
    ["Gorse Hill carers", "carers", "M32 0TH"],                  # 2: imported, West
    ["Sale lunch club", "lunch club", "m33 7ab"],                 # 3: imported, East
    ["Stockport carers centre", "carers; Trust", "SK6 1LB"],     # 4: kept, carers (and an unknown word)
    ["Edge befriending", "befriending", "M33 9QQ"],              # 5: kept, in a district the lookup holds
    ["Support for unpaid carers in Stockport", "", "M1 1AA"],    # 6: kept, no category: carers from its name
    ["Typo group", "carers", "M33 OAB"],                         # 7: rejected, malformed
    ["Closed group", "carers", "M33 7ZZ"],                       # 8: rejected, terminated
]


def lookup_csv(tmp_path):
    return write_csv(tmp_path / "lookup.csv", ["pcds", "doterm", "oseast1m", "osnrth1m"],
                     [[pc, term, int(x), int(y)] for pc, term, x, y in LOOKUP])


@pytest.fixture
def ws(layered, tmp_path):
    layered.load_postcodes(lookup_csv(tmp_path))
    return layered


@pytest.fixture
def assets_list(tmp_path):
    return write_csv(tmp_path / "register.csv", ["Name", "Category", "Postcode"], ROWS)


def test_valid_postcodes_beyond_the_lookup_are_kept_located_elsewhere(ws, assets_list):
    result = ws.import_assets(assets_list)
    assert (result.rows_read, result.imported, len(result.outside_lookup), result.rejected) == (7, 2, 3, 2)
    assert result.reconciles() and result.kept_unlocated == 3
    assert dict(zip(result.assets["name"], result.assets["area_code"])) == {
        "Gorse Hill carers": "W01", "Sale lunch club": "E01"}
    kept = {r["name"]: r for r in result.outside_lookup}
    assert list(kept) == ["Stockport carers centre", "Edge befriending", "Support for unpaid carers in Stockport"]
    assert [(r["postcode"], r["categories"], r["reason"], r["service_id"]) for r in kept.values()] == [
        ("SK6 1LB", "carers", "postcode outside the lookup's coverage", "row 4"),
        ("M33 9QQ", "loneliness_isolation", "postcode outside the lookup's coverage", "row 5"),
        ("M1 1AA", "carers", "postcode outside the lookup's coverage", "row 6"),  # suggested, used by default
    ]
    assert result.unknown_words == {"Trust": [4]}  # the kept rows' category words are read like the others
    assert result.lookup_coverage.describe() == COVERAGE
    assert [(r.row, r.kind, r.reason) for r in result.rejects] == [
        (7, "malformed postcode", "'M33 OAB' is not a valid UK postcode (did you mean M33 0AB?); correct it or give "
                                  "coordinates"),
        (8, "terminated postcode", "postcode M33 7ZZ was terminated (202001); find the service's current postcode"),
    ]
    # Stored: the kept rows in ``unlocated``, the counts on the import's log line.
    unlocated = ws.frame("unlocated")
    assert sorted(unlocated["postcode"]) == ["M1 1AA", "M33 9QQ", "SK6 1LB"]
    log = ws.imports().iloc[-1]
    assert (log["rows_read"], log["imported"], log["kept_unlocated"], log["rejected"]) == (7, 2, 3, 2)
    assert (ws.status()["unlocated"], ws.status()["unlocated_outside_lookup"]) == (3, 3)


def test_the_reason_names_what_the_lookup_covers(ws, assets_list):
    """The reason given when such rows are rejected on request: never "check it" for a valid postcode."""
    result = ws.import_assets(assets_list, reject_outside_lookup=True)
    assert (result.imported, len(result.outside_lookup), result.rejected) == (2, 0, 5)
    reasons = {r.row: (r.kind, r.reason) for r in result.rejects}
    assert reasons[4] == ("postcode outside the lookup's coverage",
                          f"postcode SK6 1LB lies outside the postcode lookup's coverage ({COVERAGE}); rejected as "
                          "asked (--reject-outside-lookup)")
    assert reasons[5][1] == (f"postcode M33 9QQ lies outside the postcode lookup's coverage ({COVERAGE}); the lookup "
                             "holds only 3 postcodes of district M33, so it most likely lies just beyond the "
                             "lookup's edge; rejected as asked (--reject-outside-lookup)")
    assert not any("check it" in r.reason for r in result.rejects)
    assert ws.frame("unlocated") is None or not len(ws.frame("unlocated"))


def test_their_categories_follow_the_import_options(ws, assets_list):
    result = ws.import_assets(assets_list, use_inferred=True)
    assert [r["categories"] for r in result.outside_lookup] == ["carers", "loneliness_isolation", "carers"]
    fixed = ws.import_assets(assets_list, categories=["dementia"])
    assert {r["categories"] for r in fixed.outside_lookup} == {"dementia"}


def test_reimporting_replaces_them(ws, assets_list, tmp_path):
    ws.import_assets(assets_list)
    write_csv(assets_list, ["Name", "Category", "Postcode"], ROWS[:3])  # the list shrinks to one row elsewhere
    again = ws.import_assets(assets_list)
    assert (again.rows_read, again.imported, len(again.outside_lookup), again.rejected) == (3, 2, 1, 0)
    assert ws.frame("unlocated")["name"].tolist() == ["Stockport carers centre"]
    assert [tuple(r) for r in ws.imports()[["rows_read", "imported", "kept_unlocated", "rejected"]].to_numpy()] == [
        (7, 2, 3, 2), (3, 2, 1, 0)]


def test_in_chunks_as_whole(ws, assets_list, tmp_path):
    whole = ws.import_assets(assets_list, dry_run=True)
    chunked = ws.import_assets(assets_list, chunk_rows=2)
    assert chunked.outside_lookup == whole.outside_lookup
    assert [(r.row, r.reason) for r in chunked.rejects] == [(r.row, r.reason) for r in whole.rejects]
    assert (chunked.rows_read, chunked.imported, chunked.kept_unlocated, chunked.rejected) == (7, 2, 3, 2)
    assert chunked.lookup_coverage.describe() == COVERAGE
    assert sorted(ws.frame("unlocated")["name"]) == sorted(r["name"] for r in whole.outside_lookup)
    assert ws.imports().iloc[-1]["kept_unlocated"] == 3


def test_they_are_evidence_in_confidence_never_provision(ws, assets_list, tmp_path):
    """East has no carers asset and no resident within 2 km of West's (S4 is 2.8 km away): with the
    Stockport centre kept, "no provision" becomes "no data?"; coverage and counts do not move."""
    import asset_map

    ws.import_assets(assets_list)
    rejected = asset_map.Workspace(tmp_path / "rejected.gpkg")
    rejected.load_boundaries(tmp_path / "areas.geojson", code_field="area_code", name_field="area_name")
    rejected.load_population(tmp_path / "pw.geojson")
    rejected.load_postcodes(lookup_csv(tmp_path))
    rejected.import_assets(assets_list, reject_outside_lookup=True)
    kept_rows = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    rej_rows = {(r.area_code, r.category_id): r for r in rejected.gaps().rows}
    for key, r in kept_rows.items():  # never provision: every measure is the same either way
        other = rej_rows[key]
        assert (r.assets, r.coverage, r.served, r.access_per_10k, r.level) == (
            other.assets, other.coverage, other.served, other.access_per_10k, other.level), key
    east = kept_rows[("E01", "carers")]
    assert (east.assets, east.coverage, east.finding, east.confidence) == (0, 0.0, "no data?", "low")
    # Two carers rows kept: the Stockport centre and the Manchester row whose name says carers.
    assert east.confidence_reason == ("2 carers assets operate in the study area at unknown places (postcode "
                                      "outside the postcode lookup's coverage)")
    assert (rej_rows[("E01", "carers")].finding, rej_rows[("E01", "carers")].confidence) == ("no provision", "high")
    west = kept_rows[("W01", "carers")]
    assert (west.assets, west.coverage, west.finding, west.confidence) == (1, 1.0, "provision", "medium")
    notes = ws.gaps().notes
    assert ("3 rows of the lists operate in the study area at unknown places (their postcode lies outside the "
            "postcode lookup's coverage): counted in each area's confidence, not as provision") in notes


def test_cli_summary_and_status(ws, assets_list):
    where = cli_location(ws)
    r = CliRunner().invoke(app, ["import", str(assets_list), "-w", where])
    assert r.exit_code == 0, r.stderr
    assert "kept: location unknown, postcode outside the lookup's coverage (M)" in r.stderr
    assert (f"Note: register.csv: 3 rows have a valid postcode outside the postcode lookup's coverage ({COVERAGE}): "
            "kept as operating in the study area at unknown places") in " ".join(r.stderr.split())
    assert "check it" not in r.stderr
    status = dict(line.split(": ", 1) for line in CliRunner().invoke(app, ["status", "-w", where]).stdout.splitlines())
    assert (status["unlocated"], status["unlocated_outside_lookup"]) == ("3", "3")
    r = CliRunner().invoke(app, ["inspect", str(assets_list), "-w", where])
    assert r.exit_code == 0, r.stderr
    assert ("7 rows read; 2 would be imported, 3 kept without a location and 2 rejected (7 = 2 + 3 + 2)."
            in " ".join(r.stdout.split()))
    before = fingerprint(ws)
    r = CliRunner().invoke(app, ["import", str(assets_list), "--reject-outside-lookup", "--dry-run", "-w", where])
    assert r.exit_code == 0 and "rejected as asked (--reject-outside-lookup)" in " ".join(r.stderr.split())
    assert fingerprint(ws) == before


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
@pytest.mark.parametrize("chunks", [[], ["--chunk-rows", "100"]])
def test_trafford_charities_through_the_command_line(tmp_path, chunks):
    """The issue's reproduction: 456 of the 736 charities are registered outside Trafford's postcodes."""
    import re

    import pandas as pd

    from asset_map.geo import normalise_postcode

    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    lookup = TRAFFORD / "lookups" / "trafford_postcodes.csv"
    ws.load_postcodes(lookup)
    charities = TRAFFORD / "assets" / "charities_operating_in_trafford.csv"
    r = CliRunner().invoke(app, ["import", str(charities), *chunks, "-w", cli_location(ws)])
    assert r.exit_code == 0, r.stderr
    counts = {label: int(n) for label, n in re.findall(r"│ (\S[^│]*?)\s+│\s+(\d+) │", r.stderr)}
    assert counts["rows read"] == 736
    assert counts["kept: location unknown, postcode outside the lookup's coverage (M, WA)"] == 456
    assert (counts["imported"], counts["rejected (see `asset-map rejects`)"]) == (278, 2)
    assert "check it" not in r.stderr
    # Independent: the well-formed postcodes that Trafford's lookup lacks.
    raw = pd.read_csv(charities, keep_default_na=False)["charity_contact_postcode"].map(normalise_postcode)
    assert int((raw.notna() & ~raw.isin(set(pd.read_csv(lookup)["postcode"]))).sum()) == 456
    log = ws.imports().iloc[-1]
    assert log["rows_read"] == log["imported"] + log["kept_unlocated"] + log["rejected"] == 736
    assert ws.status()["unlocated_outside_lookup"] == 456


def test_a_served_area_they_name_counts_as_for_any_service(ws, tmp_path):
    """Kept for its postcode alone a row is no provision; naming an area it serves, it serves it."""
    path = write_csv(tmp_path / "served.csv", ["Name", "Category", "Postcode", "Area served"], [
        ["Stockport carers centre", "carers", "SK6 1LB", "East"],
        ["Manchester carers line", "carers", "M1 1AA", ""],
    ])
    result = ws.import_assets(path)
    assert (result.imported, len(result.outside_lookup), result.rejected) == (0, 2, 0)
    east = next(r for r in ws.gaps().rows if (r.area_code, r.category_id) == ("E01", "carers"))
    assert (east.assets, east.served, east.coverage, east.finding) == (0, 1, 1.0, "provision")
    assert east.confidence_reason.startswith("1 carers asset operates in the study area at an unknown place")
