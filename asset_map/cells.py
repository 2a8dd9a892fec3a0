"""User text made safe for where it goes: spreadsheet cells, CSV files, Markdown, HTML and figures.

Asset lists are typed by many hands and fetched from feeds; a name can be
anything. Every spreadsheet-like or Markdown/HTML output and every figure passes user text
through one of these:

spreadsheet cells (:func:`neutralise`, :func:`csv_text`)
    Excel and LibreOffice read a cell that starts with ``=``, ``+``, ``-`` or
    ``@`` as a formula, even from a CSV file; a formula can fetch a web page,
    leak other cells or, through DDE, run a program (CSV or formula
    injection, OWASP). Text starting with one of those characters, also after
    leading spaces, or with a tab or carriage return, gets a leading
    apostrophe (``'``): the spreadsheet shows it as text. Numbers stay
    numbers, negative ones included.
Markdown (:func:`md_escape`)
    punctuation that formats, links or splits a table cell is backslashed,
    ``<`` and ``>`` become ``&lt;`` and ``&gt;`` (every renderer honours
    those; not all honour ``\\<``), an ``&`` that would start an entity
    becomes ``&amp;``, and
    line breaks become spaces, so a name like ``<img src=x onerror=...>`` or
    ``a|b`` stays text in its cell.
HTML (:func:`html_text`)
    ``&``, ``<``, ``>`` and quotes become entities.
matplotlib figures (:func:`figure_text`)
    matplotlib reads text between two ``$`` as mathtext: ``Costs $5 and
    $ex^2$`` would be drawn with an italic formula and ``$x^$`` stops the
    drawing with an error. Every ``$`` is backslashed (``\\$``), which
    matplotlib draws as a plain ``$``, so titles, labels and legend entries
    show the text exactly as typed. A control character other than a line
    break (a tab, ``\\r``, NUL), which the fonts have no glyph for, becomes a
    space. Escape the finished string, after any wrapping, so a line break
    never falls between ``\\`` and ``$``.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import math
import re
from typing import Any, Iterable, Sequence

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_FIGURE_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def plain_value(value: Any) -> Any:
    """The value as plain Python: a numpy scalar becomes the Python one, NaN becomes None, the rest is kept."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def cell_text(value: Any) -> str:
    """``value`` as the printed outputs show it: blank for a missing value (None or NaN)."""
    value = plain_value(value)
    return "" if value is None else str(value)


def neutralise(value: Any) -> Any:
    """The value made safe to put in a spreadsheet cell (see the module docstring).

    Numbers (including negative ones), None and booleans are returned
    unchanged; a NaN becomes None; numpy scalars become Python ones; text
    that a spreadsheet would run as a formula gets a leading apostrophe.
    """
    value = plain_value(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, line_end: str = "\n") -> str:
    """A CSV file's text: the header, then each row with every cell :func:`neutralise`-d.

    None and NaN are written as empty cells. A cell holding a line break
    (``\\n`` or ``\\r``) is quoted whatever ``line_end`` is, so no reader
    splits the row there.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # quote cells with either line-break character
    lines = []
    for row in itertools.chain([header], rows):
        writer.writerow(["" if (v := neutralise(c)) is None else v for c in row])
        lines.append(buf.getvalue()[:-2])
        buf.seek(0)
        buf.truncate()
    return line_end.join(lines) + line_end


def csv_records(columns: Sequence[str], records: Iterable[dict], *, line_end: str = "\n") -> str:
    """:func:`csv_text` for rows given as dicts by column (missing keys are empty cells)."""
    return csv_text(columns, ([r.get(c) for c in columns] for r in records), line_end=line_end)


def md_escape(value: Any) -> str:
    """User text made safe for Markdown, also inside a table cell (see the module docstring)."""
    s = _MD_ENTITY.sub("&amp;", cell_text(value))
    s = _MD_SPECIAL.sub(r"\\\1", s).replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*[\r\n]+\s*", " ", s)


def html_text(value: Any) -> str:
    """User text made safe for HTML: ``& < > " '`` as entities."""
    return html.escape(cell_text(value), quote=True)


def figure_text(value: Any) -> str:
    """User text made safe for any text a matplotlib figure draws: shown as typed, never as mathtext.

    None and NaN become empty text; control characters but ``\\n`` become spaces (see the module docstring).
    """
    return _FIGURE_CONTROL.sub(" ", cell_text(value)).replace("$", "\\$")
