"""The population layer's small areas, where coverage, accessibility and need are measured.

The layer's rows are *parts*: a small area that straddles areas is cut into
one part per area, each with its share of the people
(:mod:`asset_map.inputs.apportion`), so a split small area's coverage is
measured for each part, with that part's residents. Each part *i* stands at
one point (its stored ``x``, ``y``; else
:func:`~asset_map.analysis.access.population_points`), lies in area
``group_i`` (-1: beyond every area) and holds ``T_i`` of a category's target
population. Parts beyond every area are the people beyond the border: they
count in the 2SFCA demand ``Σ_i P_i`` of every asset in their reach (they
use those assets too), and in no area's figures. With ``covered_i`` (an asset
within the catchment of the point, or the point inside a served area),
``A_i`` the 2SFCA accessibility and ``n_i`` the need index, an area *a* gets:

coverage
    ``Σ_{i∈a} T_i·covered_i / Σ_{i∈a} T_i``;
accessibility
    ``Σ_{i∈a} T_i·A_i / Σ_{i∈a} T_i`` × 10,000 (2SFCA and E2SFCA, see
    :mod:`asset_map.analysis.access`);
need index
    ``Σ_{i∈a} T_i·n_i / Σ_{i∈a} T_i``;
priority score
    ``Σ_{i∈a} T_i·(1 − covered_i)·n_i``, the need-weighted unreached;
access score
    ``Σ_{i∈a} T_i·n_i·max(0, 1 − A_i / Ā)``, where ``Ā`` is the study-area
    2SFCA accessibility: the shortfall against the study-area level (1
    everywhere when nothing is in reach of anyone).

The study-area figures are the same means over every small area in an area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .access import ReachIndex, covered, population_points, two_step_fca, weighted_mean
from .arrays import floats
from .target_population import target_population

#: How the population layer's small areas were shared among the areas (its ``method`` column; see
#: :mod:`asset_map.inputs.apportion`).
SHARE_TEXT = {"area": "area share", "postcodes": "postcode count (dasymetric)",
              "finer": "the people of a finer layer", "lookup": "best-fit lookup",
              "whole": "whole small areas (each to the area containing its point)"}

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..categories.taxonomy import Category
    from ..store import Table
    from .access import Reach


@dataclass
class ReachFigures:
    """What reach gives one category in every area, at one catchment (``None``: not computed).

    Made here from the small areas, or from the areas alone without a
    population layer (:mod:`asset_map.analysis.measures`).
    """

    target: "np.ndarray | None"  # T of each area
    description: str  # of the target population
    coverage: "np.ndarray"
    score: "np.ndarray"  # the priority score
    access_score: "np.ndarray"
    study_access: float | None = None
    coverage_located: "np.ndarray | None" = None  # from located assets alone, without served areas
    access: "np.ndarray | None" = None
    access_e: "np.ndarray | None" = None
    need_index: "np.ndarray | None" = None
    study_coverage: float | None = None
    study_access_e: float | None = None
    barrier: "np.ndarray | None" = None  # barrier_share of each area (on a street network)
    study_barrier: float | None = None


class SmallAreas:
    """The small areas of the population layer, ready for the per-category measures."""

    def __init__(self, population: "Table", code_index: dict[str, int]) -> None:
        import numpy as np

        self.table = population
        self.codes = [str(c) for c in population["code"]] if "code" in population else []
        self.points = _points(population)
        self.reach = ReachIndex(self.points)
        self._widest: "tuple[str, float, Reach] | None" = None  # the last pairs found: (key, catchment, pairs)
        self.group = np.array([code_index.get(c, -1) if c is not None else -1 for c in population["area_code"]],
                              dtype=np.intp)
        self._inside = self.group >= 0
        self._whole = np.where(self._inside, 0, -1)  # one group: the study area
        self.all_ages = np.nan_to_num(floats(population["all_ages"])) * self._inside
        self.beyond = float(np.nan_to_num(floats(population["all_ages"]))[~self._inside].sum())
        self._targets: dict[Any, tuple[Any, str, Any]] = {}

    def note(self) -> str:
        """How the people were counted in the areas: the method, the split small areas, those beyond."""
        import numpy as np

        t = self.table
        codes = self.codes
        methods = sorted({m for m in t["method"] if m}) if "method" in t else ["whole"]
        share = floats(t["share"]) if "share" in t else np.ones(len(codes))
        split = {c for c, w in zip(codes, share) if w < 1}
        people = float(self.all_ages[np.isin(np.array(codes, dtype=object), list(split))].sum()) if split else 0.0
        counted = {c for c, inside in zip(codes, self._inside) if inside}
        text = (f"population: {len(counted)} small areas counted in the areas by "
                f"{' and '.join(SHARE_TEXT.get(m, m) for m in methods)}; {len(split)} split between areas "
                f"({people:,.0f} people in split parts)")
        if self.beyond:
            text += f"; {self.beyond:,.0f} people beyond the areas counted as demand for accessibility"
        return text

    def target(self, cat: Category, n_areas: int) -> tuple["np.ndarray", str, "np.ndarray"]:
        """``T_i`` of each part (those beyond every area too: they are demand for 2SFCA), its description,
        and ``T = Σ_{i∈a} T_i`` of each area."""
        import numpy as np

        if cat.target not in self._targets:
            t_small, desc = target_population(self.table.columns, cat.target)
            keep = self._inside
            t_small = np.nan_to_num(t_small)  # beyond every area: in 2SFCA demand, in no area (group -1)
            target = np.bincount(self.group[keep], weights=t_small[keep], minlength=n_areas)
            self._targets[cat.target] = (t_small, desc, target)
        return self._targets[cat.target]

    def measures(self, cat: Category, catchment: float, points: "np.ndarray", capacity: "np.ndarray",
                 n_areas: int, need: "np.ndarray | None", serving: Any = None, *, full: bool = True,
                 key: str | None = None, by: Any = None, barrier_m: float | None = None,
                 xy: "np.ndarray | None" = None) -> ReachFigures:
        """Target population, coverage, accessibility and priority scores of each area (see the module docstring).

        ``need`` is ``n_i`` (``None``: 1 everywhere); ``serving`` the union
        of the category's served areas, if any. With ``full`` false, only
        the target, coverage, the two scores and ``Ā`` (the rest is
        ``None``). ``key`` names the set of ``points``: asked again for the
        same key and a catchment no wider, the pairs in reach are those
        found last time, within the new catchment. ``by`` finds the pairs
        (default: the straight line; a mode of a street network, with
        ``catchment`` in minutes: :mod:`asset_map.analysis.network_reach`).
        With ``barrier_m`` (and ``full``), the barrier effect's share: the
        target residents within ``barrier_m`` of a located asset in a
        straight line but out of reach (``barrier``). ``xy``: the points'
        coordinates, when the caller has them (for the straight line).
        """
        import numpy as np

        t_small, desc, target = self.target(cat, n_areas)
        n = np.ones(len(t_small)) if need is None else need
        r = self._in_reach(points, catchment, key, by, xy)
        located, cov_small = self._covered(r, serving)
        a2 = two_step_fca(r, t_small, capacity) * 10_000
        s_access = self._study_mean(a2, t_small)
        m = ReachFigures(
            target=target, description=desc, coverage=self._mean(cov_small, t_small, n_areas),
            score=self._sum(t_small * (1 - cov_small) * n, n_areas),
            access_score=self._sum(t_small * n * _shortfall(a2, s_access), n_areas), study_access=s_access,
        )
        if full:
            ae = two_step_fca(r, t_small, capacity, enhanced=True) * 10_000
            m.coverage_located = self._mean(located, t_small, n_areas)
            m.access = self._mean(a2, t_small, n_areas)
            m.access_e = self._mean(ae, t_small, n_areas)
            m.need_index = self._mean(n, t_small, n_areas)
            m.study_coverage = self._study_mean(cov_small, t_small)
            m.study_access_e = self._study_mean(ae, t_small)
            if barrier_m is not None:
                cut_off = (covered(self.reach.reach(points, barrier_m, xy)) & (located == 0)).astype(float)
                m.barrier = self._mean(cut_off, t_small, n_areas)
                m.study_barrier = self._study_mean(cut_off, t_small)
        return m

    def prime(self, key: str, pairs: "Reach") -> None:
        """Take ``pairs`` as the last pairs found for ``key`` (:meth:`measures` then asks for no search at
        their catchment or a narrower one): pairs found ahead (:func:`~asset_map.analysis.measures.pairs_ahead`)."""
        self._widest = (key, pairs.catchment, pairs)

    def _in_reach(self, points: "np.ndarray", catchment: float, key: str | None, by: Any,
                  xy: "np.ndarray | None") -> "Reach":
        """The (small area, asset) pairs within ``catchment`` (by the straight line unless ``by`` is given); the last
        pairs of ``key`` when they are wide enough."""
        last = self._widest
        if key is not None and last is not None and last[0] == key and catchment <= last[1]:
            return last[2].within(catchment)
        r = by.reach(points, catchment) if by is not None else self.reach.reach(points, catchment, xy)
        self._widest = None if key is None else (key, catchment, r)
        return r

    def _covered(self, r: "Reach", serving: Any) -> tuple["np.ndarray", "np.ndarray"]:
        """``covered_i`` from located assets alone, and with the served areas too (1 or 0, as floats)."""
        import numpy as np
        import shapely

        located = covered(r).astype(float)
        if serving is None:
            return located, located
        return located, np.maximum(located, shapely.intersects(serving, self.points))

    def _mean(self, values: "np.ndarray", t_small: "np.ndarray", n_areas: int) -> "np.ndarray":
        """``Σ_{i∈a} T_i·v_i / Σ_{i∈a} T_i`` of each area (0 where ``T = 0``)."""
        return weighted_mean(values, t_small, self.group, n_areas)

    def _study_mean(self, values: "np.ndarray", t_small: "np.ndarray") -> float:
        """``Σ_i T_i·v_i / Σ_i T_i`` over the small areas in an area."""
        return float(weighted_mean(values, t_small, self._whole, 1)[0])

    def _sum(self, values: "np.ndarray", n_areas: int) -> "np.ndarray":
        """``Σ_{i∈a} v_i`` of each area."""
        import numpy as np

        keep = self._inside
        return np.bincount(self.group[keep], weights=values[keep], minlength=n_areas)


def _points(population: "Table") -> "np.ndarray":
    """Each part's point: its stored ``x``, ``y`` where both are numbers, else from its geometry."""
    import numpy as np
    import shapely

    points = population_points(population.geometry)
    if "x" in population and "y" in population:
        xy = np.column_stack([floats(population["x"]), floats(population["y"])])
        ok = np.isfinite(xy).all(axis=1)
        points = np.where(ok, shapely.points(np.where(ok[:, None], xy, 0.0)), points)
    return points


def _shortfall(access: "np.ndarray", study_access: float) -> "np.ndarray":
    """``max(0, 1 − A_i / Ā)`` of each small area; 1 everywhere when ``Ā`` is not above 0."""
    import numpy as np

    return np.clip(1 - access / study_access, 0, 1) if study_access > 0 else np.ones(len(access))
