"""Need categories: the controlled vocabulary assets are mapped to.

A taxonomy is a CSV file with one row per category and the columns

``id``
    short stable identifier, e.g. ``carers``;
``label``
    what people read, e.g. ``Carers``;
``catchment_m``
    how far (straight-line metres) people will reasonably travel to an asset
    of this category;
``target_population``
    who the category serves, as an age band: ``all``, ``65+``, ``0-15``,
    ``16-64``, ``16+``, ``11-25``...;
``synonyms``
    words found in real lists that mean this category, separated by ``;``;
``travel`` (optional)
    how long, and how, people travel to an asset of this category, as a
    time and a mode: ``10 min walk``, ``15 min cycle``, ``20 min drive``
    (:mod:`asset_map.categories.travel`). With a street network loaded, the
    measures use this travel time instead of ``catchment_m``; empty: the
    straight line always;
``capacity_unit`` (optional)
    what an asset's capacity counts for this category (``places``, ``pupils``,
    ``sessions a week``...), for lists that give a capacity without saying
    (see :mod:`asset_map.analysis.access`); empty when none is assumed.

The default taxonomy ships with the package (``asset_map/data/taxonomy.csv``);
a workspace keeps its own copy, which ``asset-map taxonomy load`` replaces.

Category words are matched after normalisation (:func:`normalise_word`):
case, punctuation, apostrophes and ``&``/``and`` do not matter, and a final
plural ``s`` on each word is ignored (``ies`` is read as ``y``), so "Carers'
groups", "carers group" and "CARERS GROUP" are the same word, and so are
"Physical activities" and "physical activity".

A category *cell* may hold several words (see :meth:`Taxonomy.map_cell`); a
word the taxonomy does not know can get a *suggestion* (see
:meth:`Taxonomy.suggest`), which is only ever shown to a person, never used
to categorise an asset.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Protocol

from ..errors import InputFileError, TaxonomyError
from ..geo import distance_text
from ..numbers import number, unit
from .words import normalise_word  # noqa: F401 - the matching form, used here and imported from here
from .csv_files import cell_text
from .travel import Travel, parse_travel

TAXONOMY_COLUMNS = ("id", "label", "catchment_m", "target_population", "synonyms", "capacity_unit", "travel")
#: The columns a taxonomy file must have (``capacity_unit`` and ``travel`` may be left out).
REQUIRED_COLUMNS = TAXONOMY_COLUMNS[:5]

#: What separates several category words in one cell: ``;``, ``|``, a line
#: break (Alt+Enter in Excel) or a slash with spaces round it (" / ").
#: Commas also separate words, but only where the words either side do not
#: together make one known word (see :meth:`Taxonomy.map_cell`).
CELL_SEPARATORS = re.compile(r"[;|\r\n]|\s+/\s+")
_COMMA = re.compile(r",")

#: Words that say what *kind* of activity something is, not what need it
#: meets. A suggestion never rests on one of these alone: "Breakfast club"
#: shares "club" with "lunch club" and "job club" but is neither.
GENERIC_WORDS = frozenset("""
    a an and at by for from in of on or the to with our your my their
    club group grp society circle session class course cafe meeting meet network forum association
    project service scheme programme program centre center hub drop day night morning afternoon
    evening weekly monthly support help team community local people person space room
""".split())

#: Category words with everyday senses that have nothing to do with the
#: category. They match when they are a whole cell word ("Parks" is nature and
#: green space, "Advice" is information and signposting) but a suggestion for a
#: longer unknown word never rests on them alone: "Car park" is not nature,
#: "Heart of the community" is not a long-term condition, "Work club" is not
#: employment without a person deciding so. Free-text inference
#: (:mod:`asset_map.categories.inference`) keeps its own list, measured on real charity
#: descriptions (``NOT_EVIDENCE_IN_TEXT``).
AMBIGUOUS_WORDS = frozenset("""
    park heart mind send hub loss care active work information advice being well
""".split())

_BAND = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$|^\s*(\d+)\s*\+\s*$")


#: Suggestion thresholds (see :meth:`Taxonomy.suggest`).
_CLOSE_MIN_LENGTH = 5
_CLOSE_SPELLING = 85
_SUGGEST_CUTOFF = 70


def _singular(normalised: str) -> str:
    """Drop a final plural ``s`` from each word longer than three letters.

    A final ``ies`` on a word longer than four letters is read as ``y``
    ("activities" is "activity", "libraries" is "library"); a final ``es``
    after ``ch``, ``sh``, ``ss`` or ``x`` is dropped whole ("churches" is
    "church", "parishes" is "parish", "classes" is "class", "boxes" is
    "box"); ``ss`` is kept ("fitness").
    """
    return " ".join(_singular_word(w) for w in normalised.split())


def word_key(text: str) -> str:
    """The form in which category words are compared: :func:`normalise_word`, then no final plural ``s``."""
    return _singular(normalise_word(text))


def _singular_word(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


@dataclass(frozen=True)
class AgeBand:
    """A target population as an inclusive age range; ``high=None`` is open."""

    low: int = 0
    high: int | None = None

    @classmethod
    def parse(cls, text: str) -> "AgeBand":
        """Parse ``all``, ``65+``, ``0-15`` or ``11 to 25``."""
        t = text.strip().lower()
        if t in ("all", "all ages", "everyone", ""):
            return cls(0, None)
        m = _BAND.match(t)
        if not m:
            raise ValueError(f"target population {text!r} is not 'all', 'N+' or 'N-M'")
        if m.group(3) is not None:
            return cls(int(m.group(3)), None)
        low, high = int(m.group(1)), int(m.group(2))
        if high < low:
            raise ValueError(f"target population {text!r} ends before it starts")
        return cls(low, high)

    @property
    def is_all(self) -> bool:
        return self.low == 0 and self.high is None

    @property
    def code(self) -> str:
        """The form used in files: ``all``, ``65+`` or ``0-15``."""
        if self.is_all:
            return "all"
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    @property
    def phrase(self) -> str:
        """The form used in sentences: ``residents``, ``residents aged 65+``."""
        if self.is_all:
            return "residents"
        if self.high is None:
            return f"residents aged {self.low}+"
        return f"residents aged {self.low}–{self.high}"


@dataclass(frozen=True)
class Category:
    """One need category."""

    id: str
    label: str
    catchment_m: float
    target: AgeBand
    synonyms: tuple[str, ...] = ()
    #: What a capacity counts, in :func:`asset_map.numbers.unit`'s form; ``""`` for none.
    capacity_unit: str = ""
    #: The catchment as a travel time and mode, used with a street network (``None``: straight line only).
    travel: "Travel | None" = None

    @property
    def reach_m(self) -> float:
        """The widest straight-line reach: ``catchment_m``, or the travel time's equivalent when wider."""
        return max(self.catchment_m, self.travel.straight_m if self.travel else 0.0)

    @property
    def catchment_text(self) -> str:
        """``800 m`` or ``1.6 km``."""
        return distance_text(self.catchment_m)


@dataclass(frozen=True)
class CellMapping:
    """The result of mapping one category cell.

    ``ids``
        the categories, each once, in order of appearance;
    ``unknown``
        the words neither the taxonomy nor the category map knows, as written;
    ``ignored``
        the words a category map says are not need categories, as written.
    """

    ids: tuple[str, ...]
    unknown: tuple[str, ...]
    ignored: tuple[str, ...] = ()



class WordDecisions(Protocol):
    """What :meth:`Taxonomy.map_cell` needs from a category map
    (:class:`asset_map.categories.category_map.CategoryMap` is one)."""

    def lookup(self, word: str) -> tuple[str, ...] | None:
        """The decision for *word*: category ids, ``()`` for "not a need category", ``None`` if undecided."""


class _CellReading:
    """The words of one category cell as they are decided, gathered into a :class:`CellMapping`.

    *decide* gives a word's decision: category ids, ``()`` for ignored, or
    ``None`` for a word nobody knows.
    """

    def __init__(self, decide: Callable[[str], tuple[str, ...] | None]) -> None:
        self._decide = decide
        self.ids: list[str] = []
        self.unknown: list[str] = []
        self.ignored: list[str] = []

    def take(self, word: str) -> bool:
        """Record *word* if it is decided (categories or ignored); return whether it was."""
        decision = self._decide(word)
        if decision is not None:
            self._record(word, decision)
        return decision is not None

    def take_comma_pieces(self, part: str) -> None:
        """Record a part split on commas, the longest run of pieces that is a known word first.

        From each piece, the runs of two or more pieces up to the last are
        tried longest first; a run that is decided is taken whole, else the
        piece alone is recorded (as unknown if nobody knows it). Empty pieces
        are skipped.
        """
        pieces = [p.strip() for p in _COMMA.split(part)]
        i = 0
        while i < len(pieces):
            if not normalise_word(pieces[i]):
                i += 1
                continue
            for j in range(len(pieces), i + 1, -1):
                if self.take(", ".join(pieces[i:j])):
                    i = j
                    break
            else:
                self._record(pieces[i], self._decide(pieces[i]))
                i += 1

    def _record(self, word: str, decision: tuple[str, ...] | None) -> None:
        if decision is None:
            self.unknown.append(word)
        elif not decision:
            self.ignored.append(word)
        else:
            for cid in decision:
                if cid not in self.ids:
                    self.ids.append(cid)

    def mapping(self) -> CellMapping:
        """What was read: the ids each once in order of appearance, the unknown and the ignored words."""
        return CellMapping(tuple(self.ids), tuple(self.unknown), tuple(self.ignored))


class Taxonomy:
    """An ordered set of :class:`Category` with word matching.

    Parameters
    ----------
    categories
        The categories, in display order. Ids must be unique and no word may
        belong to two categories.
    source
        What the taxonomy was read from, for messages.
    row_numbers
        The file row of each category (header is row 1), when read from a
        file: errors then name the row and column.
    """

    def __init__(self, categories: list[Category], *, source: str = "taxonomy",
                 row_numbers: list[int] | None = None) -> None:
        if not categories:
            raise TaxonomyError(f"{source}: the taxonomy has no categories")
        self.categories = tuple(categories)
        self.source = source
        self._by_id: dict[str, Category] = {}
        self._index: dict[str, str] = {}
        self._singular_index: dict[str, str] = {}
        rows = list(row_numbers) if row_numbers is not None else None
        first_row: dict[str, int] = {}
        first_column: dict[str, str] = {}
        for n, cat in enumerate(self.categories):
            if cat.id in self._by_id:
                if rows is None:
                    raise TaxonomyError(f"{source}: category id {cat.id!r} appears twice; ids must be unique")
                raise TaxonomyError(
                    f"{source}, row {rows[n]}, column 'id': {cat.id!r} appears twice "
                    f"(also row {first_row[cat.id]}); ids must be unique"
                )
            self._by_id[cat.id] = cat
            if rows is not None:
                first_row[cat.id] = rows[n]
        for n, cat in enumerate(self.categories):
            words = [("id", cat.id), ("label", cat.label)] + [("synonyms", w) for w in cat.synonyms]
            for column, word in words:
                key = normalise_word(word)
                if not key:
                    continue
                # A word and its plural are the same word: "Lunch Clubs" in one
                # category and "lunch club" in another is a clash too.
                sing = _singular(key)
                owner = self._index.get(key) or self._singular_index.get(sing) or cat.id
                if owner == cat.id:
                    self._index.setdefault(key, cat.id)
                    self._singular_index.setdefault(sing, cat.id)
                    first_column.setdefault(sing, column)
                    continue
                if rows is None:
                    raise TaxonomyError(
                        f"{source}: the word {word!r} is given for both {owner!r} and {cat.id!r}; "
                        "keep it in one category"
                    )
                raise TaxonomyError(
                    f"{source}, row {rows[n]}, column {column!r}: the word {word!r} is given for both "
                    f"{owner!r} and {cat.id!r} (also row {first_row[owner]}, column {first_column[sing]!r}); "
                    "keep it in one category"
                )
        # Tokens of every known word, for suggestions: singular token -> the
        # normalised words (index keys) that contain it.
        self._tokens: dict[str, list[str]] = {}
        for key in self._index:
            for token in set(_singular(key).split()):
                self._tokens.setdefault(token, []).append(key)

    def __iter__(self):
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def words(self) -> dict[str, str]:
        """Every known word (normalised id, label and synonym) and its category id."""
        return dict(self._index)

    def get(self, category_id: str) -> Category:
        """Return the category with this id, label or synonym (any case).

        Raises
        ------
        TaxonomyError
            If nothing matches; the message suggests the nearest category.
        """
        cid = self.match(category_id)
        if cid is None and not category_id.strip():
            raise TaxonomyError("no category given (the name is empty); give a category id, label or synonym "
                                f"(one of {', '.join(self.ids[:12])}{', ...' if len(self.ids) > 12 else ''})")
        if cid is None:
            hint = self.suggest(category_id)
            tip = f"; did you mean {hint!r}?" if hint else ""
            raise TaxonomyError(
                f"unknown category {category_id!r}{tip} (`asset-map taxonomy show` lists them)"
            )
        return self._by_id[cid]

    def match(self, word: str) -> str | None:
        """Return the id of the category this word means, or ``None``.

        The whole word must be an id, label or synonym after
        :func:`normalise_word`, with or without a final plural ``s``.
        """
        key = normalise_word(word)
        if not key:
            return None
        return self._index.get(key) or self._singular_index.get(_singular(key))

    def suggest(self, word: str) -> str | None:
        """Return the id of the closest category for an unknown word, if one is close enough to trust.

        The rules, in order:

        1. A word the taxonomy knows suggests its own category.
        2. Candidates are the known words (ids, labels, synonyms) that share a
           *real* token with the word: one that is not in :data:`GENERIC_WORDS`
           ("club", "group", "support"...) nor :data:`AMBIGUOUS_WORDS` ("park",
           "heart", "advice"...). Tokens are compared without a plural ``s``.
           Only if no token is shared exactly are close spellings tried: two
           tokens of at least five letters, with the same first letter and a
           rapidfuzz ``ratio`` of at least 85 ("befreinding"/"befriending",
           "foodbnak"/"foodbank"; not "bingo"/"being", 80, nor
           "rowing"/"growing", a different first letter).
        3. Each candidate is scored with rapidfuzz ``WRatio`` on the whole
           normalised strings; the best score of at least 70 wins, ties going
           to the earlier category.

        So typos and longer names of a known thing get a suggestion
        ("carer's support grp" -> carers, "dementia cafe" -> dementia), while
        words sharing only a generic or ambiguous token get none ("Breakfast
        club", "Car park", "Bingo night").
        """
        from rapidfuzz import fuzz

        cid = self.match(word)
        if cid is not None:
            return cid
        key = word_key(word)
        if not key:
            return None
        real = [t for t in key.split() if t not in GENERIC_WORDS and t not in AMBIGUOUS_WORDS]
        candidates = {k for t in real for k in self._tokens.get(t, ())}
        if not candidates:  # no shared token: try close spellings
            for token in real:
                if len(token) < _CLOSE_MIN_LENGTH:
                    continue
                for known, keys in self._tokens.items():
                    if (len(known) >= _CLOSE_MIN_LENGTH and known[0] == token[0] and known not in GENERIC_WORDS
                            and known not in AMBIGUOUS_WORDS and fuzz.ratio(known, token) >= _CLOSE_SPELLING):
                        candidates.update(keys)
        best: tuple[float, int, str] | None = None
        order = {c.id: n for n, c in enumerate(self.categories)}
        for known in candidates:
            score = fuzz.WRatio(key, _singular(known))
            if score < _SUGGEST_CUTOFF:
                continue
            cand = (-score, order[self._index[known]], known)
            if best is None or cand < best:
                best = cand
        return self._index[best[2]] if best else None

    def map_cell(self, text: str | None, category_map: WordDecisions | None = None) -> CellMapping:
        """Map a category cell to category ids.

        The rules, in order:

        1. The whole cell is tried as one word first, so a label containing a
           comma ("Money, debt and benefits advice") is that category alone
           and not "Money" plus the unknown "debt and benefits advice".
        2. Otherwise the cell is split on ``;``, ``|``, line breaks and " / "
           (a slash with spaces round it), and each part is tried whole.
        3. A part that is not one word is split on commas; the longest run of
           consecutive comma pieces that makes a known word wins ("Befriending,
           Money, debt and benefits advice" is two categories, "Food, cooking"
           is food twice, reported once); a piece that is no part of a known
           run is a word of its own.

        A word is known if the taxonomy matches it (:meth:`match`); failing
        that, if the optional *category_map* decides it (the taxonomy always
        wins: a map only covers words the taxonomy does not know). A map may
        decide that a word is not a need category: such words are returned in
        ``ignored`` instead of ``unknown``.

        Returns the ids (each once, in order of appearance), the unknown words
        as written, and the ignored words as written.
        """
        whole = "" if text is None else str(text).strip()
        if not normalise_word(whole):
            return CellMapping((), ())
        cell = _CellReading(lambda word: self._decide(word, category_map))
        if not cell.take(whole):
            for part in CELL_SEPARATORS.split(whole):
                part = part.strip()
                if normalise_word(part) and not cell.take(part):
                    cell.take_comma_pieces(part)
        return cell.mapping()

    def _decide(self, word: str, category_map: WordDecisions | None) -> tuple[str, ...] | None:
        """The decision for one word: the taxonomy's category, else the map's (``()`` ignore), else ``None``."""
        cid = self.match(word)
        if cid is not None:
            return (cid,)
        if category_map is not None:
            return category_map.lookup(word)
        return None

    def to_rows(self) -> list[dict[str, object]]:
        """The taxonomy as rows with :data:`TAXONOMY_COLUMNS`."""
        return [
            {
                "id": c.id,
                "label": c.label,
                "catchment_m": c.catchment_m,
                "target_population": c.target.code,
                "synonyms": "; ".join(c.synonyms),
                "capacity_unit": c.capacity_unit,
                "travel": c.travel.text if c.travel else "",
            }
            for c in self.categories
        ]

    @classmethod
    def from_rows(cls, rows: list[dict[str, object]], *, source: str = "taxonomy") -> "Taxonomy":
        """Build a taxonomy from rows with :data:`TAXONOMY_COLUMNS`.

        Row numbers in messages count the header as row 1, as a spreadsheet does.
        """
        cats = []
        numbers = []
        for n, row in enumerate(rows, start=2):
            cid, label = cell_text(row, "id"), cell_text(row, "label")
            if not cid:
                raise TaxonomyError(f"{source}, row {n}, column 'id': empty; give every category an id")
            try:
                catchment = number(cell_text(row, "catchment_m"), where=f"{source}, row {n}, column 'catchment_m'",
                                   what="a distance in metres", advice="give how far people travel, e.g. 800")
            except InputFileError as exc:
                raise TaxonomyError(str(exc)) from None
            if not catchment > 0:
                raise TaxonomyError(f"{source}, row {n}, column 'catchment_m': must be more than 0 metres")
            try:
                target = AgeBand.parse(cell_text(row, "target_population"))
            except ValueError as exc:
                raise TaxonomyError(f"{source}, row {n}, column 'target_population': {exc}") from None
            synonyms = tuple(s.strip() for s in cell_text(row, "synonyms").split(";") if s.strip())
            try:
                travel = parse_travel(cell_text(row, "travel"))
            except ValueError as exc:
                raise TaxonomyError(f"{source}, row {n}, column 'travel': {exc}") from None
            cats.append(Category(cid, label or cid, catchment, target, synonyms, unit(cell_text(row, "capacity_unit")),
                                 travel))
            numbers.append(n)
        return cls(cats, source=source, row_numbers=numbers)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy CSV file, or the default one shipped with asset-map.

    Raises
    ------
    TaxonomyError
        If the file is missing, lacks a column or has a bad value; the message
        names the row and column.
    """
    if path is None:
        text = resources.files("asset_map").joinpath("data/taxonomy.csv").read_text("utf-8")
        source = "default taxonomy"
    else:
        p = Path(path)
        source = p.name
        try:
            text = p.read_text("utf-8-sig")
        except FileNotFoundError:
            raise TaxonomyError(f"{p}: no such taxonomy file") from None
        except UnicodeDecodeError:
            raise TaxonomyError(f"{p}: not UTF-8 text; save the taxonomy as CSV UTF-8") from None
    if not text.strip():
        raise TaxonomyError(f"{source}: the file is empty; a taxonomy needs a header row "
                            f"{', '.join(REQUIRED_COLUMNS)} and a row per category")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise TaxonomyError(
            f"{source}: missing column(s) {', '.join(missing)}; a taxonomy needs "
            f"{', '.join(REQUIRED_COLUMNS)} (and optionally capacity_unit and travel)"
        )
    return Taxonomy.from_rows(list(reader), source=source)
