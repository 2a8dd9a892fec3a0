"""The gap measures, for every area × need category.

Notation: for area *a* and category *c*, ``T`` is the target population of
*c* living in *a* (all ages, or the category's age band), ``d`` the
category's catchment distance, ``A`` the area's polygon.

provision
    ``assets`` = number of assets of *c* located in *a* (an asset with several
    categories counts once in each). ``rate_per_10k = assets / T × 10,000``.
coverage, population-weighted (when a population layer is loaded)
    Each small area *i* of the population layer stands at one point and
    holds ``T_i`` of the target population; it is *covered* when at least one
    located asset of *c* lies within ``d`` (straight line) of that point,
    including assets in neighbouring areas and outside the study area.
    ``coverage = Σ_{i∈a} T_i·covered_i / Σ_{i∈a} T_i``, and ``T`` is then
    ``Σ_{i∈a} T_i``. See :mod:`asset_map.analysis.access`. An area with no target
    residents counted (``T = 0``: an industrial estate, a park) gets the
    uniform estimate below instead of a meaningless 0.
coverage, uniform-density estimate (areas only)
    ``coverage = area(A ∩ U) / area(A)``, where ``U`` is the union of the
    discs of radius ``d`` around every located asset of *c*. Assuming
    residents are spread evenly over the area, this is the share of the
    target population living within ``d`` of at least one asset. The output
    says which of the two was used (``coverage_method``).
accessibility (with a population layer)
    ``access_per_10k``: two-step floating catchment (2SFCA) and
    ``access_e2sfca_per_10k``: enhanced 2SFCA with distance-decay bands,
    computed per small area from asset capacities (1 where unknown) and the
    target population, aggregated to the area as a population-weighted mean
    and multiplied by 10,000. Formulas in :mod:`asset_map.analysis.access`.
uncovered
    ``T × (1 − coverage)``: the estimated target residents beyond reach.
gap level
    ``none``: no asset of *c* in the area and under 1% of it within reach;
    ``low``: coverage under 60%, or a rate under half the study-area rate;
    ``ok``: otherwise.
need index
    With a need indicator loaded (:mod:`asset_map.inputs.need`), each small area
    has ``n_i`` (1 = the study area's average need); an area's need index is
    ``Σ_{i∈a} T_i·n_i / Σ_{i∈a} T_i``. Without one, ``n = 1`` everywhere.
priority
    need × shortfall: ``priority_score = Σ_{i∈a} T_i·(1 − covered_i)·n_i``,
    the unreached target residents weighted by their need (without a
    population layer ``T × (1 − coverage) × n_a``; without any population the
    area in km² beyond reach stands in for ``T``). Ranked from the largest;
    ties go to the more severe level, then area code, then the taxonomy's
    category order, so the order never depends on chance.
robust
    The rows are ranked again with every catchment halved and doubled and,
    with a population layer, by accessibility shortfall
    ``Σ_{i∈a} T_i·n_i·max(0, 1 − A_i / Ā)`` (``Ā`` the study-area 2SFCA) at
    the three catchments: up to six rankings. A gap in the top 10% of rows
    (at least 5) under every ranking, and not at level ``ok``, is **robust**;
    ``ranks`` gives its best and worst place.
study area
    The same figures over all areas together: ``assets`` and ``T`` summed,
    ``coverage = Σ T·coverage / Σ T`` (area-weighted without population),
    accessibility as the population-weighted mean over all small areas.

The figures are computed a category at a time over all areas at once, as
arrays; the ranking is a sort of those arrays. :func:`compute_gaps` reads as
a chain of steps, each in a module named for it:

* :class:`~asset_map.analysis.context.GapContext`: what every category
  shares (areas, assets, the population layer's
  :class:`~asset_map.analysis.small_areas.SmallAreas`, need, served areas);
* :func:`~asset_map.analysis.measures.measure`: one category's provision,
  coverage, accessibility and priority score at one catchment;
  :mod:`asset_map.analysis.levels` sets the gap level;
* :mod:`asset_map.analysis.robust`: the priority ranking and the
  re-rankings for robustness;
* :class:`~asset_map.analysis.table.GapTable`: the rows as arrays, with
  the reason sentences of :mod:`asset_map.analysis.reasons`;
* :class:`~asset_map.analysis.report.GapReport`: the report, which makes
  its :class:`GapRow` objects (and each row's reason sentence) only when
  ``rows`` is first read; ``to_frame``, ``records``, ``select`` and ``top``
  work on the arrays without making them.

This module reads only plain columns and shapely geometries, so the
``gaps`` command needs neither pandas nor geopandas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..categories.taxonomy import Category, Taxonomy
from ..errors import UnknownAreaError, WorkspaceError  # noqa: F401  (UnknownAreaError: re-exported)
from .arrays import objects
from .context import GapContext
from .measures import CategoryMeasures, joined, measure, pairs_ahead
from .report import GapReport
from .robust import Ranker, describe, judge, places, top_size
from .rows import COVERAGE_METHOD, POPULATION_METHOD, GapRow, StudyFigures
from .table import GapTable, RowView

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..categories.served import ServedAreas
    from ..network.graph import StreetNetwork
    from ..store import Table
    from .need import NeedIndicator

__all__ = ["COVERAGE_METHOD", "POPULATION_METHOD", "GapReport", "GapRow", "StudyFigures", "compute_gaps",
           "find_area"]


def compute_gaps(areas: "Table", assets: "Table | None", taxonomy: Taxonomy,
                 population: "Table | None" = None, need: "NeedIndicator | None" = None,
                 *, served: "ServedAreas | None" = None, robust: bool = True, top: int | None = None,
                 network: "StreetNetwork | None" = None) -> GapReport:
    """Compute the gap measures for every area × category, ranked by priority.

    Parameters
    ----------
    areas
        The workspace's ``areas`` table: ``area_code``, ``area_name``,
        population columns, polygons in EPSG:27700.
    assets
        The ``assets`` table: ``categories`` (ids joined by ``;``),
        ``area_code`` (``None`` outside every area), points in EPSG:27700,
        and optionally ``capacity`` and ``capacity_unit`` (see *capacity units* in
        :mod:`asset_map.analysis.access`).
    taxonomy
        Categories with catchment distance and target population.
    population
        The population layer (small areas with ``area_code`` and population
        columns); when given, coverage is population-weighted and
        accessibility is computed.
    need
        A need indicator by small-area code (or area code without a
        population layer) that weights the priority.
    robust
        Also rank under half and double the catchments, and by
        accessibility, and mark the gaps that stay in the top of every ranking.
    served
        Where services reach beyond their door (:mod:`asset_map.categories.served`).
    top
        How many rows make "the top" for robustness (default: 10% of the
        rows, at least 5).
    network
        A street network, for the categories with a travel time
        (:mod:`asset_map.analysis.network_reach`); ``None``: straight lines.

    The steps: gather what the categories share (:class:`GapContext`),
    measure each category for all areas at once, rank the rows by sorting
    (:class:`Ranker`), lay them out as a :class:`GapTable` and mark the
    robust gaps; the report makes its row objects only when read.
    """
    return rank_gaps(measure_gaps(areas, assets, taxonomy, population, need, served=served, robust=robust,
                                  network=network), top=top)


@dataclass
class MeasuredGaps:
    """Every category's figures at its catchment (``base``) and, for robustness, at half and double it
    (``alt``), with what the ranking and the table need besides: all that :func:`compute_gaps` derives from
    the assets and the population, before the rows are ranked. A workspace keeps it up to date
    (:mod:`asset_map.inputs.gap_state`), so ``gaps`` need not read the register."""

    codes: list
    names: list
    code_rank: "np.ndarray"
    cats: list[Category]
    base: list[CategoryMeasures]
    alt: dict[str, list[CategoryMeasures]]
    population_loaded: bool
    method: str
    with_layer: bool
    need_name: str | None
    notes: list[str]
    #: Of each category: how reach is measured ("10 min walk") and the straight-line distance it is against.
    reach: list[str]
    straight_m: list[float]


def measure_gaps(areas: "Table", assets: "Table | None", taxonomy: Taxonomy, population: "Table | None" = None,
                 need: "NeedIndicator | None" = None, *, served: "ServedAreas | None" = None, robust: bool = True,
                 network: "StreetNetwork | None" = None) -> MeasuredGaps:
    """The measuring half of :func:`compute_gaps` (same parameters): what every category shares
    (:class:`GapContext`), then each category's figures for all areas at once. Python's cyclic garbage
    collector is paused meanwhile (:func:`~asset_map.store.base.paused_gc`): the measures make no reference
    cycles, and each of its passes would go over every cell of the tables held."""
    from ..store.base import paused_gc

    _check_areas(areas)
    with paused_gc():
        ctx = GapContext(areas, assets, population, need, served, network)
        cats = list(taxonomy)
        n_rows = len(ctx.codes) * len(cats)
        base, alt = _measure_categories(ctx, cats, robust=robust and n_rows > 0)
    ctx.notes += [ctx.network.note()] if ctx.network is not None else []
    return MeasuredGaps(ctx.codes, ctx.names, ctx.code_rank, cats, base, alt, ctx.population_loaded, ctx.method,
                        ctx.layer is not None, need.name if need is not None else None, list(ctx.notes),
                        [ctx.catchment(cat).text for cat in cats], [ctx.catchment(cat).straight_m for cat in cats])


def rank_gaps(m: MeasuredGaps, *, top: int | None = None) -> GapReport:
    """The ranking half of :func:`compute_gaps`: rank the rows by sorting (:class:`Ranker`), lay them out as a
    :class:`GapTable` and mark the robust gaps (``top``: see :func:`compute_gaps`)."""
    import numpy as np

    cats, base, alt = m.cats, m.base, m.alt
    n_rows = len(m.codes) * len(cats)
    score, level, ranker = joined(base, "score"), joined(base, "level", np.int8), Ranker(m.code_rank, len(cats))
    ranks = {"count": ranker.rank(score, level)}
    if alt:
        ranks.update(ranker.rerank(base, level, alt, with_access=m.with_layer))
    place = places(ranks, n_rows)
    table = _gap_table(m, base, score, level, place["count"])
    table, robustness = _mark_robust(table, ranks, place, top) if alt else (table, "")
    return GapReport(RowView(table, ranks["count"]), {x.study.category_id: x.study for x in base},
                     m.population_loaded, m.method, need_indicator=m.need_name,
                     robustness=robustness, notes=list(m.notes))


def _check_areas(areas: "Table | None") -> None:
    """Raise :class:`~asset_map.errors.WorkspaceError` when there are no areas to measure."""
    if areas is None or len(areas) == 0:
        raise WorkspaceError("the workspace has no areas; load them with `asset-map boundaries load`")


def _measure_categories(ctx: GapContext, cats: list[Category], *, robust: bool
                        ) -> tuple[list[CategoryMeasures], dict[str, list[CategoryMeasures]]]:
    """Each category's figures at its catchment and, when ``robust``, at half and double it (``half`` and
    ``double``: only what a ranking needs).

    Each category's widest catchment is measured first: the narrower ones
    reuse its pairs in reach, found while the category before is measured
    (:func:`~asset_map.analysis.measures.pairs_ahead`).
    """
    base: list[CategoryMeasures] = []
    alt: dict[str, list[CategoryMeasures]] = {"half": [], "double": []} if robust else {}
    for cat, pairs in zip(cats, pairs_ahead(ctx, cats, 2.0 if robust else 1.0)):
        if pairs is not None:
            ctx.layer.prime(cat.id, pairs)
        if robust:
            alt["double"].append(measure(ctx, cat, scale=2.0, full=False))
        base.append(measure(ctx, cat, scale=1.0))
        if robust:
            alt["half"].append(measure(ctx, cat, scale=0.5, full=False))
    return base, alt


def _mark_robust(table: GapTable, ranks: "dict[str, np.ndarray]", place: "dict[str, np.ndarray]",
                 top: int | None) -> tuple[GapTable, str]:
    """The table with each row's best and worst place and whether it is robust
    (:func:`~asset_map.analysis.robust.judge`), and how robustness was judged."""
    n_rows = len(table.level)
    top = top_size(top, n_rows)
    best, worst, robust = judge(place, top, table.level)
    return replace(table, best=best, worst=worst, robust=robust), describe(ranks, top, n_rows)


def _gap_table(m: MeasuredGaps, base: list[CategoryMeasures], score: "np.ndarray", level: "np.ndarray",
               priority: "np.ndarray") -> GapTable:
    """The categories' figures end to end, as one :class:`GapTable`; ``priority`` is each row's place."""
    import numpy as np

    def optional(name: str) -> "np.ndarray | None":
        """The figure of every category, or ``None`` where it was not computed."""
        return None if not base or getattr(base[0], name) is None else joined(base, name)

    cats = m.cats
    return GapTable(
        n_areas=len(m.codes), codes=objects(m.codes), names=objects(m.names), cats=cats,
        target_text=[x.target_text or cat.target.code for x, cat in zip(base, cats)],
        study=[x.study for x in base], catchment=[cat.catchment_m * 1.0 for cat in cats], method=m.method,
        counts=joined(base, "counts", np.int64), target=optional("target"),
        rate=joined(base, "rate"), has_rate=joined(base, "has_rate", bool),
        coverage=joined(base, "coverage"), coverage_located=joined(base, "coverage_located"),
        access=optional("access"), access_e=optional("access_e"), need=optional("need"),
        score=score, served=joined(base, "served", np.int64), level=level, priority=priority,
        reach=list(m.reach), straight_m=list(m.straight_m),
        barrier=np.concatenate([x.barrier if x.barrier is not None else np.full(len(m.codes), np.nan)
                                for x in base]) if any(x.barrier is not None for x in base) else None,
    )


def find_area(areas: "Table", query: str) -> str:
    """The code of the area whose code or name is ``query`` in any case and punctuation
    (:func:`asset_map.analysis.places.exact_area`; places inside areas: :func:`~asset_map.analysis.places.find_place`).

    Raises
    ------
    UnknownAreaError
        With "did you mean ..." naming the closest area.
    """
    from .places import exact_area, unknown_area

    code = exact_area(areas, query)
    if code is None:
        raise unknown_area(areas, query, [])
    return code
