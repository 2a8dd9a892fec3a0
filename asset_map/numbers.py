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


# ---------------------------------------------------------------- capacities and their units
#: Words next to a capacity's unit that are not part of it ("30 max", "up to 30", "20 places (plus a waiting list)").
_QUALIFIERS = frozenset("a an approx approximately about around circa c ca max maximum min minimum roughly total up to "
                        "plus in".split())
#: Words that end a unit: what follows is prose ("30 but can squeeze more in").
_STOPS = frozenset("and but or if depending depends varies per each every".split())
#: Irregular plurals of the units lists use.
_PLURALS = {"person": "people", "people": "people", "child": "children", "children": "children"}
#: A rate after the unit: "a week", "per week", "/week", "weekly".
_RATE = re.compile(r"^(?:(?:a|an|per|each|every|/)\s*(week|day|month|year|session|term)s?|(week|dai|month|year)ly)\b")
_RATE_NOUNS = {"week": "week", "dai": "day", "month": "month", "year": "year"}
_QUANTITY = re.compile(r"\d+(?:\.\d+)?")
#: A unit is at most this many words ("nursery places"); more is a sentence, not a unit.
_UNIT_WORDS = 3


def quantity(text: Any) -> tuple[float, str]:
    """A capacity cell's number and unit: ``"30 pupils"`` → ``(30.0, "pupils")``; NaN when there is no number.

    The number is the first in the cell (thousands separators dropped, so
    ``"1,200 places"`` is 1200; ``"20-25 places"`` is 20). The unit is what
    :func:`unit` makes of the rest of the cell (after a range's ``-25`` or
    ``to 25``); ``""`` when the cell names none.
    """
    cell = "" if text is None else re.sub(r"(?<=\d),(?=\d{3})", "", str(text))
    m = _QUANTITY.search(cell)
    if m is None:
        return math.nan, ""
    return float(m.group()), unit(re.sub(r"^\s*(?:-|–|to)\s*\d+(?:\.\d+)?", "", cell[m.end():]))


def unit(text: Any) -> str:
    """The standard form of a unit of capacity, so that spellings of one unit compare equal.

    The words are read in lower case: qualifiers before them ("max",
    "approx", "up to") are skipped; then the run of up to three words until
    a qualifier, a joining word ("and", "but", "per"...), a bracket,
    a comma or a rate, whose last word, in the plural, is the
    unit ("12 nursery places" and "Place" are ``places``, "person" is
    ``people``); a rate after it is written ``a week``/``a day``/``a month``/
    ``a year``/``a session``/``a term`` ("sessions per week", "sessions/week",
    "sessions a week" and "sessions weekly" are ``sessions a week``). ``""``
    when there is no such word, or the words are a sentence ("but can take
    more", a run of four words or more).
    """
    text = re.split(r"[(\[;:,]", str(text or "").lower(), maxsplit=1)[0]
    words = re.sub(r"[^a-z/]+", " ", text).replace("/", " / ").split()
    k = 0
    while k < len(words) and (words[k] in _QUALIFIERS or len(words[k]) < 2):
        k += 1
    run: list[str] = []
    rate = None
    while k < len(words):
        rate = _RATE.match(" ".join(words[k:]))
        if rate or words[k] in _QUALIFIERS or words[k] in _STOPS or words[k] == "/":
            break
        run.append(words[k])
        k += 1
    if not run or len(run) > _UNIT_WORDS:
        return ""
    return _plural(run[-1]) + (f" a {rate.group(1) or _RATE_NOUNS[rate.group(2)]}" if rate else "")


def _plural(word: str) -> str:
    """``word`` in the plural: irregulars from :data:`_PLURALS`, ``-ies`` for a final consonant + ``y``, else ``-s``
    (a word already ending in ``s`` is kept)."""
    if word in _PLURALS:
        return _PLURALS[word]
    if word.endswith("s"):
        return word
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
