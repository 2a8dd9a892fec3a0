"""What-if: the gaps with assets added or taken away, without touching the workspace.

For the moment in a workshop when someone says "but the church hall runs one on
Tuesdays": ``--add "name;category;postcode or lon,lat"`` puts an asset on the
map for this calculation only, ``--without ASSET_ID`` takes one off. The gaps
are computed before and after and the rows that change are shown side by side.

An addition is ``name;category;where``: the category is an id, label or
synonym (several joined by ``+``: ``lunch club+dementia``); ``where`` is a
postcode found in the workspace's postcode lookup (or its cache of postcodes
looked up online), ``lon,lat`` in degrees, or ``easting,northing`` in metres;
a postcode with a letter O, I or L typed for a digit is read as corrected
when only the corrected one is in the lookup. An added asset counts whatever
filters are given (it is what the room says exists); ``--without`` by name
takes out every asset of that name, compared ignoring case and punctuation
(:func:`~asset_map.analysis.places.name_key`), and says how many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..errors import AssetMapError
from ..geo import in_gb_bng, in_gb_lonlat, lonlat_to_bng
from ..geo import normalise_postcode, suggest_postcode
from .places import name_key

if TYPE_CHECKING:  # pragma: no cover
    from .gaps import GapReport, GapRow
    from ..store import Table
    from ..categories.taxonomy import Taxonomy


class WhatIfError(AssetMapError):
    """An addition or removal that cannot be understood."""


@dataclass(frozen=True)
class Addition:
    """An asset added for the calculation only."""

    name: str
    categories: tuple[str, ...]
    x: float
    y: float
    located_by: str


@dataclass(frozen=True)
class Change:
    """One area × category whose figures change."""

    before: "GapRow"
    after: "GapRow"


@dataclass
class WhatIf:
    """The gaps before and after, and what was changed."""

    before: "GapReport"
    after: "GapReport"
    added: list[Addition]
    removed: list[str]
    #: The ids of the assets taken out.
    removed_ids: list[str] = field(default_factory=list)

    def changes(self, *, areas: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> list[Change]:
        """The rows whose assets, coverage, accessibility or level change, in the new priority order.

        A row whose only change is its place in the ranking (because another
        row moved) is not listed.
        """
        old = {(r.area_code, r.category_id): r for r in self.before.rows}
        out = []
        for r in self.after.rows:
            if areas is not None and r.area_code not in areas:
                continue
            if categories is not None and r.category_id not in categories:
                continue
            b = old[(r.area_code, r.category_id)]
            if (b.assets, round(b.coverage, 9), b.level, _r(b.access_per_10k)) != (
                    r.assets, round(r.coverage, 9), r.level, _r(r.access_per_10k)):
                out.append(Change(b, r))
        return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 9)


_PAIR = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[, ]\s*([+-]?\d+(?:\.\d+)?)\s*$")


def parse_addition(spec: str, taxonomy: "Taxonomy",
                   find_postcode: Callable[[str], tuple[float, float] | None]) -> Addition:
    """Read ``name;category;where`` (see the module docstring).

    Raises
    ------
    WhatIfError
        Naming the part that is wrong and what to write instead.
    """
    from ..errors import TaxonomyError

    parts = [p.strip() for p in spec.split(";")]
    if len(parts) != 3 or not all(parts):
        raise WhatIfError(
            f"--add {spec!r}: write it as \"name;category;postcode\" or \"name;category;lon,lat\" "
            "(three parts separated by semicolons)"
        )
    name, cats, where = parts
    ids: list[str] = []
    for word in cats.split("+"):
        try:
            ids.append(taxonomy.get(word.strip()).id)
        except TaxonomyError as exc:
            raise WhatIfError(f"--add {spec!r}: {exc}") from None
    m = _PAIR.match(where)
    if m:
        a, b = float(m.group(1)), float(m.group(2))
        if in_gb_lonlat(a, b):
            x, y = lonlat_to_bng(a, b)
            return Addition(name, tuple(ids), float(x), float(y), "longitude,latitude")
        if in_gb_lonlat(b, a):
            raise WhatIfError(f"--add {spec!r}: {where!r} looks like latitude,longitude; give longitude first "
                              f"({b},{a})")
        if in_gb_bng(a, b) and (a > 180 or b > 90):
            return Addition(name, tuple(ids), a, b, "easting,northing")
        raise WhatIfError(f"--add {spec!r}: {where!r} is not in Great Britain as lon,lat or easting,northing")
    postcode, found, said = _postcode_point(spec, where, find_postcode)
    return Addition(name, tuple(ids), found[0], found[1], f"postcode {postcode}{said}")


def _postcode_point(spec: str, where: str, find_postcode: Callable[[str], tuple[float, float] | None]
                    ) -> tuple[str, tuple[float, float], str]:
    """The postcode ``where`` names, its point, and what was corrected: a letter O, I or L typed for a digit
    (:func:`~asset_map.geo.suggest_postcode`, as an import suggests) is read as the digit when
    the postcode written is not in the lookup and the corrected one is."""
    postcode = normalise_postcode(where)
    found = find_postcode(postcode) if postcode is not None else None
    if found is not None:
        return postcode, found, ""
    fixed = suggest_postcode(where)
    found_fixed = find_postcode(fixed) if fixed is not None else None
    if found_fixed is not None:
        return fixed, found_fixed, f", read from {where.strip()!r}"
    if postcode is None:
        tip = f" (did you mean {fixed}?)" if fixed else ""
        raise WhatIfError(f"--add {spec!r}: {where!r} is neither a postcode nor lon,lat{tip}")
    raise WhatIfError(
        f"--add {spec!r}: postcode {postcode} is not in the workspace's postcode lookup; give lon,lat instead "
        "or load a lookup with `asset-map postcodes load`"
    )


def _not_found(wanted: str, ids: list[str], names: list[str], everything: "Table | None") -> None:
    """Raise the error for an asset to leave out that is not counted: left out by the filter already, or
    unknown (suggesting the closest name, compared in any case and punctuation)."""
    from rapidfuzz import fuzz, process

    key = name_key(wanted)
    if everything is not None and (wanted.strip().casefold() in [str(a).casefold() for a in everything["asset_id"]]
                                   or key in {name_key(n) for n in everything["name"]}):
        raise WhatIfError(f"--without {wanted!r}: this asset is already left out by the filter")
    best = process.extractOne(wanted, ids + names, scorer=fuzz.WRatio, processor=name_key, score_cutoff=50)
    hint = f"; did you mean {best[0]!r}?" if best else " (`asset-map export geojson --layer assets` lists them)"
    raise WhatIfError(f"--without {wanted!r}: no asset has this id or name{hint}")


def changed_assets(assets: "Table | None", additions: Sequence[Addition], without: Sequence[str],
                   areas: "Table", *, everything: "Table | None" = None) -> tuple["Table", list[str]]:
    """The assets with the additions appended and the removals taken out, and a line per removal.

    ``everything`` is the whole asset list when ``assets`` was filtered: an id
    found only there is reported as left out by the filter already.

    Raises
    ------
    WhatIfError
        If an id or name given to remove is not an asset (the message suggests the closest).
    """
    import numpy as np
    import shapely

    from .assign import assign_points
    from ..store import Table

    columns: dict[str, list[Any]] = {k: list(v) for k, v in (assets.columns.items() if assets is not None else ())}
    geoms = list(assets.geometry) if assets is not None and assets.geometry is not None else []
    ids = [str(a) for a in columns.get("asset_id", [])]
    names = [str(n) for n in columns.get("name", [])]
    drop = set()
    removed: list[str] = []
    keys = [name_key(n) for n in names]
    for wanted in without:
        key = name_key(wanted)
        hits = [i for i, (a, k) in enumerate(zip(ids, keys))
                if wanted.strip().casefold() == a.casefold() or (key and key == k)]
        if not hits:
            _not_found(wanted, ids, names, everything)
        drop.update(hits)
        shown = names[hits[0]]
        removed.append(f"{shown} ({len(hits)} assets of that name)" if len(hits) > 1 else shown)
    keep = [i for i in range(len(ids)) if i not in drop]
    out = {k: [v[i] for i in keep] for k, v in columns.items()}
    out_geoms = [geoms[i] for i in keep]
    if additions:
        pts = shapely.points([a.x for a in additions], [a.y for a in additions])
        codes = assign_points(pts, np.asarray(areas.geometry, dtype=object), list(areas["area_code"]))
        n = len(additions)
        extra = {"asset_id": [f"what-if-{k}" for k in range(1, n + 1)], "name": [a.name for a in additions],
                 "categories": [";".join(a.categories) for a in additions], "area_code": codes}
        for k in set(out) | set(extra):
            out[k] = out.get(k, [None] * len(keep)) + extra.get(k, [None] * n)
        out_geoms += list(pts)
    return Table(out, np.array(out_geoms, dtype=object)), removed
