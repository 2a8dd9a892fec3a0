"""The layers and tables of a workspace's store, read as (Geo)DataFrames.

The store (:mod:`asset_map.store`) hands back plain columns; the steps that
work on frames (imports, merges, exports) read them through here, so a column
that reads back untyped is fixed in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import numpy as np
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


#: Postcodes this far beyond the areas' bounding box are read for apportioning (small areas overhang the areas).
POSTCODE_MARGIN_M = 5_000.0


def postcode_points(store: "Store", areas: "gpd.GeoDataFrame") -> "np.ndarray":
    """The live postcodes' centroids (an ``(n, 2)`` array of BNG x, y) in and around ``areas``: within
    :data:`POSTCODE_MARGIN_M` of their bounding box."""
    import numpy as np

    x0, y0, x1, y1 = areas.total_bounds
    m = POSTCODE_MARGIN_M
    table = store.read("postcodes", columns=["x", "y", "terminated"],
                       where="x >= ? AND x <= ? AND y >= ? AND y <= ?", params=(x0 - m, x1 + m, y0 - m, y1 + m))
    if table is None or not len(table):
        return np.zeros((0, 2))
    live = np.array([not t for t in table["terminated"]], dtype=bool)
    xy = np.column_stack([np.asarray(table["x"], dtype=float), np.asarray(table["y"], dtype=float)])
    return xy[live & np.isfinite(xy).all(axis=1)]


def rejects_frame(store: "Store", source: str | None = None) -> "pd.DataFrame | None":
    """The rejected input rows, or those of the import ``source`` (an unknown one raises
    :class:`~asset_map.errors.WorkspaceError` naming the imports)."""
    from ..errors import WorkspaceError

    rejects = frame(store, "rejects")
    if source is None:
        return rejects
    imports = frame(store, "imports")
    known = sorted(set(imports["source"])) if imports is not None else []
    if source not in known:
        raise WorkspaceError(f"{store.location}: no import called {source!r}; "
                             + (f"the imports are {', '.join(known)}" if known else "nothing is imported yet"))
    return None if rejects is None else rejects[rejects["source"] == source]
