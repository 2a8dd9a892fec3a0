"""The gap measures on a street network at a borough's scale, against the straight line.

Builds in memory (seeded) a town of streets: a square grid of S × S
junctions every 80 m with a river across it crossed by a few bridges, some
one-way streets and footpaths only for walkers, with P small-area points
(LSOA-like, 1,500 residents each) and N assets over the taxonomy's 21
categories with its default travel times (walk, cycle and drive). Then times
``compute_gaps`` (robust, as ``asset-map gaps`` runs it) by the straight line
and on the network, and prints the seconds, the pairs found and the peak
memory (``ru_maxrss``). Nothing is asserted.

    python bench/network_gaps.py                  # 300 x 300 junctions (90,000; ~180,000 edges), 1,700 points
    python bench/network_gaps.py --size 120 --points 300 --assets 600   # quick
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asset_map.analysis.gaps import compute_gaps  # noqa: E402
from asset_map.categories.taxonomy import load_taxonomy  # noqa: E402
from asset_map.network.graph import StreetNetwork  # noqa: E402
from asset_map.store import Table  # noqa: E402

X0, Y0, STEP = 380_000.0, 390_000.0, 80.0


def town(size: int, rng: np.random.Generator) -> StreetNetwork:
    """A grid of ``size`` × ``size`` junctions; the river between rows size/2 and size/2 + 1, four bridges."""
    idx = np.arange(size * size).reshape(size, size)  # [row, col]
    x = (X0 + STEP * np.tile(np.arange(size), size)).astype(float)
    y = (Y0 + STEP * np.repeat(np.arange(size), size)).astype(float)
    east_u, east_v = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    north_u, north_v = idx[:-1, :].ravel(), idx[1:, :].ravel()
    river = size // 2
    bridges = set(np.linspace(0, size - 1, 6).astype(int)[1:-1].tolist())
    keep = np.array([not (r == river and c not in bridges) for r in range(size - 1) for c in range(size)])
    u = np.concatenate([east_u, north_u[keep]])
    v = np.concatenate([east_v, north_v[keep]])
    n = len(u)
    walk_only = rng.random(n) < 0.1
    return StreetNetwork(
        x=x, y=y, u=u.astype(np.intp), v=v.astype(np.intp), length_m=np.full(n, STEP),
        walk=np.ones(n, dtype=bool), cycle=~walk_only, drive=~walk_only,
        drive_kmh=np.where(walk_only, np.nan, rng.choice([32.0, 48.0, 64.0], n)),
        oneway_drive=(rng.random(n) < 0.05) & ~walk_only, oneway_cycle=np.zeros(n, dtype=bool),
        highway=np.full(n, "residential", dtype=object), geometry=None,
    )


def inputs(size: int, n_points: int, n_assets: int, rng: np.random.Generator):
    """Areas (a 4 × 4 grid of neighbourhoods), small-area points and assets over the town."""
    side = STEP * (size - 1)
    cells = [shapely.box(X0 + i * side / 4, Y0 + j * side / 4, X0 + (i + 1) * side / 4, Y0 + (j + 1) * side / 4)
             for j in range(4) for i in range(4)]
    codes = [f"A{k:02d}" for k in range(16)]
    areas = Table({"area_code": codes, "area_name": codes, "all_ages": [n_points * 1500 / 16] * 16},
                  np.array(cells, dtype=object))
    pts = shapely.points(rng.uniform(X0, X0 + side, n_points), rng.uniform(Y0, Y0 + side, n_points))
    tree = shapely.STRtree(np.array(cells, dtype=object))
    area_of = lambda p: codes[int(tree.query(p, predicate="intersects")[0])]  # noqa: E731
    pop = Table({"code": [f"S{k}" for k in range(n_points)], "area_code": [area_of(p) for p in pts],
                 "all_ages": [1500.0] * n_points}, pts)
    tax = load_taxonomy()
    a_pts = shapely.points(rng.uniform(X0, X0 + side, n_assets), rng.uniform(Y0, Y0 + side, n_assets))
    assets = Table({"categories": rng.choice(tax.ids, n_assets).tolist(), "area_code": [area_of(p) for p in a_pts]},
                   a_pts)
    return areas, assets, pop, tax


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=300, help="junctions along each side of the grid")
    ap.add_argument("--points", type=int, default=1700, help="small-area points (LSOA-like)")
    ap.add_argument("--assets", type=int, default=3000)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    net = town(args.size, rng)
    areas, assets, pop, tax = inputs(args.size, args.points, args.assets, rng)
    print(f"network: {net.n_nodes:,} junctions, {net.n_edges:,} edges; {args.points:,} small-area points, "
          f"{args.assets:,} assets, {len(tax)} categories")
    for label, network in (("straight line", None), ("street network", net)):
        t = time.perf_counter()
        report = compute_gaps(areas, assets, tax, pop, network=network, robust=True)
        secs = time.perf_counter() - t
        rows = report.rows
        cov = np.mean([r.coverage for r in rows])
        barrier = [r.barrier_share for r in rows if r.barrier_share is not None]
        print(f"{label:>15}: gaps (robust, {len(rows)} rows) {secs:6.2f} s; mean coverage {cov:.1%}"
              + (f"; mean barrier share {np.mean(barrier):.1%}" if barrier else ""))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
