"""GeoPackage export for GIS users: one file QGIS opens with every layer.

Layers, all in British National Grid (EPSG:27700, recorded in the file so
QGIS picks it up):

``areas``
    the area polygons with ``area_code``, ``area_name``, the population
    columns and ``area_km2``, and for each category ``<id>`` the same
    measures, under the same names, as the GeoJSON export
    (:func:`asset_map.outputs.geojson.areas_geojson`): ``<id>_assets``,
    ``<id>_rate_per_10k``, ``<id>_coverage``, ``<id>_level``,
    ``<id>_priority`` and, with a population layer, ``<id>_access_per_10k``
    and ``<id>_access_e2sfca_per_10k``. The values are taken from the
    GeoJSON export itself, so the two never disagree.
``assets``
    the active assets (merged duplicates left out) as points, with every
    stored column; ``categories`` keeps the ids separated by ``;`` and
    ``category_labels`` gives their labels separated by ``; ``;
    ``area_name`` is added beside ``area_code``. Assets without a location
    have no geometry.
``population``
    the small areas of the population layer (points or polygons), with
    ``area_name`` added, when one is loaded.
``catchments``
    with a street network, a polygon per asset and category: the streets
    from which the asset is reached within the category's time, with the
    properties of the GeoJSON export's catchments layer
    (:func:`asset_map.outputs.geojson.catchments_geojson`). Left out
    without a network, when the catchments are straight-line distances.

From an output view (:func:`write_view_gpkg`): with an area in focus only
that area, its assets and its population parts are written; with a what-if
the measures are those after it, each area also has ``what_if`` and
``<id>_coverage_before``, ``<id>_assets_before``, ``<id>_level_before``, and
each asset a ``what_if`` column (``added``, ``removed`` or empty), the added
assets included.

Each layer's description (shown by QGIS) says what it holds. The file is
written beside the target and then moved into place, so a failed export
never leaves a half-written GeoPackage where a good one was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..geo import BNG
from ..categories.taxonomy import Taxonomy

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport
    from .view import OutputView

#: Suffixes of the numeric per-category measures (kept numeric even when every value is empty).
NUMERIC_SUFFIXES = ("_assets", "_rate_per_10k", "_coverage", "_access_per_10k", "_access_e2sfca_per_10k",
                    "_priority", "_barrier_share")


def write_gpkg(
    path: str | os.PathLike,
    areas: "gpd.GeoDataFrame",
    report: "GapReport",
    taxonomy: Taxonomy,
    *,
    assets: "gpd.GeoDataFrame | None" = None,
    population: "gpd.GeoDataFrame | None" = None,
    categories: Sequence[str] | None = None,
    before: "GapReport | None" = None,
    what_if: str = "",
    catchments: "gpd.GeoDataFrame | None" = None,
) -> dict[str, int]:
    """Write the layers to a GeoPackage at ``path``; returns each layer written and its feature count.

    ``report`` must hold every area × category written (``Workspace.gaps()``
    unnarrowed); ``categories`` (ids) limits the measures to those
    categories. ``assets`` and ``population`` are left out when ``None`` or
    empty. ``before``: the figures before a what-if (``what_if`` says what it
    changed), written beside the measures as ``<id>_coverage_before``,
    ``<id>_assets_before`` and ``<id>_level_before``. ``catchments``: the
    polygons of :func:`asset_map.network.isochrones.catchments_frame`, left out
    when ``None`` or empty.
    """
    layer = areas_layer(areas, report, taxonomy, categories=categories)
    if before is not None:
        _add_before(layer, before, categories or taxonomy.ids, what_if)
    layers: dict[str, tuple["gpd.GeoDataFrame", str]] = {
        "areas": (layer,
                  f"Areas with their gap measures per category (<id>_assets, _rate_per_10k, _coverage, _level, "
                  f"_priority). Coverage counted: {report.coverage_method}."),
    }
    names = dict(zip(areas["area_code"], areas["area_name"]))
    if assets is not None and len(assets):
        layers["assets"] = (assets_layer(assets, taxonomy, names),
                            "Community assets (merged duplicates left out); categories are ids separated by ';'.")
    if population is not None and len(population):
        layers["population"] = (_with_area_name(population, names),
                                "Small areas of the population layer with their population by age; a small area split "
                                "between areas is one row per part, with its share and the method that gave it.")
    if catchments is not None and len(catchments):
        from ..network.isochrones import WIDTH_M

        layers["catchments"] = (catchments_layer(catchments, taxonomy),
                                "Catchments: for each asset and category, the streets from which the asset is reached "
                                f"within the category's time (reach), drawn {WIDTH_M:g} m either side. A drawing: the "
                                "measures use the exact travel times.")
    return _write(Path(path), layers)


def write_view_gpkg(path: str | os.PathLike, view: "OutputView", areas: "gpd.GeoDataFrame", taxonomy: Taxonomy, *,
                    assets: "gpd.GeoDataFrame | None" = None, population: "gpd.GeoDataFrame | None" = None,
                    categories: Sequence[str] | None = None) -> dict[str, int]:
    """:func:`write_gpkg` of an output view (see the module docstring); ``assets`` are all the stored ones."""
    import pandas as pd

    if view.what_if is not None:
        gone = set(view.what_if.removed_ids)
        if assets is not None:
            assets = assets.assign(what_if=["removed" if str(a) in gone else "" for a in assets["asset_id"]])
        added = view.assets[view.assets["what_if"] == "added"] if view.assets is not None else None
        if added is not None and len(added):
            assets = added if assets is None else pd.concat([assets, added], ignore_index=True)
    if view.area is not None:
        areas = areas[areas["area_code"] == view.area]
        assets = None if assets is None else assets[assets["area_code"].astype(str) == view.area]
        population = None if population is None else population[population["area_code"] == view.area]
    counts = write_gpkg(path, areas, view.report, taxonomy, assets=assets, population=population,
                        categories=categories, before=view.before, what_if=view.what_if_text(),
                        catchments=view.shown_catchments(categories))
    return counts


# --------------------------------------------------------------------------- layers
def areas_layer(areas: "gpd.GeoDataFrame", report: "GapReport", taxonomy: Taxonomy, *,
                categories: Sequence[str] | None = None) -> "gpd.GeoDataFrame":
    """The areas with exactly the properties of :func:`asset_map.outputs.geojson.areas_geojson`, in BNG."""
    import geopandas as gpd
    import pandas as pd

    from .geojson import areas_geojson

    # The GeoJSON export computes the properties; its geometry is not needed (nor reprojected).
    bare = gpd.GeoDataFrame(areas.drop(columns=areas.geometry.name), geometry=[None] * len(areas),
                            crs=areas.crs)
    features = json.loads(areas_geojson(bare, report, taxonomy, categories=categories))["features"]
    props = pd.DataFrame([f["properties"] for f in features], index=areas.index)
    for col in props.columns:
        if col.endswith(NUMERIC_SUFFIXES):
            props[col] = pd.to_numeric(props[col]).astype("Int64" if col.endswith(("_assets", "_priority"))
                                                            else "float64")
    return gpd.GeoDataFrame(props, geometry=areas.geometry.to_numpy(), crs=areas.crs).to_crs(BNG)


def _add_before(layer: "gpd.GeoDataFrame", before: "GapReport", cat_ids: Sequence[str], what_if: str) -> None:
    """Put the figures before a what-if beside the areas' measures (in place; :func:`.view.before_fields`)."""
    from .view import before_fields

    fields = [before_fields(before, code, cat_ids) for code in layer["area_code"]]
    layer["what_if"] = what_if
    for name in fields[0] if fields else ():
        layer[name] = [f[name] for f in fields]


def assets_layer(assets: "gpd.GeoDataFrame", taxonomy: Taxonomy,
                 area_names: dict[str, str] | None = None) -> "gpd.GeoDataFrame":
    """The active assets, with their category labels and area name, in BNG."""
    from ..inputs.duplicates import active

    labels = {c.id: c.label for c in taxonomy}
    out = active(assets).drop(columns=["merged_into"], errors="ignore").copy()
    ids = [[c for c in (v or "").split(";") if c] for v in out["categories"]]
    out.insert(out.columns.get_loc("categories") + 1, "category_labels",
               ["; ".join(labels.get(c, c) for c in row) for row in ids])
    out = _with_area_name(out, area_names or {})
    return out.to_crs(BNG)


def catchments_layer(catchments: "gpd.GeoDataFrame", taxonomy: Taxonomy) -> "gpd.GeoDataFrame":
    """The catchment polygons with exactly the properties of :func:`asset_map.outputs.geojson.catchments_geojson`,
    in BNG."""
    import geopandas as gpd
    import pandas as pd

    from .geojson import catchments_geojson

    bare = gpd.GeoDataFrame(catchments.drop(columns=catchments.geometry.name), geometry=[None] * len(catchments),
                            crs=catchments.crs)
    features = json.loads(catchments_geojson(bare, taxonomy))["features"]
    props = pd.DataFrame([f["properties"] for f in features], index=catchments.index)
    props["minutes"] = pd.to_numeric(props["minutes"]).astype("float64")
    return gpd.GeoDataFrame(props, geometry=catchments.geometry.to_numpy(), crs=catchments.crs).to_crs(BNG)


def _with_area_name(frame: "gpd.GeoDataFrame", names: dict[str, str]) -> "gpd.GeoDataFrame":
    if "area_code" not in frame.columns or "area_name" in frame.columns:
        return frame.to_crs(BNG)
    frame = frame.copy()
    frame.insert(frame.columns.get_loc("area_code") + 1, "area_name",
                 [names.get(c) if isinstance(c, str) else None for c in frame["area_code"]])
    return frame.to_crs(BNG)


# --------------------------------------------------------------------------- writing
def _write(path: Path, layers: dict[str, tuple["gpd.GeoDataFrame", str]]) -> dict[str, int]:
    """Write every layer to a private file beside ``path``, then move it into place."""
    from ..files import check_output

    check_output(path)
    if Path(path).suffix.lower() != ".gpkg":
        from ..errors import OutputPathError

        raise OutputPathError(f"{path}: a GeoPackage's name ends in .gpkg (QGIS and GDAL expect it); "
                              f"name it {Path(path).with_suffix('.gpkg').name}")
    from ..files import write_atomically

    counts: dict[str, int] = {}

    def write(tmp: Path) -> None:
        for layer, (frame, description) in layers.items():
            _to_gpkg(frame, tmp, layer, description)
            counts[layer] = len(frame)

    write_atomically(path, write)
    return counts


def _to_gpkg(frame: "gpd.GeoDataFrame", path: Path, layer: str, description: str) -> None:
    options: dict[str, Any] = {"DESCRIPTION": description}
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", layer_options=options)
