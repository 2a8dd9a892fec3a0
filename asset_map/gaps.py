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
    ``Σ_{i∈a} T_i``. See :mod:`asset_map.access`. An area with no target
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
    and multiplied by 10,000. Formulas in :mod:`asset_map.access`.
uncovered
    ``T × (1 − coverage)``: the estimated target residents beyond reach.
gap level
    ``none``: no asset of *c* in the area and under 1% of it within reach;
    ``low``: coverage under 60%, or a rate under half the study-area rate;
    ``ok``: otherwise.
need index
    With a need indicator loaded (:mod:`asset_map.need`), each small area
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

This module reads only plain columns and shapely geometries, so the
``gaps`` command needs neither pandas nor geopandas.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence

from .errors import UnknownAreaError, WorkspaceError
from .population import target_population
from .taxonomy import Category, Taxonomy

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .need import NeedIndicator
    from .served import ServedAreas
    from .store import Table

NONE_COVERAGE = 0.01
LOW_COVERAGE = 0.60
LOW_RATE_SHARE = 0.5
LEVEL_ORDER = {"none": 0, "low": 1, "ok": 2}
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


@dataclass
class GapReport:
    """All gap rows, ranked, with the study-area figures."""

    rows: list[GapRow]
    study: dict[str, StudyFigures]
    population_loaded: bool
    coverage_method: str = COVERAGE_METHOD
    #: The need indicator used in the priority, if any.
    need_indicator: str | None = None
    #: How robustness was judged: the rankings compared and the size of the top.
    robustness: str = ""
    notes: list[str] = field(default_factory=list)

    def computed(self) -> set[str]:
        """The optional measures the rows carry: ``access`` (population layer), ``need`` (indicator),
        ``robust`` (robustness rankings)."""
        rows = self.rows
        return {name for name, present in (
            ("access", any(r.access_per_10k is not None for r in rows)),
            ("need", any(r.need_index is not None for r in rows)),
            ("robust", any(r.robust is not None for r in rows)),
        ) if present}

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries (for JSON and CSV)."""
        return [asdict(r) for r in self.rows]

    def to_frame(self) -> "pd.DataFrame":
        """The rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.records(), columns=list(GapRow.__dataclass_fields__))

    def select(self, *, areas: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> "GapReport":
        """Keep the rows for these area codes and category ids; ranks are kept."""
        rows = [
            r for r in self.rows
            if (areas is None or r.area_code in areas) and (categories is None or r.category_id in categories)
        ]
        return replace(self, rows=rows)

    def top(self, n: int) -> "GapReport":
        """The first ``n`` rows."""
        return replace(self, rows=self.rows[:n])


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
        Where services reach beyond their own door (:mod:`asset_map.served`):
        residents inside count as covered.
    top
        How many rows make "the top" for robustness (default: 10% of the
        rows, at least 5).
    """
    if areas is None or len(areas) == 0:
        raise WorkspaceError("the workspace has no areas; load them with `asset-map boundaries load`")
    ctx = _Context(areas, assets, population, need, served)
    rows, study = ctx.measure(taxonomy, scale=1.0)
    order = _ranking(rows, "score")
    report = GapReport([], study, ctx.population_loaded, ctx.method,
                       need_indicator=need.name if need is not None else None, notes=list(ctx.notes))
    ranks = {"count": order}
    if robust and rows:
        for scale, label in ((0.5, "half"), (2.0, "double")):
            alt, _ = ctx.measure(taxonomy, scale=scale)
            ranks[f"count, {label} catchment"] = _ranking(alt, "score")
            if ctx.layer is not None:
                ranks[f"access, {label} catchment"] = _ranking(alt, "access_score")
        if ctx.layer is not None:
            ranks["access"] = _ranking(rows, "access_score")
        top = top or max(TOP_MIN, math.ceil(TOP_SHARE * len(rows)))
        report.robustness = (f"in the top {top} of {len(rows)} under all {len(ranks)} rankings: "
                             + "; ".join(ranks))
    else:
        top = 0
    position = {k: {idx: pos for pos, idx in enumerate(v, start=1)} for k, v in ranks.items()}
    ranked = []
    for rank, idx in enumerate(order, start=1):
        r = dict(rows[idx])
        for key in ("_score", "_order", "score", "access_score"):
            r.pop(key, None)
        if top:
            places = [position[k][idx] for k in ranks]
            r["robust"] = max(places) <= top and r["level"] != "ok"  # a gap, not merely a large population
            r["ranks"] = f"{min(places)}–{max(places)}" if min(places) != max(places) else str(places[0])
        ranked.append(GapRow(priority=rank, **r))
    report.rows = ranked
    return report


#: "Top gaps" for robustness: the top 10% of rows, and at least 5.
TOP_SHARE = 0.10
TOP_MIN = 5


def _ranking(rows: list[dict[str, Any]], key: str) -> list[int]:
    """Row indices from the largest ``key`` down; ties: more severe level, area code, category order."""
    return sorted(range(len(rows)), key=lambda i: (-rows[i][key], LEVEL_ORDER[rows[i]["level"]],
                                                   rows[i]["area_code"], rows[i]["_order"]))


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
        self.notes: list[str] = []
        self.layer = None
        if population is not None and len(population) and "all_ages" in population:
            self.layer = _PopulationLayer(population, self.code_index)
        self.population_loaded = self.layer is not None or (
            "all_ages" in areas and all(v is not None for v in areas["all_ages"]))
        self.method = POPULATION_METHOD if self.layer is not None else COVERAGE_METHOD
        if served is not None and served.note():
            self.notes.append(served.note())

        self.cats_of_asset: list[set[str]] = []
        self.asset_area: list[str | None] = []
        self.asset_pts = np.array([], dtype=object)
        self.capacity = np.array([], dtype=float)
        if assets is not None and len(assets):
            self.cats_of_asset = [set(filter(None, (c or "").split(";"))) for c in assets["categories"]]
            self.asset_area = list(assets["area_code"])
            self.asset_pts = np.asarray(assets.geometry, dtype=object)
            self.capacity = _capacities(assets["capacity"] if "capacity" in assets else [None] * len(assets))
        self.located = ~shapely.is_missing(self.asset_pts) if len(self.asset_pts) else np.array([], dtype=bool)

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

    def measure(self, taxonomy: Taxonomy, *, scale: float) -> tuple[list[dict[str, Any]], dict[str, StudyFigures]]:
        """Unranked rows (with their scores) and the study-area figures, catchments × ``scale``."""
        import numpy as np

        codes, names, n_areas = self.codes, self.names, len(self.codes)
        rows: list[dict[str, Any]] = []
        study: dict[str, StudyFigures] = {}
        for order, cat in enumerate(taxonomy):
            catchment = cat.catchment_m * scale
            members = np.array([k for k, cs in enumerate(self.cats_of_asset) if cat.id in cs], dtype=np.intp)
            counts = np.zeros(n_areas, dtype=int)
            for k in members:
                if self.asset_area[k] in self.code_index:
                    counts[self.code_index[self.asset_area[k]]] += 1
            placed = members[self.located[members]] if len(members) else members
            access = access_e = need_index = None
            s_access = s_access_e = None
            access_score = np.zeros(n_areas)
            serving, served_count = self._served(cat.id)
            if self.layer is not None:
                m = self.layer.measures(cat, catchment, self.asset_pts[placed], self.capacity[placed], n_areas,
                                        self.need_small, serving)
                target, target_desc, coverage = m.target, m.description, m.coverage
                coverage_located = m.coverage_located
                empty = target <= 0
                if empty.any():  # no target residents counted there: the share of the area within reach instead
                    uniform = _coverage(self.asset_pts[placed], catchment, self.geoms, self.area_m2, serving)
                    coverage = np.where(empty, uniform, coverage)
                    coverage_located = np.where(
                        empty, _coverage(self.asset_pts[placed], catchment, self.geoms, self.area_m2),
                        coverage_located)
                access, access_e, s_cov, s_access, s_access_e = m.access, m.access_e, m.study_coverage, \
                    m.study_access, m.study_access_e
                score, access_score = m.score, m.access_score
                need_index = m.need_index if self.need_small is not None else None
            else:
                coverage_located = _coverage(self.asset_pts[placed], catchment, self.geoms, self.area_m2)
                coverage = (coverage_located if serving is None else
                            _coverage(self.asset_pts[placed], catchment, self.geoms, self.area_m2, serving))
                target, target_desc = (target_population(self.areas.columns, cat.target)
                                       if self.population_loaded else (None, ""))
                weights = target if target is not None else self.area_m2 / 1e6
                w_total = float(np.sum(weights))
                s_cov = float(np.sum(weights * coverage) / w_total) if w_total > 0 else 0.0
                n = self.need_area if self.need_area is not None else np.ones(n_areas)
                score = np.nan_to_num(weights) * (1 - coverage) * n
                need_index = self.need_area
            s_assets = int(counts.sum())
            s_target = float(np.sum(target)) if target is not None else None
            s_rate = _rate(s_assets, s_target)
            study[cat.id] = StudyFigures(cat.id, s_assets, s_target, s_rate, s_cov, s_access, s_access_e)
            for i, code in enumerate(codes):
                t = float(target[i]) if target is not None else None
                rate = _rate(int(counts[i]), t)
                cov = float(coverage[i])
                level = _level(int(counts[i]), cov, rate, s_rate)
                rows.append(dict(
                    area_code=code, area_name=names[i], category_id=cat.id, category=cat.label,
                    target=target_desc or cat.target.code, target_population=t, assets=int(counts[i]),
                    rate_per_10k=rate, coverage=cov,
                    uncovered=None if t is None else t * (1 - cov),
                    level=level,
                    reason=_reason(level, cat, names[i], int(counts[i]), cov, rate, study[cat.id])
                    + _served_text(int(served_count[i]), names[i], float(coverage_located[i]), cov),
                    study_assets=s_assets, study_rate_per_10k=s_rate, study_coverage=s_cov,
                    catchment_m=catchment, coverage_method=self.method,
                    access_per_10k=None if access is None else float(access[i]),
                    access_e2sfca_per_10k=None if access_e is None else float(access_e[i]),
                    study_access_per_10k=s_access,
                    need_index=None if need_index is None else float(need_index[i]),
                    priority_score=float(score[i]),
                    coverage_located=float(coverage_located[i]), served=int(served_count[i]),
                    score=float(score[i]), access_score=float(access_score[i]), _order=order,
                ))
        return rows, study

    def _served(self, category_id: str) -> tuple["Any", "Any"]:
        """The union of the category's served areas (or ``None``), and how many serve each area from outside it."""
        import numpy as np
        import shapely

        count = np.zeros(len(self.codes), dtype=int)
        if self.served is None:
            return None, count
        mine = self.served.for_category(category_id)
        if not mine:
            return None, count
        for s in mine:
            share = shapely.area(shapely.intersection(self.geoms, s.geometry)) / self.area_m2
            count += (share > SERVED_MIN_SHARE) & np.array([c != s.located_area for c in self.codes])
        return shapely.union_all(np.array([s.geometry for s in mine], dtype=object)), count


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
    study_coverage: float
    study_access: float
    study_access_e: float


class _PopulationLayer:
    """The small areas of the population layer, ready for the per-category measures."""

    def __init__(self, population: "Table", code_index: dict[str, int]) -> None:
        import numpy as np

        from .access import population_points

        self.table = population
        self.codes = [str(c) for c in population["code"]] if "code" in population else []
        self.points = population_points(population.geometry)
        self.group = np.array([code_index.get(c, -1) if c is not None else -1 for c in population["area_code"]],
                              dtype=np.intp)
        self.all_ages = np.nan_to_num(_column(population, "all_ages")) * (self.group >= 0)

    def measures(self, cat: Category, catchment: float, points: "Any", capacity: "Any", n_areas: int,
                 need: "Any | None", serving: "Any | None" = None) -> _LayerMeasures:
        """Target population, coverage, accessibility and priority scores of each area.

        ``score = Σ_{i∈a} T_i·(1 − covered_i)·n_i`` (need-weighted unreached);
        ``access_score = Σ_{i∈a} T_i·n_i·max(0, 1 − A_i / Ā)``, where ``Ā`` is
        the study-area 2SFCA accessibility (the shortfall against the
        study-area level; 1 everywhere when nothing is in reach of anyone).
        """
        import numpy as np

        import shapely

        from .access import covered, reach, two_step_fca, weighted_mean

        t_small, desc = target_population(self.table.columns, cat.target)
        keep = self.group >= 0
        t_small = np.nan_to_num(t_small) * keep  # small areas outside every area count nowhere
        n = np.ones(len(t_small)) if need is None else need
        target = np.bincount(self.group[keep], weights=t_small[keep], minlength=n_areas)
        r = reach(self.points, points, catchment)
        located = covered(r).astype(float)
        cov_small = located if serving is None else np.maximum(located, shapely.intersects(serving, self.points))
        a2 = two_step_fca(r, t_small, capacity) * 10_000
        ae = two_step_fca(r, t_small, capacity, enhanced=True) * 10_000
        whole = np.where(keep, 0, -1)
        s_access = float(weighted_mean(a2, t_small, whole, 1)[0])
        shortfall = np.clip(1 - a2 / s_access, 0, 1) if s_access > 0 else np.ones(len(a2))
        group = self.group[keep]
        return _LayerMeasures(
            target=target, description=desc,
            coverage=weighted_mean(cov_small, t_small, self.group, n_areas),
            coverage_located=weighted_mean(located, t_small, self.group, n_areas),
            access=weighted_mean(a2, t_small, self.group, n_areas),
            access_e=weighted_mean(ae, t_small, self.group, n_areas),
            score=np.bincount(group, weights=(t_small * (1 - cov_small) * n)[keep], minlength=n_areas),
            access_score=np.bincount(group, weights=(t_small * n * shortfall)[keep], minlength=n_areas),
            need_index=weighted_mean(n, t_small, self.group, n_areas),
            study_coverage=float(weighted_mean(cov_small, t_small, whole, 1)[0]),
            study_access=s_access,
            study_access_e=float(weighted_mean(ae, t_small, whole, 1)[0]),
        )


def _capacities(values: Sequence[Any]) -> "Any":
    """``S_j``: each asset's capacity where it is a positive number, otherwise 1."""
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


def _level(count: int, coverage: float, rate: float | None, study_rate: float | None) -> str:
    if count == 0 and coverage < NONE_COVERAGE:
        return "none"
    if coverage < LOW_COVERAGE:
        return "low"
    if rate is not None and study_rate and rate < LOW_RATE_SHARE * study_rate:
        return "low"
    return "ok"


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
    label = cat.label.lower()
    who = cat.target.phrase
    catch = cat.catchment_text
    s_rate = f"{_per10k(study.rate_per_10k)} per 10,000" if study.rate_per_10k is not None else "no rate"
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
