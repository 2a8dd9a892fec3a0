"""What-if: the gaps with assets added or taken away, without touching the workspace.

For the moment in a workshop when someone says "but the church hall runs one on
Tuesdays": ``--add "name;category;postcode or lon,lat"`` puts an asset on the
map for this calculation only, ``--without ASSET_ID`` takes one off. The gaps
are computed before and after and the rows that change are shown side by side.

An addition is ``name;category;where``: the category is an id, label or
synonym (several joined by ``+``: ``lunch club+dementia``); ``where`` is a
postcode found in the workspace's postcode lookup (or its cache of postcodes
looked up online), ``lon,lat`` in degrees, or ``easting,northing`` in metres.
An added asset counts whatever filters are given (it is what the room says
exists); ``--without`` by name takes out every asset of that name and says
how many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..errors import AssetMapError
from ..geo import in_gb_bng, in_gb_lonlat, lonlat_to_bng
from ..geo import normalise_postcode

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
    postcode = normalise_postcode(where)
    if postcode is None:
        raise WhatIfError(f"--add {spec!r}: {where!r} is neither a postcode nor lon,lat")
    found = find_postcode(postcode)
    if found is None:
        raise WhatIfError(
            f"--add {spec!r}: postcode {postcode} is not in the workspace's postcode lookup; give lon,lat instead "
            "or load a lookup with `asset-map postcodes load`"
        )
    return Addition(name, tuple(ids), found[0], found[1], f"postcode {postcode}")


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
    for wanted in without:
        hits = [i for i, (a, n) in enumerate(zip(ids, names)) if wanted in (a, n)]
        if not hits:
            all_ids = [str(a) for a in everything["asset_id"]] if everything is not None else []
            all_names = [str(n) for n in everything["name"]] if everything is not None else []
            if wanted in all_ids or wanted in all_names:
                raise WhatIfError(f"--without {wanted!r}: this asset is already left out by the filter")
            from rapidfuzz import fuzz, process

            best = process.extractOne(wanted, ids + names, scorer=fuzz.WRatio, score_cutoff=50)
            hint = f"; did you mean {best[0]!r}?" if best else " (`asset-map export geojson --layer assets` lists them)"
            raise WhatIfError(f"--without {wanted!r}: no asset has this id or name{hint}")
        drop.update(hits)
        shown = names[hits[0]] if wanted == ids[hits[0]] else wanted
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
