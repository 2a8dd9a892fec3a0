"""Crosswalks: which need categories the taxonomy terms of a service directory feed mean.

Open Referral UK (ORUK) feeds tag each service with terms from shared
vocabularies: the LGA's esd lists of service types, needs and circumstances
(``esdServiceTypes``, ``esdNeeds``, ``esdCircumstances``), the OpenActive
Activity List (``openActiveActivity``), or a council's own list. A crosswalk
says which of our categories (:mod:`asset_map.categories.taxonomy`) such a term means, so
that an imported service lands in the right categories without a person
reading every record.

The file
--------
A CSV file (UTF-8, with or without a byte-order mark; Excel's Windows "CSV"
is read too) with the columns

``vocabulary``
    the vocabulary the term comes from, as feeds name it (``esdServiceTypes``,
    ``openActiveActivity``...); empty means "any vocabulary" (the row is then
    used only by the rules that look across vocabularies);
``term_id``
    the term's identifier, bare (``1806``) or as a URI
    (``http://id.esd.org.uk/service/1806``); may be empty when only the name
    is known;
``term_name``
    the term's label (``Social clubs and groups``); may be empty when the id
    is given;
``category``
    the category id, or several separated by ``;``
    (``physical_activity;arts_culture``);
``note`` (optional)
    where the id and label come from, for the person editing the file.

A term must have an id or a name. Several rows may give the same term (say, a
new and an old label for one id) if they agree on the categories. Terms that
mean none of our categories are simply left out of the file: the importer
reports them as unmapped. The crosswalk shipped with asset-map is
``asset_map/data/oruk_crosswalk.csv``; a council may use its own file instead
(:func:`load_crosswalk` with a path).

Matching
--------
:meth:`Crosswalk.map` tries these rules in order and the first that decides
wins:

1. **vocabulary and id**: the term's vocabulary and id equal a row's.
   Vocabulary names are compared ignoring case, spaces and punctuation and a
   final plural ``s`` (``esdServiceType``, ``esdServiceTypes`` and
   ``ESD service types`` are one vocabulary). Ids are compared ignoring case
   and after dropping a URI prefix up to the last ``#`` or ``/``
   (``https://openactive.io/activity-list#95092977-...`` is
   ``95092977-...``) or a CURIE prefix (``esdServiceType:242`` is ``242``).
   A term with no vocabulary but a CURIE prefix takes the prefix as its
   vocabulary (``esdNeed:69`` is need 69).
2. **id alone**, when it is unambiguous: the term's id is the same full URI
   as a row's (a URI names one term whatever the vocabulary is called;
   ``http`` and ``https`` are not told apart), or
   the bare id is found in one vocabulary of the crosswalk only and is not a
   plain number. Plain numbers are excluded because every list numbers its
   terms: ``bccservicetype:71`` (a council's "Health") must not become esd
   need 71.
3. **name within the vocabulary**: the term's name equals a row's name in the
   same vocabulary, compared as category words are
   (:func:`asset_map.categories.taxonomy.normalise_word`, final plural ``s`` ignored).
4. **name across vocabularies**: the name equals row names that all give the
   same categories, in whatever vocabulary.
5. **the taxonomy's own words**: the name is a category id, label or synonym
   (:meth:`asset_map.categories.taxonomy.Taxonomy.match`): a council's own term named
   "Carers" means carers.

A term that no rule decides is unmapped (``None``). A term with neither id
nor name is unmapped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import TaxonomyError
from .csv_files import cell_text, dict_reader, read_csv_text
from .taxonomy import Taxonomy, _singular, load_taxonomy, normalise_word, word_key

#: Columns a crosswalk must have.
CROSSWALK_COLUMNS = ("vocabulary", "term_id", "term_name", "category")
#: Columns kept for the person editing the file; ignored when matching.
INFO_COLUMNS = ("note",)
#: The crosswalk shipped with asset-map (inside the package).
DEFAULT_CROSSWALK = "data/oruk_crosswalk.csv"

#: The rules of :meth:`Crosswalk.match`, in the order they are tried.
RULES = ("vocabulary and id", "id", "name in vocabulary", "name", "taxonomy")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*):(?!//)(.*)$")


@dataclass(frozen=True)
class Term:
    """A taxonomy term as found in a feed: any of the three may be missing."""

    vocabulary: str | None
    id: str | None
    name: str | None


@dataclass(frozen=True)
class CrosswalkEntry:
    """One row of a crosswalk file; ``row`` is its spreadsheet row (header is row 1)."""

    vocabulary: str
    term_id: str
    term_name: str
    ids: tuple[str, ...]
    note: str = ""
    row: int = 0


@dataclass(frozen=True)
class CrosswalkMatch:
    """How a term was mapped: the category ids, the rule (one of :data:`RULES`) and the deciding row.

    ``entry`` is ``None`` when the taxonomy's own words decided.
    """

    ids: tuple[str, ...]
    rule: str
    entry: CrosswalkEntry | None


def vocabulary_key(vocabulary: str | None) -> str:
    """The matching form of a vocabulary name: lower case, letters and digits only, no final plural ``s``."""
    key = _NON_ALNUM.sub("", (vocabulary or "").lower())
    return _singular(key) if key else ""


def split_term_id(term_id: str | None) -> tuple[str, str, str]:
    """Split an id into ``(prefix, local id, full URI)``, all lower case.

    ``prefix`` is the CURIE prefix (``esdservicetype`` for
    ``esdServiceType:242``) or ``""``; ``local id`` is what is left after a URI
    prefix up to the last ``#`` or ``/``, or after a CURIE prefix; ``full URI``
    is the whole id without its scheme (``http://`` and ``https://`` name the
    same term) when it is a URI, else ``""``.
    """
    raw = (term_id or "").strip()
    if not raw:
        return "", "", ""
    if "://" in raw:
        uri = raw.rstrip("/#")
        cut = max(uri.rfind("#"), uri.rfind("/"))
        return "", uri[cut + 1:].strip().lower(), uri.split("://", 1)[1].lower()
    m = _CURIE.match(raw)
    if m:
        local = m.group(2)
        cut = max(local.rfind("#"), local.rfind("/"))
        return m.group(1).lower(), local[cut + 1:].strip().lower(), ""
    cut = max(raw.rfind("#"), raw.rfind("/"))
    return "", raw[cut + 1:].strip().lower(), ""


class Crosswalk:
    """Term-to-category decisions; build one with :func:`load_crosswalk`.

    Parameters
    ----------
    entries
        The rows, in file order.
    taxonomy
        The taxonomy whose words decide terms no row decides (rule 5).
    source
        What the crosswalk was read from, for messages.
    """

    def __init__(self, entries: list[CrosswalkEntry] | tuple[CrosswalkEntry, ...], taxonomy: Taxonomy, *,
                 source: str = "crosswalk") -> None:
        self.entries: tuple[CrosswalkEntry, ...] = tuple(entries)
        self.taxonomy = taxonomy
        self.source = source
        self._by_vocab_id: dict[tuple[str, str], CrosswalkEntry] = {}
        self._by_uri: dict[str, CrosswalkEntry] = {}
        id_vocabs: dict[str, set[str]] = {}
        id_first: dict[str, CrosswalkEntry] = {}
        names_in_vocab: dict[tuple[str, str], list[CrosswalkEntry]] = {}
        names: dict[str, list[CrosswalkEntry]] = {}
        for entry in self.entries:
            vocab = vocabulary_key(entry.vocabulary)
            _, local, uri = split_term_id(entry.term_id)
            if local:
                self._by_vocab_id.setdefault((vocab, local), entry)
                id_vocabs.setdefault(local, set()).add(vocab)
                id_first.setdefault(local, entry)
            if uri:
                self._by_uri.setdefault(uri, entry)
            name = word_key(entry.term_name or "")
            if name:
                names_in_vocab.setdefault((vocab, name), []).append(entry)
                names.setdefault(name, []).append(entry)
        # Id alone: found in one vocabulary only, and not a plain number.
        self._by_id = {local: id_first[local] for local, vocabs in id_vocabs.items()
                       if len(vocabs) == 1 and not local.isdigit()}
        # Names decide only when every row with the name gives the same categories.
        self._by_vocab_name = {key: rows[0] for key, rows in names_in_vocab.items()
                               if len({r.ids for r in rows}) == 1}
        self._by_name = {key: rows[0] for key, rows in names.items() if len({r.ids for r in rows}) == 1}

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Crosswalk({self.source!r}, {len(self)} rows)"

    @property
    def vocabularies(self) -> tuple[str, ...]:
        """The vocabulary names used in the file, as written, in order of first appearance."""
        seen: dict[str, str] = {}
        for entry in self.entries:
            if entry.vocabulary:
                seen.setdefault(vocabulary_key(entry.vocabulary), entry.vocabulary)
        return tuple(seen.values())

    def match(self, term: Term) -> CrosswalkMatch | None:
        """How *term* maps (see the module docstring for the rules), or ``None`` if it is unmapped."""
        prefix, local, uri = split_term_id(term.id)
        vocab = vocabulary_key(term.vocabulary) or vocabulary_key(prefix)
        name = word_key(term.name or "")
        if local:
            entry = self._by_vocab_id.get((vocab, local))
            if entry is not None:
                return CrosswalkMatch(entry.ids, RULES[0], entry)
            entry = self._by_uri.get(uri) if uri else None
            if entry is None:
                entry = self._by_id.get(local)
            if entry is not None:
                return CrosswalkMatch(entry.ids, RULES[1], entry)
        if name:
            entry = self._by_vocab_name.get((vocab, name))
            if entry is not None:
                return CrosswalkMatch(entry.ids, RULES[2], entry)
            entry = self._by_name.get(name)
            if entry is not None:
                return CrosswalkMatch(entry.ids, RULES[3], entry)
            cid = self.taxonomy.match(term.name or "")
            if cid is not None:
                return CrosswalkMatch((cid,), RULES[4], None)
        return None

    def map(self, term: Term) -> tuple[str, ...] | None:
        """The category ids *term* means, in file order, or ``None`` if it is unmapped."""
        found = self.match(term)
        return None if found is None else found.ids


def _categories(text: str, taxonomy: Taxonomy, where: str) -> tuple[str, ...]:
    """Parse a ``category`` cell into category ids; *where* starts the error message."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise TaxonomyError(
            f"{where}: empty; give the category id (several separated by ';'), or delete the row if the "
            "term means none of the categories"
        )
    known = {cid.lower(): cid for cid in taxonomy.ids}
    ids: list[str] = []
    for part in parts:
        cid = known.get(part.lower())
        if cid is None:
            hint = taxonomy.match(part) or taxonomy.suggest(part)
            tip = f" (did you mean {hint!r}?)" if hint else ""
            raise TaxonomyError(
                f"{where}: {part!r} is not a category id of the taxonomy{tip}; write category ids "
                "(`asset-map taxonomy show` lists them), several separated by ';'"
            )
        if cid not in ids:
            ids.append(cid)
    return tuple(ids)


def read_crosswalk(text: str, taxonomy: Taxonomy, *, source: str = "crosswalk") -> Crosswalk:
    """Read and check crosswalk CSV *text*; *source* names it in messages (see :func:`load_crosswalk`)."""
    reader = dict_reader(text, CROSSWALK_COLUMNS, source=source,
                         needs="a crosswalk needs the columns vocabulary, term_id, term_name and category "
                               "(note is optional)")
    entries: list[CrosswalkEntry] = []
    seen: dict[tuple[str, str], CrosswalkEntry] = {}
    for n, row in enumerate(reader, start=2):
        vocabulary, term_id, term_name, category = (cell_text(row, c) for c in CROSSWALK_COLUMNS)
        note = cell_text(row, "note")
        if not any((vocabulary, term_id, term_name, category, note)):
            continue  # a blank row
        if not split_term_id(term_id)[1] and not normalise_word(term_name):
            raise TaxonomyError(
                f"{source}, row {n}, column 'term_id': empty, and so is column 'term_name'; give the term's "
                "id or its name, or delete the row"
            )
        ids = _categories(category, taxonomy, f"{source}, row {n}, column 'category'")
        entry = CrosswalkEntry(vocabulary, term_id, term_name, ids, note, n)
        local = split_term_id(term_id)[1]
        if local:
            key = (vocabulary_key(vocabulary), local)
            first = seen.get(key)
            if first is not None and first.ids != ids:
                raise TaxonomyError(
                    f"{source}, row {n}, column 'category': term {term_id!r} is also on row {first.row} "
                    f"with category {';'.join(first.ids)!r}, here {';'.join(ids)!r}; keep one row or give "
                    "both the same categories"
                )
            seen.setdefault(key, entry)
        entries.append(entry)
    return Crosswalk(entries, taxonomy, source=source)


def load_crosswalk(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> Crosswalk:
    """Read a crosswalk file, or the one shipped with asset-map (``path=None``).

    Category ids are checked against *taxonomy* (the default taxonomy when
    ``None``), which also decides terms no row decides. UTF-8 with or without
    a byte-order mark is read; failing that, Windows cp1252. Row numbers in
    messages count the header as row 1, as a spreadsheet does. Blank rows are
    skipped.

    Raises
    ------
    TaxonomyError
        If the file is missing or unreadable, lacks a column, a row has
        neither term id nor term name, a category is empty or not an id of
        the taxonomy, or one term is given two different categories. The
        message names the file, row and column.
    """
    tax = taxonomy if taxonomy is not None else load_taxonomy()
    if path is None:
        text = resources.files("asset_map").joinpath(DEFAULT_CROSSWALK).read_text("utf-8-sig")
        return read_crosswalk(text, tax, source=Path(DEFAULT_CROSSWALK).name)
    p = Path(path)
    return read_crosswalk(read_csv_text(p, "crosswalk"), tax, source=p.name)
