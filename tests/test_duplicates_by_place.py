"""Duplicates by place: similar names close together, and shared venues (hubs) that are not duplicates."""

from __future__ import annotations

import random

import geopandas as gpd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.inputs.duplicates import (SIMILAR_NAME_SCORE, VENUE_DISTANCE_M, find_duplicates, name_key,
                                         name_score)
from conftest import X0, Y0, asset_row, cli_location, write_csv

HEADER = ["Name", "Category", "Latitude", "Longitude", "Postcode"]


def row(name, category, dx, dy, postcode=""):
    return asset_row(name, category, X0 + dx, Y0 + dy) + [postcode]


def score(a, b):
    return name_score(name_key(a), name_key(b))


def test_name_scores_by_hand():
    # Every word of one name in the other (two or more words besides "of", "and"...): 100.
    assert score("Central Library", "Manchester Central Library") == 100
    assert score("Church of the Holy Angels", "Holy Angels Church") == 100
    # Sorted words "bodmin centre health road" / "bodmin centre medical road": Indel distance 7 ("health" →
    # "medical" keeps e, a, l) over 25 + 26 letters.
    assert score("Bodmin Road Health Centre", "Bodmin Road Medical Centre") == pytest.approx(100 * (1 - 7 / 51))
    # "west timperley medical centre" / "west timperly medical centre": one letter in 29 + 28.
    assert score("West Timperley Medical Centre", "West Timperly Medical Centre") == pytest.approx(100 * (1 - 1 / 57))
    # Different numbers, or a body attached to the place: never similar.
    assert score("7th Sale Scout Group", "14th Sale Scout Group") == 0
    assert score("Heyes Lane Primary School", "Heyes Lane Primary School PTA") == 0
    assert score("Walton Park Bowling Club", "Walton Park Ladies Bowling Club") == 0
    assert score("Friends of Urmston", "Friends of the English Martyrs School Urmston") < SIMILAR_NAME_SCORE
    assert score("Altrincham Judo Club", "Altrincham Swimming Club") < SIMILAR_NAME_SCORE
    assert score("The Toy House", "TOY HOUSE") == 100


@pytest.fixture
def lists(tmp_path, workspace, two_areas):
    workspace.load_boundaries(two_areas, population_field="pop")
    council = write_csv(tmp_path / "council.csv", HEADER, [
        row("Central Library", "library", 500, 500),
        row("West Timperley Medical Centre", "long-term conditions", 1500, 500),
        row("Heyes Lane Primary School", "schools", 500, 1500, "M32 0TH"),
        row("Oak Community Centre", "community centre", 3000, 1000, "M33 7XX"),
        row("7th Sale Scout Group", "young people", 3000, 1800),
    ])
    pcn = write_csv(tmp_path / "pcn.csv", HEADER, [
        row("Manchester Central Library", "digital inclusion;library", 530, 500),   # 30 m away
        row("West Timperly Medical Centre", "long-term conditions", 1500, 560),    # 60 m, a typo
        row("Heyes Lane Primary School PTA", "schools", 500, 1500, "M32 0TH"),       # the school's PTA, same point
        row("Oak Lunch Club", "lunch club", 3000, 1000, "M33 7XX"),                  # at the centre
        row("Carers Drop-in", "carers", 3004, 1003, "M33 7XX"),                      # 5 m from the centre
        row("14th Sale Scout Group", "young people", 3006, 1800),                    # 6 m, another troop
        row("Central Library Cafe", "food", 2500, 500),                              # 2 km away
    ])
    workspace.import_assets(council)
    second = workspace.import_assets(pcn)
    return workspace, second


def test_similar_names_close_together_are_likely_duplicates(lists):
    ws, second = lists
    groups = {g.names: g for g in ws.duplicates()}
    assert set(groups) == {("Central Library", "Manchester Central Library"),
                           ("West Timperley Medical Centre", "West Timperly Medical Centre")}
    lib = groups[("Central Library", "Manchester Central Library")]
    assert lib.basis == "similar names, within 100 m" and lib.scores == (100, 100) and lib.distance_m == 30
    gp = groups[("West Timperley Medical Centre", "West Timperly Medical Centre")]
    assert gp.scores == (100, round(100 * (1 - 1 / 57), 1)) and gp.distance_m == 60
    assert [g.names for g in second.duplicates] == list(groups)  # the import reports them too
    assert len(ws.duplicates(min_score=99)) == 1  # a stricter score keeps the library alone
    assert len(ws.duplicates(distance_m=50)) == 1  # and a shorter distance the library alone


def test_shared_venues_are_listed_apart_and_never_merged(lists):
    ws, _ = lists
    venues = [g for g in ws.duplicates(venues=True) if g.kind == "shared venue"]
    assert [g.names for g in venues] == [
        ("Heyes Lane Primary School", "Heyes Lane Primary School PTA"),
        ("Oak Community Centre", "Oak Lunch Club", "Carers Drop-in"),
        ("7th Sale Scout Group", "14th Sale Scout Group"),
    ]
    assert all(g.basis == f"within {VENUE_DISTANCE_M:g} m" for g in venues)
    assert venues[0].scores == (100, 0)
    runner = CliRunner()
    r = runner.invoke(app, ["duplicates", "-f", "csv", "-w", cli_location(ws)])
    kinds = [line.rsplit(",", 1)[1] for line in r.stdout.splitlines()[1:]]
    assert kinds == ["likely duplicates"] * 4 + ["shared venue"] * 7
    assert "3 shared venues (different assets at one place): for information, never merged." in r.stderr
    r = runner.invoke(app, ["duplicates", "--merge", "-w", cli_location(ws)])
    assert r.exit_code == 0, r.stderr
    assert "Merged 2 assets into 2 kept ones" in r.stderr
    assert ws.status()["assets_merged"] == 2
    kept = ws.assets().set_index("name").loc["Central Library"]
    assert kept["categories"] == "community_spaces;digital_inclusion"
    # The venues are still there, the duplicates gone.
    r = runner.invoke(app, ["duplicates", "--no-venues", "-w", cli_location(ws)])
    assert "No likely duplicates." in r.stderr and "shared venues" not in r.stderr


def test_names_must_share_a_category_to_be_similar(tmp_path, workspace, two_areas):
    # A defibrillator named after the school it hangs on is not the school.
    workspace.load_boundaries(two_areas, population_field="pop")
    workspace.import_assets(write_csv(tmp_path / "a.csv", HEADER, [
        row("St Hilda's CofE Primary School", "schools", 500, 500),
        row("St. Hilda's CE Primary School", "defibrillator", 502, 500),
    ]))
    found = workspace.duplicates(venues=True)
    assert [(g.kind, g.scores) for g in found] == [("shared venue", (100, 96.4))]


def brute_force(names, cats, xs, ys, postcodes, distance, min_score):
    """Groups of likely duplicates from every pair, by a union-find written out here."""
    n = len(names)
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    keys = [name_key(x) for x in names]
    for a in range(n):
        for b in range(a + 1, n):
            near = ((xs[a] - xs[b]) ** 2 + (ys[a] - ys[b]) ** 2) ** 0.5 <= distance
            same = keys[a] == keys[b] and (near or (postcodes[a] and postcodes[a] == postcodes[b]))
            alike = near and bool(cats[a] & cats[b]) and name_score(keys[a], keys[b]) >= min_score
            if same or alike:
                parent[max(root(a), root(b))] = min(root(a), root(b))
    groups = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(tuple(m) for m in groups.values() if len(m) > 1)


#: Families of names: alike within a family (score ≥ 85), unlike across families (< 85).
FAMILIES = [
    ["West Timperley Medical Centre", "West Timperly Medical Centre", "West Timperley Medical Centre Ltd"],
    ["St Hilda's CofE Primary School", "St. Hilda's CE Primary School"],
    ["Central Library", "Manchester Central Library", "Central Library Manchester"],
    ["Trafford Carers Centre", "Carers Centre Trafford", "TRAFFORD CARERS CENTRE"],
    ["Walking for Health", "Walking For Health Sale"],
]


def test_groups_agree_with_every_pair_checked(tmp_path):
    for fam in FAMILIES:  # the families are what the brute force below assumes
        assert all(score(a, b) >= SIMILAR_NAME_SCORE for a in fam for b in fam)
    for f, g in ((f, g) for f in FAMILIES for g in FAMILIES if f is not g):
        assert all(score(a, b) < SIMILAR_NAME_SCORE for a in f for b in g)
    rng = random.Random(18)
    names, cats, xs, ys, pcs = [], [], [], [], []
    for k in range(400):
        names.append(rng.choice(rng.choice(FAMILIES)))
        cats.append(frozenset([rng.choice(["carers", "dementia", "food_cooking"])]))
        xs.append(X0 + rng.uniform(0, 1500))
        ys.append(Y0 + rng.uniform(0, 1500))
        pcs.append(rng.choice(["", "M32 0TH", "M33 7XX", "WA14 2DD"]))
    assets = gpd.GeoDataFrame({
        "asset_id": [f"a{k}" for k in range(400)], "name": names, "categories": [";".join(c) for c in cats],
        "source": "x.csv", "source_row": list(range(2, 402)), "postcode": pcs, "merged_into": "",
    }, geometry=[Point(x, y) for x, y in zip(xs, ys)], crs=27700)
    got = sorted(tuple(int(a[1:]) for a in g.asset_ids) for g in find_duplicates(assets, distance_m=60))
    expected = brute_force(names, cats, xs, ys, pcs, 60, SIMILAR_NAME_SCORE)
    assert got == expected and len(expected) > 20
    # Only the groups touching some ids, as after an import.
    some = {f"a{k}" for k in range(0, 400, 7)}
    got = sorted(tuple(int(a[1:]) for a in g.asset_ids) for g in find_duplicates(assets, distance_m=60, only_ids=some))
    assert got == [g for g in expected if any(f"a{k}" in some for k in g)]


@pytest.mark.parametrize("missing", [None, float("nan"), ""])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_a_missing_category_cell_is_no_category(missing, dtype):
    """Similar names 30 m apart, one with no category cell (empty, ``None`` or NaN, in a column of Python
    objects or of pandas text): one has no category, so they are likely duplicates."""
    import pandas as pd

    assets = gpd.GeoDataFrame({
        "asset_id": ["a", "b"], "name": ["Sale Community Cafe", "Sale Community Café and Pantry"],
        "categories": pd.Series([missing, "food_cooking"], dtype=dtype), "source": "x.csv", "source_row": [2, 3],
        "postcode": "", "merged_into": "",
    }, geometry=[Point(X0, Y0), Point(X0 + 30, Y0)], crs=27700)
    groups = find_duplicates(assets)
    assert [(g.asset_ids, g.basis) for g in groups] == [(("a", "b"), "similar names, within 100 m")]
