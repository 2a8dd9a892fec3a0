"""Postcodes found through the workspace: its postcode lookup, and the cache of the online service's answers.

Imports locate a row that has a postcode and no coordinates with a
``find_postcodes`` function: :func:`find_postcodes` asks the stored lookup
(``postcodes``); :func:`online_finder` asks the lookup, then the cache
(``postcode_cache``), then the online service for what both lack, and keeps
the new answers for :func:`write_cache` to store with the import.
"""

from __future__ import annotations

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
