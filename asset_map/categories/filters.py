"""Which assets count: who they are for, when they run, whether they are free, when last checked.

Each asset carries, where its list says so:

``audience``
    an age band (``all``, ``65+``, ``0-5``): from a directory's eligibility
    ages, or a list's "Audience" / "Age group" column ("Over 65s" → ``65+``,
    "18 and over" → ``18+``, "11-25" → ``11-25``, "under 5s" → ``0-4``,
    "all ages", "everyone" → ``all``; "older people" → ``65+``, "adults" →
    ``18+``, "children" → ``0-15``, "young people" → ``11-25``);
``daytime``, ``evening``, ``weekend``
    ``yes``/``no``, or empty when unknown: from a directory's schedules, or a
    list's "When" / "Days and times" column. Saturday or Sunday (or
    "weekend") makes ``weekend``; a time at or after 18:00, an opening at
    or after 17:00, or "evening"/"night" makes ``evening``; a time before
    17:00, "morning", "afternoon", "daytime" or a weekday without a time makes
    ``daytime``. A text that says something recognisable sets the others to
    ``no``;
``free``
    ``yes``/``no``/unknown: from a directory's cost options or fees, or a
    list's "Cost" / "Price" / "Fee" column ("free", "no charge", "£0" → yes;
    an amount above zero → no);
``last_verified``
    an ISO date: a directory's ``assured_date``/``last_modified``, or a list's
    "Last verified" / "Last updated" / "Date checked" column (``2025-03-01``,
    ``01/03/2025``, ``1 March 2025``).

A filter keeps an asset only when it is **known** to pass: an asset whose list
does not say is left out, and the report counts those separately from the ones
that do not qualify, so a workshop can see how much is unknown. An audience
filter keeps assets whose band overlaps the one asked for, and counts that
band as every category's target population.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import AssetMapError
from .taxonomy import AgeBand

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Table

WHEN = ("daytime", "evening", "weekend")


class FilterError(AssetMapError):
    """A filter option that cannot be understood."""


# --------------------------------------------------------------------------- reading cells
_AUDIENCE_WORDS = {
    "all": "all", "all ages": "all", "everyone": "all", "anyone": "all", "open to all": "all", "any age": "all",
    "older people": "65+", "older adults": "65+", "elderly": "65+", "seniors": "65+", "pensioners": "65+",
    "adults": "18+", "adult": "18+", "children": "0-15", "children and young people": "0-25",
    "young people": "11-25", "youth": "11-25", "teenagers": "13-19", "families": "all", "babies": "0-1",
    "under 5s": "0-4", "under fives": "0-4", "toddlers": "1-3",
}


def parse_audience(text: Any) -> str:
    """An age band code from an audience cell, or ``""`` when it cannot be read."""
    if text is None:
        return ""
    t = re.sub(r"\s+", " ", str(text).strip().lower().replace("–", "-"))
    if not t:
        return ""
    if t in _AUDIENCE_WORDS:
        return _AUDIENCE_WORDS[t]
    m = re.search(r"(\d{1,2})\s*(?:-|to)\s*(\d{1,3})", t)
    if m and int(m.group(2)) >= int(m.group(1)):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    m = re.search(r"(\d{1,2})\s*(?:\+|plus|and over|and above|or over|or older|years and over)", t) or \
        re.search(r"(?:over|above|aged over)\s*(\d{1,2})", t)
    if m:  # "over 65s" is meant as 65 and over
        return f"{int(m.group(1))}+"
    m = re.search(r"under\s*(\d{1,2})", t)
    if m and int(m.group(1)) > 0:
        return f"0-{int(m.group(1)) - 1}"
    for words, band in _AUDIENCE_WORDS.items():
        if len(words) > 4 and words in t:
            return band
    return ""


_WEEKEND = re.compile(r"\b(sat|sats|saturday|saturdays|sun|sundays?|weekends?)\b")
_WEEKDAY = re.compile(r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|mondays?|tuesdays?|wednesdays?|thursdays?|"
                      r"fridays?|weekdays?)\b")
_EVENING = re.compile(r"\b(evenings?|nights?|after work|after school)\b")
_DAY = re.compile(r"\b(mornings?|afternoons?|daytime|day time|lunch ?times?|midday|am)\b")
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b")


def parse_when(text: Any) -> dict[str, str]:
    """``daytime``/``evening``/``weekend`` as ``yes``/``no``/``""`` from a "when" cell."""
    out = {k: "" for k in WHEN}
    if text is None or not str(text).strip():
        return out
    t = str(text).lower()
    hours: list[int] = []
    for m in _TIME.finditer(t):
        h = int(m.group(1))
        if m.group(3) == "pm" and h < 12:
            h += 12
        if m.group(2) is None and m.group(3) is None:
            continue  # a bare number ("2nd Tuesday", "5 sessions") is not a time
        if 0 <= h <= 23:
            hours.append(h)
    weekend = bool(_WEEKEND.search(t))
    evening = bool(_EVENING.search(t)) or any(h >= 18 for h in hours) or bool(hours and hours[0] >= 17)
    daytime = bool(_DAY.search(t)) or any(h < 17 for h in hours[:1]) or (
        bool(_WEEKDAY.search(t)) and not hours and not evening)
    if not (weekend or evening or daytime or _WEEKDAY.search(t)):
        return out  # nothing recognisable: unknown
    return {"daytime": "yes" if daytime else "no", "evening": "yes" if evening else "no",
            "weekend": "yes" if weekend else "no"}


_FREE = re.compile(r"\b(free|no charge|no cost|free of charge|nil)\b|£\s*0(?:\.00)?\b|^0(?:\.00)?$")
_AMOUNT = re.compile(r"£\s*(\d+(?:\.\d{1,2})?)|^(\d+(?:\.\d{1,2})?)$|(\d+(?:\.\d{1,2})?)\s*p\b")


def parse_free(text: Any) -> str:
    """``yes``/``no``/``""`` from a cost cell."""
    if text is None:
        return ""
    t = str(text).strip().lower()
    if not t:
        return ""
    if _FREE.search(t):
        return "yes"
    m = _AMOUNT.search(t)
    if m:
        amount = float(next(g for g in m.groups() if g is not None))
        return "no" if amount > 0 else "yes"
    return ""


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}


def parse_date(text: Any) -> str:
    """An ISO date from ``2025-03-01``, ``01/03/2025`` (day first), ``1 March 2025``; ``""`` otherwise."""
    if text is None:
        return ""
    t = str(text).strip().lower()
    try:
        m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", t)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$", t)
        if m:
            y = int(m.group(3))
            return date(y + 2000 if y < 100 else y, int(m.group(2)), int(m.group(1))).isoformat()
        m = re.match(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3})[a-z]*\.?\s+(\d{4})$", t)
        if m and m.group(2) in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))).isoformat()
    except ValueError:
        return ""
    return ""


# --------------------------------------------------------------------------- filtering
@dataclass(frozen=True)
class AssetFilter:
    """Conditions an asset must be known to meet to count."""

    audience: AgeBand | None = None
    when: tuple[str, ...] = ()
    free: bool = False
    verified_since: date | None = None

    @classmethod
    def from_options(cls, *, audience: str | None = None, when: list[str] | None = None, free: bool = False,
                     verified_since: str | None = None) -> "AssetFilter":
        """Build a filter from command-line text, with one-line errors."""
        band = None
        if audience:
            try:
                band = AgeBand.parse(audience)
            except ValueError:
                raise FilterError(f"--audience {audience!r}: write an age band such as 65+, 0-15, 16-64 or all") \
                    from None
        times = tuple(w.strip().lower() for w in (when or []))
        for w in times:
            if w not in WHEN:
                raise FilterError(f"--when {w!r}: choose daytime, evening or weekend")
        since = None
        if verified_since:
            iso = parse_date(verified_since)
            if not iso:
                raise FilterError(f"--verified-since {verified_since!r}: write a date such as 2025-04-01")
            since = date.fromisoformat(iso)
        return cls(band, times, free, since)

    @property
    def active(self) -> bool:
        return bool(self.audience is not None or self.when or self.free or self.verified_since)

    def describe(self) -> str:
        parts = []
        if self.audience is not None:
            parts.append(f"for {self.audience.code}")
        if self.when:
            words = {"daytime": "in the daytime", "evening": "in the evening", "weekend": "at the weekend"}
            parts.append("running " + " or ".join(words[w] for w in self.when))
        if self.free:
            parts.append("free")
        if self.verified_since:
            parts.append(f"verified since {self.verified_since.isoformat()}")
        return ", ".join(parts)

    def check(self, record: dict[str, Any]) -> str | None:
        """``None`` if the asset passes, else why not: ``"unknown …"`` or ``"not …"``."""
        details = _details(record.get("details"))
        if self.audience is not None:
            code = str(record.get("audience") or details.get("audience") or "").strip()
            if not code:
                return "unknown audience"
            try:
                band = AgeBand.parse(code)
            except ValueError:
                return "unknown audience"
            if not _overlaps(band, self.audience):
                return f"not for {self.audience.code}"
        if self.when:
            flags = {w: _flag(record.get(w), details.get(w)) for w in WHEN}
            if any(flags[w] == "yes" for w in self.when):
                pass
            elif all(flags[w] == "" for w in self.when):
                return "unknown times"
            else:
                return f"not {' or '.join(self.when)}"
        if self.free:
            free = str(record.get("free") or details.get("free") or "")
            if free == "":
                return "unknown cost"
            if free != "yes":
                return "not free"
        if self.verified_since is not None:
            iso = parse_date(record.get("last_verified"))
            if not iso:
                return "no verification date"
            if date.fromisoformat(iso) < self.verified_since:
                return f"not verified since {self.verified_since.isoformat()}"
        return None


def _details(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    try:
        out = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return out if isinstance(out, dict) else {}


def _flag(column: Any, detail: Any) -> str:
    if isinstance(detail, bool):
        return "yes" if detail else "no"
    return str(column or "")


def _overlaps(a: AgeBand, b: AgeBand) -> bool:
    a_high = 200 if a.high is None else a.high
    b_high = 200 if b.high is None else b.high
    return a.low <= b_high and b.low <= a_high


@dataclass
class FilterReport:
    """How many assets a filter kept, and why the others were left out."""

    description: str
    kept: int = 0
    left_out: Counter = field(default_factory=Counter)
    #: (area code, categories) of each asset left out because its list does not say.
    unknown: list[tuple[Any, Any]] = field(default_factory=list)

    def note(self) -> str:
        unknown = sum(n for why, n in self.left_out.items() if why.startswith(("unknown", "no ")))
        reasons = ", ".join(f"{n} {why}" for why, n in self.left_out.most_common())
        return (f"counting only assets {self.description}: {self.kept} kept, "
                f"{sum(self.left_out.values())} left out ({reasons or 'none'}); "
                f"{unknown} of them because their list does not say")


def apply_filter(assets: "Table | None", flt: AssetFilter) -> tuple["Table | None", FilterReport]:
    """The assets the filter keeps, and the report of what it left out."""
    import numpy as np

    from ..store import Table

    report = FilterReport(flt.describe())
    if assets is None or not flt.active:
        report.kept = 0 if assets is None else len(assets)
        return assets, report
    names = list(assets.columns)
    keep = []
    for i in range(len(assets)):
        record = {n: assets.columns[n][i] for n in names}
        why = flt.check(record)
        if why is None:
            keep.append(i)
        else:
            report.left_out[why] += 1
            if why.startswith(("unknown", "no ")):
                report.unknown.append((record.get("area_code"), record.get("categories")))
    report.kept = len(keep)
    geometry = None if assets.geometry is None else np.asarray(assets.geometry, dtype=object)[keep]
    return Table({n: [assets.columns[n][i] for i in keep] for n in names}, geometry), report
