"""Which OSM ways each mode may use, driving speeds from ``maxspeed``, one-way rules (network/profiles.py)."""

from __future__ import annotations

import math

import pytest

from asset_map.network.profiles import DRIVE_KMH, maxspeed_kmh, way_rules

pytestmark = pytest.mark.gpkg_only  # reads files and rules only: nothing differs between stores

MPH = 1.609344


def modes(**tags) -> tuple[bool, bool, bool] | None:
    rules = way_rules(tags)
    return None if rules is None else (rules.walk, rules.cycle, rules.drive)


@pytest.mark.parametrize("tags, expected", [
    ({"highway": "footway"}, (True, False, False)),
    ({"highway": "footway", "bicycle": "designated"}, (True, True, False)),
    ({"highway": "steps"}, (True, False, False)),
    ({"highway": "path"}, (True, True, False)),
    ({"highway": "path", "bicycle": "no"}, (True, False, False)),
    ({"highway": "cycleway"}, (True, True, False)),
    ({"highway": "cycleway", "foot": "no"}, (False, True, False)),
    ({"highway": "track"}, (True, True, False)),
    ({"highway": "track", "motor_vehicle": "yes"}, (True, True, True)),
    ({"highway": "bridleway"}, (True, True, False)),
    ({"highway": "residential"}, (True, True, True)),
    ({"highway": "primary_link"}, (True, True, True)),
    ({"highway": "trunk"}, (True, True, True)),
    ({"highway": "trunk", "sidewalk": "no"}, (False, True, True)),
    ({"highway": "trunk", "foot": "no", "bicycle": "no"}, (False, False, True)),
    ({"highway": "motorway"}, (False, False, True)),
    ({"highway": "motorway_link", "foot": "yes", "bicycle": "yes"}, (False, False, True)),  # never on foot
    ({"highway": "service", "access": "private"}, None),
    ({"highway": "service", "access": "no", "foot": "permissive"}, (True, False, False)),
    ({"highway": "residential", "access": "private", "motor_vehicle": "destination"}, (False, False, True)),
    ({"highway": "residential", "motorcar": "no", "motor_vehicle": "yes"}, (True, True, False)),  # motorcar first
    ({"highway": "residential", "bicycle": "dismount"}, (True, False, True)),
    ({"highway": "pedestrian", "area": "yes"}, None),
    ({"highway": "construction"}, None),
    ({"highway": "proposed"}, None),
    ({"highway": "platform"}, None),
    ({"railway": "rail"}, None),
])
def test_who_may_use_a_way(tags, expected):
    assert modes(**tags) == expected


@pytest.mark.parametrize("value, highway, kmh", [
    ("30 mph", "residential", 30 * MPH),
    ("50", "residential", 50.0),
    ("50 km/h", "residential", 50.0),
    ("20 mph;30 mph", "residential", 20 * MPH),
    ("GB:nsl_single", "primary", 60 * MPH),
    ("GB:nsl_dual", "trunk", 70 * MPH),
    ("UK:motorway", "motorway", 70 * MPH),
    ("national", "trunk", 70 * MPH),
    ("national", "secondary", 60 * MPH),
    ("10 knots", "service", 18.52),
    ("none", "motorway", None),
    ("signals", "primary", None),
    ("fast", "primary", None),
    ("0", "primary", None),
    (None, "primary", None),
])
def test_maxspeed(value, highway, kmh):
    got = maxspeed_kmh(value, highway)
    assert got == (None if kmh is None else pytest.approx(kmh))


def test_speed_by_class_when_maxspeed_gives_none():
    assert way_rules({"highway": "primary", "maxspeed": "variable"}).drive_kmh == pytest.approx(40 * MPH)
    assert way_rules({"highway": "motorway"}).drive_kmh == pytest.approx(DRIVE_KMH["motorway"]) == \
        pytest.approx(112.65, abs=0.01)
    assert way_rules({"highway": "residential", "maxspeed:forward": "20 mph"}).drive_kmh == pytest.approx(32.19,
                                                                                                        abs=0.01)
    assert math.isnan(way_rules({"highway": "footway"}).drive_kmh)


@pytest.mark.parametrize("tags, oneway_drive, oneway_cycle, reverse", [
    ({"oneway": "yes"}, True, True, False),
    ({"oneway": "1"}, True, True, False),
    ({"oneway": "-1"}, True, True, True),
    ({"oneway": "no", "junction": "roundabout"}, False, False, False),
    ({"junction": "roundabout"}, True, True, False),
    ({"oneway": "yes", "oneway:bicycle": "no"}, True, False, False),
    ({"oneway": "yes", "cycleway": "opposite_lane"}, True, False, False),
    ({"oneway": "yes", "cycleway:right": "opposite_track"}, True, False, False),
    ({"oneway": "yes", "cycleway:left:oneway": "-1"}, True, False, False),
    ({"oneway": "-1", "cycleway": "opposite"}, True, False, True),
    ({"oneway:bicycle": "yes"}, False, True, False),
    ({"oneway:bicycle": "-1"}, False, True, True),
    ({}, False, False, False),
])
def test_one_way(tags, oneway_drive, oneway_cycle, reverse):
    rules = way_rules({"highway": "tertiary", **tags})
    assert (rules.oneway_drive, rules.oneway_cycle, rules.reverse) == (oneway_drive, oneway_cycle, reverse)


def test_one_way_cycleway_and_reversible_road():
    cycleway = way_rules({"highway": "cycleway", "oneway": "yes"})
    assert cycleway.oneway_cycle and not cycleway.oneway_drive and not cycleway.drive
    assert way_rules({"highway": "motorway"}).oneway_drive  # motorways are one-way without the tag
    reversible = way_rules({"highway": "primary", "oneway": "reversible"})
    assert (reversible.walk, reversible.drive) == (True, False)
