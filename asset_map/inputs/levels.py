"""A second level of areas in the same workspace, and the gaps inside an area by that level.

A locality of 60,000 people is broken down into its wards without a second
workspace: ``boundaries load wards.geojson --level wards`` stores the wards in
the ``level_areas`` layer (column ``level``), beside the main areas, which stay
as they are. ``gaps --area North --by wards`` then measures the wards that lie
mostly inside North; ``--by small-areas`` measures the population layer's
small areas (their parts) inside North.

How a level's gaps are computed (the chain of :mod:`asset_map.analysis.gaps`,
with the level's areas in place of the main ones):

areas of the level inside the focus area *F*
    the level's areas *w* with ``area(w ∩ F) > ½·area(w)`` (all of them
    without a focus area); ranked among themselves.
population
    each part *p* of the population layer is shared among the level's areas
    it overlaps by area share (:func:`~asset_map.inputs.apportion.apportion`,
    method ``area``, parts as the small areas): sub-part *q* of *p* holds
    ``P_q = P_p·area(q)/Σ area``, so ``Σ_q P_q = P_p``; a level area's
    population is ``Σ_{q∈w} P_q``. A part's split between the main areas (by
    postcodes, a lookup...) is kept, since the parts are shared, not the
    small areas.
small areas
    with ``--by small-areas`` each part of the population layer in *F* is an
    area of its own (code: the small area's), so its coverage is
    ``covered_i`` of :mod:`asset_map.analysis.access` and its unreached
    residents ``T_i·(1 − covered_i)``; :func:`unreached_by_small_area` gives
    the maps and cards these figures, to shade where the unreached live.
assets
    counted in the level area containing them; reach counts every located
    asset, as for the main areas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport
    from ..analysis.need import NeedIndicator
    from ..store import Store, Table
    from .boundaries import BoundaryResult
    from .gap_inputs import GapInputs

#: The layer holding every second level's areas, with a ``level`` column.
LEVEL_LAYER = "level_areas"
#: The level that is the population layer's small areas (their parts), always there with a population layer.
SMALL_AREAS = "small-areas"
#: A level area is inside the focus area when more than this share of it lies in it.
INSIDE = 0.5


def level_names(store: "Store") -> list[str]:
    """The second levels loaded, in the order first loaded."""
    if not store.count(LEVEL_LAYER):
        return []
    return list(dict.fromkeys(str(v) for v in store.read(LEVEL_LAYER, columns=["level"])["level"]))


def load_level(store: "Store", path: str | Path, level: str, **options: Any) -> "BoundaryResult":
    """Read ``path`` as the areas of ``level`` (options of :func:`asset_map.inputs.boundaries.load_boundaries`)
    and store them, replacing that level's areas loaded before; the main areas and other levels are kept."""
    import pandas as pd

    from .boundaries import load_boundaries
    from .stored import frame

    name = level.strip()
    if not name or name.lower() in (SMALL_AREAS, "areas"):
        raise WorkspaceError(f"--level {level!r}: give the level a name of its own, such as wards "
                             f"({SMALL_AREAS!r} and 'areas' are taken)")
    result = load_boundaries(path, **options)
    new = result.areas.assign(level=name)
    old = frame(store, LEVEL_LAYER)
    if old is not None and len(old):
        new = pd.concat([old[old["level"] != name], new], ignore_index=True)
    with store.transaction() as tx:
        tx.write(LEVEL_LAYER, new)
    return result


def level_gaps(store: "Store", inputs: "GapInputs", level: str, focus: str | None, need: "NeedIndicator | None",
               *, stale_days: int | None = None) -> "GapReport":
    """The gaps of the areas of ``level`` inside the area ``focus`` (a code; every one when None), ranked among
    themselves (see the module docstring).

    Raises
    ------
    WorkspaceError
        Naming the levels loaded when ``level`` is not one of them, or when there is no population layer.
    """
    from ..analysis.gaps import compute_gaps
    from ..categories.served import resolve
    from .evidence import assess_report
    from .stored import frame

    parts = frame(store, "population")
    known = [*level_names(store), SMALL_AREAS]
    if parts is None or not len(parts):
        raise WorkspaceError(f"{store.location}: --by {level} needs the population layer, to count who lives "
                             "in each; load it with `asset-map population load`")
    chosen = _level_name(level, known)
    focus_poly = _polygon(inputs.areas, focus)
    if chosen == SMALL_AREAS:
        areas, layer = _small_areas(parts, focus)
    else:
        reach = 2 * max((c.reach_m for c in inputs.taxonomy), default=0.0)
        areas, layer = _shared(parts, _inside(frame(store, LEVEL_LAYER), chosen, focus, focus_poly), reach)
    table, pop = _table(areas), _table(layer)
    assets, everything = (_reassigned(t, areas) for t in (inputs.assets, inputs.everything))
    served = resolve(table, assets, inputs.unlocated, inputs.study_names)
    report = compute_gaps(table, assets, inputs.counted_taxonomy, pop, need, served=served, network=inputs.network)
    return assess_report(store, report, table, everything, taxonomy=inputs.taxonomy, study_names=inputs.study_names,
                         stale_days=stale_days, unknown=(), ground=inputs.areas)


def _level_name(level: str, known: list[str]) -> str:
    """The loaded level ``level`` names, in any case; else the error naming the levels loaded."""
    for name in known:
        if name.lower() == level.strip().lower():
            return name
    raise WorkspaceError(f"--by {level!r}: no such level; the levels loaded are {', '.join(known)} "
                         "(load one with `asset-map boundaries load FILE --level NAME`)")


def _polygon(areas: "Table", code: str | None):
    """The polygon of the main area ``code``, or None."""
    if code is None:
        return None
    return areas.geometry[list(map(str, areas["area_code"])).index(code)]


def _inside(level_areas: "gpd.GeoDataFrame", level: str, code: str | None, focus) -> "gpd.GeoDataFrame":
    """The areas of ``level`` more than :data:`INSIDE` of which lies in ``focus``, the polygon of the area
    ``code`` (all without one)."""
    import shapely

    mine = level_areas[level_areas["level"] == level].drop(columns=["level"])
    if focus is None:
        return mine.reset_index(drop=True)
    geoms = mine.geometry.to_numpy()
    share = shapely.area(shapely.intersection(geoms, focus)) / shapely.area(geoms)
    inside = mine[share > INSIDE].reset_index(drop=True)
    if not len(inside):
        raise WorkspaceError(f"no area of the level {level!r} lies mostly inside {code}; "
                             "check that the level and the areas cover the same place")
    return inside


def _shared(parts: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", reach: float):
    """The level ``areas`` with their population, and the population layer's parts shared among them by area
    share (:func:`~asset_map.inputs.population_layer.attach_to_areas`, ``method="area"``); parts within
    ``reach`` of them (twice the widest catchment) are kept beyond them, as demand in accessibility."""
    import shapely

    from ..analysis.target_population import population_columns
    from .population_layer import attach_to_areas

    ground = shapely.union_all(areas.geometry.to_numpy())
    near = shapely.STRtree(parts.geometry.to_numpy()).query(ground, predicate="dwithin", distance=reach)
    small = parts.iloc[sorted(near)][["code", "name", *population_columns(parts.columns), "geometry"]]
    keep = [c for c in areas.columns if c not in population_columns(areas.columns)]
    sub, with_pop, _ = attach_to_areas(small.reset_index(drop=True), areas[keep], "the population layer",
                                       method="area", reach_m=None)
    return with_pop, sub


def _small_areas(parts: "gpd.GeoDataFrame", focus: str | None):
    """The population layer's parts in ``focus`` (in any area without one) as areas of their own (code: the small
    area's, with the area's after a slash where a small area has parts in several), and as their own layer."""
    mine = parts[parts["area_code"] == focus] if focus is not None else parts[parts["area_code"].notna()]
    mine = mine.reset_index(drop=True)
    codes = mine["code"].astype(str)
    twice = codes.duplicated(keep=False)
    codes = codes.where(~twice, codes + "/" + mine["area_code"].astype(str))
    areas = mine.drop(columns=["share", "method", "x", "y"], errors="ignore").assign(area_code=codes.to_numpy(),
                                                                   area_name=mine["name"].to_numpy())
    areas["area_km2"] = areas.geometry.area / 1e6
    return areas.drop(columns=["code", "name"]), mine.assign(area_code=codes.to_numpy())


def _table(gdf: "gpd.GeoDataFrame") -> "Table":
    """A (Geo)DataFrame as the plain columns the analysis reads."""
    from ..store import Table

    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    return Table({c: gdf[c].tolist() for c in cols}, gdf.geometry.to_numpy())


def _reassigned(assets: "Table | None", areas: "gpd.GeoDataFrame") -> "Table | None":
    """``assets`` with ``area_code`` the level area containing each (None in none of them)."""
    from ..analysis.assign import assign_points
    from ..store import Table

    if assets is None or not len(assets):
        return assets
    codes = assign_points(assets.geometry, areas.geometry.to_numpy(), list(areas["area_code"]))
    return Table({**assets.columns, "area_code": codes}, assets.geometry)


def unreached_by_small_area(store: "Store", inputs: "GapInputs", focus: str | None,
                            need: "NeedIndicator | None", *, everywhere: bool = False) -> "gpd.GeoDataFrame | None":
    """The population layer's parts in the area ``focus`` (``--by small-areas``), each with, for every category
    *c*, ``<c>_target`` (``T_i``, its target residents) and ``<c>_unreached`` (``T_i·(1 − covered_i)``): where
    the unreached residents of the area live. Without a focus area, the parts in every area when ``everywhere``
    (for the map of the whole study area), else None; None without a population layer.
    """
    if (focus is None and not everywhere) or not store.count("population"):
        return None
    from .stored import frame

    areas, _ = _small_areas(frame(store, "population"), focus)
    report = level_gaps(store, inputs, SMALL_AREAS, focus, need)
    figures: dict[str, dict[str, float]] = {}
    for r in report.rows:
        target = r.target_population or 0.0
        figures.setdefault(f"{r.category_id}_target", {})[r.area_code] = target
        figures.setdefault(f"{r.category_id}_unreached", {})[r.area_code] = target * (1 - r.coverage)
    out = areas[["area_code", "area_name", "geometry"]].copy()
    for name, values in figures.items():
        out[name] = [values.get(c, 0.0) for c in out["area_code"]]
    return out
