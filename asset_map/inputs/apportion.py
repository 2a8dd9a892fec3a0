"""Apportioning small areas to areas: the *parts* of the population layer.

LSOAs and output areas do not nest in wards, PCN neighbourhoods or localities
drawn by hand. A small area *s* that straddles areas is cut into parts
``p = s ∩ a`` (one for each area *a* it overlaps, and one for the ground of
*s* outside every area); part *p* carries the share ``w_p`` of the small
area's population (every age band × ``w_p``, so ``Σ_p w_p = 1`` and the
parts add up to the small area), a representative point, the code of its
area (none outside every area) and the method. Coverage and accessibility
are then measured over parts, as they would be over small areas.

Methods (``w_p`` of each kept part *p* of *s*; ``q`` runs over the kept
parts of *s*):

``area`` (area share, the default without a postcode lookup)
    ``w_p = area(p) / Σ_q area(q)``; the point is inside the part
    (:func:`~asset_map.analysis.access.population_points`).
``postcodes`` (dasymetric, the default when a postcode lookup is loaded)
    ``w_p = n(p) / Σ_q n(q)``, ``n(p)`` the live postcodes whose centroid
    lies in *p*; the point is the mean of those centroids. A small area
    holding no postcode falls back to area share.
``finer`` (a finer layer: output areas inside LSOAs)
    ``w_p = Σ_{f in p} P_f / Σ_q Σ_{f in q} P_f``, the people of the finer
    units *f* whose point lies in the part; the point is their
    population-weighted mean. A small area holding no finer point falls
    back to area share.
``lookup`` (an official best-fit lookup, exactly ONS's rule)
    ``w = 1`` for the area the lookup names, 0 elsewhere; a small area the
    lookup lacks, or whose area is not loaded, falls back to ``whole``.
``whole`` (the old rule, only when asked for)
    ``w = 1`` for the area containing the small area's point, 0 elsewhere.

Slivers: generalised boundaries of different sets disagree by a few metres,
which would create parts of no meaning. A part inside an area smaller than
:data:`SLIVER` (1%) of the small area, and the part outside every area when
smaller than :data:`EDGE_SLIVER` (10%), are not kept: ``w`` is shared over
the kept parts only (a small area's largest part is always kept). The edge
allowance is wider because LSOAs and OAs nest in local authorities, so a
share of one outside a council's own areas is misalignment: on Trafford up
to 8.3% of a generalised output area lies outside the generalised wards.
Points (population-weighted centroids) cannot be cut: each goes wholly to
the area containing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.small_areas import SHARE_TEXT
from ..analysis.target_population import population_columns
from ..errors import BoundaryError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import numpy as np

#: Apportioning methods, as stored in the population layer's ``method`` column.
METHODS = ("area", "postcodes", "finer", "lookup", "whole")
#: What each method is called in messages.
METHOD_TEXT = SHARE_TEXT
#: A part inside an area smaller than this share of its small area is a sliver.
SLIVER = 0.01
#: The part of a small area outside every area is kept from this share up.
EDGE_SLIVER = 0.10


def apportion(small: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", *, method: str = "area",
              postcodes: "np.ndarray | None" = None, lookup: "dict[str, str] | None" = None,
              finer: "tuple[np.ndarray, np.ndarray] | None" = None) -> "gpd.GeoDataFrame":
    """The parts of ``small`` (``code``, ``name``, population columns) in ``areas`` (``area_code``).

    ``postcodes`` are the postcode centroids (an ``(n, 2)`` array of BNG x,
    y) for ``method="postcodes"``; ``finer`` the finer units' points (x, y)
    and people for ``method="finer"``; ``lookup`` maps small-area codes to
    area codes for ``method="lookup"``. See the module docstring for the rules.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per part: ``code``, ``name``, ``area_code`` (``None`` outside
        every area), ``share`` (``w_p``), ``method`` (the method that gave
        this part its share), ``x``, ``y`` (its point), the population
        columns × ``w_p``, and the part's polygon.
    """
    import numpy as np

    geoms = small.geometry.to_numpy()
    src, area, pieces, w, how, xy = _whole_parts(geoms, areas)
    if method in ("area", "postcodes", "finer"):
        cut = _is_polygon(geoms)
        src, area, pieces, w, how, xy = _keep(~cut[src], (src, area, pieces, w, how, xy))
        weights = _weights(method, postcodes, finer)
        more = _cut(np.flatnonzero(cut), geoms, areas.geometry.to_numpy(), method, weights)
        src, area, pieces, w, how, xy = (np.concatenate([a, b]) for a, b in
                                         zip((src, area, pieces, w, how, xy), more))
    elif method == "lookup":
        area, how = _looked_up(small, areas, lookup or {}, area, how)
    elif method != "whole":
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    order = np.lexsort((area, src))
    return _frame(small, areas, *(a[order] for a in (src, area, pieces, w, how, xy)))


def _whole_parts(geoms: "np.ndarray", areas: "gpd.GeoDataFrame") -> tuple:
    """One part per small area: all of it, in the area containing its point (``whole``)."""
    import numpy as np
    import shapely

    from ..analysis.access import population_points
    from ..analysis.assign import assign_points

    points = population_points(geoms)
    codes = assign_points(points, areas.geometry.to_numpy(), np.arange(len(areas), dtype=object))
    area = np.array([-1 if c is None else int(c) for c in codes], dtype=np.intp)
    n = len(geoms)
    return (np.arange(n, dtype=np.intp), area, np.asarray(geoms, dtype=object), np.ones(n),
            np.full(n, "whole", dtype=object), shapely.get_coordinates(points).reshape(n, 2))


def _is_polygon(geoms: "np.ndarray") -> "np.ndarray":
    import numpy as np
    import shapely

    return np.isin(shapely.get_type_id(geoms), (3, 6))


def _keep(mask: "np.ndarray", arrays: tuple) -> tuple:
    return tuple(a[mask] for a in arrays)


def _weights(method: str, postcodes: "np.ndarray | None", finer: "tuple | None"):
    """The points that weigh the parts, and their weights: postcodes (1 each), finer units (their people)."""
    import numpy as np

    if method == "postcodes" and postcodes is not None and len(postcodes):
        return np.asarray(postcodes, dtype=float), np.ones(len(postcodes))
    if method == "finer" and finer is not None and len(finer[0]):
        return np.asarray(finer[0], dtype=float), np.nan_to_num(np.asarray(finer[1], dtype=float))
    return None


def _cut(which: "np.ndarray", geoms: "np.ndarray", area_geoms: "np.ndarray", method: str,
         weights: "tuple[np.ndarray, np.ndarray] | None") -> tuple:
    """The kept parts of the polygons ``geoms[which]``, their shares by ``method`` (weighted by the points
    ``weights``, if any) and their points."""
    import numpy as np
    import shapely

    from ..analysis.access import population_points

    src, area, pieces, share = _pieces(which, geoms, area_geoms)
    largest = _largest(src, share)
    keep = largest | np.where(area >= 0, share >= SLIVER, share >= EDGE_SLIVER)
    src, area, pieces = src[keep], area[keep], pieces[keep]
    size = shapely.area(pieces)
    w = size / _total(src, size)  # area share over the kept parts
    how = np.full(len(src), "area", dtype=object)
    xy = shapely.get_coordinates(population_points(pieces)).reshape(len(src), 2)
    if weights is not None:
        n, mean_xy = _weighed(pieces, *weights)
        n_small = _total(src, n)
        has = n_small > 0
        w = np.where(has, n / np.where(has, n_small, 1), w)
        how[has] = method
        xy = np.where((n > 0)[:, None], mean_xy, xy)
    return src, area, pieces, w, how, xy


def _pieces(which: "np.ndarray", geoms: "np.ndarray", area_geoms: "np.ndarray") -> tuple:
    """Every piece ``s ∩ a`` of the small areas ``which``, and the piece of each outside every area, with
    ``area(piece) / area(s)``."""
    import numpy as np
    import shapely

    mine = geoms[which]
    s, a = shapely.STRtree(area_geoms).query(mine, predicate="intersects")
    inside = _polygonal(shapely.intersection(mine[s], area_geoms[a]))
    full = shapely.area(mine)
    share = shapely.area(inside) / full[s]
    out_share = np.clip(1 - np.bincount(s, weights=share, minlength=len(mine)), 0, 1)
    o = np.flatnonzero(out_share > 1e-9)
    study = shapely.union_all(area_geoms[np.unique(a)]) if len(a) else shapely.Polygon()
    outside = _polygonal(shapely.difference(mine[o], study))
    return (which[np.concatenate([s, o])], np.concatenate([a, np.full(len(o), -1)]).astype(np.intp),
            np.concatenate([inside, outside]), np.concatenate([share, out_share[o]]))


def _polygonal(geoms: "np.ndarray") -> "np.ndarray":
    """The polygons of each geometry (lines and points of a touching intersection left out)."""
    import numpy as np
    import shapely

    out = np.asarray(geoms, dtype=object).copy()
    mixed = np.flatnonzero(shapely.get_type_id(out) == 7)
    for k in mixed:
        polys = [g for g in shapely.get_parts(out[k]) if shapely.get_type_id(g) in (3, 6)]
        out[k] = shapely.union_all(polys) if polys else shapely.Polygon()
    return out


def _largest(src: "np.ndarray", share: "np.ndarray") -> "np.ndarray":
    """Whether each piece is the largest of its small area (the first of equals)."""
    import numpy as np

    order = np.lexsort((-share, src))
    first = np.ones(len(src), dtype=bool)
    first[1:] = src[order][1:] != src[order][:-1]
    out = np.zeros(len(src), dtype=bool)
    out[order[first]] = True
    return out


def _total(src: "np.ndarray", values: "np.ndarray") -> "np.ndarray":
    """``Σ_q values_q`` over the parts *q* of each part's small area."""
    import numpy as np

    return np.bincount(src, weights=values)[src]


def _weighed(pieces: "np.ndarray", xy: "np.ndarray", weight: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """``Σ weight`` of the points ``xy`` in each part (each point in one part at most), and their weighted mean
    (postcodes weigh 1 each: their count and mean)."""
    import numpy as np
    import shapely

    pts = shapely.points(xy)
    p, k = shapely.STRtree(pieces).query(pts, predicate="intersects")
    once = np.unique(p, return_index=True)[1]  # a centroid on a shared edge counts in one part
    p, k = p[once], k[once]
    n = np.bincount(k, weights=weight[p], minlength=len(pieces))
    sums = np.column_stack([np.bincount(k, weights=weight[p] * xy[p, d], minlength=len(pieces)) for d in (0, 1)])
    return n, np.divide(sums, n[:, None], out=np.zeros_like(sums), where=n[:, None] > 0)


def _looked_up(small: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", lookup: dict[str, str],
               area: "np.ndarray", how: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """Each small area's area as the lookup names it; the whole rule where it names none loaded."""
    import numpy as np

    index = {str(c): i for i, c in enumerate(areas["area_code"])}
    named = np.array([index.get(lookup.get(str(c)), -1) if lookup.get(str(c)) is not None else -1
                      for c in small["code"]], dtype=np.intp)
    if not (named >= 0).any():
        raise BoundaryError("the lookup names none of the loaded areas for these small areas "
                            f"(areas are e.g. {next(iter(index), '?')!r}); give a lookup to these areas")
    how = how.copy()
    how[named >= 0] = "lookup"
    return np.where(named >= 0, named, area), how


def _frame(small: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", src, area, pieces, w, how, xy):
    """The parts as a GeoDataFrame (see :func:`apportion`)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    cols = population_columns(small.columns)
    codes = np.asarray(areas["area_code"].to_numpy(), dtype=object)
    data = {
        "code": small["code"].to_numpy()[src], "name": small["name"].to_numpy()[src],
        "area_code": np.where(area >= 0, codes[np.maximum(area, 0)], None), "share": w, "method": how,
        "x": xy[:, 0], "y": xy[:, 1],
    }
    for c in cols:
        data[c] = small[c].to_numpy(dtype=float)[src] * w
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=list(pieces), crs=small.crs)
