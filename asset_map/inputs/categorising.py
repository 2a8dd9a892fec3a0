"""Giving the rows of an asset list their categories.

The ``--category`` given for the whole file, else the category column split
on ``;``, ``,`` or ``|`` and matched through the taxonomy (and the workspace's
category map). Unknown words are reported with their rows and a suggestion;
a row with no known category is *uncategorised* unless its name and
description suggest categories and those are to be used
(:mod:`asset_map.categories.inference`). A row with no known category whose
text says it is not a service to the public (a PTA, a grant-making trust...:
:func:`asset_map.categories.inference.not_a_service`) is kept with no
category and ``category_source`` "not a service: <reason>", and is not
provision; a category column or ``--category`` always wins over this.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..categories.inference import format_inferred, infer_categories, not_a_service, not_a_service_source
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
    """

    ids: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)
    unknown: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    ignored: Counter[str] = field(default_factory=Counter)
    inferred_count: Counter[str] = field(default_factory=Counter)

    def add(self, ids: str, text: str, source: str, inferred: str) -> None:
        """Record one row's categories."""
        self.ids.append(ids)
        self.text.append(text)
        self.source.append(source)
        self.inferred.append(inferred)


def categorise(frame: "pd.DataFrame", cmap: ColumnMap, keep, rows: list[int], taxonomy: Taxonomy, *,
               fixed: list[str] | None, category_map: "CategoryMap | None", use_inferred: bool,
               progress: "Progress | None") -> Categorised:
    """The categories of the rows at positions ``keep``: ``fixed`` for every row, else each row's own.

    A row's own categories come from its category cell (:class:`_CellMapper`);
    with none known, the categories its name and description suggest are
    recorded, and used with ``use_inferred``.
    """
    tick(progress, "categorising", 0, len(keep))
    out = Categorised()
    mapper = _CellMapper(taxonomy, category_map)
    cat_cells = column_cells(frame, cmap.get("category"))
    text_cells = [column_cells(frame, c) for c in (cmap.get("name"), cmap.get("description")) if c]
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
        ids, source = _chosen(mapping.ids, by_map, guesses, use_inferred)
        if reason:
            source = not_a_service_source(reason)
        out.add(ids, "" if cell is None else str(cell), source, format_inferred(guesses))
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


def _chosen(ids, by_map: bool, guesses, use_inferred: bool) -> tuple[str, str]:
    """A row's category ids and where they came from: its cell, else (with ``use_inferred``) its text."""
    if ids:
        return ";".join(ids), "category map" if by_map else "category column"
    if guesses and use_inferred:
        return ";".join(g.category for g in guesses), "inferred"
    return "", ""
