"""Capacity units: capacities are added up only when they count the same thing.

A school's 420 pupils and a children's centre's 20 places are not one
supply; each such category's assets count once each in the accessibility
measures, checked here against a 2SFCA written out in full in this file.
"""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.numbers import quantity, unit
from conftest import X0, Y0, write_csv

#: Small areas (code, all ages, aged 0–15, x, y): three in West (x < 2 km), two in East.
SMALL = [("S1", 1000, 200, X0 + 500, Y0 + 1000), ("S2", 3000, 700, X0 + 1500, Y0 + 1000),
         ("S3", 2000, 300, X0 + 1000, Y0 + 1900), ("S4", 4000, 900, X0 + 3000, Y0 + 1000),
         ("S5", 1500, 400, X0 + 3500, Y0 + 300)]
#: The assets of Children and families (catchment 1.2 km, target population 0–15): name, x, y.
SITES = [("Oak Primary", X0 + 200, Y0 + 1000), ("Elm Primary", X0 + 3000, Y0 + 900),
         ("Stretford Children's Centre", X0 + 1900, Y0 + 1000)]


@pytest.fixture
def ws(tmp_path, two_areas):
    """West and East with the five small areas above as the population layer."""
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name")
    gdf = gpd.GeoDataFrame(
        {"code": [s[0] for s in SMALL], "all_ages": [s[1] for s in SMALL], "aged_0_to_15": [s[2] for s in SMALL],
         "aged_16_to_64": [s[1] - s[2] for s in SMALL], "aged_65_and_over": [0] * len(SMALL)},
        geometry=[Point(s[3], s[4]) for s in SMALL], crs="EPSG:27700")
    gdf.to_file(tmp_path / "small.geojson")
    w.load_population(tmp_path / "small.geojson")
    return w


def import_sites(ws, tmp_path, capacities: list[str], units: list[str]):
    header = ["Name", "Category", "Easting", "Northing", "Capacity", "Capacity unit"]
    rows = [[name, "schools" if "Primary" in name else "children's centre", x, y, cap, u]
            for (name, x, y), cap, u in zip(SITES, capacities, units)]
    return ws.import_assets(write_csv(tmp_path / "children.csv", header, rows))


def brute_force(supply: list[float], enhanced: bool = False) -> dict[str, float]:
    """Each area's 2SFCA (or E2SFCA) per 10,000 children aged 0–15, from the full distance matrix."""
    people = np.array([s[2] for s in SMALL], dtype=float)
    dist = np.array([[np.hypot(sx - ax, sy - ay) for (_, ax, ay) in SITES] for (*_, sx, sy) in SMALL])
    d0 = 1200.0
    w = (dist <= d0) * 1.0
    if enhanced:
        w = w * np.where(dist <= d0 / 3, 1.0, np.where(dist <= 2 * d0 / 3, 0.68, 0.22))
    demand = [sum(w[i, j] * people[i] for i in range(len(SMALL))) for j in range(len(SITES))]
    ratio = [supply[j] / demand[j] if demand[j] > 0 else 0.0 for j in range(len(SITES))]
    access = [sum(w[i, j] * ratio[j] for j in range(len(SITES))) * 10_000 for i in range(len(SMALL))]
    west = [i for i, s in enumerate(SMALL) if s[3] < X0 + 2000]
    east = [i for i in range(len(SMALL)) if i not in west]
    return {code: sum(access[i] * people[i] for i in idx) / sum(people[i] for i in idx)
            for code, idx in (("W01", west), ("E01", east))}


def children_rows(ws):
    report = ws.gaps(category="children_families")
    return {r.area_code: r for r in report.rows}, report.notes


def test_pupils_beside_places_count_each_asset_once(ws, tmp_path):
    result = import_sites(ws, tmp_path, ["420 pupils", "210", "20 places"], ["", "Pupil", ""])
    assert result.rejected == 0
    stored = dict(zip(ws.assets()["name"], zip(ws.assets()["capacity"], ws.assets()["capacity_unit"])))
    assert stored == {"Oak Primary": (420, "pupils"), "Elm Primary": (210, "pupils"),
                      "Stretford Children's Centre": (20, "places")}
    rows, notes = children_rows(ws)
    assert "Children and families: capacities in mixed units (pupils 2, places 1): each asset counted once " \
           "for accessibility" in notes
    for enhanced, field in ((False, "access_per_10k"), (True, "access_e2sfca_per_10k")):
        expected = brute_force([1, 1, 1], enhanced)
        for code in ("W01", "E01"):
            assert getattr(rows[code], field) == pytest.approx(expected[code], rel=1e-12)
    # By hand: Oak reaches S1 (200 children) alone, 1/200; the centre S2 (700) and S4 (900), 1/1,600; Elm S4
    # and S5 (400, 781 m away), 1/1,300; S3 is out of reach. West: (200/200 + 700/1,600) / 1,200 children.
    assert rows["W01"].access_per_10k == pytest.approx((200 / 200 + 700 / 1600) / 1200 * 10_000)
    assert rows["E01"].access_per_10k == pytest.approx(
        (900 * (1 / 1600 + 1 / 1300) + 400 / 1300) / 1300 * 10_000)


def test_one_unit_throughout_weighs_by_capacity(ws, tmp_path):
    # "pupils" in the cell, in the unit column and as "Pupil": one unit in three spellings.
    import_sites(ws, tmp_path, ["420 pupils", "210", "20 Pupil"], ["", "pupils", ""])
    rows, notes = children_rows(ws)
    assert not [n for n in notes if "capacities" in n]
    expected = brute_force([420, 210, 20])
    assert {c: rows[c].access_per_10k for c in expected} == pytest.approx(expected, rel=1e-12)
    assert rows["W01"].access_per_10k == pytest.approx((200 * 420 / 200 + 700 * 20 / 1600) / 1200 * 10_000)


def test_the_taxonomy_unit_is_taken_where_the_list_gives_none(ws, tmp_path):
    # The default taxonomy counts Children and families in places: bare numbers are places too.
    import_sites(ws, tmp_path, ["420", "210 places", "20"], ["", "", ""])
    rows, notes = children_rows(ws)
    assert not [n for n in notes if "capacities" in n]
    expected = brute_force([420, 210, 20])
    assert {c: rows[c].access_per_10k for c in expected} == pytest.approx(expected, rel=1e-12)
    # A taxonomy without a unit for the category: bare numbers have none, and are not added up.
    rows_t = [dict(r, capacity_unit="") if r["id"] == "children_families" else r
              for r in ws.taxonomy().to_rows()]
    path = tmp_path / "taxonomy.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows_t[0]))
        w.writeheader()
        w.writerows(rows_t)
    ws.load_taxonomy(path)
    rows, notes = children_rows(ws)
    assert "Children and families: capacities in mixed units (places 1, no unit 2): each asset counted once " \
           "for accessibility" in notes
    assert {c: rows[c].access_per_10k for c in expected} == pytest.approx(brute_force([1, 1, 1]), rel=1e-12)


def test_a_missing_capacity_is_not_one_pupil(ws, tmp_path):
    import_sites(ws, tmp_path, ["420 pupils", "210 pupils", ""], ["", "", ""])
    rows, notes = children_rows(ws)
    assert "Children and families: capacities in mixed units (pupils 2, no capacity 1): each asset counted " \
           "once for accessibility" in notes
    assert {c: rows[c].access_per_10k for c in ("W01", "E01")} == pytest.approx(brute_force([1, 1, 1]))


def test_the_cli_prints_the_note(ws, tmp_path):
    import_sites(ws, tmp_path, ["420 pupils", "210", "20 places"], ["", "pupils", ""])
    r = CliRunner().invoke(app, ["gaps", "--category", "children", "-w", str(ws.location)])
    assert r.exit_code == 0, r.output
    assert "capacities in mixed units (pupils 2, places 1): each asset counted once for accessibility" in \
        " ".join(r.output.split())
    r = CliRunner().invoke(app, ["gaps", "--category", "children", "-f", "json", "-w", str(ws.location)])
    assert "Children and families: capacities in mixed units (pupils 2, places 1): each asset counted once for " \
           "accessibility" in json.loads(r.stdout)["notes"]


@pytest.mark.parametrize("cell,expected", [
    ("30 pupils", (30.0, "pupils")), ("20 places", (20.0, "places")), ("1,200 places", (1200.0, "places")),
    ("2 sessions a week", (2.0, "sessions a week")), ("2 sessions per week", (2.0, "sessions a week")),
    ("2 Sessions/Week", (2.0, "sessions a week")), ("3 sessions weekly", (3.0, "sessions a week")),
    ("20-25 places", (20.0, "places")), ("up to 30 people", (30.0, "people")), ("1 person", (1.0, "people")),
    ("30 max", (30.0, "")), ("30", (30.0, "")), ("12 nursery places", (12.0, "places")),
    ("20 places (plus a waiting list)", (20.0, "places")), ("15 places and a waiting list", (15.0, "places")),
    ("30 but can squeeze more in", (30.0, "")), ("10 places per session", (10.0, "places a session")),
])
def test_a_capacity_cell_gives_its_number_and_unit(cell, expected):
    assert quantity(cell) == expected


def test_units_compare_in_one_form():
    assert unit("Pupil") == unit("pupils") == "pupils"
    assert unit("sessions per week") == unit("Session/week") == unit("sessions a week") == "sessions a week"
    assert unit("") == unit(None) == ""
    value, u = quantity("twenty")
    assert value != value and u == ""


def test_a_workspace_from_before_capacity_units_takes_the_default_units(ws, tmp_path):
    import_sites(ws, tmp_path, ["420", "210 places", "20"], ["", "", ""])
    old = ws.frame("categories").drop(columns="capacity_unit")  # as stored before the column existed
    with ws.store.transaction() as tx:
        tx.write("categories", old)
    assert ws.taxonomy().get("children_families").capacity_unit == "places"
    rows, notes = children_rows(ws)
    assert not [n for n in notes if "capacities" in n]
    assert rows["W01"].access_per_10k == pytest.approx(brute_force([420, 210, 20])["W01"], rel=1e-12)


def test_a_workspace_from_before_travel_times_takes_the_default_times_where_its_distance_is_the_default(ws, tmp_path):
    import_sites(ws, tmp_path, ["420", "210 places", "20"], ["", "", ""])
    old = ws.frame("categories").drop(columns="travel")  # as stored before the column existed
    old.loc[old["id"] == "carers", "catchment_m"] = 2500.0  # someone's own distance: keeps the straight line
    with ws.store.transaction() as tx:
        tx.write("categories", old)
    tax = ws.taxonomy()
    assert tax.get("dementia").travel.text == "20 min walk"
    assert tax.get("carers").travel is None and tax.get("carers").catchment_m == 2500.0
