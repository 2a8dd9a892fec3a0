"""What a planner reviews after an import: the suggested categories, the rows to decide, the next step.

* :func:`suggestion_examples`: the categories suggested from the rows' text,
  with how many rows each and two or three example rows (row, name, the
  words that suggested it), for the import summary.
* :func:`suggestion_rows`: the rows of the list that got no category from
  their category cell, with their suggestions pre-filled, for a category map
  the planner edits (:func:`asset_map.categories.category_map.write_category_map`).
* :func:`unapplied_row_decisions`: the rows a category map decides whose name
  in the list is not the one the map was saved with (the list has changed).
* :func:`next_step`: after an import in which most rows got no category, or
  most were rejected for one reason, the one command that fixes the most rows.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..categories.taxonomy import Taxonomy
    from .importer import ImportResult
    from .table import InputTable

#: Characters of a row's name and description written in a category map's ``text`` column.
TEXT_CHARS = 300


def suggestion_examples(result: "ImportResult", taxonomy: "Taxonomy", *, top: int = 6,
                        per: int = 3) -> list[tuple[str, int, list[str]]]:
    """The ``top`` most suggested categories: (label, rows suggested, up to ``per`` examples).

    An example reads ``row 12 'Sale Carers' (unpaid carers)``: the row, its
    name (cut to 40 characters) and the words that suggested the category.
    """
    examples: dict[str, list[str]] = {c: [] for c in list(result.inferred)[:top]}
    if not examples or not result.guesses:
        return []
    for row, name, guesses in zip(result.assets["source_row"], result.assets["name"], result.guesses):
        for g in guesses:
            shown = examples.get(g.category)
            if shown is not None and len(shown) < per:
                cut = str(name) if len(str(name)) <= 40 else str(name)[:39] + "\u2026"
                shown.append(f"row {row} {cut!r} ({', '.join(g.triggers)})")
        if all(len(v) >= per for v in examples.values()):
            break
    return [(_label(taxonomy, c), result.inferred[c], shown) for c, shown in examples.items()]


def suggestion_rows(result: "ImportResult", taxonomy: "Taxonomy") -> list[dict[str, object]]:
    """A category-map row for each asset whose category cell is empty (or that has no category column): its
    row of an earlier map kept (:func:`~asset_map.categories.category_map.write_category_map`).

    ``category`` holds the categories the import gave it from its text
    (labels, ``;``-separated; empty when it got none), ``suggestion`` every
    suggestion, ``confidence`` the first suggestion's, ``evidence`` the words
    that suggested each (``Carers: unpaid carers``) and ``text`` the name and
    description read (cut to :data:`TEXT_CHARS` characters). In row order.
    """
    assets = result.assets
    if not len(assets):
        return []
    guesses = result.guesses or [()] * len(assets)
    descriptions = assets["description"] if "description" in assets else [""] * len(assets)
    cells = assets["category_text"] if "category_text" in assets else [""] * len(assets)
    out = []
    for row, name, source, cats, desc, cell, found in zip(assets["source_row"], assets["name"],
                                                           assets["category_source"], assets["categories"],
                                                           descriptions, cells, guesses):
        if source not in ("inferred", "", "category map") or str(cell or "").strip():
            continue  # categorised by its cell, or its cell's words are decided as words
        text = " \u2014 ".join(t for t in (str(name), str(desc or "")) if t)
        out.append({
            "row": int(row), "name": name,
            "category": "; ".join(_label(taxonomy, c) for c in str(cats).split(";") if c) if source else "",
            "suggestion": "; ".join(_label(taxonomy, g.category) for g in found),
            "confidence": f"{found[0].confidence:.2f}" if found else "",
            "evidence": "; ".join(f"{_label(taxonomy, g.category)}: {', '.join(g.triggers)}" for g in found),
            "text": text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS - 1] + "\u2026",
        })
    return sorted(out, key=lambda r: r["row"])


def unapplied_row_decisions(table: "InputTable", name_column: str | None, category_map) -> str | None:
    """A note naming the rows of ``table`` that ``category_map`` decides under another name, if any.

    Such a decision is not applied (the row keeps its own suggestions): the
    list was edited or sorted since the map was saved.
    """
    decided = getattr(category_map, "rows", None)
    if not decided or name_column is None:
        return None
    from ..categories.taxonomy import normalise_word

    names = dict(zip(table.row_numbers, table.frame[name_column].tolist()))
    moved = [n for n, e in sorted(decided.items())
             if e.ids is not None and n in names and normalise_word(str(names[n] or "")) != normalise_word(e.name)]
    if not moved:
        return None
    shown = ", ".join(f"row {n} ({decided[n].name!r} in the map, {names[n]!r} here)" for n in moved[:3])
    return (f"{len(moved)} row decision{'s' if len(moved) != 1 else ''} of the category map "
            f"{'were' if len(moved) != 1 else 'was'} not applied because the row has another name in this list: "
            f"{shown}{' ...' if len(moved) > 3 else ''}; save the map again from this list "
            "(--save-category-map) and decide those rows")


def _label(taxonomy: "Taxonomy", cid: str) -> str:
    """The category's label; its id when the taxonomy does not have it (a map saved under another taxonomy)."""
    return taxonomy.get(cid).label if taxonomy.match(cid) == cid else cid


#: For a kind of reject, the option or command that fixes it; ``{file}`` is the list.
REJECT_FIXES = {
    "postcode not in the lookup": ("locate them with the online postcode service", "asset-map import {file} --online",
                                   " (or load a national lookup such as ONSPD: `asset-map postcodes load FILE`)"),
    "no postcode lookup loaded": ("load a postcode lookup", "asset-map postcodes load FILE",
                                  ", then import {file} again"),
    "no name": ("name the column that holds the names", "asset-map import {file} --map name=COLUMN", ""),
}


def next_step(result: "ImportResult", file: str, *, verb: str = "import") -> str | None:
    """The command that fixes the most rows, when most imported rows got no category, most rows were kept
    without a location because their postcode lies beyond the lookup, or most were rejected for one reason;
    else ``None``. When several hold, the one that concerns the most rows.

    The rows without a category are fixed by saving a category map
    (``--save-category-map``: every such row with its suggestions, to accept
    or decide in Excel), or by ``--use-inferred`` when most of them have
    suggestions that were not used. Rows beyond a local lookup are placed by
    the online service or a national lookup. Rejects are fixed as
    :data:`REJECT_FIXES` says for their kind; another kind is named with its
    first row's reason, which says what to do.
    """
    quoted = shlex.quote(str(file))
    kind, rejected = next(iter(result.rejected_by_kind().items()), (None, 0))
    uncategorised, elsewhere = result.uncategorised, len(result.outside_lookup)
    counts = {"uncategorised": uncategorised if uncategorised * 2 > result.imported > 0 else 0,
              "elsewhere": elsewhere if elsewhere * 2 > result.rows_read > 0 else 0,
              "rejected": rejected if rejected * 2 > result.rows_read > 0 else 0}
    worst = max(counts, key=lambda k: counts[k])
    if not counts[worst]:
        return None
    if worst == "uncategorised":
        return _categorise_step(result, quoted, verb)
    if worst == "elsewhere":
        why, command, more = REJECT_FIXES["postcode not in the lookup"]
        return (f"Next step: {elsewhere:,} of {result.rows_read:,} rows have a valid postcode outside the postcode "
                f"lookup's coverage (kept, location unknown): {why}: `{command.format(file=quoted)}`"
                f"{more.format(file=quoted)}.")
    what = f"Next step: {rejected:,} of {result.rows_read:,} rows were rejected ({kind})"
    if kind in REJECT_FIXES:
        why, command, more = REJECT_FIXES[kind]
        return f"{what}: {why}: `{command.format(file=quoted)}`{more.format(file=quoted)}."
    first = next(r for r in result.rejects if r.kind == kind)
    return f"{what}; row {first.row}: {first.reason}."


def unused_suggestions(result: "ImportResult") -> int:
    """Rows imported without a category whose text gave suggestions that were not used (below the default
    confidence, or ``--no-inferred``)."""
    assets = result.assets
    return int(((assets["categories"] == "") & (assets["inferred"] != "")).sum()) if len(assets) else 0


def _categorise_step(result: "ImportResult", quoted: str, verb: str) -> str:
    """The next step for rows imported without a category: use the unused suggestions, or decide in Excel."""
    uncategorised = result.uncategorised
    unused = unused_suggestions(result)
    if unused * 2 > uncategorised:
        return (f"Next step: {uncategorised:,} of {result.imported:,} rows imported have no category, "
                f"{unused:,} of them with suggestions that were not used: "
                f"`asset-map {verb} {quoted} --use-inferred` uses every suggestion (marked inferred).")
    return (f"Next step: {uncategorised:,} of {result.imported:,} rows imported have no category: "
            f"`asset-map inspect {quoted} --save-category-map categories.csv` lists them (and the unknown "
            "category words) with their suggestions; fill in the category column in Excel and import with "
            "--category-map categories.csv.")
