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

#: Suffixes of the numeric per-category measures (kept numeric even when every value is empty).
NUMERIC_SUFFIXES = ("_assets", "_rate_per_10k", "_coverage", "_access_per_10k", "_access_e2sfca_per_10k",
                    "_priority")


def write_gpkg(
    path: str | os.PathLike,
    areas: "gpd.GeoDataFrame",
    report: "GapReport",
    taxonomy: Taxonomy,
    *,
    assets: "gpd.GeoDataFrame | None" = None,
    population: "gpd.GeoDataFrame | None" = None,
    categories: Sequence[str] | None = None,
) -> dict[str, int]:
    """Write the layers to a GeoPackage at ``path``; returns each layer written and its feature count.

    ``report`` must hold every area × category written (``Workspace.gaps()``
    unnarrowed); ``categories`` (ids) limits the measures to those
    categories. ``assets`` and ``population`` are left out when ``None`` or
    empty. ``Workspace.export_gpkg`` writes a workspace's layers with this.
    """
    layers: dict[str, tuple["gpd.GeoDataFrame", str]] = {
        "areas": (areas_layer(areas, report, taxonomy, categories=categories),
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
    return _write(Path(path), layers)


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
