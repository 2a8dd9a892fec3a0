"""How long the gap rows take at national scale: ``compute_gaps`` and the confidence step on England's MSOAs.

Builds, in memory and seeded, the workload of ``bench/national.py`` without
writing a workspace:

- the real MSOA 2021 polygons of England and Wales (7,264 areas), read in
  place from ``../shared/data/real/national_msoa``;
- P population points (default 35,672, about 5 per MSOA, each inside its
  MSOA with 1,000-2,500 residents split into the ONS broad age bands, so
  that categories for children or people aged 65+ have their own target);
- N assets (default 100,000) placed uniformly inside the MSOAs (a share
  proportional to each one's area), over the taxonomy's first 20 categories
  (the 21st has none: "no list has any"), 1% without a category, a capacity
  on a third of them and a last-verified date on half;
- a need indicator on 90% of the points (the others count as average need).

Then times, in this process, on all 7,264 areas x 21 categories:

- ``compute_gaps(..., robust=True)`` as ``Workspace.gaps`` calls it (the
  measures at three catchments, six rankings);
- the confidence step: ``confidence.gather`` (evidence from the assets) and
  ``confidence.assess`` (finding and confidence of every row);
- ``to_frame()`` and making every row object (``len(report.rows)``),
  which a caller that shows the whole table pays for.

It prints seconds per step (best of ``--repeat``), each step's peak memory
(Linux: VmHWM from a reset before the step) and the process's peak
(``resource.getrusage``'s ``ru_maxrss``).

    .venv/bin/python bench/gaps_national.py [--assets 100000] [--points 35672] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import MSOA_FILE, msoa_polygons, peak_mb, reset_peak, spread_assets, spread_points  # noqa: E402

N_CATEGORIES = 20


def workload(n_assets: int, n_points: int):
    """(areas, assets, population, need, taxonomy) as in-memory tables, seeded."""
    import numpy as np
    import shapely

    from asset_map.analysis.need import NeedIndicator
    from asset_map.store import Table
    from asset_map.categories.taxonomy import load_taxonomy

    rng = np.random.default_rng(2021)
    codes, polys = msoa_polygons()
    shapely.prepare(polys)
    n_areas = len(polys)
    areas = Table({"area_code": list(codes), "area_name": [f"MSOA {c}" for c in codes]}, polys)

    px, py, pcode, parea = spread_points(rng, codes, polys, max(n_points, n_areas))
    everyone = rng.integers(1000, 2501, len(px))
    young = (everyone * rng.uniform(0.12, 0.25, len(px))).astype(int)
    old = (everyone * rng.uniform(0.08, 0.30, len(px))).astype(int)
    population = Table({
        "code": pcode, "name": [f"Small area {c}" for c in pcode], "area_code": parea,
        "all_ages": everyone.tolist(), "aged_0_to_15": young.tolist(),
        "aged_16_to_64": (everyone - young - old).tolist(), "aged_65_and_over": old.tolist(),
    }, shapely.points(np.round(px, 1), np.round(py, 1)))
    values = rng.uniform(5, 60, len(pcode))
    need = NeedIndicator("IMD score (synthetic)", {c: float(v) for c, v, keep in
                                                   zip(pcode, values, rng.random(len(pcode)) < 0.9) if keep},
                         True, "synthetic")

    # Assets: uniform inside the MSOAs, assigned to the MSOA they were drawn in.
    taxonomy = load_taxonomy()
    cats = np.asarray(taxonomy.ids[:N_CATEGORIES], dtype=object)
    per_poly, x, y = spread_assets(rng, polys, n_assets)
    area_of = np.repeat(np.asarray(codes, dtype=object), per_poly)
    category = cats[rng.integers(0, len(cats), n_assets)]
    category[rng.random(n_assets) < 0.01] = ""
    capacity = np.array([None, "10", "25", None, "", None], dtype=object)[rng.integers(0, 6, n_assets)]
    verified = np.array([None, "2019-03-01", "2025-01-15", None, "2023-06-30"],
                        dtype=object)[rng.integers(0, 5, n_assets)]
    assets = Table({"categories": category.tolist(), "area_code": area_of.tolist(),
                    "capacity": capacity.tolist(), "last_verified": verified.tolist()},
                   shapely.points(np.round(x, 1), np.round(y, 1)))
    return areas, assets, population, need, taxonomy


def timed(label: str, fn, repeat: int):
    """Run ``fn`` ``repeat`` times; print the best time and the peak memory of the runs; return the last result."""
    best, peak, out = float("inf"), 0.0, None
    for _ in range(repeat):
        out = None
        gc.collect()
        reset_peak()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
        peak = max(peak, peak_mb())
    print(f"{label:<52} {best:8.3f} s  peak {peak:7,.0f} MB", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=35_672, help="population points (small areas)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step (the best time is shown)")
    args = parser.parse_args()
    if not MSOA_FILE.is_file():
        sys.exit(f"{MSOA_FILE}: not found (the national MSOA polygons live in ../shared/data/real/national_msoa)")

    from asset_map.analysis.confidence import assess, gather
    from asset_map.analysis.gaps import compute_gaps

    start = time.perf_counter()
    areas, assets, population, need, taxonomy = workload(args.assets, args.points)
    print(f"{len(areas):,} areas x {len(taxonomy)} categories, {len(population):,} population points, "
          f"{len(assets):,} assets (workload built in {time.perf_counter() - start:.1f} s)", flush=True)
    report = timed("compute_gaps (robust=True)",
                   lambda: compute_gaps(areas, assets, taxonomy, population, need, robust=True), args.repeat)
    ev = timed("confidence: gather", lambda: gather(areas, assets, None, None, None, taxonomy=taxonomy),
               args.repeat)
    assessed = timed("confidence: assess", lambda: assess(report, ev), args.repeat)
    timed("compute_gaps + confidence", lambda: assess(
        compute_gaps(areas, assets, taxonomy, population, need, robust=True),
        gather(areas, assets, None, None, None, taxonomy=taxonomy)), args.repeat)
    frame = timed("to_frame()", assessed.to_frame, 1)
    timed("every row made (len(report.rows))", lambda: len(assessed.rows), 1)
    print(f"{len(frame):,} rows, {int(frame['robust'].sum())} robust; findings "
          + ", ".join(f"{k} {v:,}" for k, v in frame["finding"].value_counts().items()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process (ru_maxrss) {peak:,.0f} MB")


if __name__ == "__main__":
    main()
