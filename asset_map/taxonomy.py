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
    words found in real lists that mean this category, separated by ``;``.

The default taxonomy ships with the package (``asset_map/data/taxonomy.csv``);
a workspace keeps its own copy, which ``asset-map taxonomy load`` replaces.

Category words are matched after normalisation (:func:`normalise_word`):
case, punctuation, apostrophes and ``&``/``and`` do not matter, and a final
plural ``s`` on each word is ignored, so "Carers' groups", "carers group" and
"CARERS GROUP" are the same word.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import TaxonomyError

TAXONOMY_COLUMNS = ("id", "label", "catchment_m", "target_population", "synonyms")

#: Characters that separate several category words in one cell.
CELL_SEPARATORS = re.compile(r"[;,|]")

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_BAND = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$|^\s*(\d+)\s*\+\s*$")


def normalise_word(text: str) -> str:
    """Return the matching form of a category word.

    Lower case; ``&`` read as "and"; apostrophes dropped; every other run of
    non-alphanumeric characters becomes one space; accents on é are kept as
    plain e.
    """
    text = text.lower().replace("&", " and ").replace("é", "e")
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def _singular(normalised: str) -> str:
    """Drop a final plural ``s`` from each word longer than three letters."""
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in normalised.split()
    )


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

    @property
    def catchment_text(self) -> str:
        """``800 m`` or ``1.6 km``."""
        m = self.catchment_m
        return f"{m:.0f} m" if m < 1000 else f"{m / 1000:g} km"


@dataclass(frozen=True)
class CellMapping:
    """The result of mapping one category cell."""

    ids: tuple[str, ...]
    unknown: tuple[str, ...]


class Taxonomy:
    """An ordered set of :class:`Category` with word matching.

    Parameters
    ----------
    categories
        The categories, in display order. Ids must be unique and no word may
        belong to two categories.
    """

    def __init__(self, categories: list[Category], *, source: str = "taxonomy") -> None:
        if not categories:
            raise TaxonomyError(f"{source}: the taxonomy has no categories")
        self.categories = tuple(categories)
        self.source = source
        self._by_id: dict[str, Category] = {}
        self._index: dict[str, str] = {}
        self._singular_index: dict[str, str] = {}
        for cat in self.categories:
            if cat.id in self._by_id:
                raise TaxonomyError(f"{source}: category id {cat.id!r} appears twice; ids must be unique")
            self._by_id[cat.id] = cat
        for cat in self.categories:
            for word in (cat.id, cat.label, *cat.synonyms):
                key = normalise_word(word)
                if not key:
                    continue
                owner = self._index.setdefault(key, cat.id)
                if owner != cat.id:
                    raise TaxonomyError(
                        f"{source}: the word {word!r} is given for both {owner!r} and {cat.id!r}; "
                        "keep it in one category"
                    )
                self._singular_index.setdefault(_singular(key), cat.id)

    def __iter__(self):
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def get(self, category_id: str) -> Category:
        """Return the category with this id, label or synonym (any case).

        Raises
        ------
        TaxonomyError
            If nothing matches; the message suggests the nearest category.
        """
        cid = self.match(category_id)
        if cid is None:
            hint = self.suggest(category_id)
            tip = f"; did you mean {hint!r}?" if hint else ""
            raise TaxonomyError(
                f"unknown category {category_id!r}{tip} (`asset-map taxonomy show` lists them)"
            )
        return self._by_id[cid]

    def match(self, word: str) -> str | None:
        """Return the id of the category this word means, or ``None``."""
        key = normalise_word(word)
        if not key:
            return None
        return self._index.get(key) or self._singular_index.get(_singular(key))

    def suggest(self, word: str) -> str | None:
        """Return the id of the closest category for an unknown word, if any is close.

        Uses rapidfuzz's ``WRatio`` against every id, label and synonym and
        accepts a score of at least 80 out of 100.
        """
        from rapidfuzz import fuzz, process

        key = normalise_word(word)
        if not key:
            return None
        found = process.extractOne(key, list(self._index), scorer=fuzz.WRatio, score_cutoff=80)
        return self._index[found[0]] if found else None

    def map_cell(self, text: str | None) -> CellMapping:
        """Split a category cell on ``;``, ``,`` or ``|`` and map each word.

        Returns the matched ids (each once, in order of appearance) and the
        words that matched nothing, as written.
        """
        if text is None:
            return CellMapping((), ())
        ids: list[str] = []
        unknown: list[str] = []
        for part in CELL_SEPARATORS.split(str(text)):
            word = part.strip()
            if not normalise_word(word):
                continue
            cid = self.match(word)
            if cid is None:
                unknown.append(word)
            elif cid not in ids:
                ids.append(cid)
        return CellMapping(tuple(ids), tuple(unknown))

    def to_rows(self) -> list[dict[str, object]]:
        """The taxonomy as rows with :data:`TAXONOMY_COLUMNS`."""
        return [
            {
                "id": c.id,
                "label": c.label,
                "catchment_m": c.catchment_m,
                "target_population": c.target.code,
                "synonyms": "; ".join(c.synonyms),
            }
            for c in self.categories
        ]

    @classmethod
    def from_rows(cls, rows: list[dict[str, object]], *, source: str = "taxonomy") -> "Taxonomy":
        """Build a taxonomy from rows with :data:`TAXONOMY_COLUMNS`.

        Row numbers in messages count the header as row 1, as a spreadsheet does.
        """
        cats = []
        for n, row in enumerate(rows, start=2):
            def cell(col: str) -> str:
                value = row.get(col)
                return "" if value is None else str(value).strip()

            cid, label = cell("id"), cell("label")
            if not cid:
                raise TaxonomyError(f"{source}, row {n}, column 'id': empty; give every category an id")
            try:
                catchment = float(cell("catchment_m"))
            except ValueError:
                raise TaxonomyError(
                    f"{source}, row {n}, column 'catchment_m': {cell('catchment_m')!r} is not a "
                    "distance in metres"
                ) from None
            if not catchment > 0:
                raise TaxonomyError(f"{source}, row {n}, column 'catchment_m': must be more than 0 metres")
            try:
                target = AgeBand.parse(cell("target_population"))
            except ValueError as exc:
                raise TaxonomyError(f"{source}, row {n}, column 'target_population': {exc}") from None
            synonyms = tuple(s.strip() for s in cell("synonyms").split(";") if s.strip())
            cats.append(Category(cid, label or cid, catchment, target, synonyms))
        return cls(cats, source=source)


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
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in TAXONOMY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise TaxonomyError(
            f"{source}: missing column(s) {', '.join(missing)}; a taxonomy needs "
            f"{', '.join(TAXONOMY_COLUMNS)}"
        )
    return Taxonomy.from_rows(list(reader), source=source)
