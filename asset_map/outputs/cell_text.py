"""The text of a cell from the data, as the printed outputs show it."""

from __future__ import annotations

import math
from typing import Any


def cell_text(v: Any) -> str:
    """``v`` as text: blank for a missing value (``None`` or NaN)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)
