"""Likely duplicate assets, and merging them when the user says so.

Two assets are **likely duplicates** when their names are the same after
normalisation (:func:`name_key`) and either

- their postcodes are the same (both given, compared in standard form), or
- their points are at most ``distance_m`` metres apart (default
  :data:`DEFAULT_DISTANCE_M`).

Pairs are joined into groups (if A matches B and B matches C, all three are
one group). Detection looks across every import in the workspace, so a
lunch club on the council's list and on the PCN's list is found as well as a
row typed twice in one file.

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

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

#: Points closer than this (metres) with the same name are likely the same asset.
DEFAULT_DISTANCE_M = 100.0

#: Words that do not tell two organisations apart.
FILLER_WORDS = {"the", "ltd", "limited", "cic", "cio", "inc", "plc", "co"}

#: Columns of the ``merges`` table.
MERGE_COLUMNS = {"kept_id": "str", "merged_id": "str", "merged_name": "str", "merged_source": "str",
                 "merged_row": "int64", "merged_at": "str"}

_SAINT = re.compile(r"\bsaint\b")


def name_key(name: str | None) -> str:
    """The form names are compared in: :func:`asset_map.categories.taxonomy.normalise_word`
    (case, punctuation, apostrophes and ``&``/"and" ignored), "Saint" as "St",
    and the filler words :data:`FILLER_WORDS` dropped."""
    words = _SAINT.sub("st", normalise_word(name or "")).split()
    return " ".join(w for w in words if w not in FILLER_WORDS)


@dataclass(frozen=True)
class DuplicateGroup:
    """Assets that are likely the same; the first is the one a merge keeps by default."""

    asset_ids: tuple[str, ...]
    names: tuple[str, ...]
    sources: tuple[str, ...]
    rows: tuple[int, ...]
    postcodes: tuple[str, ...]
    distance_m: float
    basis: str

    @property
    def across_imports(self) -> bool:
        return len(set(self.sources)) > 1


def active(assets):
    """The assets that have not been merged into another.

    Takes and returns a (Geo)DataFrame or a workspace :class:`asset_map.store.Table`.
    """
    if assets is None or "merged_into" not in assets.columns:
        return assets
    flags = [bool(m) for m in assets["merged_into"]]  # None and "" are "not merged"
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
) -> list[DuplicateGroup]:
    """Groups of likely duplicates among the assets not yet merged.

    ``only_ids`` keeps the groups that contain at least one of these ids
    (e.g. the assets just imported). Groups come in the order of their first
    asset in the workspace.
    """
    assets = active(assets)
    if assets is None or len(assets) == 0:
        return []
    by_name = _same_names(assets)
    candidates = sorted(i for members in by_name.values() for i in members)
    xs, ys = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
    groups, basis = _link(by_name, candidates, _postcodes(assets, candidates), xs, ys, distance_m)
    wanted = set(only_ids) if only_ids is not None else None
    ids = assets["asset_id"].astype(str).tolist()
    return [_group(assets, members, ids, xs, ys, basis.get(r, set())) for r, members in sorted(groups.items())
            if len(members) >= 2 and (wanted is None or wanted.intersection(ids[m] for m in members))]


def _same_names(assets: "gpd.GeoDataFrame") -> dict[str, list[int]]:
    """``{name key: asset positions}`` for the names (:func:`name_key`) more than one asset has.

    Only assets of the same name can be duplicates.
    """
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(assets["name"]):
        k = name_key(name)
        if k:
            by_name.setdefault(k, []).append(i)
    return {k: members for k, members in by_name.items() if len(members) > 1}


def _postcodes(assets: "gpd.GeoDataFrame", candidates: list[int]) -> dict[int, str | None]:
    """The standard-form postcode of each candidate (``None`` when it has none or it is malformed)."""
    cells = list(assets["postcode"]) if "postcode" in assets.columns else [None] * len(assets)
    return {i: normalise_postcode(cells[i]) if cells[i] else None for i in candidates}


def _distance(xs, ys, a: int, b: int) -> float:
    """The distance in metres between assets ``a`` and ``b``: ``√((x_a − x_b)² + (y_a − y_b)²)``."""
    return float(((xs[a] - xs[b]) ** 2 + (ys[a] - ys[b]) ** 2) ** 0.5)


def _link(by_name: dict[str, list[int]], candidates: list[int], postcodes: dict[int, str | None], xs, ys,
          distance_m: float) -> tuple[dict[int, list[int]], dict[int, set[str]]]:
    """Join assets of one name that share a postcode or stand within ``distance_m`` (union-find, by position).

    Returns the groups (``{root: members}``, every candidate in one) and,
    by root, why their members were joined.
    """
    parent = {i: i for i in candidates}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    basis: dict[int, set[str]] = {}
    for members in by_name.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                same_pc = postcodes[a] is not None and postcodes[a] == postcodes[b]
                if same_pc or _distance(xs, ys, a, b) <= distance_m:
                    ra, rb = root(a), root(b)
                    parent[max(ra, rb)] = min(ra, rb)
                    why = basis.setdefault(min(ra, rb), set()) | basis.pop(max(ra, rb), set())
                    why.add("same postcode" if same_pc else f"within {distance_m:g} m")
                    basis[min(ra, rb)] = why
    groups: dict[int, list[int]] = {}
    for i in candidates:
        groups.setdefault(root(i), []).append(i)
    return groups, basis


def _group(assets: "gpd.GeoDataFrame", members: list[int], ids: list[str], xs, ys, basis: set[str]) -> DuplicateGroup:
    """A :class:`DuplicateGroup` of the assets at ``members``; its distance is the largest between two of them."""
    spread = max(_distance(xs, ys, a, b) for a in members for b in members)
    return DuplicateGroup(
        asset_ids=tuple(ids[m] for m in members),
        names=tuple(str(assets["name"].iloc[m]) for m in members),
        sources=tuple(str(assets["source"].iloc[m]) for m in members),
        rows=tuple(int(assets["source_row"].iloc[m]) for m in members),
        postcodes=tuple(str(assets["postcode"].iloc[m] or "") for m in members),
        distance_m=round(spread, 1),
        basis=" and ".join(sorted(basis)),
    )


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
