"""The assets layer of a national workspace in a GeoPackage (as the workspace keeps it) and in GeoParquet.

Reads the assets layer of a workspace built by ``bench/national.py --keep DIR``
(1,000,000 assets), then times, each in this process with the garbage
collector paused as asset-map's own writes and reads are:

- writing it to a new GeoPackage with pyogrio through Arrow, as asset-map
  writes the layer, with its R-tree spatial index (what QGIS needs to draw
  a million points) and without it;
- writing it to GeoParquet (geopandas, pyarrow);
- reading back the columns ``gaps`` reads (those the layer has) and the points, from each.

Nothing is asserted; the figures are for choosing where the register lives
(see the README, "National scale: the import").

    .venv/bin/python bench/national.py --skip-postgis --keep /tmp/national
    .venv/bin/python bench/store_formats.py /tmp/national/national.gpkg
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(label: str, fn) -> object:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        out = fn()
        print(f"  {label:<58} {time.perf_counter() - start:6.2f} s")
    finally:
        gc.enable()
    return out


def main() -> None:
    import pyogrio

    from asset_map.inputs.gap_inputs import GAPS_COLUMNS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workspace", type=Path, help="a workspace GeoPackage (bench/national.py --keep DIR)")
    args = ap.parse_args()
    assets = pyogrio.read_dataframe(args.workspace, layer="assets", use_arrow=True)
    print(f"{len(assets):,} assets, {len(assets.columns) - 1} columns, from {args.workspace}")
    columns = [c for c in GAPS_COLUMNS if c != "geometry" and c in assets.columns]
    with tempfile.TemporaryDirectory() as tmp:
        gpkg, bare, parquet = Path(tmp, "a.gpkg"), Path(tmp, "b.gpkg"), Path(tmp, "a.parquet")
        timed("GeoPackage write, Arrow, with the R-tree index", lambda: pyogrio.write_dataframe(
            assets, gpkg, layer="assets", driver="GPKG", use_arrow=True, geometry_type="Point"))
        timed("GeoPackage write, Arrow, no spatial index", lambda: pyogrio.write_dataframe(
            assets, bare, layer="assets", driver="GPKG", use_arrow=True, geometry_type="Point",
            layer_options={"SPATIAL_INDEX": "NO"}))
        timed("GeoParquet write", lambda: assets.to_parquet(parquet))
        timed("GeoPackage read: gaps' columns and the points (pyogrio, Arrow)", lambda: pyogrio.read_dataframe(
            gpkg, layer="assets", columns=columns, use_arrow=True))
        import geopandas as gpd

        timed("GeoParquet read: gaps' columns and the points", lambda: gpd.read_parquet(
            parquet, columns=columns + ["geometry"]))
        print(f"  sizes: GeoPackage {gpkg.stat().st_size / 1e6:,.0f} MB (no index {bare.stat().st_size / 1e6:,.0f} MB), "
              f"GeoParquet {parquet.stat().st_size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
