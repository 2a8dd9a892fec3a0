"""Exports: GeoJSON for web maps, QGIS and the workshop screen.

GeoJSON follows RFC 7946: WGS84 longitude/latitude, no ``crs`` member,
exterior rings counter-clockwise, coordinates to 7 decimal places (about 1 cm).

The areas layer carries, for each category ``<id>``, the properties
``<id>_assets``, ``<id>_rate_per_10k``, ``<id>_coverage``, ``<id>_level``
``<id>_priority``, ``<id>_unreached``, ``<id>_served``, ``<id>_need_index``,
``<id>_robust``, ``<id>_finding`` and ``<id>_confidence`` (see
:mod:`asset_map.analysis.gaps` and :mod:`asset_map.analysis.confidence`), and with a
population layer ``<id>_access_per_10k`` and ``<id>_access_e2sfca_per_10k``,
so a map can be shaded by any of them; ``<id>_reach`` says how reach was
measured ("10 min walk", "straight-line 800 m") and, on a street network,
``<id>_barrier_share`` is the barrier effect (:mod:`asset_map.analysis.network_reach`).

From an output view (:func:`view_geojson`, :mod:`asset_map.outputs.view`):
with an area in focus only that area, and its assets, are written; with a
what-if the measures are those after it, each area gets ``what_if`` (the
line saying what changed) and ``<id>_coverage_before``, ``<id>_assets_before``,
``<id>_level_before`` beside them, and the assets layer holds the assets added
(``what_if``: ``added``) and those taken away (``removed``) too.

The catchments layer (:func:`catchments_geojson`, with a street network only)
holds a polygon per asset and category: the streets from which the asset is
reached within the category's time, with ``asset_id``, ``name``,
``category``, ``category_label``, ``reach`` ("10 min walk"), ``minutes`` and
``mode`` (:mod:`asset_map.network.isochrones`): a drawing of the reach the
measures compute from exact travel times.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence

from ..geo import WGS84
from ..categories.taxonomy import Taxonomy
from ..cells import plain_value

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport
    from ..categories.filters import AssetFilter
    from .view import OutputView

PRECISION = 7


def feature_collection(gdf: "gpd.GeoDataFrame", properties: list[dict[str, Any]]) -> str:
    """``gdf``'s geometries with ``properties`` as RFC 7946 GeoJSON text (module docstring); NaN written as null."""
    import shapely

    geoms = gdf.to_crs(WGS84).geometry.to_numpy()
    geoms = shapely.set_precision(geoms, 10 ** -PRECISION)
    polygons = shapely.get_type_id(geoms) >= 3
    if polygons.any():
        geoms[polygons] = shapely.orient_polygons(geoms[polygons], exterior_cw=False)
    features = []
    for geom, props in zip(geoms, properties):
        features.append({
            "type": "Feature",
            "properties": {k: plain_value(v) for k, v in props.items()},  # JSON-safe: NaN is null
            "geometry": None if geom is None else json.loads(shapely.to_geojson(geom)),
        })
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def areas_geojson(
    areas: "gpd.GeoDataFrame", report: "GapReport", taxonomy: Taxonomy,
    *, categories: Sequence[str] | None = None,
) -> str:
    """Areas with their population and their gap measures per category."""
    from ..analysis.target_population import BAND_COLUMNS

    by_key = {(r.area_code, r.category_id): r for r in report.rows}
    cat_ids = list(categories) if categories else taxonomy.ids
    props = []
    for _, a in areas.iterrows():
        p: dict[str, Any] = {"area_code": a["area_code"], "area_name": a["area_name"]}
        for col in BAND_COLUMNS:
            if col in areas.columns:
                p[col] = a[col]
        for col in ("split_population", "population_method"):  # how a population layer was shared
            if col in areas.columns:
                p[col] = a[col]
        p["area_km2"] = round(float(a["area_km2"]), 4)
        for cid in cat_ids:
            r = by_key[(a["area_code"], cid)]
            p[f"{cid}_assets"] = r.assets
            p[f"{cid}_rate_per_10k"] = None if r.rate_per_10k is None else round(r.rate_per_10k, 3)
            p[f"{cid}_coverage"] = round(r.coverage, 4)
            p[f"{cid}_reach"] = r.reach
            if r.barrier_share is not None:
                p[f"{cid}_barrier_share"] = round(r.barrier_share, 4)
            if r.access_per_10k is not None:
                p[f"{cid}_access_per_10k"] = round(r.access_per_10k, 4)
                p[f"{cid}_access_e2sfca_per_10k"] = round(r.access_e2sfca_per_10k, 4)
            p[f"{cid}_level"] = r.level
            p[f"{cid}_priority"] = r.priority
            p[f"{cid}_unreached"] = None if r.uncovered is None else round(r.uncovered, 1)
            p[f"{cid}_served"] = r.served
            p[f"{cid}_need_index"] = None if r.need_index is None else round(r.need_index, 4)
            p[f"{cid}_robust"] = r.robust
            p[f"{cid}_finding"] = r.finding
            p[f"{cid}_confidence"] = r.confidence
        props.append(p)
    return feature_collection(areas, props)


#: Why there is no catchments layer without a street network, and what to do.
NO_NETWORK = ("no street network loaded: catchments are straight-line distances, with no street shape to draw; "
              "load one with `asset-map network load`")


def view_geojson(view: "OutputView", areas: "gpd.GeoDataFrame", taxonomy: Taxonomy, layer: str,
                 categories: Sequence[str] | None = None, filters: "AssetFilter | None" = None) -> str:
    """The ``areas``, ``assets`` or ``catchments`` layer of an output view (see the module docstring).

    Raises
    ------
    FilterError
        If ``filters`` leaves no asset to write on the assets layer.
    WorkspaceError
        For the catchments layer without a street network (:data:`NO_NETWORK`).
    """
    import pandas as pd

    if layer == "catchments":
        shown = view.shown_catchments(categories)
        if shown is None:
            from ..errors import WorkspaceError

            raise WorkspaceError(NO_NETWORK)
        return catchments_geojson(shown, taxonomy)
    if layer == "assets":
        assets = view.assets
        if view.removed is not None and len(view.removed):
            assets = pd.concat([assets, view.removed], ignore_index=True)
        if filters is not None and filters.active and not len(assets):
            from ..categories.filters import FilterError

            raise FilterError(f"no asset is known to be {filters.describe()}; nothing to write")
        if categories:
            assets = assets[[categories[0] in (c or "").split(";") for c in assets["categories"]]]
        if view.area is not None:
            assets = assets[assets["area_code"].astype(str) == view.area]
        return assets_geojson(assets, areas, taxonomy)
    shown = areas if view.area is None else areas[areas["area_code"] == view.area]
    text = areas_geojson(shown, view.report, taxonomy, categories=categories)
    if view.before is None:
        return text
    data = json.loads(text)
    for f in data["features"]:
        p = f["properties"]
        p["what_if"] = view.what_if_text()
        p.update(view.before_fields(p["area_code"], categories or taxonomy.ids))
    return json.dumps(data, ensure_ascii=False)


def assets_geojson(assets: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame | None", taxonomy: Taxonomy) -> str:
    """Assets with their categories (ids and labels) and the area they are in."""
    labels = {c.id: c.label for c in taxonomy}
    names = {} if areas is None else dict(zip(areas["area_code"], areas["area_name"]))
    props = []
    for _, a in assets.iterrows():
        ids = [c for c in (a["categories"] or "").split(";") if c]
        props.append({
            "asset_id": a["asset_id"],
            "name": a["name"],
            "categories": ids,
            "category_labels": [labels.get(c, c) for c in ids],
            "category_text": a["category_text"],
            "area_code": a["area_code"],
            "area_name": names.get(a["area_code"]),
            "location_status": a["location_status"],
            "located_by": a["located_by"],
            "category_source": a.get("category_source") or "",
            "inferred": a.get("inferred") or "",
            "source": a["source"],
            "source_row": a["source_row"],
            "address": a["address"],
            "postcode": a["postcode"],
            **({"what_if": a.get("what_if") or ""} if "what_if" in assets.columns else {}),
        })
    return feature_collection(assets, props)


def catchments_geojson(catchments: "gpd.GeoDataFrame", taxonomy: Taxonomy) -> str:
    """Catchment polygons (:func:`asset_map.network.isochrones.catchments_frame`) with their category's label."""
    labels = {c.id: c.label for c in taxonomy}
    props = [{"asset_id": r["asset_id"], "name": r["name"], "category": r["category"],
              "category_label": labels.get(r["category"], r["category"]), "reach": r["reach"],
              "minutes": r["minutes"], "mode": r["mode"]} for _, r in catchments.iterrows()]
    return feature_collection(catchments, props)
