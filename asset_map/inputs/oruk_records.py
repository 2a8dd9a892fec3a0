"""The records an Open Referral UK feed is read into, whatever its version or form.

A :class:`Feed` holds the :class:`Service` records read (each with its
:class:`Place` list and :class:`TermRef` list) and the :class:`Problem` list
of things in the feed that break the schema (see :mod:`asset_map.inputs.oruk`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Statuses that mean a service is not running (excluded from imports unless asked for).
NOT_RUNNING = {"inactive", "defunct", "closed", "temporarily closed"}


@dataclass(frozen=True)
class TermRef:
    """A taxonomy term as a feed gives it."""

    vocabulary: str | None
    id: str | None
    name: str | None


@dataclass
class Place:
    """Where a service is delivered: one ``service_at_location``."""

    location_id: str
    name: str | None
    latitude: float | None
    longitude: float | None
    postcode: str | None
    address: str | None
    physical: bool


@dataclass
class Service:
    """One service, in the same form whatever the feed's version."""

    record: int
    id: str
    name: str | None
    description: str
    status: str
    organisation: str | None
    places: list[Place]
    terms: list[TermRef]
    min_age: float | None = None
    max_age: float | None = None
    schedules: list[dict[str, Any]] = field(default_factory=list)
    capacity: str | None = None
    #: Places for the accessibility measures: the largest ``maximum`` (else ``available``) among the capacities.
    capacity_value: float | None = None
    #: The unit of that capacity as the feed names it ("Children", "Places"), "" when it names none.
    capacity_unit: str = ""
    #: ``yes``/``no``/``""``: from the cost options (an amount of 0 or an option saying free) or ``fees``.
    free: str = ""
    last_verified: str | None = None
    served_areas: list[dict[str, Any]] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status.strip().lower() not in NOT_RUNNING

    @property
    def audience(self) -> str:
        """``all``, ``65+``, ``0-5``: the age band from the eligibility ages."""
        lo, hi = self.min_age, self.max_age
        if lo is None and (hi is None or hi >= 100):
            return "all"
        if hi is None or hi >= 100:
            return f"{lo:g}+"
        return f"{(lo or 0):g}-{hi:g}"

    def times(self) -> dict[str, bool]:
        """Daytime, evening and weekend flags from the schedules.

        A schedule is **evening** if it closes after 18:00 or opens at or after
        17:00, **daytime** if it opens before 17:00, **weekend** if it runs on
        Saturday or Sunday (``byday`` SA/SU, or the day's name).
        """
        out = {"daytime": False, "evening": False, "weekend": False}
        for s in self.schedules:
            opens, closes = _minutes(s.get("opens_at")), _minutes(s.get("closes_at"))
            if opens is not None and opens < 17 * 60:
                out["daytime"] = True
            if (closes is not None and closes > 18 * 60) or (opens is not None and opens >= 17 * 60):
                out["evening"] = True
            days = " ".join(str(s.get(k) or "") for k in ("byday", "weekday", "day", "description")).upper()
            if re.search(r"\b(SA|SU|SAT|SUN|SATURDAY|SUNDAY)\b", days):
                out["weekend"] = True
        return out

    def is_stale(self, today: date, max_age_days: int) -> bool:
        """Whether the record was last verified more than ``max_age_days`` before ``today`` (or never)."""
        if not self.last_verified:
            return True
        try:
            verified = date.fromisoformat(self.last_verified[:10])
        except ValueError:
            return True
        return (today - verified).days > max_age_days


@dataclass
class Problem:
    """Something in a feed that breaks the schema: which record, which field, what is wrong."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}, field {self.field!r}: {self.message}"


@dataclass
class Feed:
    """The services of a directory feed and the problems found reading it."""

    source: str
    form: str
    services: list[Service]
    problems: list[Problem]
    unusable: int = 0  # records that could not be read as a service at all

    @property
    def services_read(self) -> int:
        return len(self.services) + self.unusable


def _minutes(value: Any) -> int | None:
    m = re.match(r"^\s*(\d{1,2}):(\d{2})", str(value or ""))
    return int(m.group(1)) * 60 + int(m.group(2)) if m else None
