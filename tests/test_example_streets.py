"""Eastbrook's synthetic streets (data/streets/eastbrook_streets.osm.pbf): read back with osmium.

The file is made by examples/make_streets.py; these tests read it as any
OpenStreetMap extract is read and check what the example promises: one
river, crossed by one bridge only, streets in every neighbourhood, the
tags a street network's reader must handle, and a detour over the bridge
that a straight line does not see.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys

import pytest

from conftest import PROJECT

pytestmark = pytest.mark.gpkg_only  # reads files and rules only: nothing differs between stores

PBF = PROJECT / "data" / "streets" / "eastbrook_streets.osm.pbf"
BOUNDARIES = PROJECT / "data" / "boundaries"
NOT_WALKED = {"motorway", "motorway_link"}


@pytest.fixture(scope="module")
def extract():
    """Every way as (tags, [(node id, lon, lat), ...]), in file order."""
    import osmium

    ways = []
    for obj in osmium.FileProcessor(str(PBF)).with_locations():
        if obj.is_way():
            ways.append((dict(obj.tags), [(n.ref, n.lon, n.lat) for n in obj.nodes]))
    return ways


def _bng(points):
    """British National Grid (x, y) of [(id, lon, lat), ...]."""
    from pyproj import Transformer

    xs, ys = Transformer.from_crs(4326, 27700, always_xy=True).transform([p[1] for p in points],
                                                                          [p[2] for p in points])
    return list(zip(xs, ys))


def _content(path):
    """Every node (id, lon, lat) and way (id, node ids, tags) of an extract, in file order."""
    import osmium

    out = []
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            out.append(("n", obj.id, obj.location.lon, obj.location.lat))
        elif obj.is_way():
            out.append(("w", obj.id, tuple(n.ref for n in obj.nodes), tuple(sorted(dict(obj.tags).items()))))
    return out


def test_the_generator_rewrites_the_committed_file(tmp_path):
    """The same nodes, ways and tags; the same bytes too with the pyosmium that wrote the committed file
    (another version may encode the same content differently, so bytes are not compared)."""
    subprocess.run([sys.executable, str(PROJECT / "examples" / "make_streets.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    fresh = _content(tmp_path / "data" / "streets" / "eastbrook_streets.osm.pbf")
    assert len(fresh) > 17_000
    assert fresh == _content(PBF)
    assert PBF.stat().st_size < 2_000_000


def test_one_river_and_one_bridge_over_it(extract):
    from shapely.geometry import LineString

    rivers = [nodes for tags, nodes in extract if tags.get("waterway") == "river"]
    assert len(rivers) == 1
    river = LineString([(lon, lat) for _, lon, lat in rivers[0]])
    crossing = [tags for tags, nodes in extract
                if "highway" in tags and LineString([(lon, lat) for _, lon, lat in nodes]).intersects(river)]
    assert len(crossing) == 1
    bridge = crossing[0]
    assert (bridge["name"], bridge["bridge"], bridge["highway"], bridge["sidewalk"]) == (
        "Town Bridge", "yes", "primary", "both")


def test_every_neighbourhood_has_streets(extract):
    import geopandas as gpd
    import pandas as pd
    import shapely
    from shapely.geometry import LineString

    areas = gpd.read_file(BOUNDARIES / "eastbrook_small_areas.geojson")
    lookup = pd.read_csv(BOUNDARIES / "eastbrook_neighbourhood_lookup.csv")
    hoods = areas.merge(lookup, on="sa_code").dissolve("neighbourhood_name")
    lines = [LineString([(lon, lat) for _, lon, lat in nodes]) for tags, nodes in extract
             if tags.get("highway") == "residential"]
    counts = {name: int(shapely.intersects(lines, geom).sum()) for name, geom in hoods.geometry.items()}
    assert sorted(counts) == ["Eastfield", "Northgate", "Old Town", "Riverside", "Southmoor", "Westbury Park"]
    assert min(counts.values()) > 200, counts


def test_the_tags_a_reader_must_handle_are_there(extract):
    def count(**want):
        return sum(all(tags.get(k) == v for k, v in want.items()) for tags, _ in extract)

    assert count(highway="motorway", oneway="yes") == count(highway="motorway") > 0
    assert count(highway="motorway_link", oneway="yes") == 8  # two junctions, four slip roads each
    assert not any(tags.get("sidewalk") or tags.get("foot") for tags, _ in extract
                   if tags.get("highway") in NOT_WALKED)
    assert count(highway="residential", oneway="yes") == 2 and count(highway="residential", oneway="-1") == 1
    assert count(highway="service", access="private") == 1
    assert count(highway="path", name="Park Walk") == 1 and count(leisure="park") == 1
    assert count(highway="footway") > 100 and count(highway="cycleway") > 10
    assert count(highway="primary") > 0 and count(highway="secondary") > 0


def _walk_graph(extract):
    """Walkable edges (every highway but motorways and private roads) as a scipy matrix of metres.

    Parallel edges between the same two nodes keep the shortest, not their sum.
    """
    import numpy as np
    from scipy.sparse import coo_matrix

    walked = [nodes for tags, nodes in extract
              if tags.get("highway") and tags["highway"] not in NOT_WALKED and tags.get("access") != "private"]
    where = dict(zip((ref for nodes in walked for ref, *_ in nodes), _bng([p for nodes in walked for p in nodes])))
    index = {ref: k for k, ref in enumerate(where)}
    best = {}
    for nodes in walked:
        for (a, *_), (b, *_) in zip(nodes, nodes[1:]):
            key = (index[a], index[b]) if index[a] < index[b] else (index[b], index[a])
            best[key] = min(best.get(key, math.inf), math.dist(where[a], where[b]))
    xy = list(where.values())
    (u, v), w = zip(*best.keys()), list(best.values())
    n = len(xy)
    return coo_matrix((w + w, (list(u) + list(v), list(v) + list(u))), shape=(n, n)).tocsr(), np.array(xy)


def _asset(name):
    """An asset's British National Grid point, from examples/eastbrook_assets.csv."""
    from pyproj import Transformer

    with open(PROJECT / "examples" / "eastbrook_assets.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == name)
    return Transformer.from_crs(4326, 27700, always_xy=True).transform(float(row["Longitude"]),
                                                                       float(row["Latitude"]))


def test_eastfield_02_is_across_the_river_from_its_nearest_dementia_group(extract):
    """The small area's point (its centroid, inside it) is 550 m from Singing for the Brain Eastfield in a
    straight line; on foot the way round is by Town Bridge, 3.9 km north: more than 5 km."""
    import geopandas as gpd
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    areas = gpd.read_file(BOUNDARIES / "eastbrook_small_areas.geojson").to_crs(27700)
    shape = areas.loc[areas["sa_name"] == "Eastfield 02", "geometry"].iloc[0]
    assert shape.contains(shape.centroid)
    point = (shape.centroid.x, shape.centroid.y)
    group = _asset("Singing for the Brain Eastfield")
    graph, xy = _walk_graph(extract)
    na, nb = (int(np.argmin(np.hypot(*(xy - p).T))) for p in (point, group))
    assert 540 < math.dist(point, group) < 560
    assert dijkstra(graph, directed=False, indices=na)[nb] > 5000


def test_from_the_east_bank_walkers_go_round_by_the_bridge(extract):
    """Riverside's friendship group (east bank) to its Singing for the Brain (west bank, 1.1 km away).

    The only way over is Town Bridge, so the walk is at least the straight
    lines to the bridge and from it: |A - bridge| + |bridge - B|.
    """
    import numpy as np
    from scipy.sparse.csgraph import connected_components, dijkstra

    graph, xy = _walk_graph(extract)
    a = _asset("Riverside Friendship Group")
    b = _asset("Singing for the Brain Riverside")
    bridge = next(_bng(nodes) for tags, nodes in extract if tags.get("name") == "Town Bridge")
    mid = np.mean(bridge, axis=0)
    na, nb = (int(np.argmin(np.hypot(*(xy - p).T))) for p in (a, b))
    walk = dijkstra(graph, directed=False, indices=na)[nb]
    straight = math.dist(xy[na], xy[nb])
    via_bridge = math.dist(xy[na], mid) + math.dist(mid, xy[nb])
    assert 1000 < straight < 1300
    assert via_bridge > 5000
    assert via_bridge - 100 < walk < 1.5 * via_bridge  # round by the bridge, on streets not much longer than lines
    # Without the bridge the two banks do not meet at all.
    bridge_nodes = [int(np.argmin(np.hypot(*(xy - p).T))) for p in bridge]
    cut = graph.tolil()
    cut[bridge_nodes[0], bridge_nodes[1]] = 0
    cut[bridge_nodes[1], bridge_nodes[0]] = 0
    _, label = connected_components(cut.tocsr(), directed=False)
    assert label[na] != label[nb]
