"""Numbers read from users' files: one reader that accepts what spreadsheets write and refuses the rest.

Accepted: ``39813``, ``39,813`` and ``39 813`` (thousands separators),
``1.5e3``, a number with spaces around it, and a number a spreadsheet stored
as a float. With ``decimal_comma`` (a file saved where the comma is the
decimal point, as a semicolon-separated CSV is), ``52,6044`` is 52.6044 and
``1.234,5`` or ``1 234,5`` is 1234.5. Refused, with a message that names the place and says what to
do: text that is no number, ``inf`` and ``nan`` (which would make every
figure computed from them meaningless), and values outside a range the
caller gives.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import InputFileError

_SEPARATED = re.compile(r"^[+-]?\d{1,3}(?:[, \u00a0\u202f]\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+),\d+$")


def number(value: Any, *, where: str, what: str = "a number", low: float | None = None,
           high: float | None = None, advice: str = "correct it in the file", decimal_comma: bool = False) -> float:
    """``value`` as a finite float in ``[low, high]``, or :class:`InputFileError` naming ``where``.

    ``where`` is the place the value came from (``"areas.csv, row 7, column 'pop'"``),
    ``what`` what the value should be (``"a population"``); ``advice`` the
    "what to do" half of the message; ``decimal_comma`` reads a comma as the decimal point.
    """
    x = _parse(value, decimal_comma)
    if x is None:
        raise InputFileError(f"{where}: {_shown(value)} is not {what}; {advice}")
    if not math.isfinite(x):
        raise InputFileError(f"{where}: {_shown(value)} cannot be {what} (it is not a finite number); {advice}")
    if (low is not None and x < low) or (high is not None and x > high):
        bounds = (f"between {low:g} and {high:g}" if low is not None and high is not None
                  else f"at least {low:g}" if low is not None else f"at most {high:g}")
        raise InputFileError(f"{where}: {_shown(value)} is out of range for {what} ({bounds}); {advice}")
    return x


def _parse(value: Any, decimal_comma: bool = False) -> float | None:
    """The float a cell holds, or None if it holds none (``inf`` and ``nan`` parse, to be refused)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "item"):  # numpy scalar
        return _parse(value.item())
    text = str(value).strip()
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = re.sub(r"[. \u00a0\u202f]", "", text).replace(",", ".")
    elif _SEPARATED.match(text):
        text = re.sub(r"[, \u00a0\u202f]", "", text)
    try:
        return float(text)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
