"""Reading an OpenStreetMap extract (``.osm.pbf``) into a :class:`~asset_map.network.graph.StreetNetwork`.

One pass with pyosmium (libosmium's reader, with the nodes' locations kept
in memory as the file streams) keeps every way with a ``highway`` tag that
some mode may use (:func:`asset_map.network.profiles.way_rules`); a way
tagged ``oneway=-1`` is read backwards, so that one-way is always ``u → v``.

Then, with numpy:

- **split**: each way is cut into edges at its ends and at every node
  another kept way (or the way itself, a loop) also passes through, so
  edges meet only at junctions. A node whose location the extract lacks
  (a way leaving the extract) ends the way there;
- **length**: geodesic, on the WGS84 ellipsoid (:class:`pyproj.Geod`), summed
  over the edge's segments from longitude and latitude, so it is right
  wherever the extract is;
- **geometry**: projected to British National Grid (EPSG:27700);
- **clip**: with ``clip`` (a polygon in BNG, the study area buffered by a
  margin) an edge is kept when at least one of its vertices lies inside
  it, so streets that cross the border are kept whole;
- **nodes**: the ends of the kept edges, numbered from 0; the extract's
  other nodes are dropped.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..errors import NetworkError
from .graph import StreetNetwork
from .profiles import PROFILES_VERSION, WayRules, way_rules

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from shapely.geometry.base import BaseGeometry

#: ``progress(step, done, total)``; ``total`` 0 when unknown.
Progress = Callable[[str, int, int], None]
#: Ways between two calls of the progress callback while reading.
PROGRESS_EVERY = 20_000
#: The first bytes of every PBF file hold a block header naming the block ``OSMHeader``.
_PBF_MAGIC = b"OSMHeader"


class _Ways:
    """The kept ways as flat arrays: each way's node ids and locations one after the other."""

    def __init__(self) -> None:
        import osmium

        self._no_location = osmium.InvalidLocationError  # a node the extract does not hold
        self.refs = array("q")
        self.lon = array("d")
        self.lat = array("d")
        self.starts = array("q")  # index into refs of each way's first node
        self.osm_id = array("q")
        self.rules: list = []
        self.highway: list[str] = []
        self.name: list[str | None] = []
        self.read = 0  # ways with a highway tag, used or not

    def add(self, way, rules) -> None:
        """Add a way's nodes (backwards when ``rules.reverse``), one part per run of nodes with a location."""
        try:  # every node located: the usual case, read in one go
            runs = [[(n.ref, n.lon, n.lat) for n in way.nodes]]
        except self._no_location:  # a way leaving the extract: the runs of located nodes
            runs = [[]]
            for n in way.nodes:
                if n.location.valid():
                    runs[-1].append((n.ref, n.lon, n.lat))
                elif runs[-1]:
                    runs.append([])
        for run in runs:
            if len(run) < 2:
                continue
            if rules.reverse:
                run.reverse()
            refs, lon, lat = zip(*run)
            self.starts.append(len(self.refs))
            self.refs.extend(refs)
            self.lon.extend(lon)
            self.lat.extend(lat)
            self.osm_id.append(way.id)
            self.rules.append(rules)
            self.highway.append(way.tags.get("highway"))
            self.name.append(way.tags.get("name", None))


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_pbf(path: Path) -> None:
    """Refuse, in one line, a path that is not an OpenStreetMap PBF extract."""
    if path.is_dir():
        raise NetworkError(f"{path} is a folder: give the OpenStreetMap extract in it (a .osm.pbf file)")
    if not path.is_file():
        raise NetworkError(f"{path}: no such file; give an OpenStreetMap extract (.osm.pbf), e.g. from "
                           "https://download.geofabrik.de")
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise NetworkError(f"{path}: cannot be read ({exc.strerror}); check that you may read it") from None
    if _PBF_MAGIC not in head[:32]:
        raise NetworkError(f"{path}: not an OpenStreetMap PBF extract (.osm.pbf); download one, e.g. "
                           "greater-manchester-latest.osm.pbf from https://download.geofabrik.de")


def read_ways(path: Path, progress: Progress | None = None) -> _Ways:
    """Every usable highway way of the extract with its nodes' locations (one pass)."""
    import osmium

    ways = _Ways()
    processor = (osmium.FileProcessor(osmium.io.File(str(path), "pbf"))
                 .with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway")))
    if progress:  # the nodes come first: their locations are kept, nothing else to count
        progress("reading nodes, then ways", 0, 0)
    try:
        for way in processor:
            ways.read += 1
            rules = way_rules(way.tags)
            if rules is not None:
                ways.add(way, rules)
            if progress and ways.read % PROGRESS_EVERY == 0:
                progress("reading ways", ways.read, 0)
    except RuntimeError as exc:
        raise NetworkError(f"{path}: cannot be read as an OpenStreetMap extract ({exc}); download it again"
                           ) from None
    if progress:
        progress("reading ways", ways.read, ways.read)
    return ways


class PbfNetwork(NamedTuple):
    """What :func:`read_pbf` gives: the network, what OSM calls its nodes and edges, and the counts read."""

    network: StreetNetwork
    osm_node: "np.ndarray"  # each node's OSM id
    osm_way: "np.ndarray"  # each edge's way's OSM id
    name: "np.ndarray"  # each edge's street name (None where it has none)
    ways_read: int  # ways with a highway tag
    ways_used: int  # those some mode may use (a way cut by the extract's edge counts once)
    edges_split: int  # edges before clipping


def read_pbf(path: str | os.PathLike, *, clip: "BaseGeometry | None" = None,
             progress: Progress | None = None) -> PbfNetwork:
    """The street network of an OSM extract, clipped to ``clip`` (BNG) if given.

    Raises
    ------
    NetworkError
        If the file is not a PBF extract or cannot be read, or holds no street any mode may use.
    """
    path = Path(path)
    check_pbf(path)
    ways = read_ways(path, progress)
    if not ways.rules:
        raise NetworkError(f"{path}: no streets in this extract ({ways.read} ways with a highway tag, none usable "
                           "on foot, by bike or by car); download the extract that covers the study area")
    if progress:
        progress("splitting at junctions", 0, 0)
    read = _split(ways, clip)
    read.network.source.update({"file": path.name, "bytes": path.stat().st_size, "sha256": file_digest(path),
                                "profiles": PROFILES_VERSION})
    return read


def _split(ways: _Ways, clip: "BaseGeometry | None") -> PbfNetwork:
    """Cut the ways into edges at shared nodes, measure, project and clip them (see the module's notes)."""
    import numpy as np
    from pyproj import Geod

    from ..geo import lonlat_to_bng

    refs = np.frombuffer(ways.refs, dtype=np.int64)
    lon, lat = np.frombuffer(ways.lon, dtype=float), np.frombuffer(ways.lat, dtype=float)
    starts = np.frombuffer(ways.starts, dtype=np.int64)
    n = len(refs)
    way_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    split = counts[inverse] > 1
    split[starts] = True
    split[np.append(starts[1:], n) - 1] = True
    at = np.flatnonzero(split)
    same = way_of[at[:-1]] == way_of[at[1:]]
    first, last = at[:-1][same], at[1:][same]  # each edge: positions first..last of one way
    _, _, seg = Geod(ellps="WGS84").inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    along = np.concatenate([[0.0], np.cumsum(seg)])
    x, y = lonlat_to_bng(lon, lat)
    n_vertices = last - first + 1
    offsets = np.append(0, np.cumsum(n_vertices)[:-1])
    vertex = np.repeat(first - offsets, n_vertices) + np.arange(n_vertices.sum())
    keep = np.ones(len(first), dtype=bool)
    if clip is not None:
        import shapely

        shapely.prepare(clip)
        inside = shapely.contains_xy(clip, x[vertex], y[vertex])
        keep = np.logical_or.reduceat(inside, offsets)
    edges = _Edges(first[keep], last[keep], (along[last] - along[first])[keep], vertex[np.repeat(keep, n_vertices)],
                   n_vertices[keep])
    net, osm_node = _network(ways, refs, np.asarray(x), np.asarray(y), way_of, edges)
    way = way_of[edges.first]
    return PbfNetwork(net, osm_node, np.frombuffer(ways.osm_id, dtype=np.int64)[way],
                      np.array(ways.name, dtype=object)[way], ways.read, len(set(ways.osm_id)),
                      len(first))


class _Edges(NamedTuple):
    """The kept edges: first and last positions in the ways' arrays, length, their vertices' positions."""

    first: "np.ndarray"
    last: "np.ndarray"
    length: "np.ndarray"
    vertex: "np.ndarray"
    n_vertices: "np.ndarray"


def _network(ways: _Ways, refs, x, y, way_of, edges: _Edges) -> "tuple[StreetNetwork, np.ndarray]":
    """The kept edges as a :class:`StreetNetwork` (nodes numbered, per-way rules spread over their edges)
    and each node's OSM id."""
    import numpy as np
    import shapely

    k = len(edges.first)
    osm_node, ends = np.unique(np.concatenate([refs[edges.first], refs[edges.last]]), return_inverse=True)
    position = np.zeros(len(osm_node), dtype=np.int64)
    position[ends] = np.concatenate([edges.first, edges.last])
    way = way_of[edges.first]
    rules = np.array(ways.rules, dtype=float).reshape(-1, len(WayRules._fields))[way]  # one row per edge
    column = {name: rules[:, i].astype(float if name == "drive_kmh" else bool)
              for i, name in enumerate(WayRules._fields) if name != "reverse"}
    geometry = np.empty(k, dtype=object)
    if k:
        geometry[:] = shapely.linestrings(x[edges.vertex], y[edges.vertex],
                                          indices=np.repeat(np.arange(k), edges.n_vertices))
    net = StreetNetwork(
        x=x[position], y=y[position], u=ends[:k].astype(np.intp), v=ends[k:].astype(np.intp),
        length_m=np.asarray(edges.length, dtype=float), **column,
        highway=np.array(ways.highway, dtype=object)[way], geometry=geometry)
    return net, osm_node
