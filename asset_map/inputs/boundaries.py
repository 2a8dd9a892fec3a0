"""Loading neighbourhood boundaries and their population.

Three ways to get areas with a population:

1. **Polygons with a population field**: ``population_field="pop"``.
2. **Polygons plus a population CSV joined by code**, such as the ONS
   mid-year estimates (``population_csv=...``). When the CSV is for *smaller*
   areas than the polygons (LSOAs for localities), also give the small-area
   polygons (``small_areas=...``): each small area is counted in the area
   that contains its point (its centroid, or a point inside it when the
   centroid falls outside; see :mod:`asset_map.inputs.population_layer`), and an
   area's population is the sum of its small areas'.
3. **Dissolving small areas** (LSOA/MSOA) into neighbourhoods through a lookup
   CSV (``dissolve=lookup.csv, into="neighbourhood_code"``); the population
   CSV then joins the small areas and is summed.

Checks: polygons only; invalid geometries are repaired (``shapely.make_valid``)
and counted in a warning; empty geometries, duplicate codes and overlapping
areas (an overlap larger than 1 m² and 0.1% of the smaller area) are errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.target_population import population_columns
from ..errors import BoundaryError, ColumnError, InputFileError
from ..numbers import number
from .polygons import attach_population, choose_fields, coded_areas, field_list, read_polygons
from .population import read_population_csv
from .population_layer import count_small_areas

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

OVERLAP_MIN_M2 = 1.0
OVERLAP_MIN_SHARE = 0.001


@dataclass
class BoundaryResult:
    """Areas ready to store, with what the user should be told."""

    areas: "gpd.GeoDataFrame"
    small_areas: "gpd.GeoDataFrame | None" = None
    warnings: list[str] = field(default_factory=list)
    source: str = ""


def load_boundaries(
    path: str | Path, *, code_field: str | None = None, name_field: str | None = None,
    population_field: str | None = None, population_csv: str | Path | None = None,
    population_code_column: str | None = None, small_areas: str | Path | None = None,
    dissolve: str | Path | None = None, into: str | None = None, into_name: str | None = None,
    layer: str | None = None, crs: str | None = None,
) -> BoundaryResult:
    """Read boundary polygons and build the areas to analyse.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile or TopoJSON polygons, any CRS.
    code_field, name_field
        Fields holding each polygon's code and name. Detected when omitted
        (``area_code``, ``code``, ``*CD``; ``area_name``, ``name``, ``*NM``);
        when there is no code field the name is used as the code.
    population_field
        A field holding each polygon's population (all ages).
    population_csv, population_code_column
        Population by code (ONS wide format or a code and total column).
    small_areas
        Small-area polygons whose codes join ``population_csv``, summed
        into the areas by representative point.
    dissolve, into, into_name
        A lookup CSV from the polygons' codes to neighbourhoods: the column
        of neighbourhood codes (``into``) and, optionally, names.
    crs
        The CRS of a file that has none (GeoJSON without one is WGS84).

    Returns
    -------
    BoundaryResult
        Areas in EPSG:27700 with ``area_code``, ``area_name``, population
        columns and ``area_km2``.
    """
    warnings: list[str] = []
    polys = read_polygons(path, layer=layer, crs=crs, warnings=warnings)
    base = _coded_base(polys, path, code_field, name_field, warnings)
    pop = None if population_csv is None else read_population_csv(population_csv, code_column=population_code_column)
    if population_field is not None:
        base["all_ages"] = _population_field(polys, path, population_field)
    pop_path = Path(population_csv) if population_csv else None
    small = None
    if dissolve is not None:
        areas, small = _dissolve(attach_population(base, pop, pop_path), Path(dissolve), into, into_name)
    elif small_areas is not None:
        small, areas = _sum_small_areas(base, small_areas, pop, pop_path, crs, warnings)
    else:
        areas = attach_population(base, pop, pop_path).drop(columns="_row")
    return _result(areas, small, Path(path), warnings)


def _coded_base(polys, path, code_field, name_field, warnings) -> "gpd.GeoDataFrame":
    """The polygons with their codes and names, and ``_row`` (the feature number); codes must be unique."""
    codes, names = choose_fields(polys, path, code_field, name_field, warnings)
    base = coded_areas(polys, codes, names)
    base["_row"] = range(1, len(base) + 1)
    _check_codes(base, Path(path))
    return base


def _population_field(polys, path, population_field: str):
    """The polygons' population (all ages) from one of their fields: every feature a count of at least 0
    (thousands separators allowed, :func:`asset_map.numbers.number`)."""
    import numpy as np

    if population_field not in polys.columns:
        raise ColumnError(
            f"{path}: no field {population_field!r}; the fields are {field_list(polys)}"
        )
    return np.array([
        number(value, where=f"{path}, feature {row}, field {population_field!r}", what="a population count",
               low=0, advice="give every area its number of residents")
        for row, value in enumerate(polys[population_field], start=1)
    ], dtype=float)


def _sum_small_areas(base, small_areas, pop, pop_path, crs, warnings: list[str]):
    """Small-area polygons with their population, counted in the areas (:func:`count_small_areas`).

    Returns the small areas and the areas with their population the sums of
    their small areas'.
    """
    if pop is None:
        raise ColumnError("small areas were given without a population CSV; pass --population too")
    sa = read_polygons(small_areas, layer=None, crs=crs, warnings=warnings, points_ok=True)
    small = coded_areas(sa, *choose_fields(sa, small_areas, None, None, []))
    small, areas, more = count_small_areas(small, pop, pop_path, base.drop(columns="_row"), small_areas)
    warnings += more
    return small, areas


def _result(areas, small, path: Path, warnings: list[str]) -> BoundaryResult:
    """The areas checked for overlaps, with ``area_km2`` (area in m² / 10⁶), sorted by code, columns in order."""
    _check_overlaps(areas, path)
    areas["area_km2"] = areas.geometry.area / 1e6
    areas = areas.sort_values("area_code", kind="stable").reset_index(drop=True)
    shared = [c for c in ("split_population", "population_method") if c in areas.columns]
    cols = ["area_code", "area_name", *population_columns(areas.columns), *shared, "area_km2", "geometry"]
    if small is not None:  # the parts of the small areas (inputs.apportion)
        small_cols = ["code", "name", "area_code", "share", "method", "x", "y", *population_columns(small.columns),
                      "geometry"]
        small = small[[c for c in small_cols if c in small.columns]].reset_index(drop=True)
    return BoundaryResult(areas[cols], small, warnings, path.name)


def _check_codes(base, path: Path) -> None:
    dup = base["area_code"].duplicated(keep=False)
    if dup.any():
        code = base["area_code"][dup].iloc[0]
        rows = base["_row"][base["area_code"] == code].tolist()
        raise BoundaryError(
            f"{path}: area code {code!r} is used by features {', '.join(map(str, rows))}; "
            "codes must be unique (dissolve them first, or choose another --code-field)"
        )


def _check_overlaps(areas, path: Path) -> None:
    """Raise if two areas overlap by more than a sliver."""
    import shapely

    geoms = areas.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    for i, j in zip(left[keep], right[keep]):
        overlap = shapely.intersection(geoms[i], geoms[j]).area
        smaller = min(geoms[i].area, geoms[j].area)
        if overlap > OVERLAP_MIN_M2 and overlap > OVERLAP_MIN_SHARE * smaller:
            a, b = areas["area_code"].iloc[i], areas["area_code"].iloc[j]
            raise BoundaryError(
                f"{path}: areas {a!r} and {b!r} overlap by {overlap / 1e4:.2f} ha "
                f"({overlap / smaller:.1%} of the smaller); each place must be in one area only"
            )


def _dissolve(small, lookup_path: Path, into, into_name):
    """Dissolve small areas into neighbourhoods through a lookup CSV."""
    import geopandas as gpd

    from .readers import read_input

    table = read_input(lookup_path)
    lk = table.frame
    cols = table.columns
    codes = set(small["area_code"])
    # The column that holds the small-area codes is the one matching most of them.
    from_col = max(cols, key=lambda c: lk[c].isin(codes).sum())
    if lk[from_col].isin(codes).sum() == 0:
        raise ColumnError(
            f"{lookup_path}: no column holds the boundary codes (e.g. {next(iter(codes))!r}); "
            "check that the lookup and the boundaries are from the same year"
        )
    others = [c for c in cols if c != from_col]
    if into is None:
        if len(others) == 1:
            into = others[0]
        else:
            raise ColumnError(
                f"{lookup_path}: which column holds the neighbourhood codes? pass --into "
                f"(one of {', '.join(others)})"
            )
    for given in (into, into_name):
        if given is not None and given not in lk.columns:
            raise ColumnError(f"{lookup_path}: no column {given!r}; the columns are {', '.join(cols)}")
    lk = lk[lk[from_col].isin(codes)]
    conflict = lk.groupby(from_col)[into].nunique() > 1
    if conflict.any():
        code = conflict.index[conflict.argmax()]
        raise InputFileError(
            f"{lookup_path}: small area {code!r} is given more than one {into!r}; each must belong to one"
        )
    lk = lk.drop_duplicates(from_col).set_index(from_col)
    unmatched = ~small["area_code"].isin(lk.index)
    if unmatched.any():
        missing = small["area_code"][unmatched].tolist()
        raise InputFileError(
            f"{lookup_path}: {len(missing)} small area(s) are not in the lookup, e.g. {missing[0]!r}; "
            "every small area must be given a neighbourhood"
        )
    small = small.rename(columns={"area_code": "code", "area_name": "name"}).drop(columns="_row")
    small["area_code"] = small["code"].map(lk[into]).astype(str)
    names = lk.drop_duplicates(into).set_index(into)[into_name] if into_name else None
    pops = population_columns(small.columns)
    areas = small.dissolve(by="area_code", aggfunc={c: "sum" for c in pops} or "first").reset_index()
    if not pops:
        areas = areas[["area_code", "geometry"]]
    areas["area_name"] = areas["area_code"].map(names) if names is not None else areas["area_code"]
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=small.crs)
    return areas, small
