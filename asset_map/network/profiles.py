"""What each mode of travel may use on the street network, and how fast it goes.

Speeds, in km/h: walking 4.8 and cycling 15 on every edge they may use;
driving at the edge's ``maxspeed`` or, without one, its road class's speed
(:data:`DRIVE_KMH`).

A catchment given as a time has a *straight-line equivalent*, the distance
covered in that time at the mode's nominal speed:
``d = minutes / 60 × NOMINAL_KMH[mode] × 1,000`` metres (10 min walk =
800 m; 15 min cycle = 3,750 m; 10 min drive = 5,000 m). It is the radius
used where a time cannot be (without a network) and the distance against
which the barrier effect is measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

#: Speed on every usable edge, km/h (driving: see :data:`DRIVE_KMH`).
SPEED_KMH = {"walk": 4.8, "cycle": 15.0}
#: The speed behind a time's straight-line equivalent, km/h: driving's is a town speed with junctions and traffic.
NOMINAL_KMH = {"walk": 4.8, "cycle": 15.0, "drive": 30.0}


def straight_line_m(minutes: float, mode: str) -> float:
    """The straight-line equivalent of ``minutes`` by ``mode``: ``minutes / 60 × NOMINAL_KMH[mode] × 1,000`` m."""
    return minutes * NOMINAL_KMH[mode] * 1000 / 60


# --------------------------------------------------------------------------- which ways each mode may use
#: Raised whenever a rule or speed changes, so a stored network read with older rules can be told apart.
PROFILES_VERSION = 1

_ROADS = ("primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
          "residential", "living_street", "service", "road")
#: ``highway`` classes each mode may use by default (before the access tags, see :func:`way_rules`).
MODE_HIGHWAYS = {
    "walk": frozenset(_ROADS + ("trunk", "trunk_link", "footway", "path", "steps", "pedestrian", "track",
                                "bridleway", "cycleway")),
    "cycle": frozenset(_ROADS + ("trunk", "trunk_link", "cycleway", "path", "track", "bridleway")),
    "drive": frozenset(_ROADS + ("motorway", "motorway_link", "trunk", "trunk_link")),
}
#: Never used, whatever the other tags say.
NEVER = {"walk": frozenset({"motorway", "motorway_link"}), "cycle": frozenset({"motorway", "motorway_link"}),
         "drive": frozenset()}
#: The access tags of each mode, most specific first (the first one present decides).
MODE_KEYS = {"walk": ("foot",), "cycle": ("bicycle",), "drive": ("motorcar", "motor_vehicle")}
#: Values of ``access`` or a mode's tag that shut a way; values of a mode's tag that open it.
CLOSED = frozenset({"no", "private"})
OPEN = frozenset({"yes", "permissive", "designated", "destination", "customers", "official"})
#: Values of a mode's own tag that shut the way to it besides :data:`CLOSED` (``bicycle=dismount``: walk the bike).
CLOSED_FOR_MODE = CLOSED | {"dismount", "use_sidepath"}

_MPH = 1.609344
#: Driving speed by road class where a way has no usable ``maxspeed``, km/h (UK limits, in mph × 1.609344).
DRIVE_KMH = {"motorway": 70 * _MPH, "motorway_link": 40 * _MPH, "trunk": 60 * _MPH, "trunk_link": 40 * _MPH,
             "primary": 40 * _MPH, "primary_link": 30 * _MPH, "secondary": 30 * _MPH, "secondary_link": 30 * _MPH,
             "tertiary": 30 * _MPH, "tertiary_link": 30 * _MPH, "unclassified": 30 * _MPH, "residential": 20 * _MPH,
             "road": 20 * _MPH, "living_street": 10 * _MPH, "service": 10 * _MPH, "track": 10 * _MPH}
#: Named limits (``maxspeed=GB:nsl_single``...), km/h: UK national speed limits for cars.
NAMED_KMH = {"gb:nsl_single": 60 * _MPH, "uk:nsl_single": 60 * _MPH, "gb:nsl_dual": 70 * _MPH,
             "uk:nsl_dual": 70 * _MPH, "gb:motorway": 70 * _MPH, "uk:motorway": 70 * _MPH,
             "gb:nsl_restricted": 30 * _MPH, "uk:nsl_restricted": 30 * _MPH, "gb:urban": 30 * _MPH,
             "uk:urban": 30 * _MPH, "walk": 5.0}
_DUAL = frozenset({"motorway", "motorway_link", "trunk"})
_YES = frozenset({"yes", "true", "1"})


class WayRules(NamedTuple):
    """What :func:`way_rules` decides for one OSM way."""

    walk: bool
    cycle: bool
    drive: bool
    drive_kmh: float  # NaN where the way may not be driven
    oneway_drive: bool  # by car only in the way's direction (after ``reverse``)
    oneway_cycle: bool
    reverse: bool  # the way is one-way against its drawn direction (``oneway=-1``): read it backwards


def way_rules(tags: "Mapping[str, str]") -> WayRules | None:
    """Which modes may use an OSM way, how fast a car goes and which way is one-way; ``None`` if no mode may.

    ``tags`` needs only ``get(key, default)`` (a dict or pyosmium's tag list).

    ===============  ==========================================================================
    way              rule
    ===============  ==========================================================================
    excluded         ``highway`` missing or not in any mode's list (``construction``,
                     ``proposed``, ``abandoned``, ``platform``, ``raceway``...), or ``area=yes``
    walk             footway, path, steps, pedestrian, track, bridleway, cycleway, living_street,
                     residential, service, unclassified, road, tertiary/secondary/primary (and
                     ``_link``), trunk (and ``_link``) unless ``sidewalk=no/none``
    cycle            cycleway, path, track, bridleway, the roads of the walk row and trunk;
                     footway, pedestrian and steps only with ``bicycle=yes/designated/...``
    drive            motorway, trunk, primary, secondary, tertiary (and ``_link``),
                     unclassified, residential, living_street, service, road; other classes
                     only with ``motorcar``/``motor_vehicle=yes/designated/...``
    never            motorway and motorway_link on foot or by bike
    access           ``access=no/private`` shuts the way to every mode whose own tag (``foot``,
                     ``bicycle``, ``motorcar`` else ``motor_vehicle``) does not open it
                     (``yes``, ``permissive``, ``designated``, ``destination``...); a mode's own
                     tag ``no``/``private`` (and ``bicycle=dismount``/``use_sidepath``) shuts it
    ===============  ==========================================================================

    Driving speed: :func:`maxspeed_kmh` of ``maxspeed`` (or ``maxspeed:forward``), else the road
    class's :data:`DRIVE_KMH`.

    One-way: ``oneway=yes/true/1`` is one-way in the way's direction and ``oneway=-1`` against it
    (``reverse``); ``junction=roundabout/circular`` and motorways are one-way unless ``oneway=no``;
    ``oneway=reversible/alternating`` (direction changes with the time of day) is not driven. Driving
    keeps it. Cycling keeps it too, except two-way when ``oneway:bicycle=no``, or ``cycleway``,
    ``cycleway:left``, ``cycleway:right`` or ``cycleway:both`` starts with ``opposite``, or
    ``cycleway:left:oneway``/``cycleway:right:oneway`` is ``no`` or ``-1`` (a contraflow lane);
    ``oneway:bicycle=yes`` or ``-1`` makes cycling one-way on its own. Walking is always two-way.
    """
    highway = tags.get("highway", None)
    if highway is None or tags.get("area", "no") == "yes":
        return None
    access = tags.get("access", "")
    allowed = {mode: _mode_allowed(tags, mode, highway, access) for mode in MODE_HIGHWAYS}
    if highway == "trunk" or highway == "trunk_link":
        if tags.get("sidewalk", "") in ("no", "none") and _mode_tag(tags, "walk") not in OPEN:
            allowed["walk"] = False
    oneway = tags.get("oneway", "")
    if oneway in ("reversible", "alternating"):
        allowed["drive"] = False
    if not any(allowed.values()):
        return None
    direction = _direction(tags, highway, oneway)
    bike = _bike_direction(tags, direction)
    reverse = direction == -1 or (direction == 0 and bike == -1)
    kmh = float("nan")
    if allowed["drive"]:
        kmh = maxspeed_kmh(tags.get("maxspeed", None) or tags.get("maxspeed:forward", None), highway)
        if kmh is None:
            kmh = DRIVE_KMH.get(highway, DRIVE_KMH["road"])
    return WayRules(allowed["walk"], allowed["cycle"], allowed["drive"], kmh,
                    allowed["drive"] and direction != 0,
                    allowed["cycle"] and bike != 0 and (direction == 0 or bike == direction), reverse)


def _mode_tag(tags: "Mapping[str, str]", mode: str) -> str:
    """The value of the first of ``mode``'s own access tags present (:data:`MODE_KEYS`), or ``""``."""
    for key in MODE_KEYS[mode]:
        value = tags.get(key, None)
        if value is not None:
            return value
    return ""


def _mode_allowed(tags: "Mapping[str, str]", mode: str, highway: str, access: str) -> bool:
    """Whether ``mode`` may use the way: its class's default, then ``access``, then the mode's own tag."""
    if highway in NEVER[mode]:
        return False
    own = _mode_tag(tags, mode)
    if own in OPEN:
        return highway in MODE_HIGHWAYS["walk"] | MODE_HIGHWAYS["cycle"] | MODE_HIGHWAYS["drive"]
    if own in CLOSED_FOR_MODE or access in CLOSED:
        return False
    return highway in MODE_HIGHWAYS[mode]


def _direction(tags: "Mapping[str, str]", highway: str, oneway: str) -> int:
    """+1 one-way along the way, -1 against it, 0 both ways (for driving; see :func:`way_rules`)."""
    if oneway in _YES:
        return 1
    if oneway == "-1":
        return -1
    if oneway == "no":
        return 0
    if tags.get("junction", "") in ("roundabout", "circular") or highway in ("motorway", "motorway_link"):
        return 1
    return 0


def _bike_direction(tags: "Mapping[str, str]", direction: int) -> int:
    """Cycling's direction: +1, -1 or 0 (two-way), from driving's and the cycling tags (see :func:`way_rules`)."""
    own = tags.get("oneway:bicycle", "")
    if own == "no":
        return 0
    if own in _YES:
        return 1
    if own == "-1":
        return -1
    if direction == 0:
        return 0
    for key in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
        if tags.get(key, "").startswith("opposite"):
            return 0
    for key in ("cycleway:left:oneway", "cycleway:right:oneway"):
        if tags.get(key, "") in ("no", "-1"):
            return 0
    return direction


def maxspeed_kmh(value: str | None, highway: str = "") -> float | None:
    """A car's speed from an OSM ``maxspeed`` value, km/h; ``None`` when it gives none (use the class's).

    ``"50"`` is km/h; ``"30 mph"`` is 30 × 1.609344; ``"20 knots"`` × 1.852; several values
    (``"20 mph;30 mph"``) give the lowest; the UK's named limits (``GB:nsl_single`` 60 mph,
    ``GB:nsl_dual`` and ``GB:motorway`` 70 mph, ``GB:nsl_restricted`` 30 mph) their speed;
    ``national`` is 70 mph on motorways and trunk roads and 60 mph elsewhere; ``none``,
    ``signals``, ``variable`` and anything unreadable give ``None``.
    """
    if not value:
        return None
    speeds = []
    for part in value.split(";"):
        part = part.strip().lower()
        if part in NAMED_KMH:
            speeds.append(NAMED_KMH[part])
        elif part in ("national", "nsl"):
            speeds.append(70 * _MPH if highway in _DUAL else 60 * _MPH)
        else:
            speed = _number_with_unit(part)
            if speed is not None:
                speeds.append(speed)
    return min(speeds) if speeds else None


def _number_with_unit(text: str) -> float | None:
    """``"30 mph"`` → 48.28, ``"50"``/``"50 km/h"`` → 50.0, ``"10 knots"`` → 18.52; ``None`` if not a speed."""
    units = {"mph": _MPH, "knots": 1.852, "kmh": 1.0, "km/h": 1.0, "kph": 1.0}
    factor = 1.0
    for unit, f in units.items():
        if text.endswith(unit):
            text, factor = text[: -len(unit)].strip(), f
            break
    try:
        speed = float(text)
    except ValueError:
        return None
    return speed * factor if 0 < speed < 200 else None
