"""Generate Eastbrook's streets: an OpenStreetMap extract of the fictional borough (SYNTHETIC DATA).

Nothing here describes a real place. The streets are invented around the
bundled example's boundary (``data/boundaries/eastbrook_small_areas.geojson``,
written by ``examples/make_example.py``) so that ``asset-map demo`` can
measure reach along streets without a download: a town of residential
streets, main roads, footpaths and a park, a motorway with two junctions
that nobody may walk along, and a river, the River Ease, crossed by exactly
one bridge (Town Bridge, a main road with pavements). The east bank (the
east of Riverside and of Eastfield, and the country beyond) reaches the rest
of the borough only over that bridge.

The output is deterministic: the same script writes the same bytes (with
the same pyosmium).

    python examples/make_streets.py            # rewrite data/streets/eastbrook_streets.osm.pbf
    python examples/make_streets.py --out DIR  # write it under DIR instead

How the streets are laid out (British National Grid metres; the file holds
WGS84 as every OpenStreetMap extract does):

- a grid of junctions every 150 m, each moved by up to 30 m at random,
  covering the borough and 3 km around it;
- residential streets on every grid line within 800 m of the borough
  (about 7% of the blocks' sides left out, some made footpaths or
  cycleways, a few diagonal footpaths across blocks); outside the town,
  country lanes every 750 m;
- main roads on a few grid lines: one primary road north-south through Old
  Town and one east-west over Town Bridge, secondary roads beside them;
- three one-way streets in Old Town (one tagged ``oneway=-1``, as
  OpenStreetMap allows), a private drive in Northgate (``access=private``),
  a park with a path (Westbury Park);
- a motorway (two one-way carriageways) west of the town with junctions
  (``motorway_link`` slip roads) on the two east-west main roads, which
  cross it on bridges; the lanes that meet it end there;
- the River Ease, a meandering ``waterway=river`` from the north edge to
  the south edge through the east of Riverside and Eastfield: every street
  that would cross it ends at its bank, except Town Bridge.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import osmium
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, shape

SEED = 20261207
ROOT = Path(__file__).resolve().parent.parent
#: The borough's centre in British National Grid (as in make_example.py).
CX, CY = 446_000.0, 282_000.0
SPACING = 150.0  # m between grid junctions
JITTER = 30.0  # m, at most, that a junction moves off the grid
TOWN_M = 800.0  # streets this far beyond the borough boundary
RING_M = 3000.0  # the extract covers this much around the borough
LANE_EVERY = 5  # country lanes on every 5th grid line (750 m)
#: The river's course (offsets from the centre, m), smoothed into meanders.
RIVER = [(4600, 12000), (5000, 9600), (5500, 7000), (5000, 5600), (5600, 4300), (5200, 3000), (5600, 1800),
         (5200, 600), (5450, -300), (5050, -1000), (4950, -1900), (5000, -2700), (5400, -3600), (5300, -4800),
         (6200, -6500), (6000, -9000), (6300, -12000)]
#: Main roads: (kind, "row" (east-west) or "col" (north-south), offset from the centre, name).
MAIN_ROADS = [("primary", "row", 1900.0, "Bridge Road"), ("primary", "col", 0.0, "London Road"),
              ("secondary", "row", -2600.0, "Moor Road"), ("secondary", "col", -3000.0, "Westbury Road"),
              ("secondary", "col", 3000.0, "Wharf Road")]
MAXSPEED = {"primary": "30 mph", "secondary": "30 mph", "unclassified": "60 mph"}
PARK_CENTRE = (-4700.0, 700.0)  # Westbury Park, offset from the centre (m)
PARK_HALF = (330.0, 250.0)  # half width and height (m)


def read_border(path: Path):
    """The borough's outline in British National Grid, from the small areas' GeoJSON (WGS84)."""
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    polys = [shape(f["geometry"]) for f in features]
    border = shapely.union_all(polys).buffer(1.0).buffer(-1.0)
    return shapely.transform(border, lambda xy: _stack(*to_bng.transform(xy[:, 0], xy[:, 1])))


def _stack(xs, ys):
    import numpy as np

    return np.column_stack([xs, ys])


def river_line() -> LineString:
    """The River Ease: :data:`RIVER` smoothed by four rounds of Chaikin's corner cutting."""
    pts = [(CX + dx, CY + dy) for dx, dy in RIVER]
    for _ in range(4):
        cut = [pts[0]]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            cut += [(0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1), (0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1)]
        pts = cut + [pts[-1]]
    return LineString([(round(x, 1), round(y, 1)) for x, y in pts])


class Grid:
    """Jittered grid junctions over the borough plus :data:`RING_M`; node id of (i, j) = j × nx + i + 1."""

    def __init__(self, border, rng: random.Random):
        x0, y0, x1, y1 = border.bounds
        self.x0 = math.floor((x0 - RING_M) / SPACING) * SPACING
        self.y0 = math.floor((y0 - RING_M) / SPACING) * SPACING
        self.nx = int(math.ceil((x1 + RING_M - self.x0) / SPACING)) + 1
        self.ny = int(math.ceil((y1 + RING_M - self.y0) / SPACING)) + 1
        self.xy = {}
        for j in range(self.ny):
            for i in range(self.nx):
                self.xy[(i, j)] = (round(self.x0 + i * SPACING + rng.uniform(-JITTER, JITTER), 1),
                                   round(self.y0 + j * SPACING + rng.uniform(-JITTER, JITTER), 1))
        town = border.buffer(TOWN_M)
        self.town = {ij for ij, (x, y) in self.xy.items() if town.contains(Point(x, y))}

    def node_id(self, ij) -> int:
        return ij[1] * self.nx + ij[0] + 1

    def index(self, axis: str, offset: float) -> int:
        """The grid line (row for ``"row"``, column for ``"col"``) nearest ``offset`` m from the centre."""
        if axis == "row":
            return round((CY + offset - self.y0) / SPACING)
        return round((CX + offset - self.x0) / SPACING)


def grid_edges(grid: Grid, rng: random.Random):
    """Every grid edge that carries a street: ((i, j), (i2, j2), highway, name), in a fixed order.

    Main roads on their grid lines; residential streets where both ends are
    in town (7% of them left out, 3% footpaths and 1% cycleways); country
    lanes (``unclassified``) on every :data:`LANE_EVERY`-th line elsewhere.
    """
    main = {(axis, grid.index(axis, off)): (kind, name) for kind, axis, off, name in MAIN_ROADS}
    edges = []
    for axis, (di, dj) in (("row", (1, 0)), ("col", (0, 1))):
        lines = range(grid.ny) if axis == "row" else range(grid.nx)
        for line in lines:
            steps = range(grid.nx - 1) if axis == "row" else range(grid.ny - 1)
            for k in steps:
                a = (k, line) if axis == "row" else (line, k)
                b = (a[0] + di, a[1] + dj)
                r = rng.random()
                if (axis, line) in main:
                    kind, name = main[(axis, line)]
                elif a in grid.town and b in grid.town:
                    if r < 0.07:
                        continue
                    kind = "footway" if r < 0.10 else "cycleway" if r < 0.11 else "residential"
                    name = None
                elif line % LANE_EVERY == 0:
                    kind, name = "unclassified", None
                else:
                    continue
                edges.append((a, b, kind, name))
    return edges


def diagonal_paths(grid: Grid, rng: random.Random):
    """Footpaths across 4% of the town's blocks, corner to opposite corner."""
    out = []
    for j in range(grid.ny - 1):
        for i in range(grid.nx - 1):
            a, b = (i, j), (i + 1, j + 1)
            if rng.random() < 0.04 and a in grid.town and b in grid.town:
                out.append((a, b, "footway", None))
    return out


class Streets:
    """Nodes (id → BNG x, y) and ways ([node ids], tags) as they will be written."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.nodes: dict[int, tuple[float, float]] = {}
        self.ways: list[tuple[list[int], dict[str, str]]] = []
        self._next_id = grid.nx * grid.ny + 1

    def node(self, x: float, y: float) -> int:
        """A new node that is not a grid junction."""
        nid, self._next_id = self._next_id, self._next_id + 1
        self.nodes[nid] = (round(x, 1), round(y, 1))
        return nid

    def grid_node(self, ij) -> int:
        nid = self.grid.node_id(ij)
        self.nodes[nid] = self.grid.xy[ij]
        return nid

    def way(self, ids: list[int], tags: dict[str, str]) -> None:
        self.ways.append((ids, tags))

    def line(self, ids: list[int]) -> LineString:
        return LineString([self.nodes[i] for i in ids])


def street_tags(kind: str, name: str | None) -> dict[str, str]:
    tags = {"highway": kind}
    if name:
        tags["name"] = name
    if kind in MAXSPEED:
        tags["maxspeed"] = MAXSPEED[kind]
    return tags


def motorway(grid: Grid, streets: Streets) -> list[tuple[str, LineString, list[int]]]:
    """Two one-way carriageways of the M99 west of the town, 30 m apart, gently curving.

    Returns (direction, line, node ids) for the northbound and southbound
    carriageways; the ways are added to ``streets`` in runs of 8 nodes.
    """
    xm = grid.x0 + 1400.0
    ys = [grid.y0 - 100.0 + 300.0 * k for k in range(int((grid.ny * SPACING + 200) / 300) + 1)]
    out = []
    for direction, side, order in (("northbound", 15.0, ys), ("southbound", -15.0, ys[::-1])):
        ids = [streets.node(xm + 200.0 * math.sin(y / 3000.0) + side, y) for y in order]
        for k in range(0, len(ids) - 1, 7):
            streets.way(ids[k:k + 8], {"highway": "motorway", "ref": "M99", "oneway": "yes", "maxspeed": "70 mph"})
        out.append((direction, streets.line(ids), ids))
    return out


def junction(streets: Streets, carriageways, row_y: float, west: int, east: int) -> None:
    """Slip roads (``motorway_link``, one-way) between the carriageways and the grid junctions beside them.

    Northbound leaves two nodes before ``row_y`` for the east junction and
    rejoins two nodes after it; southbound likewise on the west side.
    """
    for direction, _line, ids in carriageways:
        ys = [streets.nodes[i][1] for i in ids]
        if direction == "northbound":
            k = max(n for n, y in enumerate(ys) if y < row_y)
            off, on, side = ids[k - 1], ids[k + 2], east
        else:
            k = max(n for n, y in enumerate(ys) if y > row_y)
            off, on, side = ids[k - 1], ids[k + 2], west
        tags = {"highway": "motorway_link", "oneway": "yes"}
        streets.way([off, side], dict(tags))
        streets.way([side, on], dict(tags))


def park_area():
    """Westbury Park's outline: a rectangle round :data:`PARK_CENTRE` (no streets inside but its path)."""
    px, py = CX + PARK_CENTRE[0], CY + PARK_CENTRE[1]
    return shapely.box(px - PARK_HALF[0], py - PARK_HALF[1], px + PARK_HALF[0], py + PARK_HALF[1])


def park(grid: Grid, streets: Streets, kept_ends: set, area) -> None:
    """Westbury Park: a ``leisure=park`` area with a path round it, joined to the streets east and west."""
    px, py = CX + PARK_CENTRE[0], CY + PARK_CENTRE[1]
    hw, hh = PARK_HALF
    ring = [streets.node(px + 0.7 * hw * math.cos(2 * math.pi * k / 12), py + 0.7 * hh * math.sin(2 * math.pi * k / 12))
            for k in range(12)]
    streets.way(ring + ring[:1], {"highway": "path", "name": "Park Walk", "foot": "designated"})
    for k, gx in ((0, px + hw + SPACING / 2), (6, px - hw - SPACING / 2)):
        end = min(kept_ends, key=lambda ij: (grid.xy[ij][0] - gx) ** 2 + (grid.xy[ij][1] - py) ** 2)
        streets.way([ring[k], streets.grid_node(end)], {"highway": "footway"})
    corners = [streets.node(x, y) for x, y in area.exterior.coords[:-1]]
    streets.way(corners + corners[:1], {"leisure": "park", "name": "Westbury Park"})


def place_segments(grid: Grid, segments, area, river: LineString, carriageways: list[LineString]):
    """Keep the segments the rules allow, each as (a, b, highway, name, special).

    Dropped: streets inside the park (main roads pass), every segment that
    crosses the river but the first of Bridge Road (``special="bridge"``),
    and every segment that crosses the motorway except east-west roads and
    lanes, which pass over it (``special="over"``).
    """
    lines = [LineString([grid.xy[a], grid.xy[b]]) for a, b, *_ in segments]
    in_park = shapely.intersects(lines, area)
    over_river = shapely.intersects(lines, river)
    over_motorway = shapely.intersects(lines, shapely.MultiLineString(carriageways))
    out, bridged = [], False
    for (a, b, kind, name), p, r, m in zip(segments, in_park, over_river, over_motorway):
        if p and kind not in ("primary", "secondary"):
            continue
        if r:
            if name == "Bridge Road" and not bridged:
                out.append((a, b, kind, name, "bridge"))
                bridged = True
            continue
        if m:
            if a[1] == b[1] and kind in ("primary", "secondary", "unclassified"):
                out.append((a, b, kind, name, "over"))
            continue
        out.append((a, b, kind, name, None))
    return out


SPECIAL_TAGS = {"bridge": {"name": "Town Bridge", "bridge": "yes", "layer": "1", "sidewalk": "both"},
                "over": {"bridge": "yes", "layer": "1"}}


def add_grid_ways(streets: Streets, segments, rng: random.Random) -> None:
    """Consecutive segments of one street on one grid line become a way of 3-7 blocks; bridges are ways of their own."""
    run: list = []

    def flush():
        if run:
            ids = [streets.grid_node(run[0][0])] + [streets.grid_node(s[1]) for s in run]
            streets.way(ids, {**street_tags(run[0][2], run[0][3]), **SPECIAL_TAGS.get(run[0][4], {})})
            run.clear()

    limit = rng.randint(3, 7)
    for seg in segments:
        if run and (run[-1][1] != seg[0] or run[-1][2:4] != seg[2:4] or len(run) >= limit or seg[4] or run[-1][4]):
            flush()
            limit = rng.randint(3, 7)
        run.append(seg)
    flush()


def one_way_streets(streets: Streets, rng: random.Random) -> None:
    """Three residential ways within 1.2 km of the centre become one-way (the third ``oneway=-1``)."""
    near = [k for k, (ids, tags) in enumerate(streets.ways) if tags.get("highway") == "residential"
            and all(math.dist(streets.nodes[i], (CX, CY)) < 1200 for i in ids)]
    for k, value in zip(rng.sample(near, 3), ("yes", "yes", "-1")):
        streets.ways[k][1]["oneway"] = value


def private_drive(streets: Streets, kept_ends: set) -> None:
    """A private service road into a block in Northgate (``access=private``)."""
    grid = streets.grid
    target = (CX - 1500 + 10, CY + 4200 + 10)
    g = min(kept_ends, key=lambda ij: math.dist(grid.xy[ij], target))
    gx, gy = grid.xy[g]
    ids = [streets.grid_node(g), streets.node(gx + 70, gy + 75), streets.node(gx + 45, gy + 115)]
    streets.way(ids, {"highway": "service", "access": "private", "name": "Foundry Works"})


def motorway_junctions(streets: Streets, segments, carriageways) -> None:
    """Junctions where Bridge Road and Moor Road pass over the motorway."""
    for name in ("Bridge Road", "Moor Road"):
        over = [s for s in segments if s[3] == name and s[4] == "over"]
        west, east = streets.grid_node(over[0][0]), streets.grid_node(over[-1][1])
        junction(streets, carriageways, streets.nodes[west][1], west, east)


def lay_out(border) -> tuple[Streets, list[int]]:
    """Every node and way of the extract; returns the streets and the river's node ids."""
    rng = random.Random(SEED)
    grid = Grid(border, rng)
    streets = Streets(grid)
    river = river_line()
    area = park_area()
    carriageways = motorway(grid, streets)
    segments = place_segments(grid, grid_edges(grid, rng) + diagonal_paths(grid, rng), area, river,
                              [c[1] for c in carriageways])
    add_grid_ways(streets, segments, rng)
    one_way_streets(streets, rng)
    kept_ends = {ij for s in segments for ij in s[:2]}
    motorway_junctions(streets, segments, carriageways)
    park(grid, streets, kept_ends, area)
    private_drive(streets, kept_ends)
    extent = shapely.box(grid.x0 - 100, grid.y0 - 100, grid.x0 + grid.nx * SPACING, grid.y0 + grid.ny * SPACING)
    course = river.intersection(extent)
    river_ids = [streets.node(x, y) for x, y in course.coords]
    streets.way(river_ids, {"waterway": "river", "name": "River Ease"})
    check_one_crossing(streets, course)
    return streets, river_ids


def check_one_crossing(streets: Streets, river: LineString) -> None:
    """Refuse to write an extract where any street but Town Bridge meets the river."""
    crossing = [tags for ids, tags in streets.ways
                if "highway" in tags and streets.line(ids).intersects(river)]
    if [t.get("name") for t in crossing] != ["Town Bridge"]:
        raise RuntimeError(f"the river must be crossed by Town Bridge alone, not by {crossing}")


def write_pbf(streets: Streets, path: Path) -> None:
    """Nodes (WGS84, 7 decimals as in OpenStreetMap) then ways, ids ascending, no metadata."""
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    ids = sorted(streets.nodes)
    lon, lat = to_wgs.transform([streets.nodes[i][0] for i in ids], [streets.nodes[i][1] for i in ids])
    header = osmium.io.Header()
    header.set("generator", "asset-map examples/make_streets.py")
    header.add_box(osmium.osm.Box(round(min(lon), 7), round(min(lat), 7), round(max(lon), 7), round(max(lat), 7)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(osmium.io.File(str(path), "pbf,add_metadata=false"), header=header)
    try:
        for nid, x, y in zip(ids, lon, lat):
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(round(x, 7), round(y, 7))))
        for wid, (nodes, tags) in enumerate(streets.ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=nodes, tags=tags))
    finally:
        writer.close()


def build(out_root: Path) -> Path:
    """Write ``data/streets/eastbrook_streets.osm.pbf`` under ``out_root`` from the committed boundary."""
    border = read_border(ROOT / "data" / "boundaries" / "eastbrook_small_areas.geojson")
    streets, _river = lay_out(border)
    path = out_root / "data" / "streets" / "eastbrook_streets.osm.pbf"
    write_pbf(streets, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="Root folder to write under (default: the repository).")
    args = parser.parse_args()
    print(build(args.out))


if __name__ == "__main__":
    main()
