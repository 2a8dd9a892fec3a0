"""Every area × category at once, as arrays, and views of its rows.

:func:`~asset_map.analysis.gaps.compute_gaps` computes each category's
figures for all areas at once; a :class:`GapTable` keeps them end to end
(row ``k·n_areas + i`` is category *k*, area *i*) and a :class:`RowView`
picks rows out of it by index, in the order shown. The row objects
(:class:`~asset_map.analysis.rows.GapRow`) and their reason sentences are
made from the arrays only for the rows asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .arrays import objects
from .levels import LEVELS
from .reasons import Wording, barrier_text, served_text
from .rows import ROW_FIELDS, GapRow, StudyFigures, make_row

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..categories.taxonomy import Category


@dataclass
class GapTable:
    """Every area × category at once: row ``k·n_areas + i`` is category *k*, area *i*.

    Arrays hold one value per row; lists one value per category. Nothing
    here changes once made (a table marked for robustness or judged for
    confidence is a copy).
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
    reach: list[str] | None = None  # of each category: "10 min walk", "straight-line 800 m"
    barrier: "np.ndarray | None" = None  # the barrier effect's share (NaN by the straight line)
    straight_m: list[float] | None = None  # of each category: the straight-line distance the barrier is against
    robust: "np.ndarray | None" = None
    best: "np.ndarray | None" = None  # best and worst place over the rankings
    worst: "np.ndarray | None" = None
    finding: "np.ndarray | None" = None
    confidence: "np.ndarray | None" = None
    confidence_reason: "Callable[[np.ndarray], list[str]] | None" = None  # of the rows at an index

    def reasons(self, index: "np.ndarray") -> list[str]:
        """The plain-English reason of each of the rows ``index`` (see :mod:`asset_map.analysis.reasons`)."""
        reach = self.reach or [""] * len(self.cats)
        wording = [Wording.of(cat, study, r) for cat, study, r in zip(self.cats, self.study, reach)]
        k, i = (x.tolist() for x in divmod(index, self.n_areas))
        names = self.names[i].tolist()
        rates = [r if ok else None for r, ok in zip(self.rate[index].tolist(), self.has_rate[index].tolist())]
        barrier = [None] * len(index) if self.barrier is None else self.barrier[index].tolist()
        return [wording[kk].reason(LEVELS[lv], name, count, cov, rate)
                + (served_text(n, name, located, cov) if n else "")
                + barrier_text(b, self.study[kk].barrier_share, wording[kk].who, reach[kk],
                               self.straight_m[kk] if self.straight_m else 0.0)
                for kk, lv, name, count, cov, rate, n, located, b in zip(
                    k, self.level[index].tolist(), names, self.counts[index].tolist(),
                    self.coverage[index].tolist(), rates, self.served[index].tolist(),
                    self.coverage_located[index].tolist(), barrier)]

    def columns(self, index: "np.ndarray") -> dict[str, list[Any]]:
        """Each field's values for the rows ``index``, as Python values, in the order given."""
        import numpy as np

        n = len(index)
        k, i = np.divmod(index, self.n_areas)

        def per_cat(values: "Iterable[Any]") -> list[Any]:
            return objects(values)[k].tolist()

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
            "reach": per_cat(self.reach) if self.reach is not None else [""] * n,
            "barrier_share": [None] * n if self.barrier is None else [
                None if b != b else b for b in self.barrier[index].tolist()],
        }


class RowView:
    """Rows of a :class:`GapTable` by index into its arrays, in the order shown."""

    __slots__ = ("table", "index", "_columns")

    def __init__(self, table: "GapTable", index: "np.ndarray") -> None:
        self.table, self.index = table, index
        self._columns: dict[str, list[Any]] | None = None

    def __len__(self) -> int:
        """How many rows."""
        return len(self.index)

    def head(self, n: int) -> "RowView":
        """The first ``n`` rows."""
        return RowView(self.table, self.index[:n])

    def select(self, areas: Sequence[str] | None, categories: Sequence[str] | None) -> "RowView":
        """The rows of these area codes and category ids (``None``: all), in the same order."""
        import numpy as np

        t, keep = self.table, np.ones(len(self.index), dtype=bool)
        k, i = np.divmod(self.index, t.n_areas)
        if areas is not None:
            keep &= np.array([c in areas for c in t.codes], dtype=bool)[i]
        if categories is not None:
            keep &= np.array([c.id in categories for c in t.cats], dtype=bool)[k]
        return RowView(t, self.index[keep])

    def partition(self, finding: str) -> tuple["RowView", "RowView"]:
        """The rows whose finding is ``finding``, and the others, each in the same order."""
        import numpy as np

        f = self.table.finding
        has = np.zeros(len(self.index), dtype=bool) if f is None else np.asarray(f[self.index] == finding, dtype=bool)
        return RowView(self.table, self.index[has]), RowView(self.table, self.index[~has])

    def computed(self) -> set[str]:
        """The optional measures the rows carry (none when there are no rows)."""
        t, some = self.table, len(self.index) > 0
        return {name for name, present in (("access", t.access is not None), ("need", t.need is not None),
                                           ("robust", t.robust is not None), ("barrier", t.barrier is not None))
                if present and some}

    def columns(self) -> dict[str, list[Any]]:
        """Each field's values for these rows, as the rows hold them (worked out once)."""
        if self._columns is None:
            self._columns = self.table.columns(self.index)
        return self._columns

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries, field by field."""
        cols = self.columns()
        return [dict(zip(ROW_FIELDS, values)) for values in zip(*(cols[f] for f in ROW_FIELDS))]

    def rows(self) -> list[GapRow]:
        """The rows as :class:`GapRow` objects."""
        cols = self.columns()
        return [make_row(dict(zip(ROW_FIELDS, values))) for values in zip(*(cols[f] for f in ROW_FIELDS))]

    def judged(self, finding: "np.ndarray", confidence: "np.ndarray",
               reason: "Callable[[np.ndarray], list[str]]") -> "RowView":
        """The same rows with a finding, a confidence and its reason (from the rows' indices)."""
        return RowView(replace(self.table, finding=finding, confidence=confidence, confidence_reason=reason),
                        self.index)
