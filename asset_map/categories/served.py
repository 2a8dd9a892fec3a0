"""Served areas: provision that reaches people beyond its own door.

A helpline, an online group, a borough-wide befriending service or a scheme
that visits people at home serves an area without standing in it. Such
services are recorded with what they serve:

- in an asset list, a column such as "Area served" / "Serves" / "Coverage area";
- in an Open Referral UK directory, the service's ``service_areas`` (by name or
  code, or a GeoJSON ``extent``), for services with or without a location.

Each part of the text (parts are separated by ``;``, ``,``, ``|`` or ``/``)
is read as:

area
    the code or name of one of the study's areas (any case): that area;
whole study area
    "borough-wide", "district-wide", "city-wide", "county-wide", "whole
    borough", "all areas", "online", "phone", "telephone", "national",
    "nationwide", "UK-wide" and the like, or one of the study area's own names
    or codes given with ``asset-map boundaries load --study-name``
    ("Trafford", "E08000009"): every area;
radius
    "within 5 km", "5 miles", "3km radius", "800 m": a disc of that radius
    around the asset (only for assets with a location); with a street
    network, the streets within that distance of the asset along them
    (:func:`asset_map.network.isochrones.street_radius`);
GeoJSON extent
    the polygon itself.

Anything else (another council's code, a ward the study does not use) is not
guessed at: it is counted and reported, so the user can name it as an area or
as borough-wide. A served area counts for **coverage**: residents inside it
are reached, whether or not a located asset is within the catchment. It does
not enter the accessibility measures (a service without a place has no
distance to decay). The gap rows show separately how many services serve an
area from outside it or without a location (``served``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Table

_WIDE_WORDS = {"online", "on-line", "virtual", "remote", "phone", "telephone", "by phone", "by telephone",
               "helpline", "national", "nationwide", "everywhere", "anywhere", "all areas", "all", "home visits",
               "boroughwide", "districtwide", "citywide", "countywide", "whole area", "the whole area"}
_WIDE = re.compile(r"^[\w' ]+ ?-? ?wide$|^(the )?(whole|entire|all of the|all of) (borough|district|city|county|"
                   r"region|town|area|council area|local authority)$")


def _is_wide(key: str) -> bool:
    """Whether a served-area phrase means the whole study area: "borough-wide", "Trafford wide", "online"..."""
    return key in _WIDE_WORDS or bool(_WIDE.match(key))


_RADIUS = re.compile(r"(?:within |radius (?:of )?)?(\d+(?:\.\d+)?)\s*(km|kms|kilomet(?:re|er)s?|miles?|mi|m|"
                     r"met(?:re|er)s?)\b(?: radius)?", re.IGNORECASE)
_SPLIT = re.compile(r"\s*[;,|/\n]\s*")
_METRES = {"km": 1000, "kms": 1000, "mile": 1609.344, "miles": 1609.344, "mi": 1609.344, "m": 1}


@dataclass(frozen=True)
class ServedArea:
    """Where one service reaches, in British National Grid."""

    name: str
    categories: tuple[str, ...]
    geometry: Any  # shapely (Multi)Polygon
    located_area: str | None  # the area the service stands in, if any


@dataclass
class ServedAreas:
    """The served areas understood, and the parts that were not."""

    areas: list[ServedArea]
    unresolved: Counter

    def for_category(self, category_id: str) -> list[ServedArea]:
        return [a for a in self.areas if category_id in a.categories]

    def note(self) -> str | None:
        """A line for the report about the parts not understood, or ``None``."""
        if not self.unresolved:
            return None
        shown = ", ".join(f"{t!r} ×{n}" if n > 1 else repr(t) for t, n in self.unresolved.most_common(5))
        more = len(self.unresolved) - 5
        return (f"served areas not understood and not counted: {shown}{f' and {more} more' if more > 0 else ''}; "
                "write an area's code or name, 'borough-wide', 'online' or a radius such as 'within 5 km'")


def understood(text: Any, by_name: dict[str, str], study_names: "set[str] | frozenset[str]" = frozenset()) -> bool:
    """Whether a served-area text names at least one place asset-map can place without a location:
    an area (``by_name``: lower-case name or code → code) or the whole study area (a wide phrase, or one of
    ``study_names``, the study area's own names and codes in lower case)."""
    return any(key in by_name or _is_wide(key) or key in study_names for _, key in _parts(text))


def _parts(text: Any) -> Iterator[tuple[str, str]]:
    """The parts of a served-area text, each as written (stripped) and as compared (:func:`_key`).

    Parts are separated by ``;``, ``,``, ``|``, ``/`` or a line break; empty
    parts are skipped.
    """
    for part in _SPLIT.split(str(text or "").strip()):
        key = _key(part)
        if key:
            yield part.strip(), key


def _text(value: Any) -> str:
    """A cell as text: missing values (None, NaN) as ``""``."""
    return "" if value is None or value != value else str(value)


def _key(part: str) -> str:
    """A served-area part as compared: lower case, without a final full stop."""
    return part.strip().lower().rstrip(".")


def _metres(value: str, unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("kilomet"):
        unit = "km"
    elif unit.startswith("met"):
        unit = "m"
    return float(value) * _METRES[unit]


def resolve(areas: "Table", assets: "Table | None", unlocated: "Table | None",
            study_names: "set[str] | frozenset[str]" = frozenset(), *,
            radius: "Callable[[Any, float], Any] | None" = None) -> ServedAreas:
    """Turn every service's served-area text and extent into polygons.

    ``study_names`` are the study area's own names and codes (lower case:
    ``{"trafford", "e08000009"}``), which mean the whole study area. A
    service's polygon is the union of what each part of its text names
    (:class:`_StudyPlaces`) and of its extent; parts not understood are
    counted in ``unresolved``. ``radius(point, metres)`` draws a radius
    (default: a disc).
    """
    places = _StudyPlaces(areas, study_names, radius)
    out: list[ServedArea] = []
    unresolved: Counter = Counter()
    for name, cats, area, text, extent, point in _records(assets, unlocated):
        text, extent = _text(text), _text(extent)
        categories = tuple(c for c in _text(cats).split(";") if c)
        if not categories or not (text or extent):
            continue
        shapes = [*_text_shapes(text, point, places, unresolved), *_extent_shapes(extent, unresolved)]
        if shapes:
            out.append(ServedArea(str(name), categories, _union(shapes), area or None))
    return ServedAreas(out, unresolved)


class _StudyPlaces:
    """The study's areas by code and by name (any case), and the whole study area, as served-area parts name them."""

    def __init__(self, areas: "Table", study_names: "set[str] | frozenset[str]",
                 radius: "Callable[[Any, float], Any] | None" = None) -> None:
        self.radius = radius
        self.polygons = {str(c): g for c, g in zip(areas["area_code"], areas.geometry)}
        self.by_name = {str(n).strip().lower(): str(c) for c, n in zip(areas["area_code"], areas["area_name"])}
        self.by_name.update({c.lower(): c for c in self.polygons})
        self.study_names = study_names

    @cached_property
    def whole(self) -> Any:
        """The study area: the union of the areas, built only when a service serves all of it."""
        return _union(list(self.polygons.values()))

    def shape(self, key: str, point: Any) -> Any:
        """The polygon a part (as compared) names, or ``None`` when it is not understood.

        An area's code or name gives that area; a wide phrase or one of the
        study's own names the whole study area; a radius a disc of that radius
        round ``point`` (16 segments a quarter circle), if the service has one.
        """
        import shapely

        if key in self.by_name:
            return self.polygons[self.by_name[key]]
        if _is_wide(key) or key in self.study_names:
            return self.whole
        radius = _RADIUS.fullmatch(key)
        if radius and point is not None and not shapely.is_missing(point):
            metres = _metres(radius.group(1), radius.group(2))
            if self.radius is not None:
                return self.radius(point, metres)
            return shapely.buffer(point, metres, quad_segs=16)
        return None


def _records(assets: "Table | None", unlocated: "Table | None") -> Iterator[tuple]:
    """(name, categories, area code, served-area text, extent, point) of each service that may serve an area.

    Located assets with neither a served-area text nor an extent (most of
    them: they serve only where they are) are skipped at once; unlocated
    services have no area and no point.
    """
    if assets is not None and len(assets):
        texts = assets["served_area"] if "served_area" in assets else [None] * len(assets)
        extents = assets["served_extent"] if "served_extent" in assets else [None] * len(assets)
        # Empty cells (None, "") are passed over without a Python call each; NaN and the rest are looked at.
        for j, text, extent in [(j, t, e) for j, (t, e) in enumerate(zip(texts, extents)) if t or e]:
            if _text(text) or _text(extent):
                yield (assets["name"][j], assets["categories"][j], assets["area_code"][j], text, extent,
                       assets.geometry[j])
    if unlocated is not None and len(unlocated):
        extents = unlocated["served_extent"] if "served_extent" in unlocated else [None] * len(unlocated)
        for name, cats, text, extent in zip(unlocated["name"], unlocated["categories"],
                                            unlocated["served_area"], extents):
            yield name, cats, None, text, extent, None


def _text_shapes(text: str, point: Any, places: _StudyPlaces, unresolved: Counter) -> list[Any]:
    """The polygons the parts of a served-area text name; each part not understood is counted in *unresolved*."""
    shapes = []
    for part, key in _parts(text):
        shape = places.shape(key, point)
        if shape is None:
            unresolved[part] += 1
        else:
            shapes.append(shape)
    return shapes


def _extent_shapes(extent: str, unresolved: Counter) -> list[Any]:
    """A GeoJSON extent (WGS84) as a polygon in British National Grid: none, one, or none and a count of
    ``"(unreadable extent)"`` in *unresolved*."""
    if not extent:
        return []
    import numpy as np
    import shapely

    from ..geo import BNG, WGS84, transformer

    try:
        geom = shapely.from_geojson(str(extent))
        to_bng = transformer(WGS84, BNG)
        return [shapely.transform(geom, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1])))]
    except (ValueError, shapely.errors.GEOSException):
        unresolved["(unreadable extent)"] += 1
        return []


def _union(shapes: list[Any]) -> Any:
    """The union of the polygons."""
    import numpy as np
    import shapely

    return shapely.union_all(np.array(shapes, dtype=object))
