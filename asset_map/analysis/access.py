"""Reach between where people live and where assets are: coverage and accessibility.

Residents are counted at small areas (LSOAs, output areas...), each one
represented by a single point *i* (see :func:`population_points`) carrying
its target population ``P_i``. Assets are points *j* with a supply ``S_j``
(its capacity, or 1: see *capacity units* below). ``d_ij`` is the
straight-line distance in metres (British National Grid) and ``d₀`` the
category's catchment distance. An asset is *in reach* of a small area when
``d_ij ≤ d₀``.

covered
    ``covered_i = 1`` if at least one asset is in reach of *i*, else 0.
    An area's population-weighted coverage is
    ``Σ_{i∈a} P_i·covered_i / Σ_{i∈a} P_i``.
two-step floating catchment (2SFCA, Luo and Wang 2003)
    Step 1, each asset's supply per head of the population in its catchment:
    ``R_j = S_j / Σ_{i: d_ij ≤ d₀} P_i``.
    Step 2, each small area's accessibility:
    ``A_i = Σ_{j: d_ij ≤ d₀} R_j``.
enhanced 2SFCA (E2SFCA, Luo and Qi 2009)
    The same two steps with a distance-decay weight ``W(d_ij)`` applied in
    both: ``R_j = S_j / Σ_i W(d_ij)·P_i`` and ``A_i = Σ_j W(d_ij)·R_j``,
    with the three bands of Luo and Qi: ``W = 1`` up to ``d₀/3``, ``0.68``
    up to ``2·d₀/3``, ``0.22`` up to ``d₀`` (each band includes its upper
    bound), 0 beyond.
area figure
    Accessibility aggregated to an area is the population-weighted mean
    ``Σ_{i∈a} P_i·A_i / Σ_{i∈a} P_i``; it is reported per 10,000 people
    (``× 10,000``): the capacity available to each 10,000 of the target
    population, shared with everyone else in reach.

capacity units
    Capacities are only added up when they count the same thing. Each asset's
    unit is the one written in its capacity cell ("30 pupils", "2 sessions a
    week") or in its list's ``capacity_unit`` column, else the category's
    ``capacity_unit`` in the taxonomy; units are compared in the form of
    :func:`asset_map.numbers.unit` (pupil = pupils, "sessions per week" =
    "sessions a week"). For each category (:func:`category_supply`): when
    every one of its located assets has a capacity and they all have one
    and the same unit, ``S_j`` is the asset's capacity; when none has a
    capacity, ``S_j = 1`` for each; otherwise (units that differ, a capacity
    with no unit, or some assets without a capacity) ``S_j = 1`` for every
    asset of the category — each asset counted once — and the report's notes
    say so, with the units and how many assets have each.

An asset with no target population in its catchment serves nobody counted
here: its ``R_j`` is taken as 0 rather than infinite. Residents beyond the
study area count in step 1 when the population layer holds them (parts in no
area, :mod:`asset_map.analysis.small_areas`); when it does not, an asset near
the edge looks less busy than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: Luo and Qi's (2009) band weights for E2SFCA, for the thirds of the catchment.
E2SFCA_WEIGHTS = (1.0, 0.68, 0.22)
#: Most assets per k-d tree when pairs in reach are searched: a larger set is cut, in its order, into the
#: fewest chunks of equal size (to one asset) that hold at most this many each (:func:`chunk_spans`), searched
#: in one thread per core. The cut depends on the number of assets alone, so the pairs come in the same order
#: on any machine; equal chunks keep two cores equally busy (50,000 assets: 25,000 and 25,000, not 32,768 and
#: 17,232).
SUPPLY_CHUNK = 32_768


@dataclass(frozen=True)
class Reach:
    """The (small area, asset) pairs within a catchment: a distance, or a travel time on a street network.

    ``distance`` and ``catchment`` are in the catchment's unit: metres by
    the straight line, minutes on a network
    (:mod:`asset_map.analysis.network_reach`).
    """

    demand: "np.ndarray"  # index of the small area, int
    supply: "np.ndarray"  # index of the asset, int
    distance: "np.ndarray"  # metres or minutes, float
    catchment: float
    n_demand: int
    n_supply: int

    def within(self, catchment: float) -> "Reach":
        """The pairs within a catchment no wider than this one's, in the same order.

        The same pairs and distances as :func:`reach` finds for that
        catchment (in the order of these pairs, which may differ from that
        of a search at the narrower catchment: sums over the pairs may then
        differ in their last bits).
        """
        if not catchment <= self.catchment:
            raise ValueError(f"catchment {catchment} is wider than the {self.catchment} of these pairs")
        keep = self.distance <= catchment
        return Reach(self.demand[keep], self.supply[keep], self.distance[keep], catchment, self.n_demand,
                     self.n_supply)


def population_points(geometries: "np.ndarray") -> "np.ndarray":
    """The point that stands for each small area.

    A point is used as it is (a population-weighted centroid, say). A polygon
    is represented by its centroid when the centroid lies inside it,
    otherwise (a crescent, a ring) by a point guaranteed to be inside
    (``shapely.point_on_surface``).
    """
    import numpy as np
    import shapely

    geoms = np.asarray(geometries, dtype=object)
    out = geoms.copy()
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6, 7))
    if polygonal.any():
        poly = geoms[polygonal]
        centroids = shapely.centroid(poly)
        inside = shapely.contains_properly(poly, centroids)
        points = np.where(inside, centroids, shapely.point_on_surface(poly))
        out[polygonal] = points
    return out


def reach(demand_points: "np.ndarray", supply_points: "np.ndarray", catchment_m: float) -> Reach:
    """Every pair (small area *i*, asset *j*) with ``d_ij ≤ catchment_m``.

    Found with k-d trees over the small areas and over the assets, so the
    work grows with the number of pairs in reach, not with the full distance
    matrix. Distances are computed as ``hypot(Δx, Δy)`` from the
    coordinates. See :class:`ReachIndex`, which keeps the small areas ready
    for many queries.
    """
    return ReachIndex(demand_points).reach(supply_points, catchment_m)


class ReachIndex:
    """Small-area points and their coordinates, set up once for :func:`reach` against many sets of assets.

    The candidate pairs come from two k-d trees, one over the small areas
    (made once) and one over the assets (scipy's ``cKDTree``
    ``sparse_distance_matrix``), a hair wider than the catchment; the exact
    test ``hypot(Δx, Δy) ≤ d₀`` then keeps the pairs in reach, so the pairs
    are those of a search by STRtree ``dwithin`` (which is used when a point
    is missing or not a point; a pair of which one is not a point is then
    measured by ``shapely.distance``). A large set
    of assets is searched in equal chunks of at most :data:`SUPPLY_CHUNK`, one
    thread per core (scipy's searches run outside Python's lock): on the
    national benchmark (1,000,000 assets, 35,672 small areas) the searches of
    all 20 categories, with the exact test, took 0.42-0.46 s in two threads
    against 0.75 s in one (0.63-0.83 s in two threads before the chunks were
    equal, the assets' trees made by the sliding-midpoint rule and the exact
    test gathered from contiguous coordinates; bench/national.py times the
    whole; STRtree took twice as long as one k-d tree search).
    """

    def __init__(self, demand_points: "np.ndarray") -> None:
        import numpy as np
        import shapely

        self.points = np.asarray(demand_points, dtype=object)
        self.xy = shapely.get_coordinates(self.points)
        self._tree = None

    def ready(self) -> "Any":
        """The k-d tree over the small areas' points, made on first use (``None`` without points)."""
        if self._tree is None and len(self.xy):
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.xy)
        return self._tree

    def _pairs(self, supply: "np.ndarray", catchment_m: float,
               xy: "np.ndarray | None") -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """The pairs (small area, asset) in reach and their distances: candidates a hair wider than the
        catchment, then the exact test on the computed distance. ``xy``: the assets' coordinates, used when
        every asset has both. The assets are searched in chunks (:func:`chunk_spans`), in one thread per core."""
        import numpy as np
        import shapely

        distance = catchment_m * (1 + 1e-9) + 1e-6
        given = xy is not None and len(xy) == len(supply) and bool(np.isfinite(xy).all())
        sxy = xy if given else shapely.get_coordinates(supply)
        if len(sxy) != len(supply) or len(self.xy) != len(self.points) or \
                not (given or (shapely.get_type_id(supply) == 0).all()):  # not all points: by the geometries
            i, j = shapely.STRtree(supply).query(self.points, predicate="dwithin", distance=distance)
            a, b = self.points[i], supply[j]
            d = shapely.distance(a, b)
            both = plain_points(a) & plain_points(b)  # as the k-d trees measure them, to the last bit
            d[both] = np.hypot(shapely.get_x(a[both]) - shapely.get_x(b[both]),
                               shapely.get_y(a[both]) - shapely.get_y(b[both]))
            keep = d <= catchment_m
            return i[keep], j[keep], d[keep]
        from scipy.spatial import cKDTree

        tree = self.ready()

        px, py = self.xy[:, 0].copy(), self.xy[:, 1].copy()  # contiguous: gathered from once per pair

        def pairs(span: tuple[int, int]) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
            start, stop = span
            chunk = sxy[start:stop]
            # balanced_tree=False: the sliding-midpoint rule, a third quicker to make for the same search
            found = tree.sparse_distance_matrix(cKDTree(chunk, balanced_tree=False), distance, output_type="ndarray")
            i, j = found["i"], found["j"]
            d = np.hypot(px[i] - chunk[j, 0], py[i] - chunk[j, 1])
            keep = d <= catchment_m
            return i[keep].astype(np.intp, copy=False), j[keep].astype(np.intp, copy=False) + start, d[keep]

        spans = chunk_spans(len(sxy))
        if len(spans) == 1:
            return pairs(spans[0])
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(spans), _cores())) as pool:
            found = list(pool.map(pairs, spans))
        return tuple(np.concatenate([f[k] for f in found]) for k in range(3))  # type: ignore[return-value]

    def reach(self, supply_points: "np.ndarray", catchment_m: float, xy: "np.ndarray | None" = None) -> Reach:
        """Every pair (small area *i*, asset *j*) with ``d_ij ≤ catchment_m`` (see :func:`reach`); ``xy``, the
        points' coordinates (n × 2) when the caller has them, saves reading them from the points."""
        import numpy as np

        demand = self.points
        supply = np.asarray(supply_points, dtype=object)
        empty = np.array([], dtype=np.intp)
        if len(demand) == 0 or len(supply) == 0:
            return Reach(empty, empty, np.array([], dtype=float), catchment_m, len(demand), len(supply))
        i, j, d = self._pairs(supply, catchment_m, xy)
        return Reach(i, j, d, catchment_m, len(demand), len(supply))


def category_supply(capacity: "np.ndarray", units: "np.ndarray", default_unit: str = "") -> tuple["np.ndarray", str]:
    """``S_j`` of one category's assets under the rule for capacity units (module docstring), and a note.

    Parameters
    ----------
    capacity
        Each asset's capacity; NaN (or not above 0) where it has none.
    units
        Each asset's unit from its list, ``""`` where the list gave none.
    default_unit
        The category's unit in the taxonomy, taken where the list gave none.

    Returns
    -------
    The capacities, or 1 for each asset; and ``""``, or why each asset is
    counted once ("capacities in mixed units (pupils 3, places 2): each
    asset counted once for accessibility").
    """
    import numpy as np

    cap = np.asarray(capacity, dtype=float)
    given = np.isfinite(cap) & (cap > 0)
    ones = np.ones(len(cap))
    if not given.any():
        return ones, ""
    from collections import Counter

    # Each asset's unit, or None for an asset without a capacity.
    kinds = Counter((u or default_unit) if g else None for u, g in zip(units, given.tolist()))
    if len(kinds) == 1 and next(iter(kinds)):
        return cap, ""
    if len(kinds) == 1:
        return ones, ("capacities without a unit (give it in a capacity_unit column or the taxonomy): "
                      "each asset counted once for accessibility")
    named = {None: "no capacity", "": "no unit"}
    order = sorted(kinds.items(), key=lambda kc: (kc[0] in named, -kc[1], str(kc[0])))
    shown = ", ".join(f"{named.get(k, k)} {c}" for k, c in order)
    return ones, f"capacities in mixed units ({shown}): each asset counted once for accessibility"


def band_weights(r: Reach) -> "np.ndarray":
    """E2SFCA weight of each pair: 1, 0.68 or 0.22 by third of the catchment."""
    import numpy as np

    d0 = r.catchment
    w1, w2, w3 = E2SFCA_WEIGHTS
    return np.where(r.distance <= d0 / 3, w1, np.where(r.distance <= 2 * d0 / 3, w2, w3))


def covered(r: Reach) -> "np.ndarray":
    """``covered_i``: whether each small area has at least one asset in reach (bool)."""
    import numpy as np

    out = np.zeros(r.n_demand, dtype=bool)
    out[r.demand] = True
    return out


def two_step_fca(r: Reach, population: "np.ndarray", capacity: "np.ndarray | None" = None,
                 *, enhanced: bool = False) -> "np.ndarray":
    """``A_i`` for every small area: 2SFCA, or E2SFCA when ``enhanced``.

    Parameters
    ----------
    r
        The pairs in reach, from :func:`reach`.
    population
        ``P_i``, the target population of each small area.
    capacity
        ``S_j`` for each asset; 1 for every asset when ``None``.
    """
    import numpy as np

    pop = np.asarray(population, dtype=float)
    supply = np.ones(r.n_supply) if capacity is None else np.asarray(capacity, dtype=float)
    w = band_weights(r) if enhanced else np.ones(len(r.distance))
    demand_in_reach = np.bincount(r.supply, weights=w * pop[r.demand], minlength=r.n_supply)
    ratio = np.divide(supply, demand_in_reach, out=np.zeros(r.n_supply), where=demand_in_reach > 0)
    return np.bincount(r.demand, weights=w * ratio[r.supply], minlength=r.n_demand)


def weighted_mean(values: "np.ndarray", weights: "np.ndarray", groups: "np.ndarray", n_groups: int) -> "np.ndarray":
    """``Σ_{i∈g} w_i·v_i / Σ_{i∈g} w_i`` for each group *g* (0 where the weights sum to 0).

    ``groups`` holds each item's group index, or -1 for items in no group.
    """
    import numpy as np

    keep = groups >= 0
    num = np.bincount(groups[keep], weights=(weights * values)[keep], minlength=n_groups)
    den = np.bincount(groups[keep], weights=weights[keep], minlength=n_groups)
    return np.divide(num, den, out=np.zeros(n_groups), where=den > 0)


def chunk_spans(n: int) -> list[tuple[int, int]]:
    """``n`` assets cut in order into ``k = ⌈n / SUPPLY_CHUNK⌉`` chunks (one for none) whose sizes differ by at
    most one: (start, stop) of each."""
    k = max(1, -(-n // SUPPLY_CHUNK))
    size, extra = divmod(n, k)
    spans, start = [], 0
    for c in range(k):
        stop = start + size + (c < extra)
        spans.append((start, stop))
        start = stop
    return spans


def plain_points(geometries: "np.ndarray") -> "np.ndarray":
    """Whether each geometry is a point with coordinates (not missing, not another shape, not ``POINT EMPTY``)."""
    import shapely

    return (shapely.get_type_id(geometries) == 0) & ~shapely.is_empty(geometries)


def _cores() -> int:
    """The threads a search for pairs uses: one per usable core (:func:`asset_map.cores.usable_cores`), at most
    4 (the searches are short)."""
    from ..cores import usable_cores

    return min(usable_cores(), 4)
