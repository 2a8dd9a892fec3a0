"""Postcodes found through the workspace: its postcode lookup, and the cache of the online service's answers.

Imports locate a row that has a postcode and no coordinates with a
``find_postcodes`` function: :func:`find_postcodes` asks the stored lookup
(``postcodes``); :func:`online_finder` asks the lookup, then the cache
(``postcode_cache``), then the online service for what both lack, and keeps
the new answers for :func:`write_cache` to store with the import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store, StoreWriter
    from .progress import Progress

#: Columns of the ``postcode_cache`` table: answers of the online postcode service.
CACHE_COLUMNS = {"postcode": "str", "x": "float64", "y": "float64", "terminated": "str", "looked_up_at": "str"}
#: ``terminated`` value of a cached postcode the service did not know.
NOT_FOUND = "not found"
#: How many postcodes one read of a postcode table asks for.
POSTCODES_PER_READ = 500


def find_postcodes(store: "Store", postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]] | None":
    """``{postcode: (x, y, terminated)}`` for the given standard-form postcodes found in the lookup.

    ``None`` when no postcode lookup is loaded. ``x``/``y`` are NaN for a
    postcode the lookup has no grid reference for.
    """
    if store.count("postcodes") is None:
        return None
    return read_postcodes(store, "postcodes", postcodes)


class LookupFinder:
    """``find_postcodes`` over the stored lookup, which also knows what the lookup covers (:meth:`coverage`).

    A postcode missing from a lookup that covers the whole country does not
    exist (or is too new); one missing from a local lookup most likely lies
    outside the lookup's coverage (:class:`LookupCoverage`).
    """

    def __init__(self, store: "Store") -> None:
        self.store = store
        self._coverage: "list[LookupCoverage | None]" = []

    def __call__(self, postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]] | None":
        return find_postcodes(self.store, postcodes)

    def coverage(self) -> "LookupCoverage | None":
        """What the loaded lookup covers (:func:`lookup_coverage`), read once."""
        if not self._coverage:
            self._coverage.append(lookup_coverage(self.store))
        return self._coverage[0]


@dataclass(frozen=True)
class LookupCoverage:
    """What a local postcode lookup (one that does not cover the whole country) holds.

    ``districts`` maps each postcode district (the outward code: ``M32``,
    ``WA15``) to the lookup's postcodes in it; a district's postcode area is
    its leading letters (``M``, ``WA``).
    """

    postcodes: int
    districts: dict[str, int]

    @property
    def areas(self) -> list[str]:
        """The postcode areas the lookup holds postcodes of, in order."""
        return sorted({_AREA.match(d).group() for d in self.districts})

    def describe(self) -> str:
        """``"a local lookup of 11,264 postcodes in postcode areas M, WA: districts M15, ..., WA15"``; the
        districts are named when there are at most :data:`NAMED_DISTRICTS` of them, else counted."""
        ds = sorted(self.districts, key=_district_order)
        which = f"districts {', '.join(ds)}" if len(ds) <= NAMED_DISTRICTS else f"{len(ds):,} districts"
        return (f"a local lookup of {self.postcodes:,} postcodes in postcode area{'s' if len(self.areas) != 1 else ''}"
                f" {', '.join(self.areas)}: {which}")

    def reason(self, postcode: str) -> str:
        """Why a well-formed ``postcode`` missing from the lookup is taken to lie outside its coverage."""
        district = postcode.split()[0]
        held = self.districts.get(district, 0)
        part = (f"; the lookup holds only {held:,} postcode{'s' if held != 1 else ''} of district {district}, so it "
                "most likely lies just beyond the lookup's edge") if held else ""
        return f"postcode {postcode} lies outside the postcode lookup's coverage ({self.describe()}){part}"


#: At most this many districts are named when a lookup's coverage is described.
NAMED_DISTRICTS = 20
_AREA = re.compile(r"[A-Z]+")


def _district_order(district: str) -> tuple[str, int, str]:
    """``M9`` before ``M15``: by area, then district number."""
    m = re.match(r"([A-Z]+)(\d+)(.*)", district)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (district, 0, "")


def lookup_coverage(store: "Store") -> "LookupCoverage | None":
    """What the loaded lookup covers, or ``None`` when none is loaded or it covers the whole country.

    A lookup of at least :data:`asset_map.analysis.confidence.NATIONAL_LOOKUP`
    postcodes (ONSPD, Code-Point Open) is national: a postcode missing from
    it is not found. Any smaller lookup is local, and its postcodes are
    counted by district.
    """
    from collections import Counter

    from ..analysis.confidence import NATIONAL_LOOKUP

    n = store.count("postcodes")
    if n is None or n >= NATIONAL_LOOKUP:
        return None
    t = store.read("postcodes", columns=["postcode"])
    districts = Counter(str(pc).split()[0] for pc in (t["postcode"] if t is not None else []) if pc)
    return LookupCoverage(n, dict(districts))


def read_postcodes(store: "Store", table: str, postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]]":
    """The rows of a postcode table (``postcodes`` or ``postcode_cache``) for these postcodes."""
    wanted = sorted(set(postcodes))
    found: dict[str, tuple[float, float, str]] = {}
    if store.count(table) is None:
        return found
    for start in range(0, len(wanted), POSTCODES_PER_READ):
        chunk = tuple(wanted[start:start + POSTCODES_PER_READ])
        t = store.read(table, where=f"postcode IN ({','.join('?' * len(chunk))})", params=chunk)
        for pc, x, y, term in zip(t["postcode"], t["x"], t["y"], t["terminated"]):
            found[pc] = (float("nan") if x is None else x, float("nan") if y is None else y, term or "")
    return found


def find_one_postcode(store: "Store", postcode: str) -> "tuple[float, float] | None":
    """A postcode's grid reference from the lookup, else from the online cache."""
    import math

    for table in ("postcodes", "postcode_cache"):
        hit = read_postcodes(store, table, [postcode]).get(postcode)
        if hit and not math.isnan(hit[0]):
            return hit[0], hit[1]
    return None


def online_finder(store: "Store", base_url: str, timeout: float, new_rows: list[dict],
                  progress: "Progress | None" = None):
    """A ``find_postcodes`` that asks the online service for what the lookup and the cache lack.

    Answers, "not found" included, are appended to ``new_rows`` for the
    caller to store in the ``postcode_cache`` table with the import
    (:func:`write_cache`).
    """
    def find(postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]]":
        wanted = set(postcodes)
        found = find_postcodes(store, wanted) or {}
        cached = read_postcodes(store, "postcode_cache", wanted - set(found))
        found.update({pc: v for pc, v in cached.items() if v[2] != NOT_FOUND})
        ask = sorted(wanted - set(found) - set(cached))
        if ask:
            found.update(_ask_online(ask, base_url, timeout, new_rows, progress))
        return found

    return find


def _ask_online(ask: list[str], base_url: str, timeout: float, new_rows: list[dict],
                progress: "Progress | None") -> "dict[str, tuple[float, float, str]]":
    """The online service's answers for ``ask``; each answer, "not found" included, is added to ``new_rows``."""
    from datetime import datetime, timezone

    from .postcodes_online import lookup_postcodes_online

    answer = lookup_postcodes_online(
        ask, base_url=base_url, timeout=timeout,
        progress=(lambda done, total: progress("looking up postcodes online", done, total)) if progress else None,
    )
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for pc, (x, y, term) in answer.found.items():
        new_rows.append({"postcode": pc, "x": x, "y": y, "terminated": term, "looked_up_at": now})
    for pc in sorted(answer.not_found):
        new_rows.append({"postcode": pc, "x": float("nan"), "y": float("nan"), "terminated": NOT_FOUND,
                         "looked_up_at": now})
    return answer.found


def write_cache(store: "Store", tx: "StoreWriter", new_rows: list[dict]) -> None:
    """Store the online answers ``new_rows`` in ``postcode_cache``, replacing older answers for their postcodes."""
    import pandas as pd

    from .stored import frame

    old_cache = frame(store, "postcode_cache")
    cache = pd.DataFrame(new_rows, columns=list(CACHE_COLUMNS))
    if old_cache is not None:
        cache = pd.concat([old_cache[~old_cache["postcode"].isin(cache["postcode"])], cache], ignore_index=True)
    tx.write("postcode_cache", cache)
    tx.index("postcode_cache", "postcode")
