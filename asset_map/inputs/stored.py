"""The layers and tables of a workspace's store, read as (Geo)DataFrames.

The store (:mod:`asset_map.store`) hands back plain columns; the steps that
work on frames (imports, merges, exports) read them through here, so a column
that reads back untyped is fixed in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from ..store import Store


def frame(store: "Store", name: str) -> "pd.DataFrame | None":
    """A layer or table as a (Geo)DataFrame, or ``None`` if the store lacks it."""
    table = store.read(name)
    return None if table is None else table.to_frame()


def assets_frame(store: "Store") -> "gpd.GeoDataFrame | None":
    """The ``assets`` layer, its ``capacity`` kept numeric (a column with no value at all reads back untyped)."""
    assets = frame(store, "assets")
    if assets is not None and "capacity" in assets.columns:
        import pandas as pd

        assets["capacity"] = pd.to_numeric(assets["capacity"], errors="coerce").astype(float)
    return assets
