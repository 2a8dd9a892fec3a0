"""Border effects: how much of each area's catchment lies beyond the loaded population.

2SFCA counts the assets beyond the study area for the people inside it, but
it can count the people beyond who use those assets too only when the
population layer holds them (:mod:`asset_map.analysis.small_areas`). Where it
does not, areas at the border look better served than they are. For area *a*
(polygon ``A``) and catchment ``d``:

ring
    ``R = buffer(A, d) \\ A``, the ground within ``d`` of the area;
edge share
    ``e = area(R \\ P) / area(R)``, where ``P`` is the ground the population
    layer covers: the areas themselves and the small areas (or parts) beyond
    them that were loaded.

A row (area × category, at the category's catchment) is flagged in the
confidence column when ``e`` is above :data:`EDGE_SHARE` (20%). The sea, an
estuary or an empty moor beyond the border flag too: nobody lives there, but
asset-map cannot tell them from a neighbour nobody loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..store import Table

#: Share of an area's catchment ring beyond the loaded population above which its rows are flagged.
EDGE_SHARE = 0.2


def loaded_ground(areas: "Table", population: "Table | None"):
    """``P``: the union of the areas and of the population layer's polygons beyond them."""
    import numpy as np
    import shapely

    geoms = list(areas.geometry)
    if population is not None and len(population) and population.geometry is not None:
        beyond = [g for g, a in zip(population.geometry, population["area_code"]) if a is None or a != a]
        geoms += [g for g in beyond if g is not None and shapely.get_type_id(g) in (3, 6)]
    return shapely.union_all(np.array(geoms, dtype=object))


def edge_shares(area_geoms: "np.ndarray", ground, distances: Iterable[float]) -> dict[float, "np.ndarray"]:
    """``e`` of every area at each catchment distance (see the module docstring): ``{d: array}``."""
    import numpy as np
    import shapely

    area_geoms = np.asarray(area_geoms, dtype=object)
    out = {}
    for d in sorted(set(distances)):
        rings = shapely.difference(shapely.buffer(area_geoms, d, quad_segs=8), area_geoms)
        size = shapely.area(rings)
        beyond = shapely.area(shapely.difference(rings, ground))
        out[d] = np.divide(beyond, size, out=np.zeros(len(area_geoms)), where=size > 0)
    return out
