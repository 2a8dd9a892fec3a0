"""How long catchment polygons take: one category of N assets on a town-sized street grid.

Builds, in this process, a square grid of streets (default 150 × 150 blocks
of 80 m: 12 km across, ~45,000 edges, each street bent by a midpoint so
geometries are not straight lines), drops N assets (default 300) at random
on it, and times :func:`asset_map.network.isochrones.catchments_frame` for a
15 min walk and a 10 min cycle (one search and one polygon per asset). It
prints seconds in all, milliseconds per asset, and the mean area drawn.

    .venv/bin/python bench/isochrones.py [--assets 300] [--blocks 150]
"""

from __future__ import annotations

import argparse
import random
import time

import geopandas as gpd
import numpy as np
import shapely

from asset_map.network.graph import StreetNetwork
from asset_map.network.isochrones import catchments_frame

STEP = 80.0
ORIGIN = (380_000.0, 400_000.0)


def grid(blocks: int) -> StreetNetwork:
    """A grid of ``blocks`` × ``blocks`` blocks of :data:`STEP` metres, each edge bent 3 m at its middle."""
    k = blocks + 1
    ix, iy = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    node = (ix * k + iy).ravel()
    x, y = ORIGIN[0] + ix.ravel() * STEP, ORIGIN[1] + iy.ravel() * STEP
    east = node.reshape(k, k)[:-1, :].ravel(), node.reshape(k, k)[1:, :].ravel()
    north = node.reshape(k, k)[:, :-1].ravel(), node.reshape(k, k)[:, 1:].ravel()
    u, v = np.concatenate([east[0], north[0]]), np.concatenate([east[1], north[1]])
    mid_x, mid_y = (x[u] + x[v]) / 2 + 3, (y[u] + y[v]) / 2 + 3
    coords = np.stack([np.column_stack([x[u], y[u]]), np.column_stack([mid_x, mid_y]),
                       np.column_stack([x[v], y[v]])], axis=1)
    geoms = shapely.linestrings(coords)
    n = len(u)
    return StreetNetwork(x=x, y=y, u=u, v=v, length_m=shapely.length(geoms), walk=np.ones(n, bool),
                         cycle=np.ones(n, bool), drive=np.ones(n, bool), drive_kmh=np.full(n, 30.0),
                         oneway_drive=np.zeros(n, bool), oneway_cycle=np.zeros(n, bool),
                         highway=np.full(n, "residential", dtype=object), geometry=geoms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=300)
    parser.add_argument("--blocks", type=int, default=150)
    args = parser.parse_args()
    net = grid(args.blocks)
    side = args.blocks * STEP
    rng = random.Random(19)
    pts = [shapely.Point(ORIGIN[0] + rng.uniform(0, side), ORIGIN[1] + rng.uniform(0, side))
           for _ in range(args.assets)]
    assets = gpd.GeoDataFrame({"asset_id": [f"a{k}" for k in range(args.assets)],
                               "name": [f"Asset {k}" for k in range(args.assets)],
                               "categories": ["c"] * args.assets}, geometry=pts, crs="EPSG:27700")
    print(f"grid: {net.n_nodes:,} nodes, {net.n_edges:,} edges, {side / 1000:.1f} km across; {args.assets} assets")
    for minutes, mode in ((15.0, "walk"), (10.0, "cycle")):
        start = time.perf_counter()
        frame = catchments_frame(net, assets, {"c": (minutes, mode, f"{minutes:g} min {mode}")})
        took = time.perf_counter() - start
        area = frame.geometry.area.mean() / 1e6
        print(f"{minutes:g} min {mode:<6} {took:7.2f} s in all, {1000 * took / len(frame):6.1f} ms per asset, "
              f"mean catchment {area:.2f} km²")


if __name__ == "__main__":
    main()
