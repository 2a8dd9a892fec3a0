"""National scale: asset-map's import and `gaps` against DuckDB (spatial) and PostGIS, on the same files.

Generates a national workload in a temporary folder (seeded):

- the real MSOA 2021 polygons of England and Wales (7,264 areas), read in
  place from ``../shared/data/real/national_msoa`` and never copied;
- N assets (default 1,000,000) as a CSV of Name, Category, Easting, Northing
  (British National Grid), placed uniformly inside the MSOAs (each MSOA gets
  a share proportional to its area) over the taxonomy's first 20 categories;
- P small-area population points (default 35,672, the number of LSOAs 2021:
  about 5 per MSOA, each inside its MSOA with 1,000-2,500 residents) as a
  GeoPackage of code, name, all_ages and points in EPSG:27700.

Then times, on those files:

- asset-map, in this process through the library: loading the boundaries and
  the population layer (setup), ``import_assets`` (read, locate, categorise,
  assign each asset to its MSOA, check duplicates, write, then keep the gap
  inputs: :mod:`asset_map.inputs.gap_state`; that last step is timed again on
  its own), the same import as ``asset-map import`` in its own process
  (into a copy of the workspace as it was before: the figure the memory
  target judges), the bare measures (``compute_gaps(..., robust=False)``:
  counts, coverage, accessibility and scores for every category at one
  catchment), coverage alone as DuckDB's query computes it, with the pieces
  ``gaps`` uses (:func:`coverage_alone`, which must give DuckDB's figures);
  and ``asset-map gaps --top 20`` (with robustness and confidence) as a
  command in its own process, as a planner runs it: reading the workspace
  (its kept gap inputs) included;
- DuckDB with its spatial extension, loaded from the file that the
  ``duckdb-extension-spatial`` package ships (no network): CSV to points,
  GeoPackage to repaired EPSG:27700 polygons, point-in-polygon join and count
  per MSOA x category, and the coverage query (for each category, the
  population within its catchment of an asset of that category, by
  ``ST_DWithin``, summed per MSOA);
- PostGIS (a throwaway server started from ``initdb`` in the temporary
  folder on a free port, stopped at the end): COPY, ogr2ogr, the same join
  and count, and the same coverage query with a GiST index on the assets.

Each engine runs in the same way on the same files; DuckDB runs in a child
process so that its memory is its own. The short steps the targets judge
(``gaps`` as a process, the measures, coverage, DuckDB's join + count and
coverage) are run :data:`SHORT_STEP_RUNS` times by both engines and the
median is reported, with the range. It prints a table of seconds and peak
memory per step, the ratios of asset-map to the fastest peer, and the
national targets (met / MISSED; nothing is asserted):

- import with area assignment in at most DuckDB's load + join + count time;
- ``asset-map gaps`` on the national workspace, as a process, in at most one second;
- population-weighted coverage for all categories in at most DuckDB's
  ``ST_DWithin`` time;
- peak memory of every asset-map command (``import`` and ``gaps``, each in its own process) at most 1 GB.

Then it checks and explains ``gaps``: a digest of every gap row through the
library, from the kept gap inputs and computed from the tables, each compared
with the digest the code gave before ``gaps`` was reworked
(:data:`OLD_GAPS_DIGESTS`), and where the time of ``gaps`` computed from the tables goes step by step,
with the floors of its two largest steps (fetching the asset rows from SQLite
alone; the pairs in reach alone, by STRtree and by scipy's cKDTree).

Needs the ``bench`` extra (``pip install -e ".[bench]"``) and, for the PostGIS
peer, PostgreSQL with PostGIS and ``ogr2ogr`` (Debian: postgresql-15,
postgresql-15-postgis-3, gdal-bin; run as root or as the postgres user).

    .venv/bin/python bench/national.py [--assets 1000000] [--points 35672] [--skip-postgis] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "national_msoa"
MSOA_FILE = NATIONAL / "derived_msoa21_ew.gpkg"
N_CATEGORIES = 20
PG_BIN = Path("/usr/lib/postgresql/15/bin")
MB = 1024 * 1024
#: The digest of every gap row (:func:`gaps_digest`) that ``gaps()`` gave on the generated workload before its
#: rework (reading the register as arrays, coverage by one neighbour query per category and catchment), by
#: (assets, population points): the rework must give the same rows.
OLD_GAPS_DIGESTS: dict[tuple[int, int], str] = {
    (200_000, 35_672): "85e49f14a993b2a1e964f7ba02ee75eac4df7baf0e82f1809a923a9705adbc58",
    (1_000_000, 35_672): "5cb8b3be5ab17571300d6f94bb6cd2467c382d265eaa75bdece75af58cbfdc7a",
}


# ---------------------------------------------------------------- memory
def _status_kb(field: str, pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> None:
    """Start a new peak-memory window (Linux: VmHWM back to the current RSS)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    """Peak resident memory of this process since the last :func:`reset_peak` (whole run without /proc)."""
    kb = _status_kb("VmHWM")
    return kb / 1024 if kb else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Steps:
    """Rows of the result table: engine, step, seconds, peak MB, note."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float | None, float | None, str]] = []

    def add(self, engine: str, step: str, seconds: float | None, peak: float | None, note: str = "") -> None:
        self.rows.append((engine, step, seconds, peak, note))
        s = "-" if seconds is None else f"{seconds:9.2f}"
        p = "-" if peak is None else f"{peak:8,.0f}"
        print(f"  {engine:<9} {step:<44} {s:>9} s {p:>8} MB  {note}", flush=True)

    def seconds(self, engine: str, step: str) -> float | None:
        for e, s, sec, _, _ in self.rows:
            if e == engine and s == step:
                return sec
        return None

    def run(self, engine: str, step: str, fn, note: str = "", times: int = 1):
        """Time ``fn()`` with its own peak-memory window (``times`` runs: the median, :func:`median_of`);
        on an error record it and return None."""
        taken, out = [], None
        for _ in range(times):
            out = None  # the run before's result is not held through the next run's peak
            gc.collect()
            reset_peak()
            start = time.perf_counter()
            try:
                out = fn()
            except MemoryError:
                self.add(engine, step, None, peak_mb(), "FAILED: out of memory")
                return None
            except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
                self.add(engine, step, None, peak_mb(), f"FAILED: {type(exc).__name__}: {str(exc)[:200]}")
                traceback.print_exc()
                return None
            taken.append(time.perf_counter() - start)
        text = note(out) if callable(note) else note
        self.add(engine, step, median_of(taken), peak_mb(), _joined(text, _spread(taken)))
        return out if out is not None else True


    def run_child(self, engine: str, step: str, cmd: list[str], note: str = "", times: int = 1) -> bool:
        """Time a command in its own process (``times`` runs: the median time, the largest peak); its peak is
        that process's own ``VmHWM``, read every 20 ms while it runs (``wait4``'s ``ru_maxrss`` without
        /proc: on Linux it carries the peak of this process at the fork, the import's)."""
        taken, peaks = [], []
        for _ in range(times):
            got = self._child(cmd)
            if isinstance(got, str):
                self.add(engine, step, None, None, f"FAILED: {got}")
                return False
            taken.append(got[0])
            peaks.append(got[1])
        self.add(engine, step, median_of(taken), max(peaks), _joined(note, _spread(taken)))
        return True

    @staticmethod
    def _child(cmd: list[str]) -> "tuple[float, float] | str":
        """One run of ``cmd``: seconds and peak MB, or what it said when it failed."""
        from command_env import command_env

        env = command_env()  # as a planner's shell runs it (bench/command_env.py)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        seen, done = [0], threading.Event()

        def sample() -> None:
            while not done.is_set():
                seen[0] = max(seen[0], _status_kb("VmHWM", proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        peak_kb = seen[0] or usage.ru_maxrss
        err = proc.stderr.read().decode(errors="replace").strip().splitlines()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            return f"{err[-1] if err else proc.returncode}"
        return seconds, peak_kb / 1024


#: The steps that take a few seconds or less are timed this many times, for both engines (the median is
#: reported): on a shared machine one run of a one-second step moved by ±30%.
SHORT_STEP_RUNS = 3


def median_of(seconds: list[float]) -> float:
    """The median of the runs' seconds (the middle one of an odd number)."""
    ordered = sorted(seconds)
    return ordered[len(ordered) // 2]


def _spread(seconds: list[float]) -> str:
    """``median of 3 runs, 0.91-1.10 s`` (nothing for one run)."""
    if len(seconds) < 2:
        return ""
    return f"median of {len(seconds)} runs, {min(seconds):.2f}-{max(seconds):.2f} s"


def _joined(*texts: str) -> str:
    return "; ".join(t for t in texts if t)


# ---------------------------------------------------------------- workload
def msoa_polygons():
    """The MSOAs as (codes, polygons in EPSG:27700, repaired)."""
    import numpy as np
    import pyogrio.raw as raw
    import pyproj
    import shapely

    meta, _, wkb, fields = raw.read(MSOA_FILE, columns=["MSOA21CD"])
    codes = np.asarray(fields[0], dtype=object)
    geoms = shapely.from_wkb(wkb)
    tr = pyproj.Transformer.from_crs(meta["crs"] or "EPSG:4326", 27700, always_xy=True)
    geoms = shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    geoms = shapely.make_valid(geoms)
    polygonal = []
    for g in geoms:
        if shapely.get_type_id(g) == 7:  # keep the polygonal parts of a repaired collection
            g = shapely.union_all([p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)])
        polygonal.append(g)
    return codes, np.array(polygonal, dtype=object)


def points_inside(rng, poly, n: int):
    """``n`` uniform random points inside ``poly`` (rejection sampling in its bounds)."""
    import numpy as np
    import shapely

    minx, miny, maxx, maxy = poly.bounds
    fill = max(poly.area / ((maxx - minx) * (maxy - miny)), 0.01)
    xs, ys, k = [], [], 0
    while k < n:
        m = max(int(2 * (n - k) / fill), 16)
        px, py = rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(poly, px, py)
        px, py = px[ok][: n - k], py[ok][: n - k]
        xs.append(px)
        ys.append(py)
        k += len(px)
    return np.concatenate(xs), np.concatenate(ys)


def generate(folder: Path, n_assets: int, n_points: int, categories: list[str]) -> dict:
    """Write assets.csv and population.gpkg into ``folder``; return their paths and counts."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rng = np.random.default_rng(2021)
    codes, polys = msoa_polygons()
    shapely.prepare(polys)
    per_poly, x, y = spread_assets(rng, polys, n_assets)
    order = rng.permutation(n_assets)
    cats = np.asarray(categories, dtype=object)[rng.integers(0, len(categories), n_assets)]
    assets_csv = folder / "assets.csv"
    pd.DataFrame({"Name": [f"Asset {i}" for i in range(n_assets)], "Category": cats,
                  "Easting": np.round(x[order], 1), "Northing": np.round(y[order], 1)}).to_csv(assets_csv, index=False)
    # Population points: the same number in every MSOA (the remainder one each in random MSOAs); at least one
    # per MSOA, as asset-map refuses a population layer that leaves an area empty.
    if n_points < len(polys):
        print(f"  (--points {n_points:,} raised to {len(polys):,}: one per MSOA at least)")
        n_points = len(polys)
    px, py, pcode, parea = spread_points(rng, codes, polys, n_points)
    pop = rng.integers(1000, 2501, len(px))
    population = gpd.GeoDataFrame({"code": pcode, "name": [f"Small area {c}" for c in pcode], "all_ages": pop,
                                   "msoa": parea},
                                  geometry=gpd.points_from_xy(np.round(px, 1), np.round(py, 1)), crs="EPSG:27700")
    population_file = folder / "population.gpkg"
    population.to_file(population_file, layer="population", driver="GPKG")
    return {"assets_csv": assets_csv, "population": population_file, "assets": n_assets, "points": len(px),
            "residents": int(pop.sum()), "csv_mb": assets_csv.stat().st_size / MB}


# ---------------------------------------------------------------- asset-map
def spread_assets(rng, polys, n_assets: int) -> tuple:
    """Assets placed uniformly inside the MSOAs: each gets a share proportional to its area.

    Returns the number in each MSOA and the x and y of every asset, MSOA by MSOA.
    """
    import numpy as np
    import shapely

    area = shapely.area(polys)
    per_poly = rng.multinomial(n_assets, area / area.sum())
    xs, ys = [], []
    for poly, n in zip(polys, per_poly):
        if n:
            x, y = points_inside(rng, poly, int(n))
            xs.append(x)
            ys.append(y)
    return per_poly, np.concatenate(xs), np.concatenate(ys)


def spread_points(rng, codes, polys, n_points: int) -> tuple:
    """Small-area points: the same number in every MSOA (the remainder one each in random MSOAs), each kept
    25 m inside its border, so that a small difference in repairing the polygons moves none.

    Returns x, y, codes (MSOA code + two letters) and the MSOA of each.
    """
    import numpy as np

    per_msoa = np.full(len(polys), n_points // len(polys))
    per_msoa[rng.choice(len(polys), n_points % len(polys), replace=False)] += 1
    px, py, pcode, parea = [], [], [], []
    for i, (poly, n) in enumerate(zip(polys, per_msoa)):
        if n:
            inner = poly.buffer(-25)
            x, y = points_inside(rng, poly if inner.is_empty or inner.area < 0.1 * poly.area else inner, int(n))
            px.append(x)
            py.append(y)
            pcode += [f"{codes[i]}{chr(97 + k // 26)}{chr(97 + k % 26)}" for k in range(n)]
            parea += [codes[i]] * n
    return np.concatenate(px), np.concatenate(py), pcode, parea


def run_asset_map(folder: Path, files: dict, steps: Steps, profile: Path | None) -> dict:
    import asset_map
    from asset_map.inputs.duplicates import active
    from asset_map.analysis.gaps import compute_gaps

    ws = asset_map.Workspace(folder / "national.gpkg")
    out: dict = {}
    steps.run("asset-map", "load boundaries (setup)",
              lambda: ws.load_boundaries(MSOA_FILE, code_field="MSOA21CD", name_field="MSOA21NM"),
              note=lambda r: f"{len(r.areas):,} areas")
    layer = steps.run("asset-map", "load population layer (setup)",
              lambda: ws.load_population(files["population"], code_field="code", name_field="name"),
              note=lambda r: f"{len(r.small_areas):,} points, {r.outside} outside")

    def do_import():
        if profile is None:
            return ws.import_assets(files["assets_csv"])
        import cProfile

        prof = cProfile.Profile()
        try:
            return prof.runcall(ws.import_assets, files["assets_csv"])
        finally:
            prof.dump_stats(profile)

    before = folder / "before-import.gpkg"
    shutil.copyfile(ws.location, before)
    res = steps.run("asset-map", "import with area assignment", do_import,
                    note=lambda r: f"{r.imported:,} imported, {r.outside} outside, {r.rejected} rejected, "
                                   f"{r.uncategorised} uncategorised; gap inputs kept")
    out["import_ok"] = res is not None
    res = None  # the result holds the list read and its assets: not to be counted in the steps below
    if not out["import_ok"]:
        return out
    # As a planner runs it: the command in a fresh process, into the workspace as it was before the import.
    steps.run_child("asset-map", "import, its own process",
                    [str(Path(sys.executable).with_name("asset-map")), "import", str(files["assets_csv"]),
                     "-w", str(before)],
                    note="`asset-map import` (interpreter start, the summary and keeping the gap inputs included)")
    before.unlink()
    from asset_map.inputs.workspace_change import keep_gap_inputs

    steps.run("asset-map", "  of which: keeping the gap inputs", lambda: keep_gap_inputs(ws),
              note="the same step again on its own: derive every area x category's inputs, write them")
    if layer is None:
        print("  asset-map: no population layer, so no population-weighted gaps to time")
        return out
    ws_assets = ws.store.read("assets", columns=["area_code"])
    assigned = sum(1 for c in ws_assets["area_code"] if c)
    print(f"  asset-map: {assigned:,} of {len(ws_assets):,} assets assigned to an MSOA")
    del ws_assets
    # As a planner runs it: the command in a fresh process, reading the workspace, printing the top 20.
    steps.run_child("asset-map", "gaps (robustness, confidence)",
                    [str(Path(sys.executable).with_name("asset-map")), "gaps", "-w", str(ws.location), "--top", "20"],
                    note="`asset-map gaps --top 20` in its own process (interpreter start included)",
                    times=SHORT_STEP_RUNS)
    areas, assets = ws.table("areas"), active(ws.table("assets"))
    taxonomy, population = ws.taxonomy(), ws.table("population")
    steps.run("asset-map", "measures: counts + coverage, all categories",
              lambda: compute_gaps(areas, assets, taxonomy, population, robust=False),
              note="compute_gaps(robust=False), tables already read", times=SHORT_STEP_RUNS)
    steps.run("asset-map", "coverage alone, all categories", lambda: coverage_alone(areas, assets, taxonomy, population),
              note=lambda r: f"{r[0]:,} MSOA x category rows, {r[1]:,.0f} covered residents summed",
              times=SHORT_STEP_RUNS)
    del areas, assets, population
    check_gaps(ws, files, steps)
    gaps_by_step(ws, steps)
    return out


def coverage_alone(areas, assets, taxonomy, population) -> tuple[int, float]:
    """What DuckDB's coverage query computes, with the pieces ``gaps`` computes it with: the categories,
    areas and points of the assets (:class:`~asset_map.analysis.context.GapContext`), then for each category
    its located assets' pairs in reach of the small areas (:func:`~asset_map.analysis.measures.pairs_ahead`,
    as ``gaps`` finds them) and the residents of the small areas with one, summed per MSOA. Returns the number of MSOA x category
    rows with residents covered and the residents covered summed (the figures DuckDB's query prints)."""
    import numpy as np

    from asset_map.analysis.access import covered
    from asset_map.analysis.context import GapContext
    from asset_map.analysis.measures import pairs_ahead
    from asset_map.store.base import paused_gc

    rows, total = 0, 0.0
    with paused_gc():
        ctx = GapContext(areas, assets, population, None)
        layer = ctx.layer
        for r in pairs_ahead(ctx, list(taxonomy)[:N_CATEGORIES], 1.0):
            inside = covered(r) & (layer.group >= 0)
            per_area = np.bincount(layer.group[inside], weights=layer.all_ages[inside], minlength=len(ctx.codes))
            rows += int((per_area > 0).sum())
            total += float(per_area.sum())
    return rows, total


def gaps_digest(records: list[dict]) -> str:
    """SHA-256 of the gap rows, every field, floats to 10 significant digits (so that the order of a sum
    does not count), in the rows' order."""
    import hashlib

    def norm(v):
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float):
            return f"{v:.10g}"
        return v if isinstance(v, (str, int, bool, type(None))) else str(v)

    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps({k: norm(v) for k, v in r.items()}, sort_keys=True).encode())
    return h.hexdigest()


def check_gaps(ws, files: dict, steps: Steps) -> None:
    """``gaps()`` through the library (every row), from the kept gap inputs and computed from the tables:
    each one's digest, and whether it equals the old code's."""
    from asset_map.inputs import gap_state

    kept = steps.run("check", "gaps, library, every row, kept inputs", lambda: ws.gaps().records(),
                     note=lambda r: f"{len(r):,} rows")
    saved, gap_state.stored_report = gap_state.stored_report, lambda *a, **k: None
    try:
        fresh = steps.run("check", "gaps, library, every row, computed", lambda: ws.gaps().records(),
                          note=lambda r: f"{len(r):,} rows")
    finally:
        gap_state.stored_report = saved
    old = OLD_GAPS_DIGESTS.get((files["assets"], files["points"]))
    for how, rows in (("kept inputs", kept), ("computed", fresh)):
        if rows is None:
            continue
        digest = gaps_digest(rows)
        verdict = "no digest of the old code for this size" if old is None else (
            "SAME as the old code's" if digest == old else f"DIFFERENT from the old code's {old[:16]}")
        print(f"  asset-map: gap rows digest ({how}) {digest}: {verdict}")


def gaps_by_step(ws, steps: Steps) -> None:
    """Where the time of ``gaps`` goes, step by step, as ``Workspace.gaps`` runs them (library, this process),
    and the floor of its two largest steps: fetching the asset rows from SQLite alone, and finding the
    (small area, asset) pairs in reach alone (STRtree ``dwithin``, and scipy's cKDTree for comparison)."""
    import sqlite3

    from asset_map.analysis.gaps import compute_gaps
    from asset_map.categories.served import resolve
    from asset_map.inputs.evidence import assess_report
    from asset_map.inputs.gap_inputs import GAPS_COLUMNS, read_gap_inputs, street_radius

    st, run = ws.store, lambda step, fn, note="": steps.run("gaps step", step, fn, note)
    areas = run("read areas + taxonomy", lambda: (st.read("areas"), ws.taxonomy()))
    inputs = run("read assets (GAPS_COLUMNS), unlocated", lambda: read_gap_inputs(
        st, areas[0], areas[1], None, ws.study_names(), lean=True))
    served = run("served areas", lambda: resolve(inputs.areas, inputs.assets, inputs.unlocated, inputs.study_names,
                                                 radius=street_radius(inputs)))
    pop = run("read population layer", lambda: st.read("population"))
    report = run("measures at 3 catchments + rankings", lambda: compute_gaps(
        inputs.areas, inputs.assets, inputs.counted_taxonomy, pop, ws.need(), served=served, network=inputs.network))
    run("confidence", lambda: assess_report(st, report, inputs.areas, inputs.everything, taxonomy=inputs.taxonomy,
                                            study_names=inputs.study_names, stale_days=None, unknown=inputs.unknown))
    cols = ", ".join(f'"{c}"' for c in GAPS_COLUMNS if c != "geometry")

    def fetch() -> int:
        with sqlite3.connect(f"file:{ws.location}?mode=ro", uri=True) as con:
            return len(con.execute(f'SELECT {cols}, geom FROM assets').fetchall())

    run("floor: SQLite fetch of those rows alone", fetch, "fetchall, no decoding")
    supplies = _supplies(inputs)
    run("floor: pairs in reach, STRtree dwithin", lambda: _pairs(pop, supplies, "strtree"),
        note=lambda n: f"{n:,} pairs, twice each category's catchment")
    run("  (cKDTree sparse_distance_matrix)", lambda: _pairs(pop, supplies, "kdtree"),
        note=lambda n: f"{n:,} pairs, twice each category's catchment")


def _supplies(inputs) -> list:
    """Each category's asset points and twice its catchment (the widest that gaps measures)."""
    import numpy as np

    from asset_map.analysis.arrays import distinct

    cells, which = distinct(inputs.assets["categories"])
    out = []
    for cat in inputs.counted_taxonomy:
        has = np.array([cat.id in (c or "").split(";") for c in cells], dtype=bool)[which]
        if has.any():
            out.append((inputs.assets.geometry[has], 2 * cat.catchment_m))
    return out


def _pairs(pop, supplies: list, how: str) -> int:
    """The (small area, asset) pairs in reach of every category, by STRtree (as gaps) or by cKDTree."""
    import numpy as np
    import shapely
    from scipy.spatial import cKDTree

    demand = shapely.points(np.column_stack([np.asarray(pop["x"], float), np.asarray(pop["y"], float)]))
    dtree, total = (cKDTree(shapely.get_coordinates(demand)) if how == "kdtree" else None), 0
    for supply, d in supplies:
        if how == "kdtree":
            total += len(dtree.sparse_distance_matrix(cKDTree(shapely.get_coordinates(supply)), d,
                                                      output_type="ndarray"))
        else:
            total += len(shapely.STRtree(supply).query(demand, predicate="dwithin", distance=d)[0])
    return total


# ---------------------------------------------------------------- DuckDB (child process)
def duckdb_extension_path() -> str:
    import duckdb
    import duckdb_extension_spatial

    return os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions",
                        f"v{duckdb.__version__}", "spatial.duckdb_extension")


def coverage_sql(table: str, cats: list[tuple[str, float]], dwithin: str) -> str:
    """Per category and MSOA: residents with an asset of the category within the catchment (one join each)."""
    parts = []
    for cid, dist in cats:
        parts.append(
            f"SELECT '{cid}' AS category, p.msoa, sum(p.all_ages) AS covered FROM pop p WHERE p.code IN ("
            f"SELECT DISTINCT q.code FROM pop q JOIN (SELECT geom FROM {table} WHERE category = '{cid}') a "
            f"ON {dwithin.format(p='q.geom', a='a.geom', d=dist)}) GROUP BY p.msoa")
    return " UNION ALL ".join(parts)


def duckdb_child(folder: Path, cats: list[tuple[str, float]]) -> None:
    """Run the DuckDB steps and print one JSON line of {step: [seconds, peak MB, note]}."""
    import duckdb

    out: dict = {}
    con = duckdb.connect()

    def step(name: str, sql: str, note=None, times: int = 1):
        """Run ``sql`` (``times`` runs, each replacing the table the one before made: the median)."""
        taken = []
        for k in range(times):
            reset_peak()
            start = time.perf_counter()
            con.execute(sql if k == 0 else sql.replace("CREATE TABLE", "CREATE OR REPLACE TABLE", 1))
            taken.append(time.perf_counter() - start)
        out[name] = [median_of(taken), peak_mb(), _joined(note() if note else "", _spread(taken))]

    step("load spatial extension (from the wheel)", f"LOAD '{duckdb_extension_path()}'")
    step("CSV to points", "CREATE TABLE assets AS SELECT Category AS category, ST_Point(Easting, Northing) AS geom "
         f"FROM read_csv('{folder / 'assets.csv'}', header = true, columns = {{'Name': 'VARCHAR', "
         "'Category': 'VARCHAR', 'Easting': 'DOUBLE', 'Northing': 'DOUBLE'})",
         note=lambda: f"{con.sql('SELECT count(*) FROM assets').fetchone()[0]:,} points")
    step("polygons: read, transform, make valid",
         "CREATE TABLE msoa AS SELECT MSOA21CD AS code, ST_MakeValid(ST_Transform(geom, 'EPSG:4326', "
         f"'EPSG:27700', always_xy := true)) AS geom FROM ST_Read('{MSOA_FILE}')",
         note=lambda: f"{con.sql('SELECT count(*) FROM msoa').fetchone()[0]:,} areas")
    join = ("SELECT m.code, a.category, count(*) AS n FROM assets a JOIN msoa m ON ST_Contains(m.geom, a.geom) "
            "GROUP BY ALL")
    plan = con.sql("EXPLAIN " + join).fetchall()[0][1]
    step("join + count per MSOA x category", "CREATE TABLE counts AS " + join,
         note=lambda: "{:,} cells, {:,} assets{}".format(
             *con.sql("SELECT count(*), sum(n) FROM counts").fetchone(),
             "" if "SPATIAL_JOIN" in plan else " (no SPATIAL_JOIN in the plan)"), times=SHORT_STEP_RUNS)
    step("population points in", "CREATE TABLE pop AS SELECT code, msoa, all_ages, geom "
         f"FROM ST_Read('{folder / 'population.gpkg'}')",
         note=lambda: f"{con.sql('SELECT count(*) FROM pop').fetchone()[0]:,} points")
    step("coverage: ST_DWithin, all categories",
         "CREATE TABLE coverage AS " + coverage_sql("assets", cats, "ST_DWithin({p}, {a}, {d})"),
         note=lambda: "{:,} MSOA x category rows, {:,.0f} covered residents summed".format(
             *con.sql("SELECT count(*), sum(covered) FROM coverage").fetchone()), times=SHORT_STEP_RUNS)
    out["_threads"] = con.sql("SELECT current_setting('threads')").fetchone()[0]
    print("DUCKDB_RESULT " + json.dumps(out), flush=True)


def run_duckdb(folder: Path, cats: list[tuple[str, float]], steps: Steps) -> None:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--_duckdb-child", str(folder), "--_cats", json.dumps(cats)],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("DUCKDB_RESULT ")), None)
    if line is None:
        steps.add("duckdb", "(child process)", None, None, f"FAILED rc {proc.returncode}: {proc.stderr[-400:]}")
        return
    out = json.loads(line.split(" ", 1)[1])
    for name, (sec, peak, note) in ((k, v) for k, v in out.items() if not k.startswith("_")):
        steps.add("duckdb", name, sec, peak, note)
    print(f"  duckdb: {out['_threads']} threads, {wall:.1f} s for the child process with the interpreter start")


# ---------------------------------------------------------------- PostGIS
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: str) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        return subprocess.run(["su", "postgres", "-c", cmd], capture_output=True, text=True)
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)


class PostgresSampler(threading.Thread):
    """Peak of the summed RSS of the server's processes (shared buffers count once per process: an over-count)."""

    def __init__(self, datadir: Path) -> None:
        super().__init__(daemon=True)
        self.datadir, self.peak_kb, self.stop = str(datadir), 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as fh:
                            cmd = fh.read()
                    except OSError:
                        continue
                    if cmd.startswith(b"postgres") or self.datadir.encode() in cmd:
                        total += _status_kb("VmRSS", pid)
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(0.1)

    def take(self) -> float:
        """The peak since the last take, in MB."""
        kb, self.peak_kb = self.peak_kb, 0
        return kb / 1024


def run_postgis(folder: Path, cats: list[tuple[str, float]], steps: Steps) -> None:
    import psycopg

    pg = folder / "pg"
    pg.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")  # the server must reach its data folder
        shutil.chown(pg, "postgres", "postgres")
        os.chmod(folder, 0o755)
    data, port = pg / "data", free_port()
    r = _as_postgres(f"{PG_BIN}/initdb -D {data} -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust")
    if r.returncode:
        steps.add("postgis", "initdb", None, None, f"FAILED: {r.stderr[-300:]}")
        return
    opts = (f"-h 127.0.0.1 -p {port} -k {pg} -c shared_buffers=512MB -c work_mem=256MB -c fsync=off "
            "-c synchronous_commit=off -c max_parallel_workers_per_gather=2")
    r = _as_postgres(f"{PG_BIN}/pg_ctl -D {data} -l {pg / 'log.txt'} -w start -o '{opts}'")
    if r.returncode:
        steps.add("postgis", "start server", None, None, f"FAILED: {r.stderr[-300:]} {r.stdout[-300:]}")
        return
    sampler = PostgresSampler(data)
    sampler.start()
    try:
        dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
            cur = con.cursor()

            def step(name: str, fn, note=None):
                sampler.take()
                start = time.perf_counter()
                fn()
                sec = time.perf_counter() - start
                time.sleep(0.15)  # let the sampler see the last moment
                steps.add("postgis", name, sec, sampler.take(), note() if note else "")

            def one(sql: str):
                return cur.execute(sql).fetchone()

            def copy_csv():
                cur.execute("CREATE TABLE assets_raw (name text, category text, easting float8, northing float8)")
                with cur.copy("COPY assets_raw FROM STDIN (FORMAT csv, HEADER true)") as cp:
                    with open(folder / "assets.csv", "rb") as fh:
                        while chunk := fh.read(1 << 20):
                            cp.write(chunk)
                cur.execute("CREATE TABLE assets AS SELECT category, ST_SetSRID(ST_MakePoint(easting, northing), "
                            "27700)::geometry(Point, 27700) AS geom FROM assets_raw")

            def ogr(src: Path, table: str):
                r = subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:{dsn}", str(src), "-nln", table,
                                    "-lco", "GEOMETRY_NAME=geom", "-overwrite"], capture_output=True, text=True)
                if r.returncode:
                    raise RuntimeError(f"ogr2ogr: {r.stderr[-300:]}")

            def polygons():
                ogr(MSOA_FILE, "msoa_raw")
                cur.execute("CREATE TABLE msoa AS SELECT msoa21cd AS code, ST_Multi(ST_CollectionExtract("
                            "ST_MakeValid(ST_Transform(geom, 27700)), 3))::geometry(MultiPolygon, 27700) AS geom "
                            "FROM msoa_raw")
                cur.execute("CREATE INDEX ON msoa USING gist (geom)")
                cur.execute("ANALYZE msoa")
                cur.execute("ANALYZE assets")

            step("COPY CSV + points", copy_csv, lambda: f"{one('SELECT count(*) FROM assets')[0]:,} points")
            step("polygons: ogr2ogr, transform, make valid, GiST", polygons,
                 lambda: f"{one('SELECT count(*) FROM msoa')[0]:,} areas")
            step("join + count per MSOA x category",
                 lambda: cur.execute("CREATE TABLE counts AS SELECT m.code, a.category, count(*) AS n FROM assets a "
                                     "JOIN msoa m ON ST_Contains(m.geom, a.geom) GROUP BY 1, 2"),
                 lambda: "{:,} cells, {:,} assets".format(*one("SELECT count(*), sum(n) FROM counts")))
            step("population points in",
                 lambda: (ogr(folder / "population.gpkg", "pop"), cur.execute("ANALYZE pop")),
                 lambda: f"{one('SELECT count(*) FROM pop')[0]:,} points")
            step("GiST index on assets (for coverage)",
                 lambda: (cur.execute("CREATE INDEX ON assets USING gist (geom)"), cur.execute("ANALYZE assets")))
            step("coverage: ST_DWithin, all categories",
                 lambda: cur.execute("CREATE TABLE coverage AS " + coverage_sql(
                     "assets", cats, "ST_DWithin({p}, {a}, {d})")),
                 lambda: "{:,} MSOA x category rows, {:,.0f} covered residents summed".format(
                     *one("SELECT count(*), sum(covered) FROM coverage")))
    except Exception as exc:  # noqa: BLE001
        steps.add("postgis", "(failed)", None, None, f"FAILED: {type(exc).__name__}: {str(exc)[:300]}")
        traceback.print_exc()
    finally:
        sampler.stop.set()
        r = _as_postgres(f"{PG_BIN}/pg_ctl -D {data} -m fast -w stop")
        if r.returncode:
            print(f"  postgis: could not stop the server: {r.stderr[-300:]}")


# ---------------------------------------------------------------- report
def report(steps: Steps, am: dict) -> None:
    def sec(engine: str, *names: str) -> float | None:
        vals = [steps.seconds(engine, n) for n in names]
        return None if any(v is None for v in vals) else sum(vals)

    load_join = ("CSV to points", "polygons: read, transform, make valid", "join + count per MSOA x category")
    pg_load_join = ("COPY CSV + points", "polygons: ogr2ogr, transform, make valid, GiST",
                    "join + count per MSOA x category")
    cover = ("coverage: ST_DWithin, all categories",)
    peers = {
        "load + join + count": {"duckdb": sec("duckdb", *load_join), "postgis": sec("postgis", *pg_load_join)},
        "join + count + coverage": {"duckdb": sec("duckdb", load_join[2], cover[0]),
                                    "postgis": sec("postgis", pg_load_join[2], cover[0])},
        "coverage": {"duckdb": sec("duckdb", *cover), "postgis": sec("postgis", *cover)},
    }
    ours = {
        "load + join + count": ("import with area assignment", sec("asset-map", "import with area assignment")),
        "join + count + coverage": ("gaps", sec("asset-map", "gaps (robustness, confidence)")),
        "coverage": ("coverage", sec("asset-map", "coverage alone, all categories")),
    }
    print("\nRatios, asset-map / fastest peer (below 1: asset-map is faster)")
    for what, by_peer in peers.items():
        label, mine = ours[what]
        done = {k: v for k, v in by_peer.items() if v is not None}
        if mine is None or not done:
            print(f"  {label:<12} vs {what:<24} n/a")
            continue
        best = min(done, key=done.get)
        print(f"  {label:<12} vs {what:<24} {mine:8.2f} s / {done[best]:6.2f} s ({best}) = {mine / done[best]:6.2f}")

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    imp, duck_lj = ours["load + join + count"][1], peers["load + join + count"]["duckdb"]
    gaps, meas = ours["join + count + coverage"][1], ours["coverage"][1]
    duck_cov = peers["coverage"]["duckdb"]
    # What a planner meets: the commands in their own processes (the steps run in this process also count
    # what it holds from the steps before, so they are printed but not judged).
    am_peak = max((p for e, st, _, p, _ in steps.rows if e == "asset-map" and p is not None and
                   st in ("import, its own process", "gaps (robustness, confidence)")), default=None)
    measures = sec("asset-map", "measures: counts + coverage, all categories")
    print("\nTargets")
    print(f"  import with assignment <= DuckDB load+join+count: "
          f"{verdict(None if imp is None or duck_lj is None else imp <= duck_lj)} ({_f(imp)} s vs {_f(duck_lj)} s)")
    print(f"  asset-map gaps (process) <= 1 s:                  {verdict(None if gaps is None else gaps <= 1)} "
          f"({_f(gaps)} s)")
    print(f"  coverage, all categories <= DuckDB ST_DWithin:    "
          f"{verdict(None if meas is None or duck_cov is None else meas <= duck_cov)} "
          f"({_f(meas)} s vs {_f(duck_cov)} s; every measure of gaps at one catchment {_f(measures)} s)")
    print(f"  peak memory of every asset-map command <= 1 GB:   "
          f"{verdict(None if am_peak is None else am_peak <= 1024)} ({_f(am_peak, 0)} MB, the largest)")
    if not am.get("import_ok", False):
        print("  (asset-map's import did not finish: see above)")


def _f(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--points", type=int, default=35_672, help="population points (small areas)")
    parser.add_argument("--skip-postgis", action="store_true")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the generated files (and workspace) in this folder")
    parser.add_argument("--profile", type=Path, help="write a cProfile of asset-map's import to this file")
    parser.add_argument("--_duckdb-child", dest="duckdb_child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_cats", dest="cats", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.duckdb_child:
        duckdb_child(args.duckdb_child, [tuple(c) for c in json.loads(args.cats)])
        return
    if not MSOA_FILE.is_file():
        sys.exit(f"{MSOA_FILE}: not found (the national MSOA polygons live in ../shared/data/real/national_msoa)")

    import asset_map

    taxonomy = list(asset_map.Workspace(Path(tempfile.gettempdir()) / "unused-asset-map.gpkg").taxonomy())
    cats = [(c.id, float(c.catchment_m)) for c in taxonomy[:N_CATEGORIES]]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        folder, tmp = args.keep.resolve(), None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="asset-map-national-")
        folder = Path(tmp.name)
    try:
        steps = Steps()
        print(f"workload in {folder}: {args.assets:,} assets, {args.points:,} population points, "
              f"{len(cats)} categories, polygons {MSOA_FILE}")
        files = steps.run("generate", "assets CSV + population points",
                          lambda: generate(folder, args.assets, args.points, [c for c, _ in cats]),
                          note=lambda f: f"{f['assets']:,} assets ({f['csv_mb']:.0f} MB CSV), {f['points']:,} "
                                         f"points, {f['residents']:,} residents")
        if files is None:
            return
        print("asset-map (this process, peak = this process's during the step)")
        am = run_asset_map(folder, files, steps, args.profile)
        if not args.skip_duckdb:
            print("DuckDB (child process)")
            run_duckdb(folder, cats, steps)
        if not args.skip_postgis:
            print("PostGIS (peak = summed RSS of the server's processes)")
            run_postgis(folder, cats, steps)
        report(steps, am)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
