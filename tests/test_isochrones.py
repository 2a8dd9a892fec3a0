"""Catchments drawn as polygons on the street network (asset_map.network.isochrones).

Checked on networks built in code (tests/streets.py) against distances worked
out by hand: 10 minutes' walk at 4.8 km/h is 800 m.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from asset_map.network.isochrones import WIDTH_M, catchment_polygons, catchments_frame
from asset_map.network.routing import Router
from asset_map.network.snapping import Snapper
from streets import at, network, river_town

pytestmark = pytest.mark.gpkg_only  # no workspace: nothing differs between stores

OX, OY = 380_000.0, 400_000.0  # the origin of tests/streets.py


def _polygons(net, mode, pts, minutes):
    router = Router(net, mode)
    snapped = Snapper(net, router.usable).snap(np.array(pts, dtype=object))
    return catchment_polygons(router, snapped, minutes)


def _local(x0, y0, x1, y1):
    """A line in the local metres of tests/streets.py."""
    return shapely.LineString([(x0 + OX, y0 + OY), (x1 + OX, y1 + OY)])


def _box(x0, y0, x1, y1):
    return shapely.box(x0 + OX, y0 + OY, x1 + OX, y1 + OY)


def test_a_walk_catchment_crosses_the_river_only_by_the_bridge():
    # The asset stands on the street y = 900, south of the river (y = 950); the bridge is at x = 1000.
    poly = _polygons(network(river_town()), "walk", [at(350, 900)], 10)[0]
    # Straight across, (350, 1000) is 100 m away as the crow flies but 650 + 100 + 650 m on foot: not reached.
    assert not poly.contains(at(350, 1000))
    # On the far bank only what lies within 800 − (650 + 100) = 50 m of the bridge's end (1000, 1000) is reached,
    # drawn WIDTH_M wider.
    far = poly.intersection(_box(-100, 960, 2100, 2100))
    assert not far.is_empty
    minx, _, maxx, maxy = far.bounds
    assert minx - OX == pytest.approx(1000 - 50 - WIDTH_M, abs=0.5)
    assert maxx - OX == pytest.approx(1000 + 50 + WIDTH_M, abs=0.5)
    assert maxy - OY == pytest.approx(1000 + 50 + WIDTH_M, abs=0.5)
    assert poly.intersection(_box(-100, 960, 900, 2100)).is_empty


def test_the_extent_along_a_street_is_the_distance_walked():
    poly = _polygons(network(river_town()), "walk", [at(350, 900)], 10)[0]
    # East along y = 900: 800 m from x = 350 to x = 1150, no quicker way round on a grid.
    east = poly.intersection(_local(350, 900, 2000, 900))
    assert east.bounds[2] - OX == pytest.approx(1150 + WIDTH_M, abs=0.5)
    # South down x = 300: 50 m to the corner, then 750 m down to y = 150.
    south = poly.intersection(_local(300, 900, 300, 0))
    assert south.bounds[1] - OY == pytest.approx(150 - WIDTH_M, abs=0.5)


def test_one_way_streets_are_reached_only_from_where_they_may_be_ridden():
    # Two edges west to east, one-way for bikes; the asset at x = 1500. 4 min at 15 km/h = 1,000 m.
    net = network([[(0, 0), (1000, 0)], [(1000, 0), (2000, 0)]], oneway_cycle=[True, True])
    bike = _polygons(net, "cycle", [at(1500, 0)], 4)[0]
    # Riders come from the west only (x = 500 to the asset): east of it they would ride against the one-way.
    assert bike.bounds[0] - OX == pytest.approx(500 - WIDTH_M, abs=0.5)
    assert bike.bounds[2] - OX == pytest.approx(1500 + WIDTH_M, abs=0.5)
    # On foot (one-way rules do not bind) 10 min reach 800 m both ways: x = 700 to 2,000 (the street's end).
    walk = _polygons(net, "walk", [at(1500, 0)], 10)[0]
    assert walk.bounds[0] - OX == pytest.approx(700 - WIDTH_M, abs=0.5)
    assert walk.bounds[2] - OX == pytest.approx(2000 + WIDTH_M, abs=0.5)


def test_the_asset_walk_from_the_street_counts_and_missing_points_get_none():
    net = network([[(0, 0), (1000, 0)]])
    # 40 m from the street: 5 min = 400 m, 40 of them to the street, 360 m left each way from x = 500.
    near, far, missing = _polygons(net, "walk", [at(500, 40), at(500, 600), None], 5)
    assert near.bounds[0] - OX == pytest.approx(500 - 360 - WIDTH_M, abs=0.5)
    assert near.bounds[2] - OX == pytest.approx(500 + 360 + WIDTH_M, abs=0.5)
    assert far.is_empty  # 600 m from the street: more than 5 minutes before it starts
    assert missing is None


def test_catchments_frame_has_a_row_per_located_asset_and_category():
    import geopandas as gpd

    net = network(river_town())
    assets = gpd.GeoDataFrame({
        "asset_id": ["a1", "a2", "a3", "a4"], "name": ["Hall", "Library", "Nowhere", "Cafe"],
        "categories": ["befriending;food", "food", "befriending", "other"],
    }, geometry=[at(350, 900), at(1500, 1500), None, at(100, 100)], crs="EPSG:27700")
    catchments = {"befriending": (10.0, "walk", "10 min walk"), "food": (4.0, "cycle", "4 min cycle")}
    calls = []
    frame = catchments_frame(net, assets, catchments, progress=lambda done, total: calls.append((done, total)))
    assert frame.crs.to_epsg() == 27700
    assert list(frame.columns) == ["asset_id", "name", "category", "reach", "minutes", "mode", "geometry"]
    assert frame[["asset_id", "category", "reach", "minutes", "mode"]].values.tolist() == [
        ["a1", "befriending", "10 min walk", 10.0, "walk"], ["a1", "food", "4 min cycle", 4.0, "cycle"],
        ["a2", "food", "4 min cycle", 4.0, "cycle"]]
    assert calls == [(1, 2), (2, 2)]  # one search per (minutes, mode)
    hall_walk = _polygons(net, "walk", [at(350, 900)], 10)[0]
    assert frame.geometry.iloc[0].equals(hall_walk)
    # By bike, 4 min = 1,000 m: the Library at (1500, 1500) reaches east along y = 1500 to x = 2,000, its end.
    assert frame.geometry.iloc[2].bounds[2] - OX == pytest.approx(2000 + WIDTH_M, abs=0.5)
    assert shapely.get_type_id(frame.geometry.to_numpy()).tolist() == [3, 3, 3]  # unioned into one polygon each


def test_catchments_frame_reprojects_assets_given_in_wgs84():
    import geopandas as gpd

    net = network(river_town())
    bng = gpd.GeoDataFrame({"asset_id": ["a1"], "name": ["Hall"], "categories": ["befriending"]},
                           geometry=[at(350, 900)], crs="EPSG:27700")
    catchments = {"befriending": (10.0, "walk", "10 min walk")}
    wgs = catchments_frame(net, bng.to_crs("EPSG:4326"), catchments)
    same = catchments_frame(net, bng, catchments).geometry.iloc[0]
    assert shapely.hausdorff_distance(wgs.geometry.iloc[0], same) < 0.01  # the same, to the round trip's mm


@pytest.mark.parametrize("mode, minutes", [("walk", 10), ("cycle", 3), ("drive", 2)])
def test_the_drawing_agrees_with_the_travel_times_the_measures_use(mode, minutes):
    # Points along the river town's streets (a third of them one-way for bikes and cars), drawn 0.5 m wide:
    # a point is inside its catchment exactly when Router.pairs finds it within the limit (points whose time
    # is within 2 m of travel of the limit left out: the buffer's width).
    rng = np.random.default_rng(19)
    lines = river_town()
    oneway = rng.random(len(lines)) < 1 / 3
    net = network(lines, oneway_cycle=oneway, oneway_drive=oneway)
    router = Router(net, mode)
    snapper = Snapper(net, router.usable)
    asset = snapper.snap(np.array([at(1050, 900)], dtype=object))
    poly = catchment_polygons(router, asset, minutes, width_m=0.5)[0]
    edges = rng.integers(0, net.n_edges, 3000)
    pts = shapely.line_interpolate_point(net.geometry[edges], rng.uniform(0.1, 0.9, len(edges)), normalized=True)
    homes = snapper.snap(pts)
    assert (homes.edge == edges).all() and np.allclose(homes.access_m, 0)
    pairs = router.pairs(homes, asset, 2 * minutes)  # beyond the limit too, to know which are near it
    tau = np.full(len(pts), np.inf)
    tau[pairs.demand] = pairs.minutes * 60
    margin = 2.0 / router.speed[edges]
    clear = np.abs(tau - minutes * 60) > margin
    inside = shapely.contains(poly, pts)
    assert clear.sum() > 2500
    assert (inside[clear] == (tau[clear] <= minutes * 60)).all()
    assert 100 < inside.sum() < 2900  # neither nothing nor everything: the check has teeth
