"""How long `gaps` takes with a population layer: Trafford's localities and output areas, many assets.

Builds a workspace in a temporary folder with Trafford's 4 localities, its
738 output areas (mid-2024 population) as the population layer, and N
synthetic assets spread over the borough across all 21 categories (default
5,000), then times, in this process:

- ``gaps`` with robustness (the measures at three catchments) and confidence;
- the bare measures (one catchment, no robustness);
- a what-if with one asset added.

It prints seconds per call and peak memory.

    .venv/bin/python bench/gaps_speed.py [--assets 5000]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
from pathlib import Path

import asset_map
from asset_map.inputs.duplicates import active
from asset_map.analysis.gaps import compute_gaps

TRAFFORD = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "trafford"


def timed(label: str, fn, repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best:7.3f} s (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = asset_map.Workspace(tmp / "bench.gpkg")
        ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                           name_field="area_name")
        ws.load_population(TRAFFORD / "boundaries" / "trafford_oa_generalised_2021.geojson",
                           population_csv=TRAFFORD / "population" / "mid-year_2024_population_estimates_oa.csv")
        categories = [c.id for c in ws.taxonomy()]
        rng = random.Random(1)
        path = tmp / "assets.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Name", "Category", "Latitude", "Longitude", "Capacity"])
            for i in range(args.assets):
                w.writerow([f"Asset {i}", categories[i % len(categories)], f"{53.39 + rng.random() * 0.08:.6f}",
                            f"{-2.45 + rng.random() * 0.2:.6f}", rng.choice(["", "10", "25"])])
        ws.import_assets(path)
        areas, assets, population = ws.table("areas"), active(ws.table("assets")), ws.table("population")
        taxonomy = ws.taxonomy()
        print(f"{len(areas)} areas, {len(population)} small areas, {len(assets)} assets, {len(taxonomy)} categories")
        timed("measures only (one catchment)", lambda: compute_gaps(areas, assets, taxonomy, population, robust=False))
        timed("gaps: measures, robustness and confidence", lambda: ws.gaps())
        timed("what-if: one asset added", lambda: ws.what_if(add=["Hall;food bank;-2.35,53.42"]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
