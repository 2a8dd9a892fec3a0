"""A catchment given as a time and a mode: "10 min walk", "15 min cycle", "20 min drive".

Written in a taxonomy's ``travel`` column (:mod:`.taxonomy`). The number is
minutes (``min``, ``mins``, ``minutes``) or hours (``h``, ``hour``,
``hours``); the mode one of walk (``walking``, ``on foot``), cycle
(``cycling``, ``bike``, ``bicycle``) or drive (``driving``, ``car``), in any
case. Its straight-line equivalent is
:func:`asset_map.network.profiles.straight_line_m` (``minutes / 60 ×
nominal km/h × 1,000``: 10 min walk = 800 m).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..network.profiles import straight_line_m

_MODE_WORDS = {"walk": "walk", "walking": "walk", "on foot": "walk", "foot": "walk",
               "cycle": "cycle", "cycling": "cycle", "bike": "cycle", "bicycle": "cycle", "by bike": "cycle",
               "drive": "drive", "driving": "drive", "car": "drive", "by car": "drive"}
_FORM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(min|mins|minute|minutes|h|hr|hrs|hour|hours)\.?\s+(.+?)\s*$", re.I)
EXAMPLE = '"10 min walk", "15 min cycle" or "20 min drive"'


@dataclass(frozen=True)
class Travel:
    """How long, and how, people travel to an asset of a category."""

    minutes: float
    mode: str  # walk, cycle or drive

    @property
    def text(self) -> str:
        """``10 min walk``."""
        return f"{self.minutes:g} min {self.mode}"

    @property
    def straight_m(self) -> float:
        """The straight-line equivalent, metres."""
        return straight_line_m(self.minutes, self.mode)


def parse_travel(text: str) -> Travel | None:
    """The :class:`Travel` a cell says (``None`` for an empty cell).

    Raises
    ------
    ValueError
        When the cell is not a time and a mode; the message says what to write.
    """
    if not text or not text.strip():
        return None
    m = _FORM.match(text)
    mode = _MODE_WORDS.get(re.sub(r"\s+", " ", m.group(3).lower())) if m else None
    if m is None or mode is None:
        raise ValueError(f"{text.strip()!r} is not a time and a mode; write e.g. {EXAMPLE}")
    minutes = float(m.group(1)) * (60 if m.group(2).lower().startswith("h") else 1)
    if not minutes > 0:
        raise ValueError(f"{text.strip()!r}: the time must be more than 0 minutes")
    return Travel(minutes, mode)
