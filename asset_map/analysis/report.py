"""The gap report: every row, ranked, with the study-area figures and notes.

A report made by :func:`~asset_map.analysis.gaps.compute_gaps` holds its
figures as arrays (a :class:`~asset_map.analysis.table.RowView`) and makes
its :class:`~asset_map.analysis.rows.GapRow` objects (and each row's reason
sentence) only when ``rows`` is first read; ``to_frame``, ``records``,
``select`` and ``top`` work on the arrays without making them.
"""

from __future__ import annotations

import operator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Sequence

from .rows import COVERAGE_METHOD, ROW_FIELDS, GapRow, StudyFigures
from .table import RowView

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class GapReport:
    """All gap rows, ranked, with the study-area figures.

    Parameters
    ----------
    rows
        The rows, ranked: a list of :class:`GapRow`, or the arrays to make
        them from when ``rows`` is first read (a :class:`RowView`). From
        then on that list is the report's rows; the arrays serve
        ``to_frame`` and the rest only while the list holds exactly the rows
        made.
    study
        The study-area figures of each category, by category id.
    population_loaded
        Whether the target population is known.
    coverage_method
        How coverage was measured.
    need_indicator
        The need indicator used in the priority, if any.
    robustness
        How robustness was judged: the rankings compared and the size of the top.
    notes
        What the reader should know about the inputs.
    """

    def __init__(self, rows: "list[GapRow] | RowView", study: dict[str, StudyFigures], population_loaded: bool,
                 coverage_method: str = COVERAGE_METHOD, need_indicator: str | None = None,
                 robustness: str = "", notes: list[str] | None = None) -> None:
        self.rows = rows
        self.study = study
        self.population_loaded = population_loaded
        self.coverage_method = coverage_method
        self.need_indicator = need_indicator
        self.robustness = robustness
        self.notes = [] if notes is None else notes

    @property
    def rows(self) -> list[GapRow]:
        """The rows, ranked (a list of :class:`GapRow`), made from the arrays when first read."""
        if self._rows is None:
            self._rows = self._view.rows()
            self._made = tuple(self._rows)
        return self._rows

    @rows.setter
    def rows(self, rows: "list[GapRow] | RowView") -> None:
        if isinstance(rows, RowView):
            self._view, self._rows = rows, None
        else:
            self._view, self._rows = None, rows
        self._made: tuple[GapRow, ...] = ()  # the rows made from the arrays, once made

    #: What a report is made of, in order: what equality compares and ``repr`` shows.
    _FIELDS = ("rows", "study", "population_loaded", "coverage_method", "need_indicator", "robustness", "notes")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._FIELDS)

    __hash__ = None  # type: ignore[assignment]  # a report changes: its rows, its notes

    def __repr__(self) -> str:
        return f"GapReport({', '.join(f'{f}={getattr(self, f)!r}' for f in self._FIELDS)})"

    def with_rows(self, rows: "list[GapRow] | RowView", *, notes: list[str] | None = None) -> "GapReport":
        """The same report with other rows (and other notes if given; else these notes, the same list)."""
        return GapReport(rows, self.study, self.population_loaded, self.coverage_method, self.need_indicator,
                         self.robustness, self.notes if notes is None else notes)

    def arrays(self) -> RowView | None:
        """The rows as arrays, while they are the rows: none made yet, or the list made still holds exactly
        the rows made (the same objects, in order); otherwise ``None``."""
        view, rows = self._view, self._rows
        if view is None or rows is None:
            return view
        made = self._made
        return view if len(rows) == len(made) and all(map(operator.is_, rows, made)) else None

    def computed(self) -> set[str]:
        """The optional measures the rows carry: ``access`` (population layer), ``need`` (indicator),
        ``robust`` (robustness rankings), ``barrier`` (a street network)."""
        view = self.arrays()
        if view is not None:
            return view.computed()
        rows = self.rows
        return {name for name, present in (
            ("access", any(r.access_per_10k is not None for r in rows)),
            ("need", any(r.need_index is not None for r in rows)),
            ("robust", any(r.robust is not None for r in rows)),
            ("barrier", any(r.barrier_share is not None for r in rows)),
        ) if present}

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries (for JSON and CSV)."""
        view = self.arrays()
        if view is not None:
            return view.records()
        return [asdict(r) for r in self.rows]

    def to_frame(self) -> "pd.DataFrame":
        """The rows as a pandas DataFrame."""
        import pandas as pd

        view = self.arrays()
        if view is not None and len(view):
            return pd.DataFrame(view.columns(), columns=list(ROW_FIELDS))
        return pd.DataFrame(self.records(), columns=list(ROW_FIELDS))

    def select(self, *, areas: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> "GapReport":
        """Keep the rows for these area codes and category ids; ranks are kept."""
        view = self.arrays()
        if view is not None:
            return self.with_rows(view.select(areas, categories))
        return self.with_rows([
            r for r in self.rows
            if (areas is None or r.area_code in areas) and (categories is None or r.category_id in categories)
        ])

    def top(self, n: int) -> "GapReport":
        """The first ``n`` rows."""
        view = self.arrays()
        if view is not None:
            return self.with_rows(view.head(n))
        return self.with_rows(self.rows[:n])
