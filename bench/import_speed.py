"""How long an import takes: a large synthetic list as CSV and as Excel, and the real Trafford charities list.

Writes a list of N assets (default 20,000: a county's worth) with names,
categories, descriptions and coordinates as CSV and as .xlsx in a temporary
folder, then times a dry-run import of each (read, locate, categorise, check
duplicates) in this process and prints rows per second and peak memory.

    .venv/bin/python bench/import_speed.py [--rows 20000]
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

CATEGORIES = ["Lunch club", "Walking group; Older people", "Carers, Dementia", "Food bank", "Knitting circle",
              "Money, debt and benefits advice", "Youth club", "", "Community centre"]
TRAFFORD = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "trafford"


def synthetic_rows(n: int) -> list[list[str]]:
    rng = random.Random(1)
    rows = []
    for i in range(n):
        lat, lon = 53.35 + rng.random() * 0.2, -2.45 + rng.random() * 0.3
        rows.append([f"Group {i}", rng.choice(CATEGORIES), "Activities for older people and carers",
                     f"{lat:.6f}", f"{lon:.6f}"])
    return rows


def timed_import(ws: asset_map.Workspace, path: Path, **options) -> tuple[float, int]:
    start = time.perf_counter()
    result = ws.import_assets(path, dry_run=True, **options)
    return time.perf_counter() - start, result.rows_read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        header = ["Name", "Category", "Description", "Latitude", "Longitude"]
        rows = synthetic_rows(args.rows)
        csv_path = tmp / "assets.csv"
        with open(csv_path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header] + rows)
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        sheet = wb.create_sheet("Assets")
        sheet.append(["County asset list"])
        sheet.append([])
        sheet.append(header)
        for r in rows:
            sheet.append(r)
        xlsx_path = tmp / "assets.xlsx"
        wb.save(xlsx_path)
        ws = asset_map.Workspace(tmp / "ws.gpkg")
        cases = [("CSV", csv_path, {}), ("Excel", xlsx_path, {})]
        if TRAFFORD.is_dir():
            ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
            cases.append(("real charities (postcodes, inferred)",
                          TRAFFORD / "assets" / "charities_operating_in_trafford.csv", {"use_inferred": True}))
        for label, path, options in cases:
            seconds, n = timed_import(ws, path, **options)
            print(f"{label:38s} {n:>7,} rows  {seconds:6.2f} s  {n / seconds:>8,.0f} rows/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
