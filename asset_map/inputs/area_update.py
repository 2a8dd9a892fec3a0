"""New areas in a workspace: what becomes of its population layer, and the study area's own names.

When areas are loaded again (:func:`population_after`), a population layer
loaded with them replaces the old one; without one, the old layer is kept and
counted in the new areas, unless the new areas bring their own population, in
which case the old layer no longer matches and is removed. The study area's
names and codes given with the areas are kept in the ``settings`` table
(:func:`settings_frame`, :func:`study_names`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .stored import frame

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from ..store import Store
    from .boundaries import BoundaryResult

#: The columns of an empty population layer.
POPULATION_COLUMNS = {"code": "str", "name": "str", "area_code": "str", "all_ages": "float64"}


def population_after(store: "Store", result: "BoundaryResult") -> "gpd.GeoDataFrame | None":
    """The population layer to write with the new areas of ``result``, or ``None`` to leave it as it is.

    A kept layer gives the new areas their population (``result.areas`` is
    replaced); a warning in ``result.warnings`` says when the old layer is removed.
    """
    if result.small_areas is not None:
        return result.small_areas
    if not store.count("population"):
        return None
    if "all_ages" in result.areas.columns:
        result.warnings.append("the population layer loaded before was removed, as these areas bring "
                               "their own population; load it again with `asset-map population load`")
        return _empty_population()
    from .population_layer import attach_to_areas, whole_small_areas

    stored = frame(store, "population")
    method, options = _method_again(store, stored, result)
    layer, result.areas, more = attach_to_areas(whole_small_areas(stored), result.areas, "the population layer",
                                                method=method, **options)
    result.warnings += more
    return layer


def _method_again(store: "Store", stored: "gpd.GeoDataFrame", result: "BoundaryResult") -> tuple[str, dict]:
    """How to share the kept layer's small areas among the new areas: as they were shared before
    (postcode count with the stored postcodes); area share for a layer shared by a lookup to the old areas
    or a finer layer, which are not kept (a warning says so)."""
    methods = set(stored["method"]) if "method" in stored.columns else {"whole"}
    if methods & {"lookup", "finer"}:
        how = "a lookup" if "lookup" in methods else "a finer layer"
        result.warnings.append(f"the population layer was shared among the old areas by {how}; among these "
                               "areas it is shared by area share (load it again with `asset-map population load` "
                               "to share it otherwise)")
        return "area", {}
    if "postcodes" in methods:
        from .stored import postcode_points

        return "postcodes", {"postcodes": postcode_points(store, result.areas)}
    return ("whole" if methods == {"whole"} else "area"), {}


def clean_names(names: "Iterable[str] | None") -> list[str]:
    """The study area's names as given, blanks left out."""
    return [n.strip() for n in names or [] if n and n.strip()]


def settings_frame(values: dict[str, list[str]]) -> "pd.DataFrame":
    """The ``settings`` table: one row per (key, value)."""
    import pandas as pd

    rows = [(k, v) for k, vs in values.items() for v in vs]
    return pd.DataFrame(rows, columns=["key", "value"]).astype(str)


def study_names(store: "Store") -> set[str]:
    """The study area's own names and codes (lower case) stored in ``settings``."""
    t = store.read("settings")
    if t is None:
        return set()
    return {str(v).strip().lower() for k, v in zip(t["key"], t["value"]) if k == "study_name" and v}


def _empty_population() -> "gpd.GeoDataFrame":
    from ..store import empty_layer_frame

    return empty_layer_frame("population", POPULATION_COLUMNS)
