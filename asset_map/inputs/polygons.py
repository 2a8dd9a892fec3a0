"""Reading polygons for areas and small areas: checked, repaired, in British National Grid, with codes and names.

The steps :mod:`asset_map.inputs.boundaries` and
:mod:`asset_map.inputs.population_layer` share: :func:`read_polygons` reads
and checks the geometries, :func:`choose_fields` finds the code and name
fields, :func:`coded_areas` keeps the geometry under those two columns and
:func:`attach_population` joins a population file by code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BoundaryError, ColumnError, InputFileError
from ..geo import BNG, GB_BNG_BOUNDS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

_CODE_FIELDS = ("area_code", "code", "areacode", "id")
_NAME_FIELDS = ("area_name", "name", "areaname")


def read_polygons(path, *, layer, crs, warnings, points_ok: bool = False) -> "gpd.GeoDataFrame":
    """Read polygons (or, with ``points_ok``, a file of points only) into EPSG:27700."""
    import warnings as warnings_module

    import shapely

    from .readers import read_spatial

    p = Path(path)
    if p.suffix.lower() in (".csv", ".xlsx", ".txt"):
        raise InputFileError(f"{p}: boundaries must be polygons in GeoJSON, GeoPackage, Shapefile or TopoJSON")
    with warnings_module.catch_warnings():  # NaN coordinates warn as they are read; they are refused below
        warnings_module.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
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
    _check_coordinates(p, geoms)
    kinds = set(shapely.get_type_id(geoms).tolist())
    if points_ok and kinds == {0}:  # Point
        pass
    elif not kinds <= {3, 6, 7}:  # Polygon, MultiPolygon, GeometryCollection
        bad = next(g.geom_type for g in geoms if g.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"))
        what = "polygons, or points only" if points_ok else "polygons"
        raise BoundaryError(f"{p}: boundaries must be {what}, but this file has {bad} features")
    if 7 in kinds:
        geoms = _collection_polygons(p, geoms, warnings)
        gdf = gdf.set_geometry(list(geoms), crs=gdf.crs)
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


def _check_coordinates(p: Path, geoms) -> None:
    """Refuse features with a coordinate that is not a number (NaN or infinite): no geometry can be made of it."""
    import numpy as np
    import shapely

    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        rows = sorted(set((index[bad] + 1).tolist()))
        raise BoundaryError(
            f"{p}, {_features(rows)}: a coordinate is not a number (NaN or missing); "
            "fix or redraw that boundary in your GIS and export the file again"
        )


def _collection_polygons(p: Path, geoms, warnings: list[str]):
    """The geometries with each GeometryCollection replaced by its polygon parts (refused when it has none)."""
    import shapely

    geoms = geoms.copy()
    rows, dropped = [], set()
    for i, g in enumerate(geoms):
        if g.geom_type != "GeometryCollection":
            continue
        kinds = {q.geom_type for q in shapely.get_parts(g)}
        others = kinds - {"Polygon", "MultiPolygon"}
        if kinds == others:
            raise BoundaryError(
                f"{p}, feature {i + 1}: a GeometryCollection with no polygon in it "
                f"({', '.join(sorted(others)) or 'nothing'}); give the feature its boundary polygon"
            )
        geoms[i] = _polygonal(g)
        rows.append(i + 1)
        dropped |= others
    many = len(rows) > 1
    warnings.append(
        f"{p.name}: {_features(rows)} {'are GeometryCollections' if many else 'is a GeometryCollection'}; "
        f"kept {'their' if many else 'its'} polygons"
        + (f" and left out the {', '.join(sorted(dropped))} parts" if dropped else "")
    )
    return geoms


def _features(rows: list[int]) -> str:
    """``feature 3`` or ``features 1, 4, 9`` (the first five, then how many more), to quote in a message."""
    shown = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
    return f"feature{'s' if len(rows) > 1 else ''} {shown}"


def _polygonal(geom):
    """Keep the polygon parts of a repaired geometry."""
    import shapely

    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def field_list(gdf) -> str:
    """The fields of a layer, besides the geometry, as a list to quote in a message."""
    return ", ".join(c for c in gdf.columns if c != "geometry")


def choose_fields(gdf, path, code_field, name_field, warnings):
    """Pick the code and name fields, given or detected."""
    cols = [c for c in gdf.columns if c != "geometry"]
    lower = {c.lower(): c for c in cols}
    for given, what in ((code_field, "--code-field"), (name_field, "--name-field")):
        if given is not None and given not in gdf.columns:
            raise ColumnError(f"{path}: no field {given!r} for {what}; the fields are {field_list(gdf)}")
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
            f"{field_list(gdf)}; pass --code-field and --name-field"
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


def attach_population(frame, pop, pop_path):
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


def coded_areas(gdf: "gpd.GeoDataFrame", codes, names) -> "gpd.GeoDataFrame":
    """The polygons' geometry under ``area_code`` and ``area_name`` columns (as :func:`choose_fields` gives them)."""
    frame = gdf[["geometry"]].copy()
    frame.insert(0, "area_code", codes)
    frame.insert(1, "area_name", names)
    return frame
