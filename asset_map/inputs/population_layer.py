"""The population layer: small areas with their population, counted in the areas.

Small areas are LSOA or output-area polygons, or population-weighted centroid
points, with population by age (the ONS wide format, or a code and a total
column; see :mod:`asset_map.inputs.population`). Each small area stands at one point
(:func:`asset_map.analysis.access.population_points`: the point itself, or a polygon's
centroid when inside it) and belongs to the area containing that point.

When a layer is loaded the areas' population becomes the sum of their small
areas', so that counts, rates, coverage and accessibility share one
denominator. Small areas outside every area are kept but counted nowhere,
and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.target_population import population_columns
from ..errors import BoundaryError, ColumnError
from .polygons import attach_population, choose_fields, coded_areas, read_polygons
from .population import read_population_csv

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd


@dataclass
class PopulationLayerResult:
    """A population layer ready to store, and the areas with their new population."""

    small_areas: "gpd.GeoDataFrame"
    areas: "gpd.GeoDataFrame"
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def outside(self) -> int:
        """Small areas that lie in no area."""
        return int(self.small_areas["area_code"].isna().sum())


def load_population_layer(
    path: str | Path,
    areas: "gpd.GeoDataFrame",
    *,
    population_csv: str | Path | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    population_code_column: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
) -> PopulationLayerResult:
    """Read small areas and their population, and count them in ``areas``.

    Parameters
    ----------
    path
        Small-area polygons or points (GeoJSON, GeoPackage, Shapefile,
        TopoJSON; any CRS).
    areas
        The workspace's areas (EPSG:27700).
    population_csv, population_code_column
        Population by small-area code. Without it the population is read
        from the small areas' own fields (``all_ages`` or ``population``...).
    code_field, name_field
        The small areas' code and name fields (detected when omitted).

    Raises
    ------
    BoundaryError
        If an area gets no small area at all (the files cover different places).
    """
    warnings: list[str] = []
    gdf = read_polygons(path, layer=layer, crs=crs, warnings=warnings, points_ok=True)
    codes, names = choose_fields(gdf, path, code_field, name_field, warnings)
    if population_csv is not None:
        pop = read_population_csv(population_csv, code_column=population_code_column)
        pop_path = Path(population_csv)
    else:
        code_col = code_field or _code_column(gdf, codes)
        try:
            pop = read_population_csv(path, code_column=code_col)
        except ColumnError as exc:
            raise ColumnError(f"{exc}; or give the population as a CSV with --population") from None
        pop_path = Path(path)
    small, new_areas, more = count_small_areas(coded_areas(gdf, codes, names), pop, pop_path, areas, Path(path))
    return PopulationLayerResult(small, new_areas, warnings + more, Path(path).name)


def count_small_areas(small: "gpd.GeoDataFrame", pop, pop_path: Path | None, areas: "gpd.GeoDataFrame",
                      path: Path | str):
    """Join the population onto small areas (``area_code``, ``area_name``) and count them in ``areas``.

    The small areas' columns become ``code`` and ``name``; then
    :func:`attach_to_areas` assigns them and sums their population.
    """
    small = attach_population(small, pop, pop_path)
    small = small.rename(columns={"area_code": "code", "area_name": "name"})
    return attach_to_areas(small, areas, path)


def _code_column(gdf, codes) -> str:
    """The field whose values are the chosen codes."""
    for c in gdf.columns:
        if c != "geometry" and list(gdf[c].map(lambda v: None if v is None else str(v).strip())) == list(codes):
            return c
    raise ColumnError("cannot tell which field holds the small-area codes; pass --code-field")


def attach_to_areas(small: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", path: Path | str = "small areas"):
    """Assign each small area to an area and sum the population into the areas.

    Returns
    -------
    (small, areas, warnings)
        ``small`` with ``area_code`` (``None`` outside every area);
        ``areas`` with their population columns replaced by the sums.
    """
    from ..analysis.assign import assign_points
    from ..analysis.access import population_points

    small = small.copy()
    points = population_points(small.geometry.to_numpy())
    small["area_code"] = assign_points(points, areas.geometry.to_numpy(), areas["area_code"].to_numpy())
    warnings = []
    outside = small["area_code"].isna()
    if outside.any():
        warnings.append(
            f"{int(outside.sum())} of {len(small)} small areas lie outside every area and are not "
            f"counted (e.g. {small['code'][outside].iloc[0]})"
        )
    cols = population_columns(small.columns)
    sums = small[~outside].groupby("area_code")[cols].sum()
    kept = [c for c in areas.columns if c not in population_columns(areas.columns)]
    new_areas = areas[kept].join(sums, on="area_code")
    empty = new_areas["all_ages"].isna()
    if empty.any():
        raise BoundaryError(
            f"{path}: no small area falls in area {new_areas['area_code'][empty].iloc[0]!r}; "
            "check that the small areas and the boundaries cover the same place"
        )
    order = ["area_code", "area_name", *cols, *[c for c in kept if c not in ("area_code", "area_name")]]
    new_areas = new_areas[[c for c in order if c in new_areas.columns]]
    geometry_last = [c for c in new_areas.columns if c != "geometry"] + ["geometry"]
    small_cols = ["code", "name", "area_code", *cols, "geometry"]
    return small[small_cols].reset_index(drop=True), new_areas[geometry_last], warnings
