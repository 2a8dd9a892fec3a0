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

from ..errors import BoundaryError, ColumnError, InputFileError
from ..geo import BNG, GB_BNG_BOUNDS
from .population import population_columns, read_population_csv
from .population_layer import attach_to_areas

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

OVERLAP_MIN_M2 = 1.0
OVERLAP_MIN_SHARE = 0.001

_CODE_FIELDS = ("area_code", "code", "areacode", "id")
_NAME_FIELDS = ("area_name", "name", "areaname")


@dataclass
class BoundaryResult:
    """Areas ready to store, with what the user should be told."""

    areas: "gpd.GeoDataFrame"
    small_areas: "gpd.GeoDataFrame | None" = None
    warnings: list[str] = field(default_factory=list)
    source: str = ""


def load_boundaries(
    path: str | Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    population_csv: str | Path | None = None,
    population_code_column: str | None = None,
    small_areas: str | Path | None = None,
    dissolve: str | Path | None = None,
    into: str | None = None,
    into_name: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
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
    import pandas as pd

    warnings: list[str] = []
    polys = _read_polygons(path, layer=layer, crs=crs, warnings=warnings)
    codes, names = _choose_fields(polys, path, code_field, name_field, warnings)
    base = polys[["geometry"]].copy()
    base.insert(0, "area_code", codes)
    base.insert(1, "area_name", names)
    base["_row"] = range(1, len(base) + 1)
    _check_codes(base, Path(path))

    pop = None
    if population_csv is not None:
        pop = read_population_csv(population_csv, code_column=population_code_column)
    if population_field is not None:
        if population_field not in polys.columns:
            raise ColumnError(
                f"{path}: no field {population_field!r}; the fields are {_field_list(polys)}"
            )
        values = pd.to_numeric(polys[population_field], errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().argmax()) + 1
            raise InputFileError(
                f"{path}, feature {row}, field {population_field!r}: "
                f"{polys[population_field].iloc[row - 1]!r} is not a population count"
            )
        base["all_ages"] = values.to_numpy(dtype=float)

    small = None
    if dissolve is not None:
        small = _attach_population(base, pop, Path(population_csv) if population_csv else None)
        areas, small = _dissolve(small, Path(dissolve), into, into_name)
    elif small_areas is not None:
        if pop is None:
            raise ColumnError("small areas were given without a population CSV; pass --population too")
        sa = _read_polygons(small_areas, layer=None, crs=crs, warnings=warnings, points_ok=True)
        sa_codes, sa_names = _choose_fields(sa, small_areas, None, None, [])
        small = sa[["geometry"]].copy()
        small.insert(0, "area_code", sa_codes)
        small.insert(1, "area_name", sa_names)
        small = _attach_population(small, pop, Path(population_csv))
        small = small.rename(columns={"area_code": "code", "area_name": "name"})
        small, areas, more = attach_to_areas(small, base.drop(columns="_row"), small_areas)
        warnings += more
    else:
        areas = base.drop(columns="_row")
        if pop is not None:
            areas = _attach_population(base, pop, Path(population_csv)).drop(columns="_row")
    _check_overlaps(areas, Path(path))
    areas["area_km2"] = areas.geometry.area / 1e6
    areas = areas.sort_values("area_code", kind="stable").reset_index(drop=True)
    cols = ["area_code", "area_name", *population_columns(areas.columns), "area_km2", "geometry"]
    if small is not None:
        small_cols = ["code", "name", "area_code", *population_columns(small.columns), "geometry"]
        small = small[[c for c in small_cols if c in small.columns]].reset_index(drop=True)
    return BoundaryResult(areas[cols], small, warnings, Path(path).name)


def _read_polygons(path, *, layer, crs, warnings, points_ok: bool = False) -> "gpd.GeoDataFrame":
    """Read polygons (or, with ``points_ok``, a file of points only) into EPSG:27700."""
    import shapely

    from .readers import read_spatial

    p = Path(path)
    if p.suffix.lower() in (".csv", ".xlsx", ".txt"):
        raise InputFileError(f"{p}: boundaries must be polygons in GeoJSON, GeoPackage, Shapefile or TopoJSON")
    table = read_spatial(p, layer=layer, crs=crs)
    gdf = table.frame
    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        row = int(missing.argmax()) + 1
        raise BoundaryError(
            f"{p}, feature {row}: empty geometry ({int(missing.sum())} such feature(s)); "
            "remove it or give it a polygon"
        )
    kinds = set(shapely.get_type_id(geoms).tolist())
    if points_ok and kinds == {0}:  # Point
        pass
    elif not kinds <= {3, 6, 7}:  # Polygon, MultiPolygon, GeometryCollection
        bad = next(g.geom_type for g in geoms if g.geom_type not in ("Polygon", "MultiPolygon"))
        what = "polygons, or points only" if points_ok else "polygons"
        raise BoundaryError(f"{p}: boundaries must be {what}, but this file has {bad} features")
    invalid = ~shapely.is_valid(geoms)
    if points_ok and kinds == {0}:
        invalid[:] = False
    if invalid.any():
        repaired = shapely.make_valid(geoms[invalid])
        geoms = geoms.copy()
        geoms[invalid] = [_polygonal(g) for g in repaired]
        gdf = gdf.set_geometry(list(geoms), crs=gdf.crs)
        warnings.append(f"{p.name}: repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'}")
    gdf = gdf.to_crs(BNG)
    x0, y0, x1, y1 = gdf.total_bounds
    gx0, gy0, gx1, gy1 = GB_BNG_BOUNDS
    if not (gx0 <= x0 and x1 <= gx1 and gy0 <= y0 and y1 <= gy1):
        raise BoundaryError(
            f"{p}: the features fall outside Great Britain when read as {table.frame.crs or crs}; "
            "if the CRS is wrong, pass --crs (e.g. EPSG:27700)"
        )
    return gdf


def _polygonal(geom):
    """Keep the polygon parts of a repaired geometry."""
    import shapely

    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _field_list(gdf) -> str:
    return ", ".join(c for c in gdf.columns if c != "geometry")


def _choose_fields(gdf, path, code_field, name_field, warnings):
    """Pick the code and name fields, given or detected."""
    cols = [c for c in gdf.columns if c != "geometry"]
    lower = {c.lower(): c for c in cols}
    for given, what in ((code_field, "--code-field"), (name_field, "--name-field")):
        if given is not None and given not in gdf.columns:
            raise ColumnError(f"{path}: no field {given!r} for {what}; the fields are {_field_list(gdf)}")
    if code_field is None:
        code_field = next((lower[c] for c in _CODE_FIELDS if c in lower), None) or next(
            (c for c in cols if c.lower().endswith("cd") and len(c) <= 10), None
        )
    if name_field is None:
        name_field = next((lower[c] for c in _NAME_FIELDS if c in lower), None) or next(
            (c for c in cols if c.lower().endswith("nm") and len(c) <= 10), None
        )
    if code_field is None and name_field is None:
        raise ColumnError(
            f"{path}: cannot tell which field holds the area code or name; the fields are "
            f"{_field_list(gdf)}; pass --code-field and --name-field"
        )
    if code_field is None:
        warnings.append(f"{Path(path).name}: no code field; using the names in {name_field!r} as codes")
        code_field = name_field
    codes = gdf[code_field].map(lambda v: None if v is None else str(v).strip())
    names = gdf[name_field].map(lambda v: None if v is None else str(v).strip()) if name_field else codes
    empty = codes.isna() | (codes == "")
    if empty.any():
        row = int(empty.to_numpy().argmax()) + 1
        raise BoundaryError(f"{path}, feature {row}, field {code_field!r}: empty area code; give every area a code")
    names = names.where(names.notna() & (names != ""), codes)
    return codes.to_numpy(), names.to_numpy()


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


def _attach_population(frame, pop, pop_path):
    """Join population columns onto ``frame`` by ``area_code``; every code must be found."""
    if pop is None:
        return frame
    joined = frame.join(pop, on="area_code")
    missing = joined["all_ages"].isna()
    if missing.any():
        codes = joined["area_code"][missing].tolist()
        shown = ", ".join(codes[:5]) + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")
        raise InputFileError(
            f"{pop_path}: no population for {len(codes)} area(s): {shown}; "
            "the population file must have a row for every area code (use the same census year)"
        )
    return joined


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
