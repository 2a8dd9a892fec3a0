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

    A row's own categories come from its category cell (:class:`_CellMapper`);
    with none known, from the category map's decision for the row, else the
    categories its name and description suggest are recorded and used
    (``use_inferred``: ``None`` those at or above the default confidence,
    ``True`` all, ``False`` none).
    """
    tick(progress, "categorising", 0, len(keep))
    out = Categorised()
    mapper = _CellMapper(taxonomy, category_map)
    cat_cells = column_cells(frame, cmap.get("category"))
    text_cells = [column_cells(frame, c) for c in (cmap.get("name"), cmap.get("description")) if c]
    names = column_cells(frame, cmap.get("name"))
    row_decision = getattr(category_map, "row_decision", None)
    for n_done, i in enumerate(keep):
        if n_done % PROGRESS_EVERY == 0:
            tick(progress, "categorising", n_done, len(keep))
        if fixed is not None:
            out.add(";".join(fixed), ";".join(fixed), "--category", "")
            continue
        cell = cat_cells[i] if cat_cells is not None else None
        mapping, by_map = mapper(cell)
        for word in mapping.unknown:
            out.unknown[word].append(rows[i])
        out.ignored.update(mapping.ignored)
        texts = [c[i] for c in text_cells]
        reason = None if mapping.ids else not_a_service(texts)
        guesses = () if mapping.ids or reason else infer_categories(texts, taxonomy)
        out.inferred_count.update(g.category for g in guesses)
        decided = None
        if not mapping.ids and row_decision is not None and names is not None:
            decided = row_decision(rows[i], names[i])
        if decided is not None:
            ids, source = ";".join(decided), "category map"
        else:
            ids, source = _chosen(mapping.ids, by_map, guesses, use_inferred)
            if reason:
                source = not_a_service_source(reason)
        out.add(ids, "" if cell is None else str(cell), source, format_inferred(guesses), guesses)
    return out


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
