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

#: Speed on every usable edge, km/h (driving: see :data:`DRIVE_KMH`).
SPEED_KMH = {"walk": 4.8, "cycle": 15.0}
#: The speed behind a time's straight-line equivalent, km/h: driving's is a town speed with junctions and traffic.
NOMINAL_KMH = {"walk": 4.8, "cycle": 15.0, "drive": 30.0}


def straight_line_m(minutes: float, mode: str) -> float:
    """The straight-line equivalent of ``minutes`` by ``mode``: ``minutes / 60 × NOMINAL_KMH[mode] × 1,000`` m."""
    return minutes * NOMINAL_KMH[mode] * 1000 / 60
