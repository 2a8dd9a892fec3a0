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

#: Boundaries are simplified to this tolerance (metres) before the rings are measured.
SIMPLIFY_M = 25.0
#: Share of an area's catchment ring beyond the loaded population above which its rows are flagged.
EDGE_SHARE = 0.2


def loaded_ground(areas: "Table", population: "Table | None") -> "np.ndarray":
    """``P`` as pieces that do not overlap: the areas, and the population layer's polygons beyond them."""
    import numpy as np
    import shapely

    geoms = list(areas.geometry)
    if population is not None and len(population) and population.geometry is not None:
        beyond = [g for g, a in zip(population.geometry, population["area_code"]) if a is None or a != a]
        geoms += [g for g in beyond if g is not None and shapely.get_type_id(g) in (3, 6)]
    return np.array(geoms, dtype=object)


def edge_shares(area_geoms: "np.ndarray", ground: "np.ndarray", distances: Iterable[float]) -> dict[float, "np.ndarray"]:
    """``e`` of every area at each catchment distance (see the module docstring): ``{d: array}``.

    ``area(R ∩ P)`` is summed over the pieces of ``P`` (``ground``, which do
    not overlap) that touch ``R``, so no union of the whole study area is
    needed: ``e = 1 − Σ_q area(R ∩ q) / area(R)``, at least 0.
    """
    import numpy as np
    import shapely

    # A flag, not a measure: boundaries simplified to SIMPLIFY_M (the shares move by well under 1%).
    area_geoms = shapely.simplify(np.asarray(area_geoms, dtype=object), SIMPLIFY_M)
    ground = shapely.simplify(np.asarray(ground, dtype=object), SIMPLIFY_M)
    tree = shapely.STRtree(ground)
    out = {}
    for d in sorted(set(distances)):
        rings = shapely.difference(shapely.buffer(area_geoms, d, quad_segs=4), area_geoms)
        size = shapely.area(rings)
        i, j = tree.query(rings, predicate="intersects")
        inside = np.bincount(i, weights=shapely.area(shapely.intersection(rings[i], ground[j])),
                             minlength=len(area_geoms))
        share = np.divide(size - inside, size, out=np.zeros(len(area_geoms)), where=size > 0)
        out[d] = np.clip(share, 0.0, 1.0)
    return out
