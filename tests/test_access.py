"""Coverage and floating catchment accessibility (asset_map.analysis.access).

Small cases are worked by hand; on the real Trafford LSOAs and asset lists
the results are compared with PySAL's ``access`` package fed the full
distance matrix.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from asset_map.analysis.access import covered, population_points, reach, two_step_fca, weighted_mean
from conftest import TRAFFORD


def pts(*xy):
    return np.array([Point(x, y) for x, y in xy], dtype=object)


# Two small areas, two assets, a 1,200 m catchment:
#   small area a (1,000 people) at (0, 0), b (3,000 people) at (1,000, 0);
#   asset X (capacity 2) at (0, 0), asset Y (capacity 1) at (2,000, 0).
#   In reach: a–X (0 m), b–X (1,000 m), b–Y (1,000 m); a–Y is 2,000 m away.
DEMAND = pts((0, 0), (1000, 0))
SUPPLY = pts((0, 0), (2000, 0))
POP = np.array([1000.0, 3000.0])
CAP = np.array([2.0, 1.0])


def test_pairs_in_reach_and_coverage():
    r = reach(DEMAND, SUPPLY, 1200)
    assert sorted(zip(r.demand.tolist(), r.supply.tolist())) == [(0, 0), (1, 0), (1, 1)]
    assert sorted(r.distance.tolist()) == [0.0, 1000.0, 1000.0]
    assert covered(r).tolist() == [True, True]
    assert covered(reach(DEMAND, SUPPLY, 500)).tolist() == [True, False]


def _brute_force_pairs(demand_xy, supply_xy, catchment):
    """Every (i, j, d) with d <= catchment, from the full distance matrix."""
    d = np.hypot(demand_xy[:, None, 0] - supply_xy[None, :, 0], demand_xy[:, None, 1] - supply_xy[None, :, 1])
    i, j = np.nonzero(d <= catchment)
    return sorted(zip(i.tolist(), j.tolist(), d[i, j].tolist()))


def test_assets_searched_in_chunks_and_threads_give_the_full_matrix_pairs(monkeypatch):
    """The assets cut into chunks of 7 (searched in threads) and the coordinates given by the caller:
    the same pairs and distances as the full distance matrix, and in the same order on every run."""
    from asset_map.analysis import access

    rng = np.random.default_rng(5)
    demand_xy, supply_xy = rng.uniform(0, 5000, (60, 2)), rng.uniform(0, 5000, (50, 2))
    demand, supply = shapely.points(demand_xy), shapely.points(supply_xy)
    whole = access.ReachIndex(demand).reach(supply, 900.0)
    monkeypatch.setattr(access, "SUPPLY_CHUNK", 7)
    index = access.ReachIndex(demand)
    chunked = index.reach(supply, 900.0, supply_xy)
    expected = _brute_force_pairs(demand_xy, supply_xy, 900.0)
    assert len(expected) > 100
    for r in (whole, chunked):
        got = sorted(zip(r.demand.tolist(), r.supply.tolist(), r.distance.tolist()))
        assert [g[:2] for g in got] == [e[:2] for e in expected]
        assert np.allclose([g[2] for g in got], [e[2] for e in expected], rtol=0, atol=1e-9)
    again = index.reach(supply, 900.0, supply_xy)
    assert chunked.supply.tolist() == again.supply.tolist() and chunked.demand.tolist() == again.demand.tolist()


def test_assets_are_cut_into_the_fewest_equal_chunks(monkeypatch):
    """50 assets with chunks of at most 7: 8 chunks of 6 or 7 in order, none left out; a set that fits is one
    chunk, and no assets one empty chunk."""
    from asset_map.analysis import access

    monkeypatch.setattr(access, "SUPPLY_CHUNK", 7)
    spans = access.chunk_spans(50)
    assert len(spans) == 8 and spans[0][0] == 0 and spans[-1][1] == 50
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert sorted({stop - start for start, stop in spans}) == [6, 7]
    assert access.chunk_spans(7) == [(0, 7)] and access.chunk_spans(0) == [(0, 0)]


def test_assets_that_are_not_points_are_measured_by_their_geometry():
    """A supply that is not all points (a square here) is searched by STRtree and measured by
    ``shapely.distance``: the square's nearest edge, not its first vertex."""
    square = Polygon([(900, -50), (1100, -50), (1100, 50), (900, 50)])
    r = reach(DEMAND, np.array([Point(5000, 0), square], dtype=object), 950)
    assert sorted(zip(r.demand.tolist(), r.supply.tolist(), r.distance.tolist())) == [(0, 1, 900.0), (1, 1, 0.0)]


def test_two_step_fca_worked_by_hand():
    r = reach(DEMAND, SUPPLY, 1200)
    # R_X = 2 / (1000 + 3000) = 0.0005; R_Y = 1 / 3000.
    a = two_step_fca(r, POP, CAP)
    assert a[0] == pytest.approx(0.0005, rel=1e-12)
    assert a[1] == pytest.approx(0.0005 + 1 / 3000, rel=1e-12)
    # Without capacities every asset counts 1: R_X = 1/4000, R_Y = 1/3000.
    assert two_step_fca(r, POP).tolist() == pytest.approx([1 / 4000, 1 / 4000 + 1 / 3000], rel=1e-12)


def test_enhanced_two_step_fca_worked_by_hand():
    r = reach(DEMAND, SUPPLY, 1200)
    # Bands: ≤400 m weight 1, ≤800 m 0.68, ≤1,200 m 0.22. a–X is 0 m, b–X and b–Y 1,000 m.
    # R_X = 2 / (1·1000 + 0.22·3000) = 2/1660; R_Y = 1 / (0.22·3000) = 1/660.
    a = two_step_fca(r, POP, CAP, enhanced=True)
    assert a[0] == pytest.approx(2 / 1660, rel=1e-12)
    assert a[1] == pytest.approx(0.22 * 2 / 1660 + 0.22 / 660, rel=1e-12)


def test_catchment_edge_is_in_reach_and_band_edges_are_inclusive():
    r = reach(pts((0, 0)), pts((400, 0), (800, 0), (1200, 0), (1200.001, 0)), 1200)
    assert sorted(r.supply.tolist()) == [0, 1, 2]
    a = two_step_fca(r, np.array([100.0]), enhanced=True)
    # Each asset serves only this small area: A = Σ W·(1 / (W·100)) = 3 / 100 whatever the weights.
    assert a[0] == pytest.approx(0.03, rel=1e-12)


def test_asset_with_nobody_in_reach_adds_nothing():
    r = reach(pts((0, 0), (5000, 0)), pts((0, 0), (5000, 0)), 1000)
    a = two_step_fca(r, np.array([0.0, 200.0]))
    assert a.tolist() == [0.0, pytest.approx(1 / 200)]
    assert np.isfinite(a).all()


def test_weighted_mean_by_area():
    values = np.array([1.0, 0.0, 1.0, 5.0])
    weights = np.array([300.0, 100.0, 50.0, 999.0])
    groups = np.array([0, 0, 1, -1])  # the last small area is in no area
    assert weighted_mean(values, weights, groups, 3).tolist() == [0.75, 1.0, 0.0]


def test_population_point_is_centroid_or_inside():
    square = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
    horseshoe = Polygon([(0, 0), (300, 0), (300, 300), (200, 300), (200, 100), (100, 100), (100, 300), (0, 300)])
    out = population_points(np.array([square, horseshoe, Point(5, 7)], dtype=object))
    assert out[0].equals(Point(50, 50))
    assert not horseshoe.contains(horseshoe.centroid) and horseshoe.contains(out[1])
    assert out[2].equals(Point(5, 7))


# --------------------------------------------------------------------------- PySAL on Trafford
needs_trafford = pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")


def _trafford_inputs(asset_file: str):
    lsoa = gpd.read_file(TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson").to_crs(27700)
    pop = pd.read_csv(TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv")
    pop = pop[pop["sex"] == "Persons"].set_index("area_code")
    demand = population_points(lsoa.geometry.to_numpy())
    people = pop.loc[lsoa["area_code"], "all_ages"].to_numpy(dtype=float)
    assets = gpd.read_file(TRAFFORD / "assets" / asset_file).to_crs(27700)
    supply = shapely.point_on_surface(assets.geometry.to_numpy())
    capacity = 1.0 + np.arange(len(supply)) % 4  # 1, 2, 3, 4, 1, ...: capacities that differ
    return lsoa["area_code"].to_numpy(), demand, people, supply, capacity


@needs_trafford
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore:The inplace keyword")
@pytest.mark.parametrize("asset_file, catchment", [
    ("trafford_general_practices.geojson", 1600.0),
    ("sports_clubs.geojson", 1200.0),
    ("trafford_food_banks.geojson", 3000.0),
])
def test_agrees_with_pysal_access_on_trafford(asset_file, catchment):
    from access import Access, weights

    codes, demand, people, supply, capacity = _trafford_inputs(asset_file)
    d = shapely.distance(demand[:, None], supply[None, :])  # full 139 × m distance matrix
    cost = pd.DataFrame({
        "origin": np.repeat(codes, len(supply)),
        "dest": np.tile([f"s{j}" for j in range(len(supply))], len(codes)),
        "cost": d.ravel(),
    })
    model = Access(
        demand_df=pd.DataFrame({"geoid": codes, "pop": people}), demand_index="geoid", demand_value="pop",
        supply_df=pd.DataFrame({"sid": [f"s{j}" for j in range(len(supply))], "cap": capacity}),
        supply_index="sid", supply_value="cap",
        cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost",
    )
    theirs = model.two_stage_fca(name="fca", max_cost=catchment)["fca_cap"].reindex(codes).fillna(0).to_numpy()
    bands = weights.step_fn({catchment / 3: 1.0, 2 * catchment / 3: 0.68, catchment: 0.22})
    theirs_e = model.enhanced_two_stage_fca(name="e", weight_fn=bands)["e_cap"].reindex(codes).fillna(0).to_numpy()

    r = reach(demand, supply, catchment)
    mine = two_step_fca(r, people, capacity)
    mine_e = two_step_fca(r, people, capacity, enhanced=True)
    assert (mine > 0).sum() > 20
    np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=0)
    np.testing.assert_allclose(mine_e, theirs_e, rtol=1e-9, atol=0)
    assert not np.allclose(mine, mine_e)  # the decay bands make a difference


def test_an_empty_point_or_a_missing_small_area_point_changes_no_other_pair():
    """A small area without a point sends the search to STRtree: the other pairs and their distances are
    those of the k-d trees to the last bit (``hypot``), so a pair exactly at the catchment stays out or in
    alike; an asset stored as ``POINT EMPTY`` is in reach of nobody."""
    from asset_map.analysis.access import ReachIndex

    rng = np.random.default_rng(11)
    demand_xy, supply_xy = rng.uniform(0, 3000, (40, 2)), rng.uniform(0, 3000, (30, 2))
    demand, supply = shapely.points(demand_xy), shapely.points(supply_xy)
    fast = ReachIndex(demand).reach(supply, 700.0)
    with_gap = ReachIndex(np.append(demand, None)).reach(np.append(supply, shapely.from_wkt("POINT EMPTY")), 700.0)
    key = lambda r: sorted(zip(r.demand.tolist(), r.supply.tolist(), r.distance.tolist()))  # noqa: E731
    assert key(with_gap) == key(fast) and len(key(fast)) > 50


def test_gaps_with_an_asset_stored_as_an_empty_point():
    """An asset whose point is empty (a WKB point with NaN coordinates reads so) counts in its area but
    reaches nobody; the other asset covers its own small area."""
    from shapely.geometry import box

    from asset_map.analysis.gaps import compute_gaps
    from asset_map.categories.taxonomy import Taxonomy
    from asset_map.store.base import Table

    areas = Table({"area_code": ["A1", "A2"], "area_name": ["West", "East"], "all_ages": [1000, 1000]},
                  np.array([box(0, 0, 2000, 2000), box(2000, 0, 4000, 2000)], dtype=object))
    pop = Table({"code": ["S1", "S2", "S3"], "area_code": ["A1", "A2", "A2"], "all_ages": [1000, 600, 400]},
                np.array([Point(500, 500), Point(2500, 500), Point(3500, 1500)], dtype=object))
    tax = Taxonomy.from_rows([{"id": "food", "label": "Food", "catchment_m": "800", "target_population": "all",
                               "synonyms": "", "capacity_unit": "", "travel": ""}])
    assets = Table({"categories": ["food", "food"], "area_code": ["A1", "A2"], "capacity": [None, None],
                    "capacity_unit": [None, float("nan")]},
                   np.array([Point(600, 600), shapely.from_wkt("POINT EMPTY")], dtype=object))
    rows = {r.area_code: r for r in compute_gaps(areas, assets, tax, pop).rows}
    assert rows["A1"].coverage == 1.0 and rows["A2"].coverage == 0.0


@pytest.mark.parametrize("in_thread", [False, True])
def test_context_reads_each_assets_place_area_and_capacity(monkeypatch, in_thread):
    """What the measures read of the assets, read when first asked for (the coordinates in a second thread
    for a large register, forced here for four assets): a point's coordinates, NaN for a missing, empty or
    polygon geometry; the area's index, -1 for an unknown or missing code; capacities as positive numbers."""
    from shapely.geometry import box

    from asset_map.analysis import context
    from asset_map.store.base import Table

    monkeypatch.setattr(context, "XY_IN_THREAD", 1 if in_thread else 10**9)
    areas = Table({"area_code": ["A1", "A2"], "area_name": ["West", "East"], "all_ages": [10, 10]},
                  np.array([box(0, 0, 2000, 2000), box(2000, 0, 4000, 2000)], dtype=object))
    assets = Table({"categories": ["food", "food;advice", None, "advice"], "area_code": ["A2", "Z9", None, "A1"],
                    "capacity": ["30", None, -2, 4.5], "capacity_unit": ["places", None, "", float("nan")]},
                   np.array([Point(2500, 10.25), None, shapely.from_wkt("POINT EMPTY"), box(0, 0, 1, 1)],
                            dtype=object))
    ctx = context.GapContext(areas, assets, None, None)
    assert (ctx._xy_pending is not None) == in_thread
    xy = ctx.asset_xy
    assert xy[0].tolist() == [2500.0, 10.25] and np.isnan(xy[1:]).all()
    assert ctx.area_of_asset.tolist() == [1, -1, -1, 0]
    assert ctx.capacity[[0, 3]].tolist() == [30.0, 4.5] and np.isnan(ctx.capacity[[1, 2]]).all()
    assert ctx.capacity_unit.tolist()[:3] == ["places", None, ""]
    assert ctx.located.tolist() == [True, False, True, True]
    assert ctx.members("advice").tolist() == [1, 3]
