"""One category's figures for every area at once, at one catchment distance.

Notation as in :mod:`asset_map.analysis.gaps`: ``T`` is the area's target
population, ``d`` the catchment, ``A`` the area's polygon.

provision
    ``assets`` = number of the category's assets located in the area;
    ``rate_per_10k = assets / T × 10,000`` (none where ``T`` is unknown or 0).
coverage
    With a population layer, the small areas' population-weighted coverage
    (:mod:`asset_map.analysis.small_areas`), except where ``T = 0``; there,
    and without a layer, ``area(A ∩ U) / area(A)``, ``U`` the union of the
    discs of radius ``d`` around the category's located assets (and of its
    served areas).
priority score
    With a layer, ``Σ_{i∈a} T_i·(1 − covered_i)·n_i``; without,
    ``T × (1 − coverage) × n_a``, with the area in km² for ``T`` when no
    population is loaded.
study area
    ``assets`` and ``T`` summed, ``rate = Σ assets / Σ T × 10,000`` and,
    without a layer, ``coverage = Σ T·coverage / Σ T`` (weighted by km²
    without population).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from .levels import levels
from .rows import StudyFigures
from .small_areas import ReachFigures

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..categories.taxonomy import Category
    from .access import Reach
    from .context import GapContext
    from .network_reach import Catchment

#: Segments per quarter circle when drawing catchment discs (area error < 0.2%).
QUAD_SEGS = 16


@dataclass
class CategoryMeasures:
    """One category's figures for every area, at one catchment (``None``: not computed there)."""

    score: "np.ndarray"
    access_score: "np.ndarray"
    level: "np.ndarray"
    counts: "np.ndarray | None" = None
    target: "np.ndarray | None" = None
    target_text: str = ""
    rate: "np.ndarray | None" = None
    has_rate: "np.ndarray | None" = None
    coverage: "np.ndarray | None" = None
    coverage_located: "np.ndarray | None" = None
    access: "np.ndarray | None" = None
    access_e: "np.ndarray | None" = None
    need: "np.ndarray | None" = None
    served: "np.ndarray | None" = None
    study: StudyFigures | None = None
    barrier: "np.ndarray | None" = None


def measure(ctx: "GapContext", cat: Category, *, scale: float, full: bool = True) -> CategoryMeasures:
    """One category's figures for every area, catchments × ``scale``.

    The chain: the assets of the category in each area (:func:`_provision`),
    what is within reach, with the small areas (:func:`_with_layer`) or the
    areas alone (:func:`_by_area`), then the rates, levels and study-area
    figures (:func:`_rated`). With ``full`` false, only what a ranking
    needs: ``score``, ``access_score`` and ``level``.
    """
    c = ctx.catchment(cat)
    counts, placed = _provision(ctx, cat.id)
    serving, served = ctx.served_by(cat.id)
    if ctx.layer is not None:
        reached = _with_layer(ctx, cat, c, scale, placed, serving, full)
    else:
        reached = _by_area(ctx, cat, c, scale, placed, serving, full)
    return _rated(cat, counts, reached, served, full)


def pairs_ahead(ctx: "GapContext", cats: "list[Category]", scale: float) -> "Iterator[Reach | None]":
    """Each category's pairs in reach at its catchment × ``scale``, by the straight line to the population
    layer's small areas, as :func:`measure` finds them (``None`` for a category on a street network, or
    without a layer). Each category's pairs are searched in a second thread while the caller measures
    the one before (the k-d tree searches and array arithmetic run outside Python's lock, so two cores
    share the work); no more than one category's pairs wait at a time."""
    layer = ctx.layer

    def find(cat: "Category") -> "Reach | None":
        c = ctx.catchment(cat)
        if c.on_network:
            return None
        placed = _placed(ctx, cat.id)
        return layer.reach.reach(ctx.asset_pts[placed], c.limit * scale, xy[placed])

    if not cats:
        return
    if layer is None:
        yield from (None for _ in cats)
        return
    from concurrent.futures import ThreadPoolExecutor

    layer.reach.ready()  # made once, before two threads could both make them
    xy = ctx.asset_xy
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(find, cats[0])
        for nxt in [*cats[1:], None]:
            found = waiting.result()
            if nxt is not None:
                waiting = pool.submit(find, nxt)
            yield found


def _provision(ctx: "GapContext", category_id: str) -> tuple["np.ndarray", "np.ndarray"]:
    """``assets``: how many of the category's assets each area holds; and the indices of those located."""
    import numpy as np

    area = ctx.area_of_asset[ctx.members(category_id)]
    counts = np.bincount(area[area >= 0], minlength=len(ctx.codes))
    return counts, _placed(ctx, category_id)


def _placed(ctx: "GapContext", category_id: str) -> "np.ndarray":
    """The indices of the category's located assets, in order (all a search for pairs in reach needs: it runs
    in a second thread while the areas' counts are made in the first)."""
    members = ctx.members(category_id)
    return members[ctx.located[members]] if len(members) else members


def _with_layer(ctx: "GapContext", cat: Category, c: "Catchment", scale: float, placed: "np.ndarray",
                serving: Any, full: bool) -> ReachFigures:
    """The small areas' figures (on the street network when ``c`` is a travel time, with the barrier effect);
    where an area has no target residents counted (``T = 0``: an industrial estate, a park), the share of
    the area within reach instead, by the straight line (the travel time's straight-line equivalent)."""
    import numpy as np

    pts = ctx.asset_pts[placed]
    m = ctx.layer.measures(cat, c.limit * scale, pts, ctx.supply(cat, placed), len(ctx.codes), ctx.need_small,
                           serving, full=full, key=cat.id, by=ctx.reach_by(c),
                           barrier_m=c.straight_m * scale if c.on_network else None, xy=ctx.asset_xy[placed])
    catchment = c.straight_m * scale
    empty = m.target <= 0
    if empty.any():
        m.coverage = np.where(empty, uniform_coverage(pts, catchment, ctx.geoms, ctx.area_m2, serving), m.coverage)
        if full:
            m.coverage_located = np.where(empty, uniform_coverage(pts, catchment, ctx.geoms, ctx.area_m2),
                                          m.coverage_located)
    if ctx.need_small is None:
        m.need_index = None
    return m


def _by_area(ctx: "GapContext", cat: Category, c: "Catchment", scale: float, placed: "np.ndarray", serving: Any,
             full: bool) -> ReachFigures:
    """Without a population layer: uniform-density coverage (on a street network, at the points of
    :class:`~asset_map.analysis.network_reach.AreaGrid`), the areas' own target population ``T``, the
    priority score ``T × (1 − coverage) × n_a`` (km² for ``T`` without population) and the study-area
    coverage ``Σ T·coverage / Σ T`` (0 when ``Σ T`` is not above 0)."""
    import numpy as np

    pts, n_areas, catchment = ctx.asset_pts[placed], len(ctx.codes), c.limit * scale
    barrier = None
    if c.on_network and ctx.grid is not None:
        coverage_located, coverage, barrier = _on_grid(ctx, c, scale, pts, serving, full)
    elif serving is None:
        coverage = coverage_located = uniform_coverage(pts, catchment, ctx.geoms, ctx.area_m2)
    else:
        coverage_located = uniform_coverage(pts, catchment, ctx.geoms, ctx.area_m2) if full else None
        coverage = uniform_coverage(pts, catchment, ctx.geoms, ctx.area_m2, serving)
    target, description = ctx.area_target(cat) if ctx.population_loaded else (None, "")
    weights = target if target is not None else ctx.area_m2 / 1e6
    w_total = float(np.sum(weights))
    n = ctx.need_area if ctx.need_area is not None else np.ones(n_areas)
    return ReachFigures(
        target=target, description=description, coverage=coverage,
        score=np.nan_to_num(weights) * (1 - coverage) * n, access_score=np.zeros(n_areas),
        coverage_located=coverage_located, need_index=ctx.need_area,
        study_coverage=float(np.sum(weights * coverage) / w_total) if w_total > 0 else 0.0, barrier=barrier,
        study_barrier=(float(np.sum(weights * barrier) / w_total) if w_total > 0 else 0.0) if barrier is not None
        else None,
    )


def _on_grid(ctx: "GapContext", c: "Catchment", scale: float, pts: "np.ndarray", serving: Any,
             full: bool) -> tuple["np.ndarray", "np.ndarray", "np.ndarray | None"]:
    """Coverage from located assets, coverage with the served areas, and (when ``full``) the barrier share of
    each area, at the grid's points (:mod:`asset_map.analysis.network_reach`)."""
    import numpy as np
    import shapely

    from .access import ReachIndex, covered

    grid = ctx.grid
    located = covered(ctx.reach_by(c).reach(pts, c.limit * scale))
    with_served = located | shapely.intersects(serving, grid.points) if serving is not None else located
    barrier = None
    if full:
        near = covered(ReachIndex(grid.points).reach(pts, c.straight_m * scale))
        barrier = grid.mean((near & ~located).astype(float))
    return grid.mean(located.astype(float)), grid.mean(with_served.astype(float)), barrier


def _rated(cat: Category, counts: "np.ndarray", reached: ReachFigures, served: "np.ndarray",
           full: bool) -> CategoryMeasures:
    """The rates ``assets / T × 10,000``, the levels (:func:`~asset_map.analysis.levels.levels`, against the
    study-area rate ``Σ assets / Σ T × 10,000``) and the study-area figures."""
    import numpy as np

    s_assets = int(counts.sum())
    s_target = float(np.sum(reached.target)) if reached.target is not None else None
    s_rate = rate(s_assets, s_target)
    area_rate, has_rate = rates(counts, reached.target)
    level = levels(counts, reached.coverage, area_rate, has_rate, s_rate)
    if not full:
        return CategoryMeasures(score=reached.score, access_score=reached.access_score, level=level)
    return CategoryMeasures(
        score=reached.score, access_score=reached.access_score, level=level, counts=counts,
        target=reached.target, target_text=reached.description, rate=area_rate, has_rate=has_rate,
        coverage=reached.coverage, coverage_located=reached.coverage_located, access=reached.access,
        access_e=reached.access_e, need=reached.need_index, served=served, barrier=reached.barrier,
        study=StudyFigures(cat.id, s_assets, s_target, s_rate, reached.study_coverage, reached.study_access,
                           reached.study_access_e, reached.study_barrier),
    )


def uniform_coverage(points: "np.ndarray", distance: float, geoms: "np.ndarray", area_m2: "np.ndarray",
                     serving: Any = None) -> "np.ndarray":
    """``area(A ∩ U) / area(A)``: the share of each area within ``distance`` of at least one point, or inside
    ``serving`` (``U``: the union of the discs and ``serving``)."""
    import numpy as np
    import shapely

    pts = [p for p in points if p is not None]
    if not pts and serving is None:
        return np.zeros(len(geoms))
    discs = shapely.buffer(np.array(pts, dtype=object), distance, quad_segs=QUAD_SEGS) if pts else []
    reach = shapely.union_all(np.array([*discs, *([serving] if serving is not None else [])], dtype=object))
    covered = shapely.area(shapely.intersection(geoms, reach))
    return np.clip(covered / area_m2, 0.0, 1.0)


def rate(count: int, target: float | None) -> float | None:
    """``count / target × 10,000``: assets per 10,000 target population; ``None`` if the population is unknown
    or zero."""
    if target is None or not target > 0 or math.isnan(target):
        return None
    return count / target * 10_000


def rates(counts: "np.ndarray", target: "np.ndarray | None") -> tuple["np.ndarray", "np.ndarray"]:
    """:func:`rate` of every area: ``assets / T × 10,000`` (NaN where ``T`` is unknown or not above 0),
    and where there is a rate."""
    import numpy as np

    if target is None:
        return np.full(len(counts), np.nan), np.zeros(len(counts), dtype=bool)
    has = target > 0  # False for NaN
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(has, counts / target * 10_000, np.nan), has


def joined(measures: "list[CategoryMeasures]", name: str, dtype: Any = float) -> "np.ndarray":
    """One figure of every category, end to end: category *k*'s areas at rows ``k·n_areas ...``."""
    import numpy as np

    if not measures:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([getattr(m, name) for m in measures]).astype(dtype, copy=False)
