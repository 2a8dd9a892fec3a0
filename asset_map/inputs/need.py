"""Reading need indicators by small area: IMD 2019 score or decile, or any indicator.

The need index made from them is defined in :mod:`asset_map.analysis.need`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.need import NeedIndicator
from ..errors import ColumnError, InputFileError
from ..numbers import number

if TYPE_CHECKING:  # pragma: no cover
    from .table import InputTable

_CODE_HEADERS = ("code", "area code", "area_code", "lsoa code", "lsoa21cd", "lsoa11cd", "lsoa code 2011",
                 "lsoa code 2021", "oa21cd", "msoa21cd", "geography code", "small area code")
_PREFERRED = ("index of multiple deprivation score", "imd score", "score",
              "index of multiple deprivation decile", "imd decile", "decile")
_LOWER_IS_NEED = re.compile(r"\b(decile|rank|quintile)\b|1 is most deprived")


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", re.sub(r"\([^)]*\)", "", str(header).lower())).strip()


def read_need_csv(path: str | Path, *, column: str | None = None, code_column: str | None = None,
                  higher_is_more_need: bool | None = None) -> NeedIndicator:
    """Read a need indicator from a CSV (or Excel) file.

    Parameters
    ----------
    column
        The indicator column; detected when omitted (an IMD score, else an
        IMD decile, else the only numeric column).
    code_column
        The code column; detected when omitted.
    higher_is_more_need
        Which way the indicator runs; when omitted, deciles, ranks and
        quintiles (and headers saying "1 is most deprived") are taken as
        lower = more need, anything else as higher = more need.

    Raises
    ------
    ColumnError
        If the code or indicator column cannot be found.
    InputFileError
        If a value is not a number or a code appears twice.
    """
    from .readers import read_input

    table = read_input(path)
    headers = {_norm(c): c for c in table.columns}
    code_col = _code_column(table, headers, code_column)
    value_col = _value_column(table, headers, code_col, column)
    if higher_is_more_need is None:
        higher_is_more_need = not _LOWER_IS_NEED.search(str(value_col).lower())
    values, blank = _values(table, code_col, value_col)
    indicator = NeedIndicator(str(value_col), values, higher_is_more_need, table.path.name)
    if blank:
        indicator.notes.append(
            f"{table.path.name}: {_rows(blank)} {'have' if len(blank) > 1 else 'has'} no value in {value_col!r} "
            "(an empty cell, or NA, NaN or -): counted as average need")
    return indicator


def _code_column(table: "InputTable", headers: dict[str, str], code_column: str | None) -> str:
    """The column of small-area codes: ``code_column`` if given, else the first header in :data:`_CODE_HEADERS`."""
    p = table.path
    if code_column is not None and code_column not in table.frame.columns:
        raise ColumnError(f"{p}: no column {code_column!r}; the columns are {', '.join(table.columns)}")
    code_col = code_column or next((headers[h] for h in _CODE_HEADERS if h in headers), None)
    if code_col is None:
        raise ColumnError(f"{p}: no small-area code column (looked for 'LSOA code', 'code', 'area_code'...) "
                          f"among {', '.join(map(repr, table.columns))}; pass --code-column with the one that "
                          "holds the codes")
    return code_col


def _value_column(table: "InputTable", headers: dict[str, str], code_col: str, column: str | None) -> str:
    """The indicator column: ``column`` if given, else an IMD score, else an IMD decile, else the only numeric one."""
    p, frame = table.path, table.frame
    numeric = [c for c in table.columns if c != code_col and _mostly_numbers(frame[c])]
    if column is not None:
        if column not in frame.columns:
            raise ColumnError(f"{p}: no column {column!r}; the numeric columns are {', '.join(numeric) or 'none'}")
        return column
    value_col = next((headers[h] for h in _PREFERRED if h in headers and headers[h] in numeric), None)
    if value_col is None and len(numeric) == 1:
        value_col = numeric[0]
    if value_col is None:
        raise ColumnError(
            f"{p}: cannot tell which column is the need indicator; pass --column, one of: "
            f"{', '.join(numeric[:12]) or '(no numeric column)'}"
        )
    return value_col


def _values(table: "InputTable", code_col: str, value_col: str) -> tuple[dict[str, float], list[int]]:
    """``{code: value}`` (each a finite number, :func:`asset_map.numbers.number`), and the rows with no
    value, which are left out (they count as average need where used)."""
    frame, p = table.frame, table.path
    values: dict[str, float] = {}
    blank: list[int] = []
    for i in range(len(frame)):
        code, raw = frame[code_col].iloc[i], frame[value_col].iloc[i]
        row = table.row_numbers[i]
        if code is None or str(code).strip() == "":
            raise InputFileError(f"{p}, row {row}, column {code_col!r}: empty code; give every row its area code")
        if raw is None or str(raw).strip() == "":
            blank.append(row)  # no value: counted as average need and reported
            continue
        x = number(raw, where=f"{p}, row {row}, column {value_col!r}", what="a need value",
                   advice="correct it, or leave the cell empty for an area without a value")
        key = str(code).strip()
        if key in values:
            raise InputFileError(f"{p}, row {row}, column {code_col!r}: code {key!r} appears more than once")
        values[key] = x
    if not values:
        raise InputFileError(f"{p}, column {value_col!r}: no values; choose another column with --column")
    return values, blank


def _rows(rows: list[int]) -> str:
    """``row 3`` or ``rows 2, 5, 9`` (the first five, then how many more), to quote in a message."""
    shown = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown}"


def _mostly_numbers(col) -> bool:
    cells = [str(v).replace(",", "").strip() for v in col if v is not None and str(v).strip() != ""]
    if not cells:
        return False
    ok = 0
    for c in cells:
        try:
            float(c)
            ok += 1
        except ValueError:
            pass
    return ok >= 0.9 * len(cells)
