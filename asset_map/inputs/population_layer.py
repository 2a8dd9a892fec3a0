"""The population layer: small areas with their population, apportioned to the areas.

Small areas are LSOA or output-area polygons, or population-weighted centroid
points, with population by age (the ONS wide format, or a code and a total
column; see :mod:`asset_map.inputs.population`). A small area that straddles
areas is cut into parts, each with its share of the population
(:mod:`asset_map.inputs.apportion`: by area share, by postcode count, by a
best-fit lookup, or whole by its point when asked); the stored layer holds
the parts.

When a layer is loaded the areas' population becomes the sum of their parts',
so that counts, rates, coverage and accessibility share one denominator.
Parts beyond every area within reach of the study area are kept as demand
from beyond the border: they count in accessibility (the people outside who
use the same assets) and in no area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.target_population import population_columns
from ..errors import BoundaryError, ColumnError
from .polygons import attach_population, choose_fields, coded_areas, read_polygons
from .apportion import METHOD_TEXT
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

    method: str = "area"

    @property
    def outside(self) -> int:
        """Parts of small areas that lie in no area (demand from beyond the border)."""
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
    method: str = "area",
    postcodes=None,
    lookup: str | Path | None = None,
    reach_m: float | None = None,
    finer: str | Path | None = None,
    finer_population: str | Path | None = None,
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
    method, postcodes, lookup, reach_m
        How small areas that straddle areas are shared: ``"area"``,
        ``"postcodes"`` (``postcodes``: an ``(n, 2)`` BNG array) or ``"whole"``;
        a ``lookup`` CSV makes it ``"lookup"``, a ``finer`` layer (its people in
        its fields or ``finer_population``) ``"finer"``; see :func:`attach_to_areas`.

    Raises
    ------
    BoundaryError
        If an area gets no small area at all (the files cover different places).
    """
    warnings: list[str] = []
    gdf = read_polygons(path, layer=layer, crs=crs, warnings=warnings, points_ok=True)
    codes, names = choose_fields(gdf, path, code_field, name_field, warnings)
    pop, pop_path = _population(path, gdf, codes, population_csv, population_code_column, code_field)
    sharing = _sharing(method, codes, areas, lookup=lookup, finer=finer, finer_population=finer_population,
                       crs=crs, postcodes=postcodes)
    small, new_areas, more = count_small_areas(coded_areas(gdf, codes, names), pop, pop_path, areas, Path(path),
                                               reach_m=reach_m, **sharing)
    method = _method_used(sharing["method"], small, more)
    return PopulationLayerResult(small, new_areas, warnings + more, Path(path).name, method)


def _method_used(method: str, parts: "gpd.GeoDataFrame", warnings: list[str]) -> str:
    """The method that shared the small areas: ``whole`` for points (each wholly in the area containing it);
    area share, with a warning, when no postcode or finer unit lies in any of them."""
    used = set(parts["method"])
    if used == {"whole"}:
        return "whole"
    if method in ("postcodes", "finer") and method not in used:
        what = "postcode of the loaded lookup" if method == "postcodes" else "unit of the finer layer"
        warnings.append(f"no {what} lies in these small areas: they are shared by area share")
        return "area"
    return method


def _population(path, gdf, codes, population_csv, population_code_column, code_field):
    """The small areas' population, from ``population_csv`` or their own fields, and the file it came from."""
    if population_csv is not None:
        return read_population_csv(population_csv, code_column=population_code_column), Path(population_csv)
    code_col = code_field or _code_column(gdf, codes)
    try:
        return read_population_csv(path, code_column=code_col), Path(path)
    except ColumnError as exc:
        raise ColumnError(f"{exc}; or give the population as a CSV with --population") from None


def _sharing(method: str, codes, areas: "gpd.GeoDataFrame", *, lookup, finer, finer_population, crs,
             postcodes) -> dict:
    """The options of :func:`attach_to_areas` that say how small areas are shared: a lookup or a finer
    layer, read here, take the place of ``method``."""
    if lookup is not None:
        return {"method": "lookup", "lookup": _read_lookup(lookup, codes, areas)}
    if finer is not None:
        return {"method": "finer", "finer": read_finer(finer, finer_population, crs)}
    return {"method": method, "postcodes": postcodes}


def read_finer(path: str | Path, population_csv: str | Path | None, crs: str | None = None):
    """A finer layer's points (an ``(n, 2)`` BNG array: each unit's point,
    :func:`~asset_map.analysis.access.population_points`) and people (``all_ages``), for ``method="finer"``.

    The people come from ``population_csv`` by code, or from the layer's own fields.
    """
    import shapely

    from ..analysis.access import population_points

    gdf = read_polygons(path, layer=None, crs=crs, warnings=[], points_ok=True)
    codes, names = choose_fields(gdf, path, None, None, [])
    if population_csv is not None:
        pop, pop_path = read_population_csv(population_csv), Path(population_csv)
    else:
        pop, pop_path = read_population_csv(path, code_column=_code_column(gdf, codes)), Path(path)
    units = attach_population(coded_areas(gdf, codes, names), pop, pop_path)
    points = population_points(units.geometry.to_numpy())
    return shapely.get_coordinates(points).reshape(len(units), 2), units["all_ages"].to_numpy(dtype=float)


def _read_lookup(lookup: str | Path, codes, areas: "gpd.GeoDataFrame") -> dict[str, str]:
    from .lookup import read_area_lookup

    return read_area_lookup(lookup, codes, areas["area_code"])


def count_small_areas(small: "gpd.GeoDataFrame", pop, pop_path: Path | None, areas: "gpd.GeoDataFrame",
                      path: Path | str, **apportioning):
    """Join the population onto small areas (``area_code``, ``area_name``) and count them in ``areas``.

    The small areas' columns become ``code`` and ``name``; then
    :func:`attach_to_areas` apportions them (``apportioning``: its options) and sums their population.
    """
    small = attach_population(small, pop, pop_path)
    small = small.rename(columns={"area_code": "code", "area_name": "name"})
    return attach_to_areas(small, areas, path, **apportioning)


def _code_column(gdf, codes) -> str:
    """The field whose values are the chosen codes."""
    for c in gdf.columns:
        if c != "geometry" and list(gdf[c].map(lambda v: None if v is None else str(v).strip())) == list(codes):
            return c
    raise ColumnError("cannot tell which field holds the small-area codes; pass --code-field")


def attach_to_areas(small: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", path: Path | str = "small areas", *,
                    method: str = "area", postcodes=None, lookup: "dict[str, str] | None" = None,
                    reach_m: float | None = None, finer=None):
    """Apportion the small areas to the areas (:func:`~asset_map.inputs.apportion.apportion`) and sum their
    population into the areas.

    Each area's population is ``Σ_p w_p·P_s`` over the parts *p* in it
    (``P_s``: the population of the part's small area *s*);
    ``split_population`` is the same sum over the parts of small areas cut
    between areas (``w_p < 1``). Parts outside every area are kept as demand
    from beyond the border when their point lies within ``reach_m`` of the
    areas (all of them when ``reach_m`` is ``None``), and left out, with a
    warning, beyond it.

    Returns
    -------
    (parts, areas, warnings)
        ``parts`` with ``area_code`` (``None`` outside every area);
        ``areas`` with their population columns replaced by the sums, and
        ``population_method`` saying how the small areas were shared.
    """
    from .apportion import apportion

    parts = apportion(small, areas, method=method, postcodes=postcodes, lookup=lookup, finer=finer)
    parts, warnings = _beyond(parts, areas, len(small), reach_m)
    cols = population_columns(parts.columns)
    inside = parts["area_code"].notna()
    split = parts["share"] < 1
    if (inside & split).any():
        n_split = parts.loc[split, "code"].nunique()
        used = sorted(set(parts.loc[split, "method"]))
        warnings.append(f"{n_split} of {len(small)} small areas straddle areas: their people are shared by "
                        f"{' and '.join(METHOD_TEXT[m] for m in used)} "
                        f"({parts.loc[inside & split, 'all_ages'].sum():,.0f} people counted in split parts)")
    sums = parts[inside].groupby("area_code")[cols].sum()
    sums["split_population"] = parts[inside & split].groupby("area_code")["all_ages"].sum()
    sums["split_population"] = sums["split_population"].fillna(0.0)
    sums["population_method"] = " and ".join(METHOD_TEXT[m] for m in sorted(set(parts["method"])))
    derived = ("split_population", "population_method")
    kept = [c for c in areas.columns if c not in population_columns(areas.columns) and c not in derived]
    new_areas = areas[kept].join(sums, on="area_code")
    empty = new_areas["all_ages"].isna()
    if empty.any():
        raise BoundaryError(
            f"{path}: no small area falls in area {new_areas['area_code'][empty].iloc[0]!r}; "
            "check that the small areas and the boundaries cover the same place"
        )
    order = ["area_code", "area_name", *cols, *derived,
             *[c for c in kept if c not in ("area_code", "area_name")]]
    new_areas = new_areas[[c for c in order if c in new_areas.columns]]
    geometry_last = [c for c in new_areas.columns if c != "geometry"] + ["geometry"]
    part_cols = ["code", "name", "area_code", "share", "method", "x", "y", *cols, "geometry"]
    return parts[part_cols].reset_index(drop=True), new_areas[geometry_last], warnings


def _beyond(parts: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", n_small: int, reach_m: float | None):
    """The parts, less those outside every area whose point is further than ``reach_m`` from the areas;
    and the warnings that say what is kept and left out beyond the areas."""
    import shapely

    outside = parts["area_code"].isna()
    warnings: list[str] = []
    if not outside.any():
        return parts, warnings
    far = outside & False
    if reach_m is not None:
        study = shapely.union_all(areas.geometry.to_numpy())
        near = shapely.dwithin(shapely.points(parts[["x", "y"]].to_numpy()), study, reach_m)
        far = outside & ~near
    kept = outside & ~far
    if kept.any():
        example = parts.loc[kept, "code"].iloc[0]
        warnings.append(
            f"{parts.loc[kept, 'code'].nunique()} of {n_small} small areas lie beyond the areas, wholly or in part "
            f"(e.g. {example}): their {parts.loc[kept, 'all_ages'].sum():,.0f} people are kept as demand from "
            "beyond the border (counted in accessibility, in no area)")
    if far.any():
        warnings.append(
            f"{parts.loc[far, 'code'].nunique()} of {n_small} small areas lie further than {reach_m:,.0f} m from "
            f"the areas, beyond every catchment (e.g. {parts.loc[far, 'code'].iloc[0]}): their "
            f"{parts.loc[far, 'all_ages'].sum():,.0f} people are not kept")
    return parts[~far], warnings


def whole_small_areas(parts: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
    """The small areas a stored population layer was cut from: its parts joined again by code.

    Each small area's population is the sum of its parts' (``Σ_p w_p·P_s = P_s``)
    and its polygon the union of theirs (slivers left out when it was cut,
    see :mod:`asset_map.inputs.apportion`, are not part of it).
    """
    if "share" not in parts.columns:
        return parts
    import geopandas as gpd

    cols = population_columns(parts.columns)
    grouped = parts.groupby("code", sort=False)
    joined = grouped[cols].sum()
    joined["name"] = grouped["name"].first()
    geoms = parts.dissolve(by="code", sort=False).geometry
    out = gpd.GeoDataFrame(joined.reset_index(), geometry=geoms.reindex(joined.index).to_numpy(), crs=parts.crs)
    return out[["code", "name", *cols, "geometry"]]
