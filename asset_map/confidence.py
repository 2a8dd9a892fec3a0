"""Confidence: telling "no provision" from "no data".

A gap can be a gap in the lists rather than on the ground. For each area ×
category the evidence that the data may be incomplete there is counted:

direct evidence for the category
    services of the category without a location whose served area
    asset-map cannot place (none given, or a name that is no area of the
    study): they may be anywhere (those it can place count for coverage
    instead, see :mod:`asset_map.served`); assets of the category left out
    by a filter because their list does not say whether they qualify; the
    category having no asset at all in any list imported; and rejected rows whose category words
    map to the category and that would probably have fallen in the area:
    rows whose latitude and longitude were swapped (put back the right way),
    and rows with a postcode that could not be located, placed by the
    postcode's sector (``M32 0``) when the loaded lookup covers the whole
    country (at least a million postcodes, like ONSPD or Code-Point Open),
    holds at least 20 of the sector's postcodes and most of them lie in one
    area. With a local lookup a postcode missing from it most likely lies
    outside the lookup's area, so such rows are not placed.
hidden
    assets located in the area with no category, and rejected rows placed
    there whose category is unknown: any of them could be of this category.
    At the study area's mix of categories, the number expected to be of
    category *c* is ``hidden × (n_c + 1) / (n + K)``, where ``n_c`` is the
    study area's assets of *c*, ``n`` its categorised assets and ``K`` the
    number of categories (so a category with no asset yet still gets a
    share).
stale
    assets of the category in the area whose last verification is older
    than the configured age (730 days unless set).

finding
    ``provision``: assets of the category in or within reach of the area
    (or a service serving it); ``no data?``: none, but there is direct
    evidence, or at least 0.5 expected hidden; ``no provision``: none and no
    such evidence.
confidence
    ``low``: the finding is ``no data?``, or at least half of the area's
    assets of the category are stale; ``medium``: some evidence (direct,
    stale, or at least 0.1 expected hidden); ``high``: otherwise.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable

from .postcodes import normalise_postcode

if TYPE_CHECKING:  # pragma: no cover
    from .gaps import GapReport
    from .store import Table
    from .taxonomy import Taxonomy

STALE_DAYS = 730


@dataclass
class Evidence:
    """Counts of evidence of missing data, by area and by (area, category)."""

    uncategorised: Counter = field(default_factory=Counter)  # area -> assets
    unlocated: Counter = field(default_factory=Counter)  # (area or "", category) -> services
    rejected: Counter = field(default_factory=Counter)  # (area, category) -> rows
    rejected_unknown: Counter = field(default_factory=Counter)  # area -> rows of unknown category
    rejected_unplaced: int = 0
    filtered: Counter = field(default_factory=Counter)  # (area, category) -> assets left out as unknown
    stale: Counter = field(default_factory=Counter)  # (area, category) -> assets
    located: Counter = field(default_factory=Counter)  # (area, category) -> assets
    study: Counter = field(default_factory=Counter)  # category -> categorised assets in the study area
    n_categories: int = 1

    def expected_hidden(self, area: str, category: str) -> float:
        """``hidden × (n_c + 1) / (n + K)``: hidden assets expected to be of ``category``."""
        hidden = self.uncategorised[area] + self.rejected_unknown[area]
        return hidden * (self.study[category] + 1) / (sum(self.study.values()) + self.n_categories)


def gather(areas: "Table", assets: "Table | None", unlocated: "Table | None", rejects: "Table | None",
           imports: "Table | None", postcode_area: Callable[[str], str | None] | None = None, *,
           taxonomy: "Taxonomy | None" = None, stale_days: int = STALE_DAYS, today: date | None = None,
           unknown_filtered: "list[tuple[str | None, str]]" = (),
           study_names: "set[str] | frozenset[str]" = frozenset()) -> Evidence:
    """Count the evidence of missing data in the workspace's tables.

    ``assets`` are all the active assets (before any filter); ``unknown_filtered``
    the (area, categories) of assets a filter left out because their list
    does not say whether they qualify.
    """
    ev = Evidence(n_categories=len(taxonomy) if taxonomy is not None else 1)
    today = today or date.today()
    limit = today - timedelta(days=stale_days)
    codes = [str(c) for c in areas["area_code"]]
    by_name = {str(n).strip().lower(): str(c) for c, n in zip(areas["area_code"], areas["area_name"])}
    by_name.update({c.lower(): c for c in codes})
    if assets is not None and len(assets):
        verified = assets["last_verified"] if "last_verified" in assets else [None] * len(assets)
        for area, cats, when in zip(assets["area_code"], assets["categories"], verified):
            ids = [c for c in (cats or "").split(";") if c]
            for c in ids:
                ev.study[c] += 1
            if not area:
                continue
            if not ids:
                ev.uncategorised[area] += 1
            old = _older(when, limit)
            for c in ids:
                ev.located[(area, c)] += 1
                ev.stale[(area, c)] += old
    if unlocated is not None and len(unlocated):
        from .served import understood

        extents = unlocated["served_extent"] if "served_extent" in unlocated else [None] * len(unlocated)
        for cats, served, extent in zip(unlocated["categories"], unlocated["served_area"], extents):
            if extent or understood(served, by_name, study_names):
                continue  # it counts for coverage where it serves (asset_map.served)
            for c in filter(None, (cats or "").split(";")):
                ev.unlocated[("", c)] += 1  # serves nowhere asset-map can place: it may be anywhere
    for area, cats in unknown_filtered:
        if area:
            for c in filter(None, (cats or "").split(";")):
                ev.filtered[(area, c)] += 1
    if rejects is not None and len(rejects):
        columns = _columns_by_source(imports)
        for source, reason, record in zip(rejects["source"], rejects["reason"], rejects["record"]):
            fields, cols = _fields(str(record or "")), columns.get(source, {})
            area = _place_reject(str(reason or ""), fields, cols, areas, postcode_area)
            if not area:
                ev.rejected_unplaced += 1
                continue
            cell = fields.get(cols.get("category", ""))
            ids = taxonomy.map_cell(cell).ids if taxonomy is not None and cell else []
            for c in ids:
                ev.rejected[(area, c)] += 1
            if not ids:
                ev.rejected_unknown[area] += 1
    return ev


def _older(when: Any, limit: date) -> bool:
    text = str(when or "")[:10]
    try:
        return date.fromisoformat(text) < limit
    except ValueError:
        return False


def _columns_by_source(imports: "Table | None") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    if imports is None:
        return out
    for source, cols in zip(imports["source"], imports["columns"]):
        try:
            out[source] = json.loads(cols or "{}")
        except ValueError:
            continue
    return out


def _fields(record: str) -> dict[str, str]:
    """A reject's ``column=value; column=value`` record as a dict (best effort)."""
    out = {}
    for part in record.split("; "):
        key, sep, value = part.partition("=")
        if sep:
            out[key] = value
    return out


def _place_reject(reason: str, record: dict[str, str], columns: dict[str, str], areas: "Table",
                  postcode_area: Callable[[str], str | None] | None) -> str | None:
    """The area a rejected row would probably have fallen in, or ``None``."""
    lat_col, lon_col = columns.get("latitude"), columns.get("longitude")
    if "swapped" in reason and lat_col in record and lon_col in record:
        try:
            lon, lat = float(record[lat_col]), float(record[lon_col])  # put back the right way round
        except ValueError:
            lon = lat = None
        if lon is not None:
            from .assign import assign_points
            from .geo import lonlat_to_bng

            import numpy as np
            import shapely

            x, y = lonlat_to_bng(lon, lat)
            found = assign_points(np.array([shapely.Point(x, y)], dtype=object),
                                  np.asarray(areas.geometry, dtype=object), list(areas["area_code"]))
            return found[0]
    pc_col = columns.get("postcode")
    if postcode_area is not None and pc_col in record:
        postcode = normalise_postcode(record[pc_col])
        if postcode:
            return postcode_area(postcode[:-2])  # the sector: "M32 0"
    return None


#: Postcodes in a lookup that covers the whole country (ONSPD holds about 2.7 million, live and terminated).
NATIONAL_LOOKUP = 1_000_000

#: A postcode sector has a few hundred postcodes; fewer than this in the lookup and it is not placed.
SECTOR_MIN_POSTCODES = 20


def sector_areas(read_sector: Callable[[str], "Table | None"], areas: "Table", *, share: float = 0.5,
                 min_postcodes: int = SECTOR_MIN_POSTCODES) -> Callable[[str], str | None]:
    """A function from postcode sector (``M32 0``) to the area holding most of its postcodes.

    ``read_sector`` returns the lookup's rows (``postcode``, ``x``, ``y``) for
    a sector. The answer is ``None`` when the lookup holds fewer than
    ``min_postcodes`` of the sector's postcodes (a local lookup that covers
    only the edge of the sector says little about where the rest lie) or
    when no area holds more than ``share`` of them.
    """
    import numpy as np
    import shapely

    from .assign import assign_points

    cache: dict[str, str | None] = {}

    def lookup(sector: str) -> str | None:
        if sector in cache:
            return cache[sector]
        t = read_sector(sector)
        answer = None
        if t is not None and len(t) >= min_postcodes:
            xs = np.array([np.nan if v is None else float(v) for v in t["x"]])
            ys = np.array([np.nan if v is None else float(v) for v in t["y"]])
            ok = ~(np.isnan(xs) | np.isnan(ys))
            codes = assign_points(shapely.points(xs[ok], ys[ok]), np.asarray(areas.geometry, dtype=object),
                                  list(areas["area_code"]))
            counts = Counter(codes)
            code, n = counts.most_common(1)[0] if counts else (None, 0)
            answer = code if code is not None and n > share * len(xs) else None
        cache[sector] = answer
        return answer

    return lookup


def assess(report: "GapReport", ev: Evidence, *, stale_days: int = STALE_DAYS) -> "GapReport":
    """Set each row's ``finding``, ``confidence`` and ``confidence_reason``."""
    from dataclasses import replace

    rows = []
    for r in report.rows:
        a, c = r.area_code, r.category_id
        label = r.category.lower()
        unl = ev.unlocated[(a, c)] + ev.unlocated[("", c)]
        rej = ev.rejected[(a, c)]
        expected = ev.expected_hidden(a, c)
        stale, located = ev.stale[(a, c)], ev.located[(a, c)]
        reasons = []
        if unl:
            where = "here or an unnamed area" if ev.unlocated[("", c)] else "here"
            reasons.append(f"{unl} {label} service{'s' if unl != 1 else ''} without a location "
                           f"serve{'s' if unl == 1 else ''} {where}")
        if rej:
            reasons.append(f"{rej} rejected {label} row{'s' if rej != 1 else ''} would probably have fallen here "
                           "(`asset-map rejects`)")
        filt = ev.filtered[(a, c)]
        if filt:
            reasons.append(f"{filt} {label} asset{'s' if filt != 1 else ''} here left out because "
                           f"{'their lists do' if filt != 1 else 'its list does'} not say whether "
                           f"{'they qualify' if filt != 1 else 'it qualifies'} for the filter")
        nowhere = ev.study[c] == 0 and not unl
        if nowhere:
            reasons.append(f"no list imported has any {label} asset anywhere in the study area")
        if expected >= MEDIUM_HIDDEN:
            what = []
            if ev.uncategorised[a]:
                what.append(f"{ev.uncategorised[a]} asset{'s' if ev.uncategorised[a] != 1 else ''} here "
                            "without a category")
            if ev.rejected_unknown[a]:
                what.append(f"{ev.rejected_unknown[a]} rejected row{'s' if ev.rejected_unknown[a] != 1 else ''} "
                            "placed here")
            reasons.append(f"{' and '.join(what)}: at the study area's mix about {expected:.1f} would be {label}")
        if stale:
            reasons.append(f"{stale} of {located} {label} asset{'s' if located != 1 else ''} here "
                           f"not verified in {stale_days} days")
        provision = r.assets > 0 or r.coverage > 0
        missing_data = bool(unl or rej or filt or nowhere) or expected >= NO_DATA_HIDDEN
        finding = "provision" if provision else ("no data?" if missing_data else "no provision")
        if finding == "no data?" or (located and stale * 2 >= located):
            confidence = "low"
        elif reasons:
            confidence = "medium"
        else:
            confidence = "high"
        rows.append(replace(r, finding=finding, confidence=confidence,
                            confidence_reason="; ".join(reasons) or "no sign of missing data"))
    return replace(report, rows=rows, notes=report.notes + (
        [f"{ev.rejected_unplaced} rejected rows could not be placed in any area (no usable postcode or "
         "coordinates); they may belong anywhere"] if ev.rejected_unplaced else []))


#: Expected hidden assets of a category that make "no data?" rather than "no provision".
NO_DATA_HIDDEN = 0.5
#: Expected hidden assets of a category that lower confidence to medium.
MEDIUM_HIDDEN = 0.1
