"""Confidence: telling "no provision" from "no data".

A gap can be a gap in the lists rather than on the ground. For each area ×
category the evidence that the data may be incomplete there is counted:

direct evidence for the category
    services of the category without a location whose served area
    asset-map cannot place (none given, or a name that is no area of the
    study): they may be anywhere (those it can place count for coverage
    instead, see :mod:`asset_map.categories.served`); assets of the category left out
    by a filter because their list does not say whether they qualify; the
    category having no asset at all in any list imported; and rejected rows whose category words
    map to the category and that would probably have fallen in the area:
    rows whose latitude and longitude were swapped (put back the right way),
    and rows with a postcode that could not be located, placed by the
    postcode's sector (``M32 0``) when the loaded lookup covers the whole
    country (at least a million postcodes, like ONSPD or Code-Point Open),
    holds at least 20 of the sector's postcodes and most of them lie in one
    area. With a local lookup a postcode missing from it most likely lies
    outside the lookup's area, so such rows are not placed; and rows of the
    category kept because their valid postcode lies outside a local lookup's
    coverage (:data:`OUTSIDE_LOOKUP`: the registered office elsewhere of an
    organisation operating in the study area), which operate in the study
    area at unknown places: evidence in every area, never provision (unless
    the row itself names an area it serves: then it serves it, as any service
    without a location does, and is not counted here).
hidden
    assets located in the area with no category, and rejected rows placed
    there whose category is unknown: any of them could be of this category.
    Assets recognised as not services to the public (a PTA, a grant-making
    trust: ``category_source`` "not a service: ...", see
    :func:`asset_map.categories.inference.not_a_service`) are not hidden
    provision and are not counted.
    At the study area's mix of categories, the number expected to be of
    category *c* is ``hidden × (n_c + 1) / (n + K)``, where ``n_c`` is the
    study area's assets of *c*, ``n`` its categorised assets and ``K`` the
    number of categories (so a category with no asset yet still gets a
    share).
stale
    assets of the category in the area whose last verification is older
    than the configured age (730 days unless set).
inferred
    assets of the category in the area whose categories were suggested by
    their name and description (``category_source`` ``inferred``,
    :mod:`asset_map.categories.inference`) rather than given by their list
    or decided by a planner; a suggestion may be wrong.
edge
    the share of the area's catchment ring beyond the loaded population,
    when above 20% (:mod:`asset_map.analysis.edge`): the people beyond the
    border who use the same assets are missing from accessibility.

finding
    ``provision``: assets of the category in or within reach of the area
    (or a service serving it); ``no data?``: none, but there is direct
    evidence, or at least 0.5 expected hidden; ``no provision``: none and no
    such evidence.
confidence
    ``low``: the finding is ``no data?``, or at least half of the area's
    assets of the category are stale; ``medium``: some evidence (direct,
    stale, at least 0.1 expected hidden, or an edge flag), or the area's
    assets of the category are mostly inferred (``inferred > MOSTLY_INFERRED
    × located``, more than half); ``high``: otherwise.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable

from ..categories.inference import is_not_a_service
from ..geo import distance_text, normalise_postcode
from .arrays import floats

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .report import GapReport
    from ..store import Table
    from ..categories.taxonomy import Taxonomy

STALE_DAYS = 730

#: The ``reason`` of a row of the ``unlocated`` table kept because its valid postcode lies outside a local
#: postcode lookup's coverage: it operates in the study area at an unknown place.
OUTSIDE_LOOKUP = "postcode outside the lookup's coverage"


@dataclass
class Evidence:
    """Counts of evidence of missing data, by area and by (area, category).

    ``stale`` is counted for one limit (a date); ``verified`` keeps the dates
    themselves, so :meth:`stale_at` counts it again for another.
    """

    uncategorised: Counter = field(default_factory=Counter)  # area -> assets
    unlocated: Counter = field(default_factory=Counter)  # (area or "", category) -> services
    rejected: Counter = field(default_factory=Counter)  # (area, category) -> rows
    rejected_unknown: Counter = field(default_factory=Counter)  # area -> rows of unknown category
    rejected_unplaced: int = 0
    elsewhere: Counter = field(default_factory=Counter)  # category -> rows at unknown places (OUTSIDE_LOOKUP)
    elsewhere_rows: int = 0  # such rows, with or without a category
    filtered: Counter = field(default_factory=Counter)  # (area, category) -> assets left out as unknown
    stale: Counter = field(default_factory=Counter)  # (area, category) -> assets verified before the limit
    verified: Counter = field(default_factory=Counter)  # (area, category, date's ordinal) -> assets verified then
    inferred: Counter = field(default_factory=Counter)  # (area, category) -> assets categorised by inference
    located: Counter = field(default_factory=Counter)  # (area, category) -> assets
    study: Counter = field(default_factory=Counter)  # category -> categorised assets in the study area
    n_categories: int = 1
    edge: Counter = field(default_factory=Counter)  # (area, category) -> flagged edge share (0 to 1)
    catchment: dict = field(default_factory=dict)  # category -> catchment (m), for the edge reason

    def stale_at(self, limit: date) -> Counter:
        """The assets of each (area, category) last verified before ``limit``."""
        before = limit.toordinal()
        out: Counter = Counter()
        for (area, c, day), n in self.verified.items():
            if day < before:
                out[(area, c)] += n
        return out


def gather(areas: "Table", assets: "Table | None", unlocated: "Table | None", rejects: "Table | None",
           imports: "Table | None", postcode_area: Callable[[str], str | None] | None = None, *,
           taxonomy: "Taxonomy | None" = None, stale_days: int = STALE_DAYS, today: date | None = None,
           unknown_filtered: "list[tuple[str | None, str]]" = (),
           study_names: "set[str] | frozenset[str]" = frozenset()) -> Evidence:
    """Count the evidence of missing data in the workspace's tables.

    ``assets`` are all the active assets (before any filter); ``unknown_filtered``
    the (area, categories) of assets a filter left out because their list
    does not say whether they qualify. The steps count the assets
    (:func:`_count_assets`), the services without a location
    (:func:`_count_unlocated`), the assets filtered out as unknown
    (:func:`_count_filtered`) and the rejected rows (:func:`_count_rejects`).
    """
    ev = Evidence(n_categories=len(taxonomy) if taxonomy is not None else 1)
    limit = stale_limit(stale_days, today)
    if assets is not None and len(assets):
        _count_assets(ev, assets)
        ev.stale = ev.stale_at(limit)
    if unlocated is not None and len(unlocated):
        _count_unlocated(ev, unlocated, areas, study_names)
    _count_filtered(ev, unknown_filtered)
    if rejects is not None and len(rejects):
        _count_rejects(ev, rejects, imports, areas, postcode_area, taxonomy)
    return ev


def stale_limit(stale_days: int, today: date | None = None) -> date:
    """The date before which a record verified is stale: ``stale_days`` before ``today`` (default: today)."""
    return (today or date.today()) - timedelta(days=stale_days)


def _count_assets(ev: Evidence, assets: "Table") -> None:
    """The study area's assets of each category; by area, those without a category (less those that are not
    services), and those of each category located there, inferred, and by the day they were last verified
    (``verified``, from which :meth:`Evidence.stale_at` counts the stale)."""
    verified = assets["last_verified"] if "last_verified" in assets else [None] * len(assets)
    sources = assets["category_source"] if "category_source" in assets else [""] * len(assets)
    # Assets alike in area, category cell, verification date, service and inference are counted together (each
    # value read once).
    day_of = functools.lru_cache(maxsize=None)(_day)
    not_service = functools.lru_cache(maxsize=None)(is_not_a_service)
    for (area, cats, day, no_service, guessed), n in Counter(zip(
            assets["area_code"], assets["categories"], map(day_of, verified), map(not_service, sources),
            (s == "inferred" for s in sources))).items():
        ids = [c for c in (cats or "").split(";") if c]
        for c in ids:
            ev.study[c] += n
        if not area:
            continue
        if not ids and not no_service:
            ev.uncategorised[area] += n
        for c in ids:
            ev.located[(area, c)] += n
            ev.inferred[(area, c)] += guessed * n
            if day is not None:
                ev.verified[(area, c, day)] += n


def _count_unlocated(ev: Evidence, unlocated: "Table", areas: "Table", study_names: "set[str] | frozenset[str]"
                     ) -> None:
    """The services without a location whose served area asset-map cannot place, by category; those kept
    because their postcode lies outside the lookup's coverage (:data:`OUTSIDE_LOOKUP`) apart."""
    from ..categories.served import understood

    codes = [str(c) for c in areas["area_code"]]
    by_name = {str(n).strip().lower(): str(c) for c, n in zip(areas["area_code"], areas["area_name"])}
    by_name.update({c.lower(): c for c in codes})
    extents = unlocated["served_extent"] if "served_extent" in unlocated else [None] * len(unlocated)
    reasons = unlocated["reason"] if "reason" in unlocated else [None] * len(unlocated)
    for cats, served, extent, why in zip(unlocated["categories"], unlocated["served_area"], extents, reasons):
        if extent or understood(served, by_name, study_names):
            continue  # it counts for coverage where it serves (asset_map.categories.served)
        elsewhere = why == OUTSIDE_LOOKUP
        ev.elsewhere_rows += elsewhere
        for c in filter(None, (cats or "").split(";")):
            if elsewhere:
                ev.elsewhere[c] += 1  # operates in the study area, at a place unknown
            else:
                ev.unlocated[("", c)] += 1  # serves nowhere asset-map can place: it may be anywhere


def _count_filtered(ev: Evidence, unknown_filtered: "list[tuple[str | None, str]]") -> None:
    """The assets of each (area, category) a filter left out because their lists do not say."""
    for area, cats in unknown_filtered:
        if area:
            for c in filter(None, (cats or "").split(";")):
                ev.filtered[(area, c)] += 1


def _count_rejects(ev: Evidence, rejects: "Table", imports: "Table | None", areas: "Table",
                   postcode_area: Callable[[str], str | None] | None, taxonomy: "Taxonomy | None") -> None:
    """The rejected rows that would probably have fallen in each area, by category (or of unknown category),
    and those that cannot be placed."""
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


def _day(when: Any) -> int | None:
    """The ordinal of the date a verification cell holds (its first 10 characters, ISO), or ``None``: no date
    (never counted as stale)."""
    try:
        return date.fromisoformat(str(when or "")[:10]).toordinal()
    except ValueError:
        return None


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
            from ..geo import lonlat_to_bng

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
            xs, ys = floats(t["x"]), floats(t["y"])
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
    """Set each row's ``finding``, ``confidence`` and ``confidence_reason``.

    The finding and confidence of every row are worked out at once, from
    the evidence laid out as arrays (:class:`_RowEvidence`); the reason, a
    sentence, is written when the row is made (see :class:`~asset_map.analysis.report.GapReport`).
    """
    from dataclasses import replace

    import numpy as np

    notes = report.notes + (
        [f"{ev.rejected_unplaced} rejected rows could not be placed in any area (no usable postcode or "
         "coordinates); they may belong anywhere"] if ev.rejected_unplaced else []) + (
        [f"{ev.elsewhere_rows} rows of the lists operate in the study area at unknown places (their postcode lies "
         "outside the postcode lookup's coverage): counted in each area's confidence, not as provision"]
        if ev.elsewhere_rows else [])
    view = report.arrays()
    if view is not None:  # the rows are still arrays: judge them as such
        table = view.table
        e = _RowEvidence.of_table(ev, list(table.codes), [c.id for c in table.cats])
        finding, confidence = e.judge((table.counts > 0) | (table.coverage > 0))
        labels = [c.label.lower() for c in table.cats]
        n_areas = table.n_areas

        def reasons(index: "np.ndarray") -> list[str]:
            return e.reasons(index, [labels[k] for k in (index // n_areas).tolist()], stale_days)

        return report.with_rows(view.judged(finding, confidence, reasons), notes=notes)
    rows = report.rows
    e = _RowEvidence.of_rows(ev, [r.area_code for r in rows], [r.category_id for r in rows])
    finding, confidence = e.judge(np.array([r.assets > 0 or r.coverage > 0 for r in rows], dtype=bool))
    why = e.reasons(np.arange(len(rows)), [r.category.lower() for r in rows], stale_days)
    out = [replace(r, finding=f, confidence=c, confidence_reason=w)
           for r, f, c, w in zip(rows, finding.tolist(), confidence.tolist(), why)]
    return report.with_rows(out, notes=notes)


@dataclass
class _RowEvidence:
    """The evidence of missing data for each row, as arrays aligned with the rows.

    ``unlocated`` counts the services without a location serving the row's
    area or an unnamed one (``unlocated_anywhere``: the latter alone), and
    the rows of the category at unknown places (``elsewhere``: those alone);
    ``expected`` is ``hidden × (n_c + 1) / (n + K)`` (the module docstring's *hidden*).
    """

    unlocated: "np.ndarray"
    unlocated_anywhere: "np.ndarray"
    elsewhere: "np.ndarray"
    rejected: "np.ndarray"
    filtered: "np.ndarray"
    nowhere: "np.ndarray"  # bool: no asset of the category anywhere, and no service without a location
    expected: "np.ndarray"
    uncategorised: "np.ndarray"
    rejected_unknown: "np.ndarray"
    stale: "np.ndarray"
    located: "np.ndarray"
    edge: "np.ndarray"  # the flagged edge share, 0 where not flagged
    edge_m: "np.ndarray"  # the catchment of the edge share
    inferred: "np.ndarray"  # assets of the row categorised by inference

    @property
    def mostly_inferred(self) -> "np.ndarray":
        """Rows whose assets are mostly (more than :data:`MOSTLY_INFERRED`) categorised by inference."""
        return (self.located != 0) & (self.inferred > MOSTLY_INFERRED * self.located)

    @property
    def some_evidence(self) -> "np.ndarray":
        """Rows with anything that lowers confidence to medium at least (module docstring)."""
        return ((self.unlocated != 0) | (self.rejected != 0) | (self.filtered != 0) | self.nowhere
                | (self.expected >= MEDIUM_HIDDEN) | (self.stale != 0) | (self.edge > 0) | self.mostly_inferred)

    @classmethod
    def of_rows(cls, ev: Evidence, areas: list[Any], categories: list[str]) -> "_RowEvidence":
        """For rows of these (area code, category id)."""
        import numpy as np

        def per_row(counter: Counter, keys: Any) -> "np.ndarray":
            return np.array([counter[k] for k in keys])

        pairs = list(zip(areas, categories))
        anywhere = per_row(ev.unlocated, (("", c) for c in categories))
        hidden = per_row(ev.uncategorised, areas) + per_row(ev.rejected_unknown, areas)
        study = per_row(ev.study, categories)
        out = cls._make(ev, per_row(ev.unlocated, pairs) + anywhere, anywhere, per_row(ev.elsewhere, categories),
                        per_row(ev.rejected, pairs),
                        per_row(ev.filtered, pairs), study, hidden, per_row(ev.uncategorised, areas),
                        per_row(ev.rejected_unknown, areas), per_row(ev.stale, pairs), per_row(ev.located, pairs),
                        np.array([float(ev.edge[k]) for k in pairs]),
                        np.array([float(ev.catchment.get(c, 0)) for c in categories]), per_row(ev.inferred, pairs))
        return out

    @classmethod
    def of_table(cls, ev: Evidence, codes: list[Any], categories: list[str]) -> "_RowEvidence":
        """For every (category *k*, area *i*), at row ``k·len(codes) + i``."""
        import numpy as np

        n_areas, n_cats = len(codes), len(categories)
        at_area: dict[Any, list[int]] = {}
        for i, code in enumerate(codes):
            at_area.setdefault(code, []).append(i)
        at_cat: dict[str, list[int]] = {}
        for k, c in enumerate(categories):
            at_cat.setdefault(c, []).append(k)

        def by_pair(counter: Counter) -> "np.ndarray":
            """``counter[(area, category)]`` of each row; only the keys present are visited."""
            rows, values = [], []
            for (area, c), v in counter.items():
                if v and c in at_cat and area in at_area:
                    for k in at_cat[c]:
                        for i in at_area[area]:
                            rows.append(k * n_areas + i)
                            values.append(v)
            return _filled(n_areas * n_cats, rows, values)

        def by_area(counter: Counter) -> "np.ndarray":
            return np.tile(np.array([counter[code] for code in codes]), n_cats)

        def by_cat(values: list[Any]) -> "np.ndarray":
            return np.repeat(np.array(values), n_areas)

        anywhere = by_cat([ev.unlocated[("", c)] for c in categories])
        uncategorised, rejected_unknown = by_area(ev.uncategorised), by_area(ev.rejected_unknown)
        out = cls._make(ev, by_pair(ev.unlocated) + anywhere, anywhere, by_cat([ev.elsewhere[c] for c in categories]),
                        by_pair(ev.rejected),
                        by_pair(ev.filtered), by_cat([ev.study[c] for c in categories]),
                        uncategorised + rejected_unknown, uncategorised, rejected_unknown,
                        by_pair(ev.stale), by_pair(ev.located), by_pair(ev.edge).astype(float),
                        by_cat([float(ev.catchment.get(c, 0)) for c in categories]), by_pair(ev.inferred))
        return out

    @classmethod
    def _make(cls, ev: Evidence, unlocated: "np.ndarray", anywhere: "np.ndarray", elsewhere: "np.ndarray",
              rejected: "np.ndarray", filtered: "np.ndarray", study: "np.ndarray", hidden: "np.ndarray",
              uncategorised: "np.ndarray", rejected_unknown: "np.ndarray", stale: "np.ndarray",
              located: "np.ndarray", edge: "np.ndarray", edge_m: "np.ndarray",
              inferred: "np.ndarray") -> "_RowEvidence":
        """The arrays; ``unlocated`` becomes every row of the category without a place, ``elsewhere`` included."""
        total = sum(ev.study.values()) + ev.n_categories
        if total == 0 and len(hidden):
            raise ZeroDivisionError("no categorised asset and no category")
        unlocated = unlocated + elsewhere
        return cls(unlocated, anywhere, elsewhere, rejected, filtered, (study == 0) & (unlocated == 0),
                   hidden * (study + 1) / (total or 1), uncategorised, rejected_unknown, stale, located, edge, edge_m,
                   inferred)

    def judge(self, provision: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
        """The finding and the confidence of each row (object arrays of str).

        ``provision``: the row has assets of the category or some coverage.
        """
        import numpy as np

        missing_data = ((self.unlocated != 0) | (self.rejected != 0) | (self.filtered != 0) | self.nowhere
                        | (self.expected >= NO_DATA_HIDDEN))
        no_data = ~provision & missing_data
        finding = np.where(provision, "provision", np.where(missing_data, "no data?", "no provision"))
        low = no_data | ((self.located != 0) & (self.stale * 2 >= self.located))
        confidence = np.where(low, "low", np.where(self.some_evidence, "medium", "high"))
        return finding.astype(object), confidence.astype(object)

    def reasons(self, index: "np.ndarray", labels: list[str], stale_days: int) -> list[str]:
        """The ``confidence_reason`` of the rows ``index`` (``labels``: their categories' labels, lower case)."""
        import numpy as np

        index = np.asarray(index, dtype=np.intp)
        mostly = self.mostly_inferred
        some = self.some_evidence[index]
        out = ["no sign of missing data"] * len(index)
        at = np.flatnonzero(some)
        rows = index[at]
        values = zip(*(a[rows].tolist() for a in (
            self.unlocated, self.unlocated_anywhere, self.elsewhere, self.rejected, self.filtered, self.nowhere,
            self.expected, self.uncategorised, self.rejected_unknown, self.stale, self.located, self.edge,
            self.edge_m)))
        inferred = self.inferred[rows].tolist()
        located = self.located[rows].tolist()
        for n, v, guessed, here, most in zip(at.tolist(), values, inferred, located, mostly[rows].tolist()):
            why = _why(labels[n], *v, stale_days)
            if most:
                note = _inferred_note(labels[n], guessed, here)
                why = note if why == "no sign of missing data" else f"{why}; {note}"
            out[n] = why
        return out


def _why(label: str, unl: int, unl_anywhere: int, elsewhere: int, rej: int, filt: int, nowhere: bool,
         expected: float, uncategorised: int, rejected_unknown: int, stale: int, located: int, edge: float,
         edge_m: float, stale_days: int) -> str:
    """What lowers confidence in one row, or "no sign of missing data"."""
    reasons = []
    if elsewhere:
        one = elsewhere == 1
        reasons.append(f"{elsewhere} {label} asset{'' if one else 's'} operate{'s' if one else ''} in the study area "
                       f"at {'an unknown place' if one else 'unknown places'} (postcode outside the postcode "
                       "lookup's coverage)")
    unl -= elsewhere
    if unl:
        where = "here or an unnamed area" if unl_anywhere else "here"
        reasons.append(f"{unl} {label} service{'s' if unl != 1 else ''} without a location "
                       f"serve{'s' if unl == 1 else ''} {where}")
    if rej:
        reasons.append(f"{rej} rejected {label} row{'s' if rej != 1 else ''} would probably have fallen here "
                       "(`asset-map rejects`)")
    if filt:
        reasons.append(f"{filt} {label} asset{'s' if filt != 1 else ''} here left out because "
                       f"{'their lists do' if filt != 1 else 'its list does'} not say whether "
                       f"{'they qualify' if filt != 1 else 'it qualifies'} for the filter")
    if nowhere:
        reasons.append(f"no list imported has any {label} asset anywhere in the study area")
    if expected >= MEDIUM_HIDDEN:
        what = []
        if uncategorised:
            what.append(f"{uncategorised} asset{'s' if uncategorised != 1 else ''} here "
                        "without a category")
        if rejected_unknown:
            what.append(f"{rejected_unknown} rejected row{'s' if rejected_unknown != 1 else ''} "
                        "placed here")
        reasons.append(f"{' and '.join(what)}: at the study area's mix about {expected:.1f} would be {label}")
    if stale:
        reasons.append(f"{stale} of {located} {label} asset{'s' if located != 1 else ''} here "
                       f"not verified in {stale_days} days")
    if edge:
        reasons.append(f"edge: {edge:.0%} of this area's {distance_text(edge_m)} catchment lies outside the loaded "
                       "population, so its accessibility may be overstated")
    return "; ".join(reasons) or "no sign of missing data"


def _inferred_note(label: str, inferred: int, located: int) -> str:
    """The reason for a row whose assets are mostly categorised by inference."""
    many = located != 1
    return (f"{inferred} of {located} {label} asset{'s' if many else ''} here categorised from "
            f"{'their' if many else 'its'} text (inferred), not by {'their lists' if many else 'its list'}")


def _filled(n: int, rows: list[int], values: list[Any]) -> "np.ndarray":
    """An array of ``n`` zeros with ``values`` at ``rows``, of the values' type (int unless some are not)."""
    import numpy as np

    out = np.zeros(n, dtype=np.array(values).dtype if values else np.int64)
    out[np.array(rows, dtype=np.intp)] = values
    return out


#: Expected hidden assets of a category that make "no data?" rather than "no provision".
NO_DATA_HIDDEN = 0.5
#: Expected hidden assets of a category that lower confidence to medium.
MEDIUM_HIDDEN = 0.1
#: A row whose assets are categorised by inference more than this share of them is at most medium confidence.
MOSTLY_INFERRED = 0.5
