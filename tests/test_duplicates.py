"""Likely duplicates within and across imports, and merging them only when asked."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.inputs.duplicates import name_key
from asset_map.errors import WorkspaceError
from conftest import TRAFFORD, X0, Y0, asset_row, cli_location, fingerprint, write_csv

HEADER = ["Name", "Category", "Latitude", "Longitude", "Postcode"]


def row(name, category, dx, dy, postcode=""):
    return asset_row(name, category, X0 + dx, Y0 + dy) + [postcode]


@pytest.mark.parametrize("a,b", [
    ("The Toy House", "TOY HOUSE"), ("St Mary's Lunch Club", "Saint Marys lunch club"),
    ("Age UK Trafford Ltd", "age uk trafford"), ("Carers & Friends", "carers and friends"),
])
def test_names_that_are_the_same(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_stay_different():
    assert name_key("Stretford Walking Group") != name_key("Stretford Walkers")


@pytest.fixture
def council_and_pcn(tmp_path, workspace, two_areas):
    workspace.load_boundaries(two_areas, population_field="pop")
    council = write_csv(tmp_path / "council.csv", HEADER, [
        row("St Mary's Lunch Club", "lunch club", 100, 100, "M32 0LG"),
        row("Walking for Health", "walking group", 1000, 1000),
        row("Walking for Health", "walking group", 1030, 1040),      # typed twice: 50 m apart
        row("Carers Centre", "carers", 3000, 1000, "M33 7XX"),
    ])
    pcn = write_csv(tmp_path / "pcn.csv", HEADER, [
        row("Saint Marys Lunch Club", "befriending", 1500, 1500, "m32 0lg"),  # 2 km away, same postcode
        row("Carers Centre", "dementia", 3500, 1000, "M33 7ZZ"),              # 500 m away, other postcode
        row("Walking for Health", "walking", 1060, 1000),                     # within 100 m of both
    ])
    first = workspace.import_assets(council)
    second = workspace.import_assets(pcn)
    return workspace, first, second


def test_duplicates_are_reported_within_and_across_imports(council_and_pcn):
    ws, first, second = council_and_pcn
    assert [g.names for g in first.duplicates] == [("Walking for Health", "Walking for Health")]
    assert not first.duplicates[0].across_imports
    groups = {g.names[0]: g for g in second.duplicates}
    assert set(groups) == {"St Mary's Lunch Club", "Walking for Health"}  # the carers centres are 500 m apart
    assert groups["St Mary's Lunch Club"].basis == "same postcode"
    assert groups["St Mary's Lunch Club"].rows == (2, 2)
    assert groups["Walking for Health"].sources == ("council.csv", "council.csv", "pcn.csv")
    assert groups["Walking for Health"].basis == "within 100 m"
    # Reporting merges nothing.
    assert ws.status()["assets"] == 7 and ws.status()["assets_merged"] == 0
    assert len(ws.duplicates(distance_m=600)) == 3  # a wider distance takes in the carers centres


def test_merging_adds_categories_and_drops_the_copy_from_gaps(council_and_pcn):
    ws, _, second = council_and_pcn
    lunch = next(g for g in second.duplicates if g.names[0] == "St Mary's Lunch Club")
    before = {(r.area_code, r.category_id): r.assets for r in ws.gaps().rows}
    assert ws.merge(lunch.asset_ids[0], [lunch.asset_ids[1]]) == 1
    assets = ws.assets().set_index("asset_id")
    assert assets.loc[lunch.asset_ids[0], "categories"] == "loneliness_isolation"  # lunch club + befriending
    assert assets.loc[lunch.asset_ids[1], "merged_into"] == lunch.asset_ids[0]
    after = {(r.area_code, r.category_id): r.assets for r in ws.gaps().rows}
    assert before[("W01", "loneliness_isolation")] == 2 and after[("W01", "loneliness_isolation")] == 1
    assert ws.status()["assets"] == 6 and ws.status()["assets_merged"] == 1
    assert '"St Mary\'s Lunch Club"' in ws.export_geojson("assets")
    assert "Saint Marys Lunch Club" not in ws.export_geojson("assets")
    assert len(ws.table("merges")) == 1
    # Re-importing the PCN list brings the row back, and the recorded decision merges it again.
    again = ws.import_assets(ws.imports()["path"].iloc[1])
    assert again.merged_again == 1
    assert ws.status()["assets"] == 6
    assert [g.names[0] for g in again.duplicates] == ["Walking for Health"]


def test_merge_errors_leave_the_workspace_unchanged(council_and_pcn):
    ws, first, _ = council_and_pcn
    a, b = first.duplicates[0].asset_ids
    before = fingerprint(ws)
    for keep, others, message in [("nope", [b], "no asset with id 'nope'"), (a, [a], "different assets"),
                                  (a, [], "different assets")]:
        with pytest.raises(WorkspaceError, match=message):
            ws.merge(keep, others)
    ws.merge(a, [b])
    with pytest.raises(WorkspaceError, match="already merged into"):
        ws.merge(b, [a])
    assert fingerprint(ws) != before  # the one good merge was written


def test_a_second_merge_adds_to_the_recorded_ones(council_and_pcn):
    ws, _, _ = council_and_pcn
    groups = ws.duplicates(distance_m=600)
    assert len(groups) == 3
    ws.merge(groups[0].asset_ids[0], [groups[0].asset_ids[1]])
    ws.merge_groups([(g.asset_ids[0], [g.asset_ids[1]]) for g in groups[1:]])
    assert len(ws.table("merges")) == 3 and ws.status()["assets_merged"] == 3


def test_replacing_the_taxonomy_keeps_merged_categories(council_and_pcn, tmp_path):
    ws, _, second = council_and_pcn
    carers = [g for g in ws.duplicates(distance_m=600) if g.names[0] == "Carers Centre"][0]
    ws.merge(carers.asset_ids[0], [carers.asset_ids[1]])
    path = tmp_path / "tax.csv"
    from asset_map.categories.taxonomy import load_taxonomy
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(load_taxonomy().to_rows()[0]))
        w.writeheader()
        w.writerows(load_taxonomy().to_rows())
    ws.load_taxonomy(path)
    kept = ws.assets().set_index("asset_id").loc[carers.asset_ids[0]]
    assert kept["categories"] == "carers;dementia"


def test_cli_lists_then_merges_only_with_merge(council_and_pcn):
    ws, _, _ = council_and_pcn
    runner = CliRunner()
    r = runner.invoke(app, ["duplicates", "-f", "csv", "-w", cli_location(ws)])
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "group,asset_id,name,source,row,postcode,basis,distance_m,score,kind"
    assert len(lines) == 1 + 5  # 2 lunch clubs + 3 walking groups; no two different assets share a place
    assert all(line.endswith(",100.0,likely duplicates") for line in lines[1:])
    assert "2 groups of likely duplicates (2 across imports, 0 within one file)" in r.stderr
    assert "Nothing was merged" in r.stderr
    assert ws.status()["assets_merged"] == 0
    r = runner.invoke(app, ["duplicates", "--merge", "-w", cli_location(ws)])
    assert r.exit_code == 0, r.stderr
    assert "Merged 3 assets into 2 kept ones" in r.stderr
    assert ws.status()["assets_merged"] == 3
    r = runner.invoke(app, ["duplicates", "-w", cli_location(ws)])
    assert "No likely duplicates." in r.stderr
    r = runner.invoke(app, ["merge", "missing-id", "other", "-w", cli_location(ws)])
    assert r.exit_code == 1
    assert r.stderr.strip().startswith("Error: ") and len(r.stderr.strip().splitlines()) == 1


def test_import_names_the_duplicates_it_found(tmp_path, two_areas):
    path = tmp_path / "ws.gpkg"
    csv_path = write_csv(tmp_path / "list.csv", HEADER, [row("Walking for Health", "walking", 1000, 1000),
                                                          row("Walking for Health", "walking", 1000, 1010)])
    r = CliRunner().invoke(app, ["import", str(csv_path), "-w", str(path)])
    assert r.exit_code == 0, r.stderr
    assert "1 groups of likely duplicates involve this list (0 with earlier imports)" in r.stderr


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_real_trafford_lists_share_organisations(tmp_path):
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    # Every suggestion used, so that which pairs share a category does not move with the default confidence.
    ws.import_assets(TRAFFORD / "assets" / "charities_operating_in_trafford.csv", use_inferred=True)
    ws.import_assets(TRAFFORD / "assets" / "trafford_mental_health_services.csv", use_inferred=True)
    found = ws.duplicates(venues=True)
    groups = {g.names: g for g in found if g.kind == "likely duplicates"}
    # Checked by eye in the two files: same organisation, same postcode.
    same = {("TRAFFORD CARERS CENTRE", "Trafford Carers Centre"), ("G-FORCE", "G-Force"),
            ("URMSTON MUSICAL THEATRE", "URMSTON MUSICAL THEATRE"), ("THE TOY HOUSE", "The Toy House")}
    # Named differently, at one postcode: found by their similar names (every word of one in the other: 100).
    similar = {("AUTISTIC SOCIETY GREATER MANCHESTER AREA", "Autistic Society for the Greater Manchester Area (ASGMA)"),
               ("AGE UK TRAFFORD", "Age UK Trafford (Dementia Service)"),
               ("THE COUNSELLING AND FAMILY CENTRE, ALTRINCHAM", "The Counselling and Family Centre"),
               ("ALTRINCHAM METHODIST CHURCH", "ALTRINCHAM METHODIST CIRCUIT")}
    assert set(groups) == same | similar
    assert groups[("URMSTON MUSICAL THEATRE", "URMSTON MUSICAL THEATRE")].rows == (430, 715)
    assert all(groups[n].basis == "same postcode" and groups[n].scores == (100, 100) for n in same)
    assert all(groups[n].basis == "similar names, within 100 m" for n in similar)
    # "altrincham church methodist" / "altrincham circuit methodist": Indel distance 7 over 27 + 28 letters.
    assert groups[("ALTRINCHAM METHODIST CHURCH", "ALTRINCHAM METHODIST CIRCUIT")].scores == (
        100, round(100 * (1 - 7 / 55), 1))
    # A shared venue: the voluntary sector's hub at one postcode, eight organisations, none a duplicate.
    hubs = [g for g in found if g.kind == "shared venue"]
    hub = next(g for g in hubs if "Voice of BME Trafford" in g.names)
    assert len(hub.names) == 8 and "VOLUNTARY AND COMMUNITY ACTION TRAFFORD LTD" in hub.names
    assert len(set(hub.postcodes)) == 1 and hub.basis == "within 10 m" and max(hub.scores[1:]) < 85
    assert len(hubs) == 35


def test_name_keys_of_a_column_are_each_names_key():
    """The name keys of a whole column (pyarrow for ASCII names) are those name_key gives one name at a time:
    case, '&', apostrophes, 'Saint', filler words (also several in a row), accents and other scripts."""
    import random

    from asset_map.categories.words import normalise_word, normalise_words
    from asset_map.inputs.duplicates import name_key, name_keys

    rng = random.Random(3)
    parts = ["The", "the", "St", "Saint", "saint's", "Ltd", "LIMITED", "co", "&", "'", "`", "\u2019", "é", "İ",
             " ", "  ", "-", "Café", "7th", "Sale", "Scouts", "CIC", "cio.", "inc", "plc", "Theatre", "saints",
             "ßtraße", "\u00a0", "."]
    names = ["".join(rng.choice(parts) + rng.choice(["", " "]) for _ in range(rng.randint(0, 8)))
             for _ in range(3000)] + [None, ""]
    assert name_keys(names) == [name_key(n) for n in names]
    texts = [n for n in names if n is not None]
    assert normalise_words(texts) == [normalise_word(t) for t in texts]
    assert name_keys(["The Saint Ltd Co Club", "Saints & Sinners"]) == ["st club", "saints and sinners"]


def test_number_groups_and_same_names_of_a_column():
    """Keys grouped a whole column at a time: equal codes exactly for equal sets of numbers (in order of first
    appearance), and the names more than one asset has with their positions, in order."""
    import random
    import re

    import pandas as pd

    from asset_map.inputs.duplicates import _number_groups, _same_names

    rng = random.Random(1)
    keys = [" ".join(rng.choice(["a", "7th", "12", "sale", "", "3", "x 3 7", "007", "7 3"])
                     for _ in range(rng.randint(0, 3))).strip() for _ in range(3000)]
    sets = [" ".join(sorted(set(re.findall(r"\d+", k)))) for k in keys]
    assert _number_groups(keys).tolist() == pd.factorize(pd.Series(sets, dtype=object))[0].tolist()
    expected: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k:
            expected.setdefault(k, []).append(i)
    assert list(_same_names(keys).items()) == [(k, m) for k, m in expected.items() if len(m) > 1]
