"""Likely duplicate assets, shared venues, and merging duplicates when the user says so.

Two assets are **likely duplicates** when

- their names are the same after normalisation (:func:`name_key`) and either
  their postcodes are the same (both given, compared in standard form) or
  their points are at most ``distance_m`` metres apart (default
  :data:`DEFAULT_DISTANCE_M`); or
- their points are at most ``distance_m`` apart and their names are
  *similar*: :func:`name_score` at least ``min_score`` (default
  :data:`SIMILAR_NAME_SCORE`). "West Timperley Medical Centre" and "West
  Timperly Medical Centre" (98), "St Hilda's CofE Primary School" and "St.
  Hilda's CE Primary School" (96), "Central Library" and "Manchester Central
  Library" (100: every word of one is in the other).

Pairs are joined into groups (if A matches B and B matches C, all three are
one group). Detection looks across every import in the workspace, so a
lunch club on the council's list and on the PCN's list is found as well as a
row typed twice in one file. Pairs within the distance are found with a
spatial index (an STRtree over the points), so the work grows with the
number of close pairs, not with the square of the number of assets.

**Shared venues** (hubs) are several assets at one place — points at most
:data:`VENUE_DISTANCE_M` apart (assets located by postcode stand at its
centroid, so one postcode is one point) — that are not all one
group of duplicates: a community centre with a lunch club, a carers' group and
a food bank, or a school and its PTA. They are listed for information and
never merged.

Nothing is merged by detection. :func:`merge` marks the other assets of a
group with ``merged_into`` = the kept asset's id and adds their categories to
the kept asset; the merged rows stay in the workspace (and their decision in
the ``merges`` table) but are left out of gaps, exports and counts of assets.
Recorded merges are applied again when a source is re-imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable

from ..geo import normalise_postcode
from ..categories.taxonomy import normalise_word
from ..categories.words import normalise_words

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import numpy as np
    import pandas as pd

#: Points closer than this (metres) with the same or similar names are likely the same asset.
DEFAULT_DISTANCE_M = 100.0

#: Names scoring at least this (:func:`name_score`, 0–100) are similar. Chosen on the real Trafford lists
#: imported together (GP practices, mental-health services, schools, care homes, places of worship, sports
#: clubs, defibrillators, food banks and the charities register): of the 924 pairs of differently named assets
#: within 100 m, those scoring 85 or more are mostly one place under two spellings ("Bodmin Road Health
#: Centre" / "Bodmin Road Medical Centre" 86, "Bickham House" / "The Bickham Home" 88, "Bowdon CofE Primary
#: School" / "Bowdon CE Primary School" 96); below 85 they are mostly neighbours ("Altrincham Judo Club" /
#: "Altrincham Swimming Club" 73, two practices at "Shay Lane Medical Centre" 79).
SIMILAR_NAME_SCORE = 85.0

#: Assets at most this far apart (metres) are at one venue.
VENUE_DISTANCE_M = 10.0

#: Words that do not tell two organisations apart.
FILLER_WORDS = {"the", "ltd", "limited", "cic", "cio", "inc", "plc", "co"}

#: Words that name a different body at the same place (a school's PTA, a church's friends, a club's ladies'
#: section): two names that differ by one of these are not similar ("Heyes Lane Primary School" / "Heyes Lane
#: Primary School PTA", "Walton Park Bowling Club" / "Walton Park Ladies Bowling Club").
ATTACHED_WORDS = frozenset("""
    pta ptfa pto parent parents teacher teachers friends supporters alumni appeal fund ladies men mens women womens
""".split())

#: Words too small to make a name on their own when one name's words are all in the other's.
_LINK_WORDS = frozenset("of and for at in on a an to by with".split())

#: Columns of the ``merges`` table.
MERGE_COLUMNS = {"kept_id": "str", "merged_id": "str", "merged_name": "str", "merged_source": "str",
                 "merged_row": "int64", "merged_at": "str"}

#: The kinds of group.
DUPLICATES, SHARED_VENUE = "likely duplicates", "shared venue"

_SAINT = re.compile(r"\bsaint\b")
_DIGITS = re.compile(r"\d+")


def name_key(name: str | None) -> str:
    """The form names are compared in: :func:`asset_map.categories.taxonomy.normalise_word`
    (case, punctuation, apostrophes and ``&``/"and" ignored), "Saint" as "St",
    and the filler words :data:`FILLER_WORDS` dropped."""
    words = _SAINT.sub("st", normalise_word(name or "")).split()
    return " ".join(w for w in words if w not in FILLER_WORDS)


def name_keys(names: list) -> list[str]:
    """:func:`name_key` of each name, a whole column at a time (:func:`~asset_map.categories.taxonomy.normalise_words`,
    then "saint" and the filler words replaced in the column)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    words = pa.array([" " + w + " " for w in normalise_words([n or "" for n in names])], pa.string())
    words = pc.replace_substring_regex(words, r"\bsaint\b", "st")
    filler = " (?:" + "|".join(sorted(FILLER_WORDS)) + ") "
    while pc.any(pc.match_substring_regex(words, filler)).as_py():  # " the ltd " needs two passes
        words = pc.replace_substring_regex(words, filler, " ")
    return pc.utf8_trim(words, " ").to_pylist()


def name_score(a: str, b: str) -> float:
    """How alike two names are, 0–100, compared as :func:`name_key` forms ``a`` and ``b``.

    - 100 when the forms are equal;
    - 0 when they hold different numbers ("7th Sale Scouts" / "14th Sale
      Scouts") or one holds a word of :data:`ATTACHED_WORDS` the other lacks;
    - 100 when every word of one is in the other and it has at least two
      words besides "of", "and"... and :data:`ATTACHED_WORDS` ("Central
      Library" / "Manchester Central Library": rapidfuzz's
      ``token_set_ratio``; not "Friends of Urmston" / "Friends of English
      Martyrs School Urmston");
    - otherwise rapidfuzz's ``token_sort_ratio``: the words sorted, then
      ``100 × (1 − d / (len_a + len_b))`` with ``d`` the Indel distance
      (insertions and deletions) between the two sorted strings, so the order
      of the words does not matter ("Church of Holy Angels" / "Holy Angels
      Church" 92) and spelling differences cost little.
    """
    from rapidfuzz import fuzz

    if a == b:
        return 100.0
    ta, tb = set(a.split()), set(b.split())
    if set(_DIGITS.findall(a)) != set(_DIGITS.findall(b)) or (ta ^ tb) & ATTACHED_WORDS:
        return 0.0
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if small <= big and len(small - _LINK_WORDS - ATTACHED_WORDS) >= 2:
        return float(fuzz.token_set_ratio(a, b))
    return float(fuzz.token_sort_ratio(a, b))


@dataclass(frozen=True)
class DuplicateGroup:
    """Assets that are likely the same (or, ``kind`` :data:`SHARED_VENUE`, at one place); the first is the one a
    merge keeps by default. ``scores`` holds each name's :func:`name_score` against the first's."""

    asset_ids: tuple[str, ...]
    names: tuple[str, ...]
    sources: tuple[str, ...]
    rows: tuple[int, ...]
    postcodes: tuple[str, ...]
    distance_m: float
    basis: str
    scores: tuple[float, ...] = ()
    kind: str = DUPLICATES

    @property
    def across_imports(self) -> bool:
        return len(set(self.sources)) > 1


def active(assets):
    """The assets that have not been merged into another.

    Takes and returns a (Geo)DataFrame or a workspace :class:`asset_map.store.Table`.
    """
    if assets is None or "merged_into" not in assets.columns:
        return assets
    flags = [bool(m) for m in _cells(assets["merged_into"])]  # None and "" are "not merged"
    if not any(flags):
        return assets
    if isinstance(assets.columns, dict):  # a store Table: filter its plain lists
        from ..store import Table

        keep = [i for i, f in enumerate(flags) if not f]
        columns = {name: [values[i] for i in keep] for name, values in assets.columns.items()}
        geometry = None if assets.geometry is None else assets.geometry[keep]
        return Table(columns, geometry)
    return assets[[not f for f in flags]]


def find_duplicates(
    assets: "gpd.GeoDataFrame | None",
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
    only_ids: Iterable[str] | None = None,
    min_score: float = SIMILAR_NAME_SCORE,
    venues: bool = False,
) -> list[DuplicateGroup]:
    """Groups of likely duplicates among the assets not yet merged (and, with ``venues``, shared venues after them).

    ``only_ids`` keeps the groups that contain at least one of these ids
    (e.g. the assets just imported). Groups come in the order of their first
    asset in the workspace.
    """
    assets = active(assets)
    if assets is None or len(assets) == 0:
        return []
    keys = name_keys(_cells(assets["name"]))
    xs, ys = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
    links = _Links(len(keys))
    _link_same_postcode(links, keys, _same_names(keys), _postcode_cells(assets))
    # Names with different numbers are never alike (name_score), so only pairs with the same numbers are looked for.
    numbers = _number_groups(keys)
    i, j, d = _close_pairs(xs, ys, distance_m, groups=numbers)
    _link_close(links, keys, _category_cells(assets), numbers, i, j, d, distance_m, min_score)
    wanted = set(only_ids) if only_ids is not None else None
    ids = _Ids(assets["asset_id"])  # read for the members of groups only (a million ids as text: 70 MB)
    groups = [_group(assets, members, ids, keys, xs, ys, links.basis.get(r, set()))
              for r, members in sorted(links.groups().items())
              if len(members) >= 2 and (wanted is None or wanted.intersection(ids[m] for m in members))]
    if venues:
        vi, vj, _ = _close_pairs(xs, ys, VENUE_DISTANCE_M)
        groups += shared_venues(assets, keys, links, vi, vj, ids)
    return groups


def _cells(column) -> list:
    """A column's values as a list (through numpy: a pandas column of Arrow strings iterates slowly)."""
    return column.to_numpy(dtype=object).tolist() if hasattr(column, "to_numpy") else list(column)


def _number_groups(keys: list[str]) -> "np.ndarray":
    """A code per asset for the set of numbers in its name key ("7th sale scouts" → {7}); equal codes, equal sets.

    Codes are numbered in order of first appearance. A key holds only ``[0-9a-z ]`` (:func:`name_key`): keys with
    no number or one are read a whole column at a time, those with more one by one.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    column = pa.array(keys, pa.string())
    runs = pc.count_substring_regex(column, "[0-9]+").to_numpy()
    sets = pc.if_else(pa.array(runs == 0), "", pc.struct_field(pc.extract_regex(column, "(?P<d>[0-9]+)"), [0]))
    many = np.flatnonzero(runs > 1)
    if len(many):
        values = sets.to_numpy(zero_copy_only=False)
        values[many] = [" ".join(sorted(set(_DIGITS.findall(keys[i])))) for i in many.tolist()]
        sets = pa.array(values, pa.string())
    return pc.dictionary_encode(sets).indices.to_numpy().astype(np.int64)


def _same_names(keys: list[str]) -> dict[str, list[int]]:
    """``{name key: asset positions}`` for the names (:func:`name_key`) more than one asset has, in order of first
    appearance (keys grouped a whole column at a time)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(keys, dtype=object))
    counts = np.bincount(codes, minlength=len(uniques))
    shared = np.flatnonzero(counts > 1)
    if not len(shared):
        return {}
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    return {uniques[c]: order[starts[c]:starts[c + 1]].tolist() for c in shared.tolist() if uniques[c]}


def _postcode_cells(assets: "gpd.GeoDataFrame") -> list:
    return _cells(assets["postcode"]) if "postcode" in assets.columns else [None] * len(assets)


class _Links:
    """Union-find over asset positions, with the reasons each group was joined (by root)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.basis: dict[int, set[str]] = {}
        self._members: dict[int, list[int]] = {}

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, a: int, b: int, why: str) -> None:
        ra, rb = self.root(a), self.root(b)
        lo, hi = min(ra, rb), max(ra, rb)
        self.parent[hi] = lo
        reasons = self.basis.setdefault(lo, set())
        if hi != lo:
            reasons |= self.basis.pop(hi, set())
            self._members[lo] = self._members.pop(lo, [lo]) + self._members.pop(hi, [hi])
        reasons.add(why)

    def members(self, root: int) -> list[int]:
        """The positions in ``root``'s group."""
        return self._members.get(root, [root])

    def groups(self) -> dict[int, list[int]]:
        """``{root: members in order}`` of the positions joined to at least one other."""
        return {r: sorted(m) for r, m in self._members.items()}


def _link_same_postcode(links: _Links, keys: list[str], by_name: dict[str, list[int]], cells: list) -> None:
    """Join assets of one name at one postcode (standard form; a malformed or missing postcode joins nothing)."""
    for members in by_name.values():
        first: dict[str, int] = {}
        for i in members:
            pc = normalise_postcode(cells[i]) if cells[i] else None
            if pc is not None:
                if pc in first:
                    links.join(first[pc], i, "same postcode")
                else:
                    first[pc] = i


def _close_pairs(xs: "np.ndarray", ys: "np.ndarray", distance_m: float, groups: "np.ndarray | None" = None):
    """Every pair of located assets ``i < j`` at most ``distance_m`` apart (and, given ``groups``, of one group),
    and the distance ``√((x_i − x_j)² + (y_i − y_j)²)``, in the order of ``i`` then ``j``, from a k-d tree of the
    points (scipy's ``cKDTree.query_pairs``, a hair wider than ``distance_m``, as the STRtree ``dwithin`` search
    it replaced was: the same pairs, without making a shapely point per asset). Groups are kept apart by moving
    each group's points 2,000 km east of the previous one's (British National Grid spans 700 km), so one search
    finds the pairs of every group."""
    import numpy as np
    from scipy.spatial import cKDTree

    where = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    shift = 0.0 if groups is None else groups[where].astype(float) * 2_000_000.0
    xy = np.column_stack([xs[where] + shift, ys[where]])
    pairs = cKDTree(xy).query_pairs(distance_m * (1 + 1e-9) + 1e-6, output_type="ndarray")
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs.reshape(0, 2)
    i, j = where[pairs[:, 0]].astype(np.intp), where[pairs[:, 1]].astype(np.intp)
    d = np.hypot(xs[i] - xs[j], ys[i] - ys[j])
    return i, j, d


def _link_close(links: _Links, keys: list[str], cats: tuple["np.ndarray", list], numbers: "np.ndarray", i, j, d,
                distance_m: float, min_score: float) -> None:
    """Join close pairs with the same name; then, most similar first, those with similar names
    (:func:`name_score` ≥ ``min_score``) that share a category (or one has none), when every name of the one
    group is similar to every name of the other (so "Shay Lane Medical Centre" does not chain the practices
    "(Kelman)" and "(Patel)" there into one). The pairs that cannot be similar (names of no words, different
    numbers, no category in common) are set aside as whole arrays first (:func:`_candidates`); ``numbers`` codes
    each name's set of numbers (:func:`_number_groups`)."""
    same, other = _candidates(keys, cats, numbers, i, j, d, distance_m)
    for a, b in zip(i[same].tolist(), j[same].tolist()):
        if links.root(a) != links.root(b):  # not already one group (e.g. by postcode)
            links.join(a, b, f"within {distance_m:g} m")
    scored: dict[tuple[str, str], float] = {}
    similar = []
    for a, b in zip(i[other].tolist(), j[other].tolist()):
        pair = (keys[a], keys[b])
        if pair not in scored:
            scored[pair] = name_score(*pair)
        if scored[pair] >= min_score and links.root(a) != links.root(b):
            similar.append((-scored[pair], a, b))
    names: dict[int, set[str]] = {}
    for _, a, b in sorted(similar):
        ra, rb = links.root(a), links.root(b)
        if ra == rb:
            continue
        na = names.setdefault(ra, {keys[k] for k in links.members(ra)})
        nb = names.setdefault(rb, {keys[k] for k in links.members(rb)})
        if all(x == y or name_score(x, y) >= min_score for x in na for y in nb):
            links.join(a, b, f"similar names, within {distance_m:g} m")
            names[links.root(a)] = na | nb


def _candidates(keys: list[str], cats: tuple["np.ndarray", list], digits: "np.ndarray", i, j, d, distance_m: float):
    """Of the close pairs ``i, j``: those within ``distance_m`` with one name, and those whose names may be
    similar: both names have words, the same numbers (:func:`name_score` is 0 otherwise) and the two share a
    category (or one has none). Boolean masks over the pairs, each distinct name, number set and category
    cell worked out once (``cats``: :func:`_category_cells`)."""
    import numpy as np
    import pandas as pd

    key_code = pd.factorize(pd.Series(keys, dtype=object))[0]
    cell_code, cells = cats
    named = np.array([bool(k) for k in keys], dtype=bool)
    near = (d <= distance_m) & named[i] & named[j]
    same = near & (key_code[i] == key_code[j])
    other = near & ~same & (digits[i] == digits[j])
    if other.any():
        ca, cb = cell_code[i[other]].astype(np.int64), cell_code[j[other]].astype(np.int64)
        combos, back = np.unique(ca * len(cells) + cb, return_inverse=True)
        share = np.array([_share_a_category(cells[c // len(cells)], cells[c % len(cells)]) for c in combos.tolist()],
                         dtype=bool)
        other[np.flatnonzero(other)] = share[back.ravel()]
    return same, other


def _category_cells(assets: "gpd.GeoDataFrame") -> tuple["np.ndarray", list]:
    """Each asset's category cell (ids joined by ``;``; ``""`` for none, a missing cell too: ``None``, NaN or
    NA) as a code into the distinct cells, in order of first appearance, and those cells: the column is coded
    as it is held (Arrow text), each distinct cell made Python text once."""
    import numpy as np
    import pandas as pd

    if "categories" not in assets.columns:
        return np.zeros(len(assets), dtype=np.intp), [""]
    codes, values = pd.factorize(assets["categories"], use_na_sentinel=False)
    text = ["" if _missing(c) else str(c or "") for c in values]
    text_code, cells = pd.factorize(pd.Series(text, dtype=object))
    return text_code[codes], list(cells)


def _missing(value: object) -> bool:
    """Whether a cell is missing: ``None``, NaN or pandas' NA."""
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


class _Ids:
    """The assets' ids as text, read one by one from their column when asked for."""

    def __init__(self, column: "pd.Series") -> None:
        self.column = column

    def __getitem__(self, position: int) -> str:
        return str(self.column.iloc[position])


def _share_a_category(a: object, b: object) -> bool:
    """Whether two category cells share an id, or either has none."""
    ids_a = set(filter(None, str(a or "").split(";")))
    ids_b = set(filter(None, str(b or "").split(";")))
    return not ids_a or not ids_b or bool(ids_a & ids_b)


def _distance(xs, ys, a: int, b: int) -> float:
    """The distance in metres between assets ``a`` and ``b``: ``√((x_a − x_b)² + (y_a − y_b)²)``."""
    return float(((xs[a] - xs[b]) ** 2 + (ys[a] - ys[b]) ** 2) ** 0.5)


def _group(assets: "gpd.GeoDataFrame", members: list[int], ids: "_Ids", keys: list[str], xs, ys,
           basis: set[str], kind: str = DUPLICATES) -> DuplicateGroup:
    """A :class:`DuplicateGroup` of the assets at ``members``; its distance is the largest between two of them."""
    spread = max(_distance(xs, ys, a, b) for a in members for b in members)
    return DuplicateGroup(
        asset_ids=tuple(ids[m] for m in members),
        names=tuple(str(assets["name"].iloc[m]) for m in members),
        sources=tuple(str(assets["source"].iloc[m]) for m in members),
        rows=tuple(int(assets["source_row"].iloc[m]) for m in members),
        postcodes=tuple(str(assets["postcode"].iloc[m] or "") for m in members),
        distance_m=round(spread, 1) if spread == spread else float("nan"),
        basis=" and ".join(sorted(basis)),
        scores=tuple(round(name_score(keys[members[0]], keys[m]), 1) for m in members),
        kind=kind,
    )


def shared_venues(assets: "gpd.GeoDataFrame", keys: list[str], links: _Links, i, j, ids: "_Ids"
                  ) -> list[DuplicateGroup]:
    """Groups of assets at one place (points at most :data:`VENUE_DISTANCE_M` apart: the pairs ``i``–``j``)
    that are not all one group of likely duplicates (``links``)."""
    xs, ys = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
    place = _Links(len(keys))
    for a, b in zip(i.tolist(), j.tolist()):
        place.join(a, b, f"within {VENUE_DISTANCE_M:g} m")
    return [_group(assets, members, ids, keys, xs, ys, place.basis.get(r, set()), SHARED_VENUE)
            for r, members in sorted(place.groups().items())
            if len(members) >= 2 and len({links.root(m) for m in members}) > 1]


def merge(assets: "gpd.GeoDataFrame", keep: str, others: list[str]) -> tuple["gpd.GeoDataFrame", "pd.DataFrame"]:
    """Merge ``others`` into ``keep``: returns the updated assets and the new ``merges`` rows.

    The kept asset's categories become the union of all the assets'
    categories (the kept asset's first, then the others' in order).

    Raises
    ------
    ValueError
        With a one-line reason: an id that is not in the workspace, already
        merged, given twice, or the kept id among the others.
    """
    import pandas as pd

    assets = assets.copy()
    if "merged_into" not in assets.columns:
        assets["merged_into"] = ""
    assets["merged_into"] = assets["merged_into"].fillna("").astype(str)
    index = {aid: i for i, aid in enumerate(assets["asset_id"].astype(str))}
    for aid in [keep, *others]:
        if aid not in index:
            raise ValueError(f"no asset with id {aid!r}; `asset-map duplicates` lists the ids")
        if assets["merged_into"].iloc[index[aid]]:
            raise ValueError(f"asset {aid!r} was already merged into {assets['merged_into'].iloc[index[aid]]!r}")
    if keep in others or len(set(others)) != len(others) or not others:
        raise ValueError("give the asset to keep and one or more other, different assets to merge into it")
    k = index[keep]
    cats = [c for c in str(assets["categories"].iloc[k] or "").split(";") if c]
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    records = []
    col_merged = assets.columns.get_loc("merged_into")
    for aid in others:
        i = index[aid]
        cats += [c for c in str(assets["categories"].iloc[i] or "").split(";") if c and c not in cats]
        assets.iat[i, col_merged] = keep
        records.append({"kept_id": keep, "merged_id": aid, "merged_name": str(assets["name"].iloc[i]),
                        "merged_source": str(assets["source"].iloc[i]),
                        "merged_row": int(assets["source_row"].iloc[i]), "merged_at": now})
    assets.iat[k, assets.columns.get_loc("categories")] = ";".join(cats)
    return assets, pd.DataFrame(records, columns=list(MERGE_COLUMNS)).astype({"merged_row": "int64"})


def apply_merges(assets: "gpd.GeoDataFrame", merges: "pd.DataFrame | None") -> tuple["gpd.GeoDataFrame", int]:
    """Apply recorded merges to assets that are not yet merged (after a re-import).

    Returns the assets and how many were merged again. A merge whose kept or
    merged asset is no longer in the workspace is skipped.
    """
    if "merged_into" not in assets.columns:
        assets = assets.copy()
        assets["merged_into"] = ""
    if merges is None or len(merges) == 0:
        return assets, 0
    ids = set(assets["asset_id"].astype(str))
    merged = assets["merged_into"].fillna("").astype(str)
    pending: dict[str, list[str]] = {}
    for kept, gone in zip(merges["kept_id"], merges["merged_id"]):
        if kept in ids and gone in ids and not merged[assets["asset_id"] == gone].iloc[0]:
            pending.setdefault(kept, []).append(gone)
    count = 0
    for kept, gone in pending.items():
        if merged[assets["asset_id"] == kept].iloc[0]:
            continue
        assets, _ = merge(assets, kept, gone)
        count += len(gone)
    return assets, count
