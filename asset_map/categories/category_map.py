"""Category maps: a person's saved decisions about category words the taxonomy does not know.

When an import finds words like "Bingo night" or "Knitting circle" in a
category column, :func:`write_category_map` writes them to a CSV file that a
planner edits in Excel, and :func:`read_category_map` reads the decisions back
so the next import (``Taxonomy.map_cell(text, category_map)``) uses them.

The file
--------
A CSV file with the columns

``word``
    the category word as found in the data;
``category``
    the decision: a category id, label or synonym, or several separated by
    ``;``; or ``ignore`` (or ``none``) meaning "this word is not a need
    category, stop reporting it"; or empty meaning "not decided yet" (the row
    is kept in the file but decides nothing);
``rows``, ``suggestion``, ``note`` (optional)
    for the person editing: how many rows used the word, the closest category
    (:meth:`asset_map.categories.taxonomy.Taxonomy.suggest`) and any note. They are
    ignored on reading (``note`` is kept when the file is rewritten).

A row of the file may instead decide one **row of the list**: ``word`` empty,
``row`` the list's row number and ``name`` the asset's name there (both
required, so that a decision is not applied to another row when the list
has changed: a row whose name differs is left undecided and reported). Such
rows are written for the rows of a list that got no category from their
category cell, with the categories their text suggests pre-filled in
``category`` (those used by the import) and, for the person checking them,
``suggestion`` (every suggestion), ``confidence`` (of the first suggestion),
``evidence`` (the words that suggested each) and ``text`` (the name and
description read). Importing with the map makes them the rows' categories,
marked ``category map`` (decided by the planner), not ``inferred``; ``ignore``
leaves a row without a category; an empty ``category`` leaves the row to
the import's own suggestions.

Words are compared after :func:`asset_map.categories.taxonomy.normalise_word` and
without a final plural ``s``, as in the taxonomy, so "Bingo nights" is the
same word as "bingo night". The taxonomy always wins: a map only decides words
the taxonomy does not know (change the taxonomy to change what its own words
mean).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import TaxonomyError
from .csv_files import cell_text, dict_reader, read_csv_text
from .taxonomy import Taxonomy, normalise_word, word_key

#: Columns a category map must have.
MAP_COLUMNS = ("word", "category")
#: Columns written for the person editing the file; ignored on reading.
INFO_COLUMNS = ("rows", "suggestion", "note")
#: Columns that make a row of the map decide a row of the list (``word`` empty).
ROW_COLUMNS = ("row", "name")
#: Columns written for a row of the list, for the person checking its suggestions; ignored on reading.
EVIDENCE_COLUMNS = ("confidence", "evidence", "text")
#: The columns written, in order, when the map has rows of a list (else ``word``, ``category`` and the
#: :data:`INFO_COLUMNS`).
WRITTEN_COLUMNS = ("word", "row", "name", "category", "suggestion", "confidence", "evidence", "text", "rows", "note")
#: What ``category`` may say for "not a need category" (any case).
IGNORE_WORDS = ("ignore", "none")


@dataclass(frozen=True)
class MapEntry:
    """One row of a category map.

    ``word`` and ``category`` are as written in the file; ``ids`` is the
    decision: ``None`` undecided, ``()`` ignore, else category ids.
    """

    word: str
    category: str
    ids: tuple[str, ...] | None
    note: str = ""


@dataclass(frozen=True)
class RowEntry:
    """A row of a category map that decides one row of a list: its number, its name, the decision.

    ``ids`` is ``None`` undecided, ``()`` ignore, else category ids.
    """

    row: int
    name: str
    category: str
    ids: tuple[str, ...] | None
    note: str = ""


class CategoryMap:
    """Decisions about category words, keyed by normalised word.

    Build one with :func:`read_category_map`. ``len()`` counts the decided
    words (categories or ignore); undecided rows are kept in :attr:`entries`
    so that rewriting the file keeps them.
    """

    def __init__(self, entries: list[MapEntry] | tuple[MapEntry, ...] = (), *, source: str = "category map",
                 rows: "dict[int, RowEntry] | None" = None) -> None:
        self.source = source
        self.entries: tuple[MapEntry, ...] = tuple(entries)
        self.rows: dict[int, RowEntry] = dict(rows or {})
        self._by_key: dict[str, MapEntry] = {}
        for entry in self.entries:
            key = word_key(entry.word)
            known = self._by_key.get(key)
            if known is None or known.ids is None:
                self._by_key[key] = entry

    def lookup(self, word: str) -> tuple[str, ...] | None:
        """The decision for *word*: category ids, ``()`` for ignore, ``None`` if undecided or absent."""
        entry = self._by_key.get(word_key(word))
        return None if entry is None else entry.ids

    def entry(self, word: str) -> MapEntry | None:
        """The row that decides *word* (or holds it undecided), if any."""
        return self._by_key.get(word_key(word))

    def __len__(self) -> int:
        return sum(1 for e in self._by_key.values() if e.ids is not None)

    def row_decision(self, row: int, name: object) -> tuple[str, ...] | None:
        """The decision for the list's row ``row`` if its name is ``name`` (compared normalised); else ``None``."""
        entry = self.rows.get(row)
        if entry is None or entry.ids is None or normalise_word(str(name or "")) != normalise_word(entry.name):
            return None
        return entry.ids

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.lookup(word) is not None


def _decision(text: str, taxonomy: Taxonomy, where: str) -> tuple[str, ...] | None:
    """Parse a ``category`` cell; *where* starts the error message."""
    parts = [p.strip() for p in text.split(";")]
    parts = [p for p in parts if normalise_word(p)]
    if not parts:
        return None
    if any(normalise_word(p) in IGNORE_WORDS for p in parts):
        if len(parts) > 1:
            raise TaxonomyError(
                f"{where}: {text.strip()!r} mixes 'ignore' with categories; write either 'ignore' or "
                "the categories"
            )
        return ()
    ids: list[str] = []
    for part in parts:
        cid = taxonomy.match(part)
        if cid is None:
            hint = taxonomy.suggest(part)
            tip = f" (did you mean {hint!r}?)" if hint else ""
            raise TaxonomyError(
                f"{where}: {part!r} is not a category{tip}; write a category id, label or synonym "
                "(`asset-map taxonomy show` lists them), several separated by ';', or 'ignore'"
            )
        if cid not in ids:
            ids.append(cid)
    return tuple(ids)


def read_category_map(path: str | Path, taxonomy: Taxonomy) -> CategoryMap:
    """Read and check a category map file (see the module docstring for its format).

    UTF-8 with or without a byte-order mark is read; failing that, Windows
    cp1252 (Excel's "CSV" on Windows). Row numbers in messages count the
    header as row 1, as a spreadsheet does. Blank rows are skipped. A word
    may appear on several rows if they agree (or all but one are undecided).

    Raises
    ------
    TaxonomyError
        If the file is missing or unreadable, lacks ``word`` or ``category``,
        a row names an unknown category (with the nearest one suggested), has
        a category but no word, or a word has two different decisions.
    """
    p = Path(path)
    name = p.name
    reader = dict_reader(read_csv_text(p, "category map"), MAP_COLUMNS, source=name,
                         needs="a category map needs the columns word and category (rows, suggestion and note "
                               "are optional)")
    entries: list[MapEntry] = []
    seen: dict[str, tuple[int, MapEntry]] = {}
    decided_rows: dict[int, RowEntry] = {}
    for n, row in enumerate(reader, start=2):
        word, category = cell_text(row, "word"), cell_text(row, "category")
        if not normalise_word(word) and cell_text(row, "row"):
            _add_row_entry(decided_rows, row, category, taxonomy, f"{name}, row {n}")
            continue
        if not normalise_word(word):
            if normalise_word(category):
                raise TaxonomyError(
                    f"{name}, row {n}, column 'word': empty but column 'category' says {category!r}; "
                    "give the word or delete the row"
                )
            continue
        ids = _decision(category, taxonomy, f"{name}, row {n}, column 'category'")
        entry = MapEntry(word, category, ids, cell_text(row, "note"))
        key = word_key(word)
        if key in seen:
            first_n, first = seen[key]
            if first.ids is not None and ids is not None and first.ids != ids:
                raise TaxonomyError(
                    f"{name}, row {n}, column 'category': {word!r} is also on row {first_n} "
                    f"as {first.word!r} with category {first.category!r}, here {category!r}; "
                    "keep one row or give both the same category"
                )
            if first.ids is None and ids is not None:
                seen[key] = (n, entry)
        else:
            seen[key] = (n, entry)
        entries.append(entry)
    return CategoryMap(entries, source=name, rows=decided_rows)


def _add_row_entry(decided: dict[int, RowEntry], row: dict, category: str, taxonomy: Taxonomy, where: str) -> None:
    """Read a map row that decides a row of the list (``row``, ``name``, ``category``) into ``decided``.

    Raises
    ------
    TaxonomyError
        If ``row`` is not a row number, ``name`` is empty while ``category``
        decides something, or the same row is decided twice differently.
    """
    text, asset = cell_text(row, "row"), cell_text(row, "name")
    m = re.fullmatch(r"(\d+)(?:\.0*)?", text)
    if m is None or int(m.group(1)) < 1:
        raise TaxonomyError(f"{where}, column 'row': {text!r} is not a row number; give the list's row number "
                            "(as the import reports it) or leave 'row' empty and give a word")
    ids = _decision(category, taxonomy, f"{where}, column 'category'")
    if not normalise_word(asset):
        if ids is None:
            return
        raise TaxonomyError(f"{where}, column 'name': empty; give the name of the asset on row {text} of the list "
                            "(so the decision is not applied to another row if the list changes)")
    entry = RowEntry(int(m.group(1)), asset, category, ids, cell_text(row, "note"))
    known = decided.get(entry.row)
    if known is not None and known.ids is not None and ids is not None and known.ids != ids:
        raise TaxonomyError(f"{where}, column 'category': row {entry.row} of the list is decided twice, as "
                            f"{known.category!r} and {category!r}; keep one")
    if known is None or known.ids is None:
        decided[entry.row] = entry


def write_category_map(
    path: str | Path,
    words: Mapping[str, int] | Mapping[str, list[int]],
    suggestions: Mapping[str, str | None],
    existing: CategoryMap | None = None,
    rows: "Sequence[Mapping[str, object]]" = (),
) -> int:
    """Write a category map template for a person to fill in; return the number of rows written.

    One row per word in *words* (word as found -> number of rows using it,
    or the list of those rows as in ``ImportResult.unknown_words``), most rows
    first, then by word (case-insensitive). ``category`` is left empty for the
    person to decide, unless *existing* has the word (its ``category`` text,
    as written, and its ``note`` are kept); ``suggestion`` holds
    ``suggestions[word]`` (a category id) or stays empty: a suggestion is
    never written as a decision. Words that only the existing map has are
    kept after the others, by word, with ``rows`` 0, so rewriting a map never
    loses a decision. Several spellings of one word (same normalised form)
    are written once, under the most used spelling, with their rows added up.

    *rows* are the rows of the list to decide one by one (``row``, ``name``,
    ``category`` pre-filled with the suggestions used, ``suggestion``,
    ``confidence``, ``evidence``, ``text``), written after the words, in the
    order given; a row the existing map already decides keeps that decision
    and note, and the existing map's other row decisions are kept after them.

    The file is UTF-8 with a byte-order mark so that Excel shows accents and
    "£" correctly.
    """
    slots = _merge_spellings(words, suggestions)
    out = _found_rows(slots, existing)
    if existing is not None:
        out += _kept_rows(existing, slots)
    out += _list_rows(rows, existing)
    _write_rows(Path(path), out)
    return len(out)


def _list_rows(rows: "Sequence[Mapping[str, object]]", existing: CategoryMap | None) -> list[dict[str, object]]:
    """The rows of the list, an existing decision for the same row and name kept; then the existing map's
    decisions for rows not given, by row number."""
    out: list[dict[str, object]] = []
    given: set[int] = set()
    for r in rows:
        row = dict(r)
        given.add(int(row["row"]))
        known = existing.rows.get(int(row["row"])) if existing is not None else None
        if known is not None and normalise_word(known.name) == normalise_word(str(row.get("name") or "")):
            row["category"], row["note"] = known.category, known.note
        out.append(row)
    if existing is not None:
        out += [{"row": e.row, "name": e.name, "category": e.category, "note": e.note}
                for n, e in sorted(existing.rows.items()) if n not in given]
    return out


@dataclass
class _Spelling:
    """The spellings of one normalised word: the one written, their rows added up, a suggestion."""

    word: str
    rows: int
    best: int  # the rows of the spelling written
    suggestion: str | None


def _merge_spellings(words: Mapping[str, int] | Mapping[str, list[int]],
                     suggestions: Mapping[str, str | None]) -> dict[str, _Spelling]:
    """The words by normalised form (:func:`~asset_map.categories.taxonomy.word_key`); words with an empty form are dropped.

    ``rows`` is the sum of the spellings' rows; the spelling written is the one
    with the most rows (the first in code-point order on a tie); the
    suggestion is the first spelling's that has one.
    """
    slots: dict[str, _Spelling] = {}
    for word, value in words.items():
        count = value if isinstance(value, int) else len(value)
        key = word_key(word)
        if not key:
            continue
        slot = slots.get(key)
        if slot is None:
            slots[key] = _Spelling(word, count, count, suggestions.get(word))
            continue
        slot.rows += count
        if count > slot.best or (count == slot.best and word < slot.word):
            slot.word, slot.best = word, count
        if slot.suggestion is None:
            slot.suggestion = suggestions.get(word)
    return slots


def _found_rows(slots: dict[str, _Spelling], existing: CategoryMap | None) -> list[dict[str, object]]:
    """A row per word found, most rows first, then by word (case-insensitive); an existing decision kept."""
    rows: list[dict[str, object]] = []
    for slot in sorted(slots.values(), key=lambda s: (-s.rows, s.word.casefold(), s.word)):
        entry = existing.entry(slot.word) if existing is not None else None
        rows.append({
            "word": slot.word,
            "category": entry.category if entry is not None else "",
            "rows": slot.rows,
            "suggestion": slot.suggestion or "",
            "note": entry.note if entry is not None else "",
        })
    return rows


def _kept_rows(existing: CategoryMap, slots: dict[str, _Spelling]) -> list[dict[str, object]]:
    """A row (``rows`` 0) per word only the existing map has, by word, so no decision is lost."""
    kept: dict[str, MapEntry] = {}
    for entry in existing.entries:
        key = word_key(entry.word)
        if key in slots or key in kept:
            continue
        kept[key] = existing.entry(entry.word) or entry
    return [{"word": e.word, "category": e.category, "rows": 0, "suggestion": "", "note": e.note}
            for e in sorted(kept.values(), key=lambda e: (e.word.casefold(), e.word))]


def _write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    """Write the rows as CSV, UTF-8 with a byte-order mark (so Excel shows accents and "£"), CRLF line ends."""
    from ..cells import csv_records
    from ..files import write_text

    columns = WRITTEN_COLUMNS if any("row" in r for r in rows) else (*MAP_COLUMNS, *INFO_COLUMNS)
    write_text(path, csv_records(columns, rows, line_end="\r\n"), encoding="utf-8-sig",
               newline="")
