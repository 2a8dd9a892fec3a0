"""Memory of importing a large CSV file: in chunks against read whole.

Writes an asset list of N rows (default 300,000) with a long description
column, so the file is large (about 450 bytes a row), over Trafford's 4
localities, then imports it into a new workspace twice, each time in a
separate process so that each peak is its own:

- ``whole``: read whole (``chunk_rows`` so large the file is one chunk);
- ``chunks``: in chunks of 50,000 rows (what a CSV over 100 MB gets anyway).

It prints, for each, seconds, the peak resident memory of the process, and
the file's size. Read in chunks, the peak should stay about the same
whatever the file's size, well under the file's size in memory.

    .venv/bin/python bench/streaming.py [--rows 300000] [--store postgresql://...?schema=bench]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAFFORD = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "trafford"
CATEGORIES = ["food bank", "walking group", "befriending", "carers", "dementia", "mental health", "advice",
              "youth club", "lunch club", "arts"]


def write_list(path: Path, rows: int) -> None:
    rng = random.Random(1)
    words = "community group meets weekly friendly volunteers welcome everyone tea support local hall".split()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Name", "Category", "Latitude", "Longitude", "Description", "Address"])
        for i in range(rows):
            w.writerow([f"Asset {i}", CATEGORIES[i % len(CATEGORIES)], f"{53.39 + rng.random() * 0.08:.6f}",
                        f"{-2.45 + rng.random() * 0.2:.6f}", " ".join(rng.choices(words, k=50)),
                        f"{i} High Street, Trafford"])


def run_one(workspace: str, path: str, chunk_rows: int) -> None:
    """Child process: set up the workspace, import, print seconds and peak memory."""
    import asset_map

    ws = asset_map.Workspace(workspace)
    ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                       name_field="area_name")
    start = time.perf_counter()
    result = ws.import_assets(path, chunk_rows=chunk_rows)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.1f} {peak:.0f} {result.imported}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--store", help="a PostGIS workspace address (an empty schema) instead of a GeoPackage")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], args.child[1], int(args.child[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "assets.csv"
        write_list(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"{args.rows:,} rows, {size:,.0f} MB of CSV")
        for label, chunk_rows in (("whole", args.rows + 1), ("chunks of 50,000", 50_000)):
            workspace = args.store or str(Path(tmp) / f"{label.split()[0]}.gpkg")
            if args.store:
                import asset_map

                store = asset_map.Workspace(args.store).store
                if store.exists():
                    import psycopg

                    with psycopg.connect(store._conninfo, autocommit=True) as con:
                        con.execute(f'DROP SCHEMA "{store.schema}" CASCADE')
            out = subprocess.run([sys.executable, __file__, "--child", workspace, str(path), str(chunk_rows)],
                                 capture_output=True, text=True)
            if out.returncode:
                print(f"{label:<18} FAILED: {out.stderr.strip().splitlines()[-1]}")
                continue
            seconds, peak, imported = out.stdout.split()
            print(f"{label:<18} {float(seconds):7.1f} s   peak {float(peak):7,.0f} MB   {int(imported):,} imported")


if __name__ == "__main__":
    main()
