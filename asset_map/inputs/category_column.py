"""Choosing the category column by what it holds, not only by its header.

:func:`asset_map.inputs.columns.detect_columns` takes a column for
``category`` by its header ("Type", "charity_type", "Activities"...). Real
registers use such headers for other things: the Charity Commission's
``charity_type`` holds legal forms ("Other" 336, "Charitable company" 180,
"CIO" 128, "Trust" 72), other lists a record's status ("Active", "Removed") or
a code list ("A12", "E01000001"). Read as categories, every row would be an
unknown word and the planner would be asked to map legal forms to needs.

A header candidate is **refused** when, over its first :data:`SAMPLE` filled
cells,

1. its values match no need category: under :data:`MAX_MATCHED_SHARE` of the
   cells name a category the taxonomy (or the category map) knows (a status
   or legal form that happens to be a category word, such as "Active", a
   synonym of physical activity, does not count); and
2. they look like something else: of the cells that are not a catch-all
   ("Other", "Unknown", "Various": :data:`CATCH_ALL`), at least
   :data:`LOOKS_LIKE_SHARE` are legal forms (:data:`LEGAL_FORMS`), statuses
   (:data:`STATUSES`), codes (one token of at most 12 characters holding a
   digit, no space) or sentences (:data:`SENTENCE_WORDS` words or more, which
   are a description, not a category); or every cell is a catch-all.

A refused column gives no categories. When no column names needs, the text is
the evidence: each row gets the categories its name and description suggest
(:mod:`asset_map.categories.inference`); a refused column of sentences becomes
the description when the list has none. The choice is said in a note, with the
reason and how to choose another column (``--map category=COLUMN`` uses a
column whatever it holds).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ..categories.taxonomy import normalise_word
from .columns import ColumnMap
from .table import column_cells

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..categories.category_map import CategoryMap
    from ..categories.taxonomy import Taxonomy

#: Filled cells of a candidate column looked at (the first ones).
SAMPLE = 2000
#: A candidate with at least this share of cells naming a need category is the category column.
MAX_MATCHED_SHARE = 0.05
#: The share of the other cells that must be of one of the non-category kinds for the column to be refused.
LOOKS_LIKE_SHARE = 0.9
#: Cells of this many words or more are sentences: a description, not a category.
SENTENCE_WORDS = 6

#: Values that say nothing either way (normalised).
CATCH_ALL = frozenset({"other", "others", "unknown", "not known", "misc", "miscellaneous", "various", "tbc",
                       "not applicable", "not specified", "unspecified", "n a"})
#: Legal forms of organisations (normalised), as registers of charities and companies write them.
LEGAL_FORMS = frozenset({
    "charitable company", "company", "company limited by guarantee", "limited company", "private limited company",
    "ltd", "limited", "plc", "public limited company", "llp", "limited liability partnership", "partnership",
    "sole trader", "cio", "scio", "charitable incorporated organisation", "charitable incorporated organization",
    "trust", "charitable trust", "previously excepted", "excepted", "exempt", "exempt charity",
    "unincorporated association", "unincorporated", "cic", "community interest company",
    "community benefit society", "co operative", "cooperative", "co operative society",
    "industrial and provident society", "friendly society", "registered society", "royal charter",
    "statutory body", "corporation", "registered charity", "charity", "charitable", "non charitable",
})
#: Record statuses (normalised).
STATUSES = frozenset({
    "active", "inactive", "open", "closed", "temporarily closed", "permanently closed", "live", "current",
    "ceased", "dormant", "removed", "registered", "deregistered", "de registered", "suspended", "pending",
    "approved", "rejected", "draft", "published", "unpublished", "archived", "verified", "unverified", "yes", "no",
    "y", "n", "true", "false", "running", "not running", "operating", "not operating", "dissolved",
    "in administration", "liquidation", "new", "updated", "deleted",
})
_CODE = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9][A-Za-z0-9._/\-]{0,11}")
#: What each kind of value is called in the note.
KIND_NAMES = {"legal form": "legal forms", "status": "statuses", "code": "codes", "sentence": "sentences"}


def _kind(value: str) -> str | None:
    """``catch-all``, ``legal form``, ``status``, ``code`` or ``sentence``; ``None`` for anything else."""
    word = normalise_word(value)
    if word in CATCH_ALL:
        return "catch-all"
    if word in LEGAL_FORMS:
        return "legal form"
    if word in STATUSES:
        return "status"
    if _CODE.fullmatch(value.strip()):
        return "code"
    if len(value.split()) >= SENTENCE_WORDS:
        return "sentence"
    return None


def choose_category_column(frame: "pd.DataFrame", cmap: ColumnMap, taxonomy: "Taxonomy",
                           category_map: "CategoryMap | None" = None, *,
                           overrides: dict[str, str | None] | None = None) -> tuple[ColumnMap, str | None, str | None]:
    """The column map with the category column checked by its content; the column refused, and a note.

    A column given with ``--map category=...`` (in ``overrides``, ``None``
    meaning "none") is used as given, without a note. Otherwise the header
    candidate is kept, with a note saying how many of its cells name a need
    category, or refused (see the module docstring), with a note saying what
    its values are and where the categories come from instead.
    """
    column = cmap.get("category")
    if column is None or "category" in (overrides or {}):
        return cmap, None, None
    cells = [str(v) for v in column_cells(frame, column) if v is not None and str(v).strip()][:SAMPLE]
    if not cells:
        return cmap, None, None
    counts = Counter(cells)
    kind_of = {v: _kind(v) for v in counts}
    # A status or legal form that is also a category word ("Active" is a synonym of physical activity)
    # counts as what the column holds, not as a need.
    matched = sum(n for v, n in counts.items()
                  if kind_of[v] in (None, "sentence") and taxonomy.map_cell(v, category_map).ids)
    if matched >= MAX_MATCHED_SHARE * len(cells):
        first = " first" if len(cells) == SAMPLE else ""
        return cmap, None, (f"categories are read from column {column!r}: {matched:,} of the{first} {len(cells):,} "
                            "filled cells name a need category; to use another column, pass --map category=COLUMN")
    kinds: Counter = Counter()
    for value, n in counts.items():
        kinds[kind_of[value]] += n
    informative = len(cells) - kinds["catch-all"]
    kind = max(((k, n) for k, n in kinds.items() if k not in (None, "catch-all")),
               key=lambda kn: kn[1], default=(None, 0))[0]
    not_needs = sum(n for k, n in kinds.items() if k not in (None, "catch-all"))
    if informative and not_needs < LOOKS_LIKE_SHARE * informative:
        return cmap, None, None  # unknown words that may be needs: the planner decides them (category map)
    columns = {f: c for f, c in cmap.columns.items() if f != "category"}
    if kind == "sentence" and "description" not in columns:
        columns["description"] = column
    return ColumnMap(columns), column, _refused_note(column, kind, counts, columns)


def _refused_note(column: str, kind: str | None, counts: Counter, columns: dict[str, str]) -> str:
    """Why ``column`` gives no categories, where they come from instead, and how to use it anyway."""
    what = (f"its values are {KIND_NAMES[kind]}" if kind else "its values are all catch-alls such as 'Other'")
    if kind != "sentence":
        shown = ", ".join(f"{v!r} {n:,}" for v, n in counts.most_common(4))
        what += f" ({shown}{' ...' if len(counts) > 4 else ''})"
    texts = [columns[f] for f in ("name", "description") if f in columns]
    source = " and ".join(repr(c) for c in texts)
    return (f"column {column!r} is not used for categories: {what}, none a need category; the categories are "
            f"suggested from the text of {source} instead (to use {column!r} anyway, pass --map "
            f"category={column!r})")
