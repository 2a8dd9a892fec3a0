"""Giving the rows of an asset list their categories.

The ``--category`` given for the whole file, else the category column split
on ``;``, ``,`` or ``|`` and matched through the taxonomy (and the workspace's
category map). Unknown words are reported with their rows and a suggestion.
A row with no known category gets the categories its name and description
suggest (:mod:`asset_map.categories.inference`), marked ``inferred``: by
default those whose confidence is at least
:data:`~asset_map.categories.inference.DEFAULT_USE_CONFIDENCE`, every one with
``use_inferred=True``, none with ``use_inferred=False``. A row the category
map decides by its row number and name (a planner's accepted suggestion) takes
that decision instead, as ``category map``. A row with no known category whose
text says it is not a service to the public (a PTA, a grant-making trust...:
:func:`asset_map.categories.inference.not_a_service`) is kept with no
category and ``category_source`` "not a service: <reason>", and is not
provision; a category column, ``--category`` or the planner's decision always
wins over this. A row with no category from any of these is *uncategorised*.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..categories.inference import (DEFAULT_USE_CONFIDENCE, format_inferred, infer_categories, not_a_service,
                                    not_a_service_source)
from ..categories.taxonomy import Taxonomy
from .columns import ColumnMap
from .progress import PROGRESS_EVERY, Progress, tick
from .table import column_cells

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..categories.category_map import CategoryMap


@dataclass
class Categorised:
    """The categories of the rows kept, one entry per row, and what was found about the category words.

    Attributes
    ----------
    ids, text, source, inferred
        Per row: the category ids (``;``-separated), the category cell as
        given, where the ids came from (``--category``, ``category column``,
        ``category map``, ``inferred``, ``not a service: <reason>`` or ``""``)
        and the categories its text suggests
        (:func:`asset_map.categories.inference.format_inferred`).
    unknown
        ``{word: rows}`` for words the taxonomy does not know.
    ignored
        How often each word the taxonomy ignores was seen.
    inferred_count
        How many rows each category was suggested for.
    guesses
        Per row: the suggestions (:class:`~asset_map.categories.inference.Inference`), with their confidence.
    """

    ids: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)
    unknown: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    ignored: Counter[str] = field(default_factory=Counter)
    inferred_count: Counter[str] = field(default_factory=Counter)
    guesses: list[tuple] = field(default_factory=list)

    def add(self, ids: str, text: str, source: str, inferred: str, guesses: tuple = ()) -> None:
        """Record one row's categories."""
        self.ids.append(ids)
        self.text.append(text)
        self.source.append(source)
        self.inferred.append(inferred)
        self.guesses.append(guesses)


def categorise(frame: "pd.DataFrame", cmap: ColumnMap, keep, rows: list[int], taxonomy: Taxonomy, *,
               fixed: list[str] | None, category_map: "CategoryMap | None", use_inferred: bool | None,
               progress: "Progress | None") -> Categorised:
    """The categories of the rows at positions ``keep``: ``fixed`` for every row, else each row's own.

    A row's own categories come from its category cell (:class:`_CellMapper`,
    each distinct cell once, its result given to all the rows that hold it:
    :func:`_by_cell`); with none known, from the category map's decision for
    the row, else the categories its name and description suggest are
    recorded and used (``use_inferred``: ``None`` those at or above the
    default confidence, ``True`` all, ``False`` none).
    """
    import numpy as np

    n = len(keep)
    for done in range(0, n, PROGRESS_EVERY):
        tick(progress, "categorising", done, n)
    out = Categorised()
    if fixed is not None:
        joined = ";".join(fixed)
        out.ids, out.text, out.source, out.inferred, out.guesses = ([joined] * n, [joined] * n, ["--category"] * n,
                                                                    [""] * n, [()] * n)
        return out
    cat_cells = column_cells(frame, cmap.get("category"))
    cells = [cat_cells[i] for i in keep] if cat_cells is not None else [None] * n
    ids, source, todo = _by_cell(out, cells, [rows[i] for i in keep], _CellMapper(taxonomy, category_map))
    inferred, guesses = np.full(n, "", dtype=object), [()] * n
    text_cells = [column_cells(frame, c) for c in (cmap.get("name"), cmap.get("description")) if c]
    names = column_cells(frame, cmap.get("name"))
    row_decision = getattr(category_map, "row_decision", None)
    for k in todo:  # rows whose cell names no category: their text, or the category map's decision
        i = keep[k]
        texts = [c[i] for c in text_cells]
        reason = not_a_service(texts)
        found = () if reason else infer_categories(texts, taxonomy)
        out.inferred_count.update(g.category for g in found)
        decided = row_decision(rows[i], names[i]) if row_decision is not None and names is not None else None
        if decided is not None:
            ids[k], source[k] = ";".join(decided), "category map"
        else:
            ids[k], source[k] = _chosen((), False, found, use_inferred)
            if reason:
                source[k] = not_a_service_source(reason)
        inferred[k], guesses[k] = format_inferred(found), found
    out.ids, out.source, out.inferred, out.guesses = ids.tolist(), source.tolist(), inferred.tolist(), guesses
    out.text = ["" if c is None else str(c) for c in cells]
    return out


def _by_cell(out: Categorised, cells: list, rows: list[int], mapper: "_CellMapper") -> tuple:
    """Map each distinct category cell once: the ids and source of every row whose cell names a category,
    the positions of the rows whose cell names none (left to their text), and in ``out`` the unknown words
    (with their rows, in row order) and the ignored ones (counted per row)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(cells, dtype=object))
    mapped = [mapper(u) for u in uniques] + [mapper(None)]  # code -1 (no cell) is the last
    ids_u = np.array([";".join(m.ids) for m, _ in mapped], dtype=object)
    source_u = np.array([_chosen(m.ids, by_map, (), None)[1] for m, by_map in mapped], dtype=object)
    named = np.array([bool(m.ids) for m, _ in mapped])[codes]
    ids, source = ids_u[codes], source_u[codes]
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(-1, len(uniques) + 1))
    unknown: dict[str, list] = defaultdict(list)
    for u, (m, _) in enumerate(mapped):
        if m.unknown or m.ignored:
            code = -1 if u == len(uniques) else u
            at = order[starts[code + 1]:starts[code + 2]]
            for word in m.unknown:
                unknown[word].append(at)
            for word in m.ignored:
                out.ignored[word] += len(at)
    for word, parts in unknown.items():
        out.unknown[word].extend(rows[p] for p in np.sort(np.concatenate(parts)).tolist())
    return ids, source, np.flatnonzero(~named).tolist()


class _CellMapper:
    """Maps category cells through the taxonomy, each distinct cell once (lists repeat their category cells).

    Calling it gives the mapping and whether the category map changed it.
    """

    def __init__(self, taxonomy: Taxonomy, category_map: "CategoryMap | None") -> None:
        self.taxonomy, self.category_map = taxonomy, category_map
        self.mapped: dict[Any, tuple[Any, bool]] = {}

    def __call__(self, cell: Any) -> tuple[Any, bool]:
        if cell not in self.mapped:
            mapping = self.taxonomy.map_cell(cell, self.category_map)
            by_map = self.category_map is not None and self.taxonomy.map_cell(cell).ids != mapping.ids
            self.mapped[cell] = mapping, by_map
        return self.mapped[cell]


def _chosen(ids, by_map: bool, guesses, use_inferred: bool | None) -> tuple[str, str]:
    """A row's category ids and where they came from: its cell, else its text's suggestions (all with
    ``use_inferred``, those of :data:`DEFAULT_USE_CONFIDENCE` or more by default, none with ``False``)."""
    if ids:
        return ";".join(ids), "category map" if by_map else "category column"
    used = [g for g in guesses if use_inferred or (use_inferred is None and g.confidence >= DEFAULT_USE_CONFIDENCE)]
    if used:
        return ";".join(g.category for g in used), "inferred"
    return "", ""
