"""The gap measures on a street network: a town cut by a river with one bridge.

Local metres (moved to British National Grid by tests/streets.py): streets
every 100 m over 0-2000 m, the river along y = 950, the bridge at x = 1000.
South (y < 950) and North (y > 950) are the two areas; one lunch club
stands on the south bank at (200, 900). Its catchment is a 10 min walk
(800 m at 4.8 km/h).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from asset_map.analysis.gaps import compute_gaps
from asset_map.categories.taxonomy import AgeBand, Category, Taxonomy
from asset_map.categories.travel import Travel
from asset_map.store import Table
from streets import at, network, river_town

pytestmark = pytest.mark.gpkg_only  # no workspace: nothing differs between stores

O = 380_000.0, 400_000.0
SMALL = {  # code: (area, x, y, people)
    "S1": ("S", 200, 600, 1000),  # 300 m by street from the club
    "S2": ("S", 1500, 300, 1000),  # far by any measure
    "N1": ("N", 200, 1000, 1000),  # 100 m across the water: 1,700 m by the bridge
    "N2": ("N", 300, 1500, 1000),  # 608 m in a straight line, 2,300 m by the bridge
    "N3": ("N", 1800, 1800, 1000),  # far by any measure
}


def _box(x0, y0, x1, y1):
    return shapely.box(x0 + O[0], y0 + O[1], x1 + O[0], y1 + O[1])


def _inputs(travel=Travel(10, "walk")):
    areas = Table({"area_code": ["S", "N"], "area_name": ["South", "North"], "all_ages": [2000.0, 3000.0]},
                  np.array([_box(-100, -100, 2100, 950), _box(-100, 950, 2100, 2100)], dtype=object))
    pop = Table({"code": list(SMALL), "area_code": [v[0] for v in SMALL.values()],
                 "all_ages": [float(v[3]) for v in SMALL.values()]},
                np.array([at(v[1], v[2]) for v in SMALL.values()], dtype=object))
    assets = Table({"categories": ["lonely"], "area_code": ["S"]}, np.array([at(200, 900)], dtype=object))
    tax = Taxonomy([Category("lonely", "Lunch clubs", 800.0, AgeBand.parse("all"), ("lunch club",), travel=travel)])
    return areas, assets, pop, tax


def _rows(report):
    return {r.area_code: r for r in report.rows}


def test_on_the_network_the_river_cuts_off_the_north_bank():
    areas, assets, pop, tax = _inputs()
    rows = _rows(compute_gaps(areas, assets, tax, pop, network=network(river_town()), robust=False))
    s, n = rows["S"], rows["N"]
    assert (s.reach, n.reach) == ("10 min walk", "10 min walk")
    assert s.coverage == pytest.approx(0.5)  # S1 of S1, S2
    assert n.coverage == 0.0  # the bridge is too far
    # Within 800 m in a straight line but not within 10 minutes: N1 and N2 of North's 3,000; none in South.
    assert n.barrier_share == pytest.approx(2 / 3)
    assert s.barrier_share == 0.0
    # 2SFCA: the club serves the 1,000 people of S1 only: 1 / 1,000 × 10,000 = 10 for them, 5 over South.
    assert s.access_per_10k == pytest.approx(5.0)
    assert n.access_per_10k == 0.0


def test_by_the_straight_line_the_north_bank_looks_served():
    areas, assets, pop, tax = _inputs()
    rows = _rows(compute_gaps(areas, assets, tax, pop, robust=False))
    assert rows["N"].reach == "straight-line 800 m"
    assert rows["N"].coverage == pytest.approx(2 / 3)  # N1 (100 m) and N2 (608 m)
    assert rows["N"].barrier_share is None
    # A category without a travel time stays a straight line even with a network.
    areas, assets, pop, tax = _inputs(travel=None)
    report = compute_gaps(areas, assets, tax, pop, network=network(river_town()), robust=False)
    rows = _rows(report)
    assert rows["N"].reach == "straight-line 800 m" and rows["N"].coverage == pytest.approx(2 / 3)
    assert report.notes[-1].startswith("reach: a street network is loaded, but no category has a travel time")


def test_the_reasons_speak_of_the_walk_and_name_the_barrier():
    areas, assets, pop, tax = _inputs()
    rows = _rows(compute_gaps(areas, assets, tax, pop, network=network(river_town()), robust=False))
    assert rows["N"].reason == (
        "No lunch clubs asset in North or within a 10 min walk of it (study area: 1 asset, 2.0 per 10,000). "
        # 2,000 of the study area's 5,000 are cut off (N1, N2): 40%.
        "Barrier: 67% of residents here (study area: 40%) live within 800 m of one in a straight line but not within a 10 min walk "
        "by street (a river, railway, main road or missing path between).")
    assert rows["S"].reason.startswith("50% of residents in South live more than a 10 min walk from any lunch clubs")
    assert "Barrier" not in rows["S"].reason


def test_the_notes_say_how_reach_was_measured_and_flag_points_far_from_a_street():
    areas, assets, pop, tax = _inputs()
    assets = Table({"categories": ["lonely", "lonely"], "area_code": ["S", None]},
                   np.array([at(200, 900), at(200, -400)], dtype=object))  # the second: 400 m south of the town
    report = compute_gaps(areas, assets, tax, pop, network=network(river_town()), robust=False)
    assert report.notes[-1] == ("reach: travel times on the street network, by walk; the walk from each point to "
                                "its street counts; assets more than 250 m from a street: 1 by walk")


def test_a_served_radius_follows_the_streets():
    """A lunch club that visits "within 500 m" on the south bank: by the straight line the far bank (N1, 100 m
    away) is inside; along the streets it is 1,700 m away."""
    from asset_map.categories.served import resolve
    from asset_map.network.isochrones import street_radius

    areas, _, pop, tax = _inputs()
    assets = Table({"categories": ["lonely"], "area_code": ["S"], "name": ["Visits"], "served_area": ["within 500 m"]},
                   np.array([at(200, 900)], dtype=object))
    net = network(river_town())
    disc = resolve(areas, assets, None).areas[0].geometry
    streets = resolve(areas, assets, None, radius=street_radius(net)).areas[0].geometry
    assert disc.contains(at(200, 1000)) and not streets.contains(at(200, 1000))
    assert streets.contains(at(200, 600)) and streets.contains(at(600, 900))  # 300 m and 400 m along the street
    assert not streets.contains(at(800, 900))  # 600 m along it
    # In the measures: North is served by the disc, not by the streets.
    rows = _rows(compute_gaps(areas, Table({**assets.columns, "served_area": [None]}, assets.geometry), tax, pop,
                              network=net, robust=False, served=resolve(areas, assets, None, radius=street_radius(net))))
    assert rows["N"].coverage == 0.0
    rows = _rows(compute_gaps(areas, assets, tax, pop, network=net, robust=False,
                              served=resolve(areas, assets, None)))
    assert rows["N"].coverage == pytest.approx(1 / 3)  # N1 inside the 500 m disc


def test_without_a_population_layer_reach_is_measured_at_grid_points_across_each_area():
    """The grid runs every 100 m from (-50, -50); North (y 950-2100, x -100-2100) holds 22 columns × 11 rows of it
    (x -50 ... 2050, y 1050 ... 2050; the row at y = 950 lies on the border and goes to South, the first area).
    The club at (200, 900) reaches no point across the river in 10 minutes; by the straight line, the points
    within 800 m of it."""
    areas, assets, _, tax = _inputs()
    report = compute_gaps(areas, assets, tax, None, network=network(river_town()), robust=False)
    rows = _rows(report)
    assert rows["N"].reach == "10 min walk" and rows["N"].coverage == 0.0
    xs, ys = np.arange(-50, 2100, 100), np.arange(1050, 2100, 100)
    gx, gy = np.meshgrid(xs, ys)
    near = np.hypot(gx - 200, gy - 900) <= 800
    assert rows["N"].barrier_share == pytest.approx(near.sum() / gx.size)
    assert any("measured at points every 100 m" in n for n in report.notes)
    # South: the grid points within a 10 min walk (800 m along the streets, plus the walk to the street).
    straight = _rows(compute_gaps(areas, assets, tax, None, robust=False))
    assert 0 < rows["S"].coverage < straight["S"].coverage
