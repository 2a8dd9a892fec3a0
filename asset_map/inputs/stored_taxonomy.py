"""The workspace's taxonomy as stored in its ``categories`` table.

It is read back (:func:`stored_taxonomy`), written as the default when a
workspace first gets data (:func:`ensure_taxonomy`), and a new one is applied
to the stored assets by mapping their category words again
(:func:`recategorised`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..categories.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from ..store import Store, StoreWriter, Table


def stored_taxonomy(store: "Store") -> Taxonomy:
    """The store's taxonomy, or the default one if none is stored yet.

    A taxonomy stored before categories had a ``capacity_unit`` takes the
    default taxonomy's unit for each category id the default has; one stored
    before they had a ``travel`` time takes the default's time for each
    category id the default has with the same ``catchment_m`` (a changed
    distance was someone's choice: it keeps the straight line).
    """
    t = store.read("categories")
    if t is None:
        return load_taxonomy()
    rows = [dict(zip(t.columns, vals)) for vals in zip(*t.columns.values())]
    default = {c.id: c for c in load_taxonomy()}
    if "capacity_unit" not in t.columns:
        rows = [dict(r, capacity_unit=default[r["id"]].capacity_unit if r.get("id") in default else "") for r in rows]
    if "travel" not in t.columns:
        rows = [dict(r, travel=_default_travel(default.get(str(r.get("id"))), r.get("catchment_m"))) for r in rows]
    return Taxonomy.from_rows(rows, source=f"{store.location} (categories)")


def _default_travel(default, catchment_m) -> str:
    """The default category's travel time (``""`` for none) when the stored distance is the default's."""
    try:
        same = default is not None and default.travel is not None and float(catchment_m) == default.catchment_m
    except (TypeError, ValueError):
        same = False
    return default.travel.text if same else ""


def taxonomy_frame(taxonomy: Taxonomy) -> "pd.DataFrame":
    """The ``categories`` table of a taxonomy: one row per category."""
    import pandas as pd

    return pd.DataFrame(taxonomy.to_rows())


def ensure_taxonomy(store: "Store", tx: "StoreWriter") -> None:
    """Write the default taxonomy in ``tx`` unless the store holds one already."""
    if store.read("categories") is None:
        tx.write("categories", taxonomy_frame(load_taxonomy()))


def recategorised(assets: "gpd.GeoDataFrame", taxonomy: Taxonomy, merges: "Table | None") -> "gpd.GeoDataFrame":
    """The assets with their category ids under ``taxonomy`` (:func:`_recategorise`), the recorded merges
    applied again, since merged assets gave their categories to the kept one."""
    from .duplicates import apply_merges

    assets = assets.copy()
    assets["categories"] = [_recategorise(taxonomy, row) for row in assets.to_dict("records")]
    assets["merged_into"] = ""
    assets, _ = apply_merges(assets, merges)
    return assets


def _recategorise(taxonomy: Taxonomy, asset: dict) -> str:
    """An asset's category ids under a new taxonomy.

    Words from a category column are mapped again. Categories given with
    ``--category`` or inferred from the text keep the ids the new taxonomy
    still has; so do those a category map decided, added to the words mapped
    again (the map itself is not stored).
    """
    source = asset.get("category_source") or "category column"
    old = [c for c in str(asset.get("categories") or "").split(";") if c and c in taxonomy.ids]
    if source in ("category column", "category map"):
        ids = list(taxonomy.map_cell(asset.get("category_text")).ids)
        if source == "category map":
            ids += [c for c in old if c not in ids]
        return ";".join(ids)
    return ";".join(old)
