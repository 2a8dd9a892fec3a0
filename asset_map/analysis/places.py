"""Finding an area by what people call it: its code or name in any case and punctuation, or a place inside it.

A workshop asks for "Stretford" or "M32", not for the locality that contains
them. :func:`find_place` answers with an area's code:

1. an area whose code or name has the same *matching form* as the query
   (:func:`name_key`: case, ``&``/"and", apostrophes and punctuation ignored);
2. else a **place** in the postcode lookup (its ``ward`` column, kept by
   ``asset-map postcodes load`` from a column such as ``ward_name``): a
   ward whose name, or one of its parts either side of "&"/"and", has the
   query's matching form, or whose name starts with the query's words
   ("Timperley" → Timperley Central, Timperley North); or a **postcode
   district** ("M32"). The place's live postcodes are assigned to the areas
   and the area holding most of them is the answer, with the share:
   ``share = postcodes in that area / postcodes of the place in any area``;
3. else :class:`~asset_map.errors.UnknownAreaError` with the closest area or
   place name (rapidfuzz, on the matching forms).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ..categories.taxonomy import normalise_word
from ..errors import UnknownAreaError, WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store, Table

#: An outward code on its own: a postcode district such as ``M32`` or ``WA14``.
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def name_key(text: object) -> str:
    """The matching form of a name: lower case, ``&`` as "and", no apostrophes, other punctuation as one space."""
    return normalise_word(str(text))


def exact_area(areas: "Table", query: str) -> str | None:
    """The code of the area whose code or name has the matching form of ``query``, or None."""
    key = name_key(query)
    for code, name in zip(areas["area_code"], areas["area_name"]):
        if key in (name_key(code), name_key(name)):
            return str(code)
    return None


def find_place(store: "Store", query: str) -> tuple[str, str]:
    """The code of the area ``query`` names, or that holds most of the place it names, and a line saying so
    (empty when the query names the area itself).

    Raises
    ------
    UnknownAreaError
        When neither an area nor a place matches, with "did you mean ..." naming the closest.
    """
    areas = store.read("areas")
    if areas is None or not len(areas):
        raise WorkspaceError("no areas loaded; run `asset-map boundaries load FILE` first")
    code = exact_area(areas, query)
    if code is not None:
        return code, ""
    wards, points = _place_points(store, query)
    if points is not None and len(points[0]):
        return _holding_area(areas, query, wards, points)
    raise unknown_area(areas, query, sorted(set(_ward_names(store))))


def _place_points(store: "Store", query: str) -> tuple[list[str], "tuple | None"]:
    """The wards ``query`` names (empty for a postcode district) and the live postcodes' points (x, y) of the
    place, or ``(…, None)`` when it names no place."""
    district = re.sub(r"\s+", "", query).upper()
    if DISTRICT.match(district):
        t = store.read("postcodes", columns=["x", "y", "terminated"], where="postcode >= ? AND postcode < ?",
                       params=(district + " ", district + "!"))
        return [], None if t is None else _live(t)
    key = name_key(query)
    words = key.split()
    names = _ward_names(store)
    hits = sorted({w for w in names if key and (key == name_key(w) or key in _parts(w)
                                                 or name_key(w).split()[:len(words)] == words)})
    if not hits:
        return [], None
    t = store.read("postcodes", columns=["x", "y", "terminated", "ward"])
    keep = [w in hits for w in t["ward"]]
    return hits, _live(t, keep)


def _parts(ward: str) -> list[str]:
    """A ward name's parts either side of "and"/"&" (``Stretford & Humphrey Park``: stretford, humphrey park)."""
    return [p.strip() for p in name_key(ward).split(" and ")]


def _ward_names(store: "Store") -> list[str]:
    """The different ward names of the postcode lookup (none when it has no ward column)."""
    t = store.read("postcodes", columns=["ward"]) if store.count("postcodes") else None
    if t is None or "ward" not in t:
        return []
    return [w for w in set(t["ward"]) if w]


def _live(t: "Table", keep: list[bool] | None = None) -> tuple[list[float], list[float]]:
    """The points of the live postcodes of ``t`` (those ``keep`` marks) that have a grid reference."""
    import math

    rows = zip(t["x"], t["y"], t["terminated"], keep if keep is not None else [True] * len(t))
    pts = [(x, y) for x, y, term, k in rows if k and not term and x is not None and not math.isnan(x)]
    return [p[0] for p in pts], [p[1] for p in pts]


def _holding_area(areas: "Table", query: str, wards: list[str], points: tuple) -> tuple[str, str]:
    """The area holding most of the place's postcodes, and the line saying so."""
    import numpy as np
    import shapely

    from .assign import assign_points

    codes = assign_points(shapely.points(points[0], points[1]), np.asarray(areas.geometry, dtype=object),
                          list(areas["area_code"]))
    counts = Counter(c for c in codes if c is not None)
    if not counts:
        raise unknown_area(areas, query, [], f"{query!r} is a place, but none of its postcodes lies in an area")
    code, n = counts.most_common(1)[0]
    name = str(dict(zip(areas["area_code"], areas["area_name"]))[code])
    total = sum(counts.values())
    inside = f"inside {name}" if n == total else f"mostly inside {name} ({n:,} of its {total:,} postcodes)"
    if not wards:
        said = f"{query.strip().upper()} is a postcode district {inside}"
    elif [name_key(w) for w in wards] == [name_key(query)]:
        said = f"{wards[0]} is a ward {inside}"
    else:
        said = f"{query.strip()} is in the ward{'s' if len(wards) > 1 else ''} {', '.join(wards)}, {inside}"
    return code, f"{said}: showing {name}"


def unknown_area(areas: "Table", query: str, places: list[str], said: str = "") -> UnknownAreaError:
    """The error for a query that names no area: the closest area or place name, and the areas."""
    from rapidfuzz import fuzz, process

    choices = [str(n) for n in areas["area_name"]] + [str(c) for c in areas["area_code"]] + places
    best = process.extractOne(query, choices, scorer=fuzz.WRatio, processor=name_key, score_cutoff=60)
    hint = f"; did you mean {best[0]!r}?" if best else ""
    shown = ", ".join(str(n) for n in areas["area_name"][:12])
    return UnknownAreaError(f"{said or f'no area called {query!r}'}{hint} (the areas are: {shown})")
