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
arrays; the ranking is a sort of those arrays. A report keeps them so, and
makes its :class:`GapRow` objects (and each row's reason sentence) only when
``rows`` is first read; ``to_frame``, ``records``, ``select`` and ``top`` work
on the arrays without making them.

This module reads only plain columns and shapely geometries, so the
``gaps`` command needs neither pandas nor geopandas.
"""

from __future__ import annotations

import itertools
import math
import operator
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from ..errors import UnknownAreaError, WorkspaceError
from .target_population import target_population
from ..categories.taxonomy import Category, Taxonomy

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .need import NeedIndicator
    from ..categories.served import ServedAreas
    from ..store import Table

NONE_COVERAGE = 0.01
LOW_COVERAGE = 0.60
LOW_RATE_SHARE = 0.5
LEVEL_ORDER = {"none": 0, "low": 1, "ok": 2}
#: The levels, each at its place in :data:`LEVEL_ORDER`.
LEVELS = ("none", "low", "ok")
COVERAGE_METHOD = "uniform density within each area"
POPULATION_METHOD = "population-weighted: small areas whose point is within reach"
#: Segments per quarter circle when drawing catchment discs (area error < 0.2%).
QUAD_SEGS = 16


@dataclass(frozen=True)
class StudyFigures:
    """Figures for one category over the whole study area."""

    category_id: str
    assets: int
    target_population: float | None
    rate_per_10k: float | None
    coverage: float
    access_per_10k: float | None = None
    access_e2sfca_per_10k: float | None = None


@dataclass(frozen=True)
class GapRow:
    """The measures for one area and one category."""

    priority: int
    area_code: str
    area_name: str
    category_id: str
    category: str
    target: str
    target_population: float | None
    assets: int
    rate_per_10k: float | None
    coverage: float
    uncovered: float | None
    level: str
    reason: str
    study_assets: int
    study_rate_per_10k: float | None
    study_coverage: float
    catchment_m: float
    coverage_method: str = COVERAGE_METHOD
    access_per_10k: float | None = None
    access_e2sfca_per_10k: float | None = None
    study_access_per_10k: float | None = None
    need_index: float | None = None
    priority_score: float = 0.0
    robust: bool | None = None
    ranks: str = ""
    finding: str = ""
    confidence: str = ""
    confidence_reason: str = ""
    coverage_located: float | None = None
    served: int = 0

    @property
    def shown_level(self) -> str:
        """The level as shown to people: ``no data?`` when nothing was found but the lists may be missing it."""
        return "no data?" if self.finding == "no data?" else self.level


#: GapRow's fields, in order.
ROW_FIELDS = tuple(GapRow.__dataclass_fields__)


def _make_row(values: dict[str, Any]) -> GapRow:
    """``GapRow(**values)``, without the per-field cost of a frozen dataclass's ``__init__``.

    ``values`` (a new dictionary, which the row keeps) holds every field in
    the fields' order, as ``__init__`` would set them; GapRow has no
    ``__post_init__``, so the object is the same.
    """
    row = object.__new__(GapRow)
    object.__setattr__(row, "__dict__", values)  # the row takes the dictionary as its own
    return row


@dataclass
class GapReport:
    """All gap rows, ranked, with the study-area figures.

    ``rows`` is a list of :class:`GapRow`. A report made by
    :func:`compute_gaps` holds its figures as arrays and makes the row objects
    when ``rows`` is first read; from then on that list is the report's rows
    (the arrays serve ``to_frame`` and the rest only while the list holds
    exactly the rows made).
    """

    rows: list[GapRow]
    study: dict[str, StudyFigures]
    population_loaded: bool
    coverage_method: str = COVERAGE_METHOD
    #: The need indicator used in the priority, if any.
    need_indicator: str | None = None
    #: How robustness was judged: the rankings compared and the size of the top.
    robustness: str = ""
    notes: list[str] = field(default_factory=list)

    def _lazy(self) -> "_RowView | None":
        """The rows as arrays, while they are the rows: none made yet, or the list made still holds exactly
        the rows made (the same objects, in order); otherwise ``None``."""
        view = self.__dict__.get("_view")
        rows = self.__dict__.get("_rows")
        if view is None or rows is None:
            return view
        made = self.__dict__["_made"]
        return view if len(rows) == len(made) and all(map(operator.is_, rows, made)) else None

    def computed(self) -> set[str]:
        """The optional measures the rows carry: ``access`` (population layer), ``need`` (indicator),
        ``robust`` (robustness rankings)."""
        view = self._lazy()
        if view is not None:
            return view.computed()
        rows = self.rows
        return {name for name, present in (
            ("access", any(r.access_per_10k is not None for r in rows)),
            ("need", any(r.need_index is not None for r in rows)),
            ("robust", any(r.robust is not None for r in rows)),
        ) if present}

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries (for JSON and CSV)."""
        view = self._lazy()
        if view is not None:
            return view.records()
        return [asdict(r) for r in self.rows]

    def to_frame(self) -> "pd.DataFrame":
        """The rows as a pandas DataFrame."""
        import pandas as pd

        view = self._lazy()
        if view is not None and len(view):
            return pd.DataFrame(view.columns(), columns=list(ROW_FIELDS))
        return pd.DataFrame(self.records(), columns=list(ROW_FIELDS))

    def select(self, *, areas: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> "GapReport":
        """Keep the rows for these area codes and category ids; ranks are kept."""
        view = self._lazy()
        if view is not None:
            return replace(self, rows=view.select(areas, categories))
        rows = [
            r for r in self.rows
            if (areas is None or r.area_code in areas) and (categories is None or r.category_id in categories)
        ]
        return replace(self, rows=rows)

    def top(self, n: int) -> "GapReport":
        """The first ``n`` rows."""
        view = self._lazy()
        if view is not None:
            return replace(self, rows=view.head(n))
        return replace(self, rows=self.rows[:n])


def _get_rows(report: GapReport) -> list[GapRow]:
    rows = report.__dict__.get("_rows")
    if rows is None:  # made from the arrays, once
        rows = report.__dict__["_rows"] = report.__dict__["_view"].rows()
        report.__dict__["_made"] = tuple(rows)
    return rows


def _set_rows(report: GapReport, rows: "list[GapRow] | _RowView") -> None:
    if isinstance(rows, _RowView):
        report.__dict__.update(_view=rows, _rows=None, _made=())
    else:
        report.__dict__.update(_view=None, _rows=rows, _made=())


# A property set after the dataclass is made, so that ``rows`` stays its first field (and argument).
GapReport.rows = property(_get_rows, _set_rows, doc="The rows, ranked (a list of :class:`GapRow`).")  # type: ignore


class _RowView:
    """Rows of a :class:`_GapTable` by index into its arrays, in the order shown."""

    __slots__ = ("table", "index", "_columns")

    def __init__(self, table: "_GapTable", index: "np.ndarray") -> None:
        self.table, self.index = table, index
        self._columns: dict[str, list[Any]] | None = None

    def __len__(self) -> int:
        return len(self.index)

    def head(self, n: int) -> "_RowView":
        return _RowView(self.table, self.index[:n])

    def select(self, areas: Sequence[str] | None, categories: Sequence[str] | None) -> "_RowView":
        import numpy as np

        t, keep = self.table, np.ones(len(self.index), dtype=bool)
        k, i = np.divmod(self.index, t.n_areas)
        if areas is not None:
            keep &= np.array([c in areas for c in t.codes], dtype=bool)[i]
        if categories is not None:
            keep &= np.array([c.id in categories for c in t.cats], dtype=bool)[k]
        return _RowView(t, self.index[keep])

    def computed(self) -> set[str]:
        t, some = self.table, len(self.index) > 0
        return {name for name, present in (("access", t.access is not None), ("need", t.need is not None),
                                           ("robust", t.robust is not None)) if present and some}

    def columns(self) -> dict[str, list[Any]]:
        """Each field's values for these rows, as the rows hold them (worked out once)."""
        if self._columns is None:
            self._columns = self.table.columns(self.index)
        return self._columns

    def records(self) -> list[dict[str, Any]]:
        cols = self.columns()
        return [dict(zip(ROW_FIELDS, values)) for values in zip(*(cols[f] for f in ROW_FIELDS))]

    def rows(self) -> list[GapRow]:
        cols = self.columns()
        return [_make_row(dict(zip(ROW_FIELDS, values))) for values in zip(*(cols[f] for f in ROW_FIELDS))]

    def judged(self, finding: "np.ndarray", confidence: "np.ndarray",
               reason: "Callable[[np.ndarray], list[str]]") -> "_RowView":
        """The same rows with a finding, a confidence and its reason (from the rows' indices)."""
        return _RowView(replace(self.table, finding=finding, confidence=confidence, confidence_reason=reason),
                        self.index)


@dataclass
class _GapTable:
    """Every area × category at once: row ``k·n_areas + i`` is category *k*, area *i*.

    Arrays hold one value per row; lists one value per category. Nothing
    here changes once made (a judged table is a copy).
    """

    n_areas: int
    codes: "np.ndarray"  # area codes (object)
    names: "np.ndarray"  # area names (object)
    cats: list[Category]
    target_text: list[str]
    study: list[StudyFigures]
    catchment: list[float]
    method: str
    counts: "np.ndarray"
    target: "np.ndarray | None"
    rate: "np.ndarray"  # assets per 10,000, NaN where there is no rate
    has_rate: "np.ndarray"
    coverage: "np.ndarray"
    coverage_located: "np.ndarray"
    access: "np.ndarray | None"
    access_e: "np.ndarray | None"
    need: "np.ndarray | None"
    score: "np.ndarray"
    served: "np.ndarray"
    level: "np.ndarray"  # index into LEVELS
    priority: "np.ndarray"
    robust: "np.ndarray | None" = None
    best: "np.ndarray | None" = None  # best and worst place over the rankings
    worst: "np.ndarray | None" = None
    finding: "np.ndarray | None" = None
    confidence: "np.ndarray | None" = None
    confidence_reason: "Callable[[np.ndarray], list[str]] | None" = None  # of the rows at an index

    def reasons(self, index: "np.ndarray") -> list[str]:
        """The plain-English reason of each of the rows ``index`` (see :func:`_reason` and :func:`_served_text`)."""
        wording = [_Wording.of(cat, study) for cat, study in zip(self.cats, self.study)]
        k, i = (x.tolist() for x in divmod(index, self.n_areas))
        names = self.names[i].tolist()
        rates = [r if ok else None for r, ok in zip(self.rate[index].tolist(), self.has_rate[index].tolist())]
        return [wording[kk].reason(LEVELS[lv], name, count, cov, rate)
                + (_served_text(n, name, located, cov) if n else "")
                for kk, lv, name, count, cov, rate, n, located in zip(
                    k, self.level[index].tolist(), names, self.counts[index].tolist(),
                    self.coverage[index].tolist(), rates, self.served[index].tolist(),
                    self.coverage_located[index].tolist())]

    def columns(self, index: "np.ndarray") -> dict[str, list[Any]]:
        """Each field's values for the rows ``index``, as Python values, in the order given."""
        import numpy as np

        n = len(index)
        k, i = np.divmod(index, self.n_areas)

        def per_cat(values: "Iterable[Any]") -> list[Any]:
            out = np.empty(len(self.cats), dtype=object)
            out[:] = list(values)
            return out[k].tolist()

        def optional(values: "np.ndarray | None") -> list[Any]:
            return [None] * n if values is None else values[index].tolist()

        cov = self.coverage[index]
        study = self.study
        return {
            "priority": self.priority[index].tolist(),
            "area_code": self.codes[i].tolist(),
            "area_name": self.names[i].tolist(),
            "category_id": per_cat(c.id for c in self.cats),
            "category": per_cat(c.label for c in self.cats),
            "target": per_cat(self.target_text),
            "target_population": optional(self.target),
            "assets": self.counts[index].tolist(),
            "rate_per_10k": [r if ok else None for r, ok in zip(self.rate[index].tolist(),
                                                                 self.has_rate[index].tolist())],
            "coverage": cov.tolist(),
            "uncovered": [None] * n if self.target is None else (self.target[index] * (1 - cov)).tolist(),
            "level": np.array(LEVELS, dtype=object)[self.level[index]].tolist(),
            "reason": self.reasons(index),
            "study_assets": per_cat(s.assets for s in study),
            "study_rate_per_10k": per_cat(s.rate_per_10k for s in study),
            "study_coverage": per_cat(s.coverage for s in study),
            "catchment_m": per_cat(self.catchment),
            "coverage_method": [self.method] * n,
            "access_per_10k": optional(self.access),
            "access_e2sfca_per_10k": optional(self.access_e),
            "study_access_per_10k": per_cat(s.access_per_10k for s in study),
            "need_index": optional(self.need),
            "priority_score": self.score[index].tolist(),
            "robust": optional(self.robust),
            "ranks": [""] * n if self.best is None else [
                f"{lo}–{hi}" if lo != hi else str(p)
                for lo, hi, p in zip(self.best[index].tolist(), self.worst[index].tolist(),
                                     self.priority[index].tolist())],
            "finding": optional(self.finding) if self.finding is not None else [""] * n,
            "confidence": optional(self.confidence) if self.confidence is not None else [""] * n,
            "confidence_reason": [""] * n if self.confidence_reason is None else self.confidence_reason(index),
            "coverage_located": self.coverage_located[index].tolist(),
            "served": self.served[index].tolist(),
        }


def compute_gaps(areas: "Table", assets: "Table | None", taxonomy: Taxonomy,
                 population: "Table | None" = None, need: "NeedIndicator | None" = None,
                 *, served: "ServedAreas | None" = None, robust: bool = True, top: int | None = None) -> GapReport:
    """Compute the gap measures for every area × category, ranked by priority.

    Parameters
    ----------
    areas
        The workspace's ``areas`` table: ``area_code``, ``area_name``,
        population columns, polygons in EPSG:27700.
    assets
        The ``assets`` table: ``categories`` (ids joined by ``;``),
        ``area_code`` (``None`` outside every area), points in EPSG:27700,
        and optionally ``capacity``.
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
        Where services reach beyond their own door (:mod:`asset_map.categories.served`):
        residents inside count as covered.
    top
        How many rows make "the top" for robustness (default: 10% of the
        rows, at least 5).

    Each category's figures are computed for all areas at once; the rows are
    ranked by sorting those arrays (:func:`_ranking`), and the report makes
    its row objects only when they are read.
    """
    import numpy as np

    if areas is None or len(areas) == 0:
        raise WorkspaceError("the workspace has no areas; load them with `asset-map boundaries load`")
    ctx = _Context(areas, assets, population, need, served)
    cats = list(taxonomy)
    n_areas = len(ctx.codes)
    n_rows = n_areas * len(cats)
    robust = robust and n_rows > 0
    base: list[_Measures] = []
    alt: dict[str, list[_Measures]] = {"half": [], "double": []}
    for cat in cats:  # the widest catchment first: the narrower ones reuse its pairs in reach
        if robust:
            alt["double"].append(ctx.measure(cat, scale=2.0, full=False))
        base.append(ctx.measure(cat, scale=1.0))
        if robust:
            alt["half"].append(ctx.measure(cat, scale=0.5, full=False))
    study = {m.study.category_id: m.study for m in base}
    report = GapReport([], study, ctx.population_loaded, ctx.method,
                       need_indicator=need.name if need is not None else None, notes=list(ctx.notes))
    cat_order = np.repeat(np.arange(len(cats), dtype=np.intp), n_areas)
    code_rank = np.tile(ctx.code_rank, len(cats))

    def ranking(score: "np.ndarray", level: "np.ndarray") -> "np.ndarray":
        return _ranking(score, level, code_rank, cat_order)

    score, level = _joined(base, "score"), _joined(base, "level", np.int8)
    ranks = {"count": ranking(score, level)}
    if robust:
        for label in ("half", "double"):
            alt_level = _joined(alt[label], "level", np.int8)
            ranks[f"count, {label} catchment"] = ranking(_joined(alt[label], "score"), alt_level)
            if ctx.layer is not None:
                ranks[f"access, {label} catchment"] = ranking(_joined(alt[label], "access_score"), alt_level)
        if ctx.layer is not None:
            ranks["access"] = ranking(_joined(base, "access_score"), level)
        top = top or max(TOP_MIN, math.ceil(TOP_SHARE * n_rows))
        report.robustness = (f"in the top {top} of {n_rows} under all {len(ranks)} rankings: "
                             + "; ".join(ranks))
    else:
        top = 0
    places: dict[str, "np.ndarray"] = {}
    for name, order in ranks.items():  # each row's place (from 1) in each ranking
        place = np.empty(n_rows, dtype=np.intp)
        place[order] = np.arange(1, n_rows + 1, dtype=np.intp)
        places[name] = place
    table = _GapTable(
        n_areas=n_areas, codes=_objects(ctx.codes), names=_objects(ctx.names), cats=cats,
        target_text=[m.target_text or cat.target.code for m, cat in zip(base, cats)],
        study=[m.study for m in base], catchment=[cat.catchment_m * 1.0 for cat in cats], method=ctx.method,
        counts=_joined(base, "counts", np.int64),
        target=None if not base or base[0].target is None else _joined(base, "target"),
        rate=_joined(base, "rate"), has_rate=_joined(base, "has_rate", bool),
        coverage=_joined(base, "coverage"), coverage_located=_joined(base, "coverage_located"),
        access=None if not base or base[0].access is None else _joined(base, "access"),
        access_e=None if not base or base[0].access_e is None else _joined(base, "access_e"),
        need=None if not base or base[0].need is None else _joined(base, "need"),
        score=score, served=_joined(base, "served", np.int64), level=level, priority=places["count"],
    )
    if top:
        stacked = np.vstack(list(places.values()))
        table.best, table.worst = stacked.min(axis=0), stacked.max(axis=0)
        # a gap, not merely a large population
        table.robust = (table.worst <= top) & (level != LEVEL_ORDER["ok"])
    report.rows = _RowView(table, ranks["count"])
    return report


#: "Top gaps" for robustness: the top 10% of rows, and at least 5.
TOP_SHARE = 0.10
TOP_MIN = 5


def _ranking(score: "np.ndarray", level: "np.ndarray", code_rank: "np.ndarray", cat_order: "np.ndarray") -> "np.ndarray":
    """Row indices from the largest ``score`` down; ties: more severe level, area code, category order.

    ``code_rank`` is each row's area code's place in the sorted codes, so
    that sorting by it sorts by code. The sort is stable.
    """
    import numpy as np

    return np.lexsort((cat_order, code_rank, level, -score))


def _joined(measures: "list[_Measures]", name: str, dtype: Any = float) -> "np.ndarray":
    """One figure of every category, end to end: category *k*'s areas at rows ``k·n_areas ...``."""
    import numpy as np

    if not measures:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([getattr(m, name) for m in measures]).astype(dtype, copy=False)


def _objects(values: Sequence[Any]) -> "np.ndarray":
    """A 1-d object array of ``values`` as they are."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@dataclass
class _Measures:
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


class _Context:
    """What every category's measures share: areas, assets, the population layer, need."""

    def __init__(self, areas: "Table", assets: "Table | None", population: "Table | None",
                 need: "NeedIndicator | None", served: "ServedAreas | None" = None) -> None:
        import numpy as np
        import shapely

        self.served = served

        self.codes = list(areas["area_code"])
        self.names = list(areas["area_name"])
        self.geoms = areas.geometry
        self.area_m2 = shapely.area(self.geoms)
        self.areas = areas
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        try:
            distinct = sorted(set(self.codes))
        except TypeError:  # codes of mixed types (not expected): an order that does not fail
            distinct = sorted(set(self.codes), key=lambda c: (type(c).__name__, str(c)))
        ordered = {c: k for k, c in enumerate(distinct)}
        self.code_rank = np.array([ordered[c] for c in self.codes], dtype=np.intp)
        self.notes: list[str] = []
        self.layer = None
        if population is not None and len(population) and "all_ages" in population:
            self.layer = _PopulationLayer(population, self.code_index)
        self.population_loaded = self.layer is not None or (
            "all_ages" in areas and all(v is not None for v in areas["all_ages"]))
        self.method = POPULATION_METHOD if self.layer is not None else COVERAGE_METHOD
        if served is not None and served.note():
            self.notes.append(served.note())

        # Each asset's category cell (an index into the distinct cells) and area (an index, -1 for none).
        self.cells: list[set[str]] = []
        self.cell_of_asset = np.array([], dtype=np.intp)
        self.area_of_asset = np.array([], dtype=np.intp)
        self.asset_pts = np.array([], dtype=object)
        self.capacity = np.array([], dtype=float)
        if assets is not None and len(assets):
            n = len(assets)
            distinct, self.cell_of_asset = _distinct(assets["categories"])
            self.cells = [set(filter(None, (c or "").split(";"))) for c in distinct]
            self.area_of_asset = np.fromiter(map(self.code_index.get, assets["area_code"], itertools.repeat(-1)),
                                             dtype=np.intp, count=n)
            self.asset_pts = np.asarray(assets.geometry, dtype=object)
            self.capacity = _capacities(assets["capacity"] if "capacity" in assets else [None] * n)
        self.located = ~shapely.is_missing(self.asset_pts) if len(self.asset_pts) else np.array([], dtype=bool)
        self._members: dict[str, Any] = {}
        self._served_by: dict[str, tuple[Any, Any]] = {}
        self._targets: dict[Any, tuple[Any, str]] = {}

        # Need: n_i per small area, or n_a per area without a layer (1 everywhere without an indicator).
        self.need_small = self.need_area = None
        if need is not None:
            if self.layer is not None:
                weights = self.layer.all_ages
                self.need_small, missing = need.index(self.layer.codes, weights)
                where = "small areas"
                total = len(self.layer.codes)
            else:
                weights = _column(areas, "all_ages") if "all_ages" in areas else self.area_m2
                self.need_area, missing = need.index(self.codes, np.nan_to_num(weights))
                where, total = "areas", len(self.codes)
            if missing:
                self.notes.append(
                    f"need indicator {need.name!r} ({need.source}): no value for {len(missing)} of {total} {where} "
                    f"(e.g. {missing[0]}); counted as average need"
                )

    def members(self, category_id: str) -> "np.ndarray":
        """The indices of the assets of a category, in order."""
        import numpy as np

        if category_id not in self._members:
            has = np.array([category_id in cell for cell in self.cells], dtype=bool)
            self._members[category_id] = np.flatnonzero(has[self.cell_of_asset]).astype(np.intp, copy=False)
        return self._members[category_id]

    def area_target(self, cat: Category) -> tuple["np.ndarray | None", str]:
        """The areas' own target population of ``cat`` (without a population layer)."""
        if cat.target not in self._targets:
            self._targets[cat.target] = target_population(self.areas.columns, cat.target)
        return self._targets[cat.target]

    def measure(self, cat: Category, *, scale: float, full: bool = True) -> _Measures:
        """One category's figures for every area, catchments × ``scale``.

        With ``full`` false, only what a ranking needs: ``score``,
        ``access_score`` and ``level``.
        """
        import numpy as np

        n_areas = len(self.codes)
        catchment = cat.catchment_m * scale
        members = self.members(cat.id)
        area = self.area_of_asset[members]
        counts = np.bincount(area[area >= 0], minlength=n_areas)
        placed = members[self.located[members]] if len(members) else members
        pts = self.asset_pts[placed]
        access = access_e = need_index = None
        s_access = s_access_e = None
        access_score = np.zeros(n_areas)
        serving, served_count = self._served(cat.id)
        if self.layer is not None:
            m = self.layer.measures(cat, catchment, pts, self.capacity[placed], n_areas, self.need_small, serving,
                                    full=full, key=cat.id)
            target, target_desc, coverage = m.target, m.description, m.coverage
            coverage_located = m.coverage_located
            empty = target <= 0
            if empty.any():  # no target residents counted there: the share of the area within reach instead
                uniform = _coverage(pts, catchment, self.geoms, self.area_m2, serving)
                coverage = np.where(empty, uniform, coverage)
                if full:
                    coverage_located = np.where(empty, _coverage(pts, catchment, self.geoms, self.area_m2),
                                                coverage_located)
            access, access_e, s_cov, s_access, s_access_e = m.access, m.access_e, m.study_coverage, \
                m.study_access, m.study_access_e
            score, access_score = m.score, m.access_score
            need_index = m.need_index if self.need_small is not None else None
        else:
            if serving is None:
                coverage = coverage_located = _coverage(pts, catchment, self.geoms, self.area_m2)
            else:
                coverage_located = _coverage(pts, catchment, self.geoms, self.area_m2) if full else None
                coverage = _coverage(pts, catchment, self.geoms, self.area_m2, serving)
            target, target_desc = self.area_target(cat) if self.population_loaded else (None, "")
            weights = target if target is not None else self.area_m2 / 1e6
            w_total = float(np.sum(weights))
            s_cov = float(np.sum(weights * coverage) / w_total) if w_total > 0 else 0.0
            n = self.need_area if self.need_area is not None else np.ones(n_areas)
            score = np.nan_to_num(weights) * (1 - coverage) * n
            need_index = self.need_area
        s_assets = int(counts.sum())
        s_target = float(np.sum(target)) if target is not None else None
        s_rate = _rate(s_assets, s_target)
        rate, has_rate = _rates(counts, target)
        level = _levels(counts, coverage, rate, has_rate, s_rate)
        if not full:
            return _Measures(score=score, access_score=access_score, level=level)
        return _Measures(
            score=score, access_score=access_score, level=level, counts=counts, target=target,
            target_text=target_desc, rate=rate, has_rate=has_rate, coverage=coverage,
            coverage_located=coverage_located, access=access, access_e=access_e, need=need_index,
            served=served_count,
            study=StudyFigures(cat.id, s_assets, s_target, s_rate, s_cov, s_access, s_access_e),
        )

    def _served(self, category_id: str) -> tuple["Any", "Any"]:
        """The union of the category's served areas (or ``None``), and how many serve each area from outside it."""
        import numpy as np
        import shapely

        if category_id in self._served_by:
            return self._served_by[category_id]
        count = np.zeros(len(self.codes), dtype=int)
        out: tuple[Any, Any] = (None, count)
        mine = self.served.for_category(category_id) if self.served is not None else None
        if mine:
            for s in mine:
                share = shapely.area(shapely.intersection(self.geoms, s.geometry)) / self.area_m2
                count += (share > SERVED_MIN_SHARE) & np.array([c != s.located_area for c in self.codes])
            out = (shapely.union_all(np.array([s.geometry for s in mine], dtype=object)), count)
        self._served_by[category_id] = out
        return out


#: A served area counts for an area when it covers more than this share of it.
SERVED_MIN_SHARE = 0.01


def _served_text(n: int, area_name: str, located: float, cov: float) -> str:
    """What services serving the area from elsewhere add to its coverage."""
    if n == 0:
        return ""
    them = "service serves" if n == 1 else "services serve"
    return (f" {n} {them} {area_name} without being located there (borough-wide, online or by area): "
            f"coverage {_pct(cov)} with them, {_pct(located)} from located assets alone.")


def _column(table: "Table", name: str) -> "Any":
    import numpy as np

    return np.array([np.nan if v is None else float(v) for v in table[name]], dtype=float)


@dataclass
class _LayerMeasures:
    target: "Any"
    description: str
    coverage: "Any"
    coverage_located: "Any"
    access: "Any"
    access_e: "Any"
    score: "Any"
    access_score: "Any"
    need_index: "Any"
    study_coverage: float | None
    study_access: float
    study_access_e: float | None


class _PopulationLayer:
    """The small areas of the population layer, ready for the per-category measures."""

    def __init__(self, population: "Table", code_index: dict[str, int]) -> None:
        import numpy as np

        from .access import ReachIndex, population_points

        self.table = population
        self.codes = [str(c) for c in population["code"]] if "code" in population else []
        self.points = population_points(population.geometry)
        self.reach = ReachIndex(self.points)
        self._widest: "tuple[str, float, Any] | None" = None  # the last pairs found: (key, catchment, Reach)
        self.group = np.array([code_index.get(c, -1) if c is not None else -1 for c in population["area_code"]],
                              dtype=np.intp)
        self.all_ages = np.nan_to_num(_column(population, "all_ages")) * (self.group >= 0)
        self._targets: dict[Any, tuple[Any, str, Any]] = {}

    def target(self, cat: Category, n_areas: int) -> tuple["Any", str, "Any"]:
        """``T_i`` of each small area (0 outside every area), its description, and ``T`` of each area."""
        import numpy as np

        if cat.target not in self._targets:
            t_small, desc = target_population(self.table.columns, cat.target)
            keep = self.group >= 0
            t_small = np.nan_to_num(t_small) * keep  # small areas outside every area count nowhere
            target = np.bincount(self.group[keep], weights=t_small[keep], minlength=n_areas)
            self._targets[cat.target] = (t_small, desc, target)
        return self._targets[cat.target]

    def measures(self, cat: Category, catchment: float, points: "Any", capacity: "Any", n_areas: int,
                 need: "Any | None", serving: "Any | None" = None, *, full: bool = True,
                 key: str | None = None) -> _LayerMeasures:
        """Target population, coverage, accessibility and priority scores of each area.

        ``score = Σ_{i∈a} T_i·(1 − covered_i)·n_i`` (need-weighted unreached);
        ``access_score = Σ_{i∈a} T_i·n_i·max(0, 1 − A_i / Ā)``, where ``Ā`` is
        the study-area 2SFCA accessibility (the shortfall against the
        study-area level; 1 everywhere when nothing is in reach of anyone).
        With ``full`` false, only the target, coverage and the two scores
        (the rest is ``None``). ``key`` names the set of ``points``: asked
        again for the same key and a catchment no wider, the pairs in reach
        are those found last time, within the new catchment.
        """
        import numpy as np

        import shapely

        from .access import covered, two_step_fca, weighted_mean

        t_small, desc, target = self.target(cat, n_areas)
        keep = self.group >= 0
        n = np.ones(len(t_small)) if need is None else need
        last = self._widest
        if key is not None and last is not None and last[0] == key and catchment <= last[1]:
            r = last[2].within(catchment)
        else:
            r = self.reach.reach(points, catchment)
            self._widest = None if key is None else (key, catchment, r)
        located = covered(r).astype(float)
        cov_small = located if serving is None else np.maximum(located, shapely.intersects(serving, self.points))
        a2 = two_step_fca(r, t_small, capacity) * 10_000
        whole = np.where(keep, 0, -1)
        s_access = float(weighted_mean(a2, t_small, whole, 1)[0])
        shortfall = np.clip(1 - a2 / s_access, 0, 1) if s_access > 0 else np.ones(len(a2))
        group = self.group[keep]
        m = _LayerMeasures(
            target=target, description=desc,
            coverage=weighted_mean(cov_small, t_small, self.group, n_areas),
            coverage_located=None, access=None, access_e=None,
            score=np.bincount(group, weights=(t_small * (1 - cov_small) * n)[keep], minlength=n_areas),
            access_score=np.bincount(group, weights=(t_small * n * shortfall)[keep], minlength=n_areas),
            need_index=None, study_coverage=None, study_access=s_access, study_access_e=None,
        )
        if full:
            ae = two_step_fca(r, t_small, capacity, enhanced=True) * 10_000
            m.coverage_located = weighted_mean(located, t_small, self.group, n_areas)
            m.access = weighted_mean(a2, t_small, self.group, n_areas)
            m.access_e = weighted_mean(ae, t_small, self.group, n_areas)
            m.need_index = weighted_mean(n, t_small, self.group, n_areas)
            m.study_coverage = float(weighted_mean(cov_small, t_small, whole, 1)[0])
            m.study_access_e = float(weighted_mean(ae, t_small, whole, 1)[0])
        return m


def _capacities(values: Sequence[Any]) -> "Any":
    """``S_j``: each asset's capacity where it is a positive number, otherwise 1.

    Each distinct value is converted once (equal values convert alike).
    """
    try:
        distinct, which = _distinct(values)
    except TypeError:  # a value that cannot be a dictionary key: each on its own
        return _capacity_each(values)
    return _capacity_each(distinct)[which]


def _distinct(values: Sequence[Any]) -> tuple[list[Any], "np.ndarray"]:
    """The distinct values (equal ones once, in order of appearance) and each value's index among them.

    Raises TypeError for a value that cannot be a dictionary key.
    """
    import numpy as np

    index = dict.fromkeys(values)
    for k, v in enumerate(index):
        index[v] = k
    return list(index), np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))


def _capacity_each(values: Sequence[Any]) -> "Any":
    import numpy as np

    out = np.ones(len(values))
    for k, v in enumerate(values):
        try:
            x = float(v)
        except (TypeError, ValueError):
            continue
        if x > 0 and math.isfinite(x):
            out[k] = x
    return out


def _coverage(points, distance: float, geoms, area_m2, serving=None) -> "Any":
    """Share of each area within ``distance`` of at least one point, or inside ``serving``."""
    import numpy as np
    import shapely

    pts = [p for p in points if p is not None]
    if not pts and serving is None:
        return np.zeros(len(geoms))
    discs = shapely.buffer(np.array(pts, dtype=object), distance, quad_segs=QUAD_SEGS) if pts else []
    reach = shapely.union_all(np.array([*discs, *([serving] if serving is not None else [])], dtype=object))
    covered = shapely.area(shapely.intersection(geoms, reach))
    return np.clip(covered / area_m2, 0.0, 1.0)


def _rate(count: int, target: float | None) -> float | None:
    """Assets per 10,000 target population; ``None`` if the population is unknown or zero."""
    if target is None or not target > 0 or math.isnan(target):
        return None
    return count / target * 10_000


def _rates(counts: "np.ndarray", target: "np.ndarray | None") -> tuple["np.ndarray", "np.ndarray"]:
    """:func:`_rate` of every area: ``assets / T × 10,000`` (NaN where ``T`` is unknown or not above 0),
    and where there is a rate."""
    import numpy as np

    if target is None:
        return np.full(len(counts), np.nan), np.zeros(len(counts), dtype=bool)
    has = target > 0  # False for NaN
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(has, counts / target * 10_000, np.nan), has


def _level(count: int, coverage: float, rate: float | None, study_rate: float | None) -> str:
    if count == 0 and coverage < NONE_COVERAGE:
        return "none"
    if coverage < LOW_COVERAGE:
        return "low"
    if rate is not None and study_rate and rate < LOW_RATE_SHARE * study_rate:
        return "low"
    return "ok"


def _levels(counts: "np.ndarray", coverage: "np.ndarray", rate: "np.ndarray", has_rate: "np.ndarray",
            study_rate: float | None) -> "np.ndarray":
    """:func:`_level` of every area, as its place in :data:`LEVELS`."""
    import numpy as np

    low = coverage < LOW_COVERAGE
    if study_rate:
        low |= has_rate & (rate < LOW_RATE_SHARE * study_rate)
    level = np.where(low, LEVEL_ORDER["low"], LEVEL_ORDER["ok"]).astype(np.int8)
    level[(counts == 0) & (coverage < NONE_COVERAGE)] = LEVEL_ORDER["none"]
    return level


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _per10k(rate: float) -> str:
    """A rate per 10,000 with one decimal, or two when it would otherwise read 0.0."""
    return f"{rate:.2f}" if 0 < rate < 0.05 else f"{rate:.1f}"


def _n_assets(n: int) -> str:
    return f"{n} asset" if n == 1 else f"{n} assets"


def _reason(level: str, cat: Category, area_name: str, count: int, cov: float,
            rate: float | None, study: StudyFigures) -> str:
    """One plain-English sentence saying why the level is what it is."""
    return _Wording.of(cat, study).reason(level, area_name, count, cov, rate)


@dataclass(frozen=True)
class _Wording:
    """What the reasons of one category's rows share (worked out once per category)."""

    label: str
    who: str
    catch: str
    s_rate: str
    study: StudyFigures

    @classmethod
    def of(cls, cat: Category, study: StudyFigures) -> "_Wording":
        s_rate = f"{_per10k(study.rate_per_10k)} per 10,000" if study.rate_per_10k is not None else "no rate"
        return cls(cat.label.lower(), cat.target.phrase, cat.catchment_text, s_rate, study)

    def reason(self, level: str, area_name: str, count: int, cov: float, rate: float | None) -> str:
        """See :func:`_reason`."""
        label, who, catch, s_rate, study = self.label, self.who, self.catch, self.s_rate, self.study
        if level == "none" and study.assets == 0:
            return (f"No {label} asset anywhere in the study area: a gap, or missing from the lists "
                    f"imported? (nothing within {catch} of {area_name}).")
        if level == "none":
            return (f"No {label} asset in {area_name} or within {catch} of it "
                    f"(study area: {_n_assets(study.assets)}, {s_rate}).")
        if cov < LOW_COVERAGE:
            return (f"{_pct(1 - cov)} of {who} in {area_name} live more than {catch} from any {label} asset "
                    f"(study area: {_pct(1 - study.coverage)}).")
        if level == "low":
            return (f"{_n_assets(count).replace(' asset', f' {label} asset')} in {area_name}, "
                    f"{_per10k(rate)} per 10,000 {who}: "
                    f"under half the study-area rate of {s_rate}.")
        rate_txt = f"{_per10k(rate)} per 10,000 {who}" if rate is not None else _n_assets(count)
        return f"{_pct(cov)} of {who} within {catch} of a {label} asset; {rate_txt} (study area {s_rate})."


def find_area(areas: "Table", query: str) -> str:
    """The code of the area whose code or name is ``query`` (any case).

    Raises
    ------
    UnknownAreaError
        With "did you mean ..." naming the closest area.
    """
    q = query.strip().lower()
    for code, name in zip(areas["area_code"], areas["area_name"]):
        if q in (str(code).lower(), str(name).lower()):
            return code
    from rapidfuzz import fuzz, process

    choices = [str(n) for n in areas["area_name"]] + [str(c) for c in areas["area_code"]]
    best = process.extractOne(query, choices, scorer=fuzz.WRatio, score_cutoff=50)
    hint = f"; did you mean {best[0]!r}?" if best else ""
    shown = ", ".join(str(n) for n in areas["area_name"][:12])
    raise UnknownAreaError(f"no area called {query!r}{hint} (the areas are: {shown})")
