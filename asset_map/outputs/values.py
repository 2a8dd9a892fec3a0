"""Stored values as plain Python, for the files asset-map writes (GeoJSON, handouts)."""

from __future__ import annotations

import math
from typing import Any


def plain_value(value: Any) -> Any:
    """The value as plain Python: a numpy scalar becomes the Python one, NaN becomes None, the rest is kept."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
