"""The catchments an output draws: each located asset's, for the categories measured by travel time.

With a street network, a category whose taxonomy gives a travel time
(``travel``: "10 min walk") gets a catchment polygon per located asset
(:func:`asset_map.network.isochrones.catchments_frame`); the others are
straight lines, with no street shape to draw. Drawing them takes tens of
milliseconds per asset, so the last catchments drawn are kept for as long
as the process lives and given again for the same network (its file, hash
and loading), categories and assets (ids, names, categories and points):
the map and the GeoPackage of one run draw them once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.taxonomy import Taxonomy
    from ..network.graph import StreetNetwork


def view_catchments(net: "StreetNetwork", taxonomy: "Taxonomy", assets: "gpd.GeoDataFrame | None",
                    categories: Sequence[str] | None = None) -> "gpd.GeoDataFrame | None":
    """The catchments of ``assets`` for the categories with a travel time (those of ``categories`` only, when
    given); ``None`` when there are no assets."""
    from ..network.isochrones import catchments_frame

    if assets is None or not len(assets):
        return None
    specs = {c.id: (c.travel.minutes, c.travel.mode, c.travel.text) for c in taxonomy
             if c.travel is not None and (categories is None or c.id in categories)}
    key = _key(net, specs, assets)
    if _LAST.get("key") != key:
        _LAST.update(key=key, frame=catchments_frame(net, assets, specs))
    return _LAST["frame"].copy()


#: The last catchments drawn, and what they were drawn for.
_LAST: dict[str, Any] = {}


def _key(net: "StreetNetwork", specs: dict, assets: "gpd.GeoDataFrame") -> tuple:
    """What a drawing of catchments depends on: the network's source, the specs, the assets' ids, names,
    categories and points."""
    import hashlib

    import shapely

    digest = hashlib.sha256()
    for col in ("asset_id", "name", "categories"):
        if col in assets.columns:
            digest.update("\x1f".join(map(str, assets[col].tolist())).encode())
    digest.update(b"".join(shapely.to_wkb(g) if g is not None else b"-" for g in assets.geometry))
    return (tuple(sorted((k, str(v)) for k, v in net.source.items())), tuple(sorted(specs.items())),
            digest.hexdigest())
