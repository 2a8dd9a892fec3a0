"""Population by area and age: reading it, and counting a category's target population.

Population columns, as stored in the workspace:

``all_ages``
    everyone;
``aged_0_to_15``, ``aged_16_to_64``, ``aged_65_and_over``
    the ONS broad age bands;
``age_0`` ... ``age_90``
    single years of age (``age_90`` is 90 and over), when the source has them.

The ONS mid-year estimates come in a *wide* format: one row per area and sex
(``Persons``, ``Females``, ``Males``), the columns above (single years named
``0`` ... ``89``, ``90+``). Only the ``Persons`` rows are used.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.target_population import BAND_COLUMNS
from ..errors import ColumnError, InputFileError
from ..numbers import number

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .table import InputTable

_CODE_HEADERS = ("area_code", "code", "areacode", "area code", "geography code", "lsoa21cd",
                 "lsoa11cd", "msoa21cd", "msoa11cd", "oa21cd", "lsoa code", "msoa code", "oa code")
_ALL_AGES_HEADERS = ("all_ages", "all ages", "population", "total", "persons", "all persons",
                     "total population", "pop", "usual residents",
                     "patients", "registered patients", "list size")  # a GP practice's list
_BAND_HEADERS = {
    "aged_0_to_15": ("aged_0_to_15", "aged 0 to 15", "0-15", "age 0 to 15"),
    "aged_16_to_64": ("aged_16_to_64", "aged 16 to 64", "16-64", "age 16 to 64"),
    "aged_65_and_over": ("aged_65_and_over", "aged 65 and over", "65+", "age 65 and over"),
}
_SINGLE_YEAR = re.compile(r"^(?:age[_ ]?)?(\d{1,2})(\+)?$")


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", str(h).strip().lower().replace("_", " "))


def read_population_csv(path: str | Path, *, code_column: str | None = None) -> "pd.DataFrame":
    """Read population by area from a CSV file.

    Accepts the ONS wide format (``sex`` filtered to ``Persons``) or any CSV
    with an area code column and a total column (``all_ages``,
    ``population``, ``total``, ``patients`` for a GP practice's list...),
    optionally with the broad bands and single years of age.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code, with the population columns found, as floats.

    Raises
    ------
    ColumnError
        If no code or total column can be found.
    InputFileError
        If a count is not a number or a code appears twice.
    """
    from .readers import read_input

    table = read_input(path)
    headers = {_norm(c): c for c in table.columns}
    code_col = _code_column(table, headers, code_column)
    columns = _count_columns(table.path, headers)
    out = _counts(table, _persons_rows(table, headers), code_col, columns)
    _check_codes(out, table.path, code_col, "sex" in headers)
    if len(columns) > 1:
        _check_bands(out, table.path)
    return out


def _code_column(table: "InputTable", headers: dict[str, str], code_column: str | None) -> str:
    """The column of area codes: ``code_column`` if given, else the first header in :data:`_CODE_HEADERS`."""
    p = table.path
    if code_column is not None:
        if code_column not in table.frame.columns:
            raise ColumnError(
                f"{p}: no column {code_column!r}; the columns are {', '.join(table.columns)}"
            )
        return code_column
    code_col = next((headers[h] for h in _CODE_HEADERS if h in headers), None)
    if code_col is None:
        raise ColumnError(
            f"{p}: no area code column (looked for {', '.join(_CODE_HEADERS[:3])}...); "
            "pass --population-code-column"
        )
    return code_col


def _persons_rows(table: "InputTable", headers: dict[str, str]) -> list[int]:
    """The positions of the rows to read: all, or, with a ``sex`` column, the ``Persons`` rows."""
    rows = list(range(len(table.frame)))
    if "sex" not in headers:
        return rows
    sex = table.frame[headers["sex"]].map(lambda v: str(v).strip().lower() if v is not None else "")
    keep = sex.isin(["persons", "all persons", "all", "total"])
    if not keep.any():
        raise InputFileError(f"{table.path}, column 'sex': no 'Persons' rows; the population must include all persons")
    return [i for i in rows if keep.iloc[i]]


def _count_columns(p: Path, headers: dict[str, str]) -> dict[str, str]:
    """``{population column: file column}``: the total, the broad bands found, and single years if all 91 are."""
    all_col = next((headers[h] for h in _ALL_AGES_HEADERS if h in headers), None)
    if all_col is None:
        raise ColumnError(
            f"{p}: no total population column (looked for all_ages, population, total, patients...); "
            "rename the column of counts to 'all_ages'"
        )
    columns = {"all_ages": all_col}
    for std, names in _BAND_HEADERS.items():
        found = next((headers[h] for h in names if h in headers), None)
        if found is not None:
            columns[std] = found
    singles = {}
    for h, original in headers.items():
        m = _SINGLE_YEAR.match(h)
        if m and int(m.group(1)) <= 90:
            singles[int(m.group(1))] = original
    if len(singles) == 91:
        columns.update({f"age_{a}": singles[a] for a in range(91)})
    return columns


def _counts(table: "InputTable", rows: list[int], code_col: str, columns: dict[str, str]) -> "pd.DataFrame":
    """The counts of the rows, as floats, indexed by area code (:func:`_count` checks each)."""
    import pandas as pd

    frame, p = table.frame, table.path
    data: dict[str, list[float]] = {std: [] for std in columns}
    codes: list[str] = []
    for i in rows:
        code = frame[code_col].iloc[i]
        if code is None:
            raise InputFileError(f"{p}, row {table.row_numbers[i]}, column {code_col!r}: empty area code")
        codes.append(str(code).strip())
        for std, col in columns.items():
            data[std].append(_count(frame[col].iloc[i], p, table.row_numbers[i], col))
    return pd.DataFrame(data, index=pd.Index(codes, name="code"))


def _check_codes(out: "pd.DataFrame", p: Path, code_col: str, by_sex: bool) -> None:
    """Refuse an area code that appears more than once."""
    dup = out.index[out.index.duplicated()].unique()
    if len(dup):
        raise InputFileError(
            f"{p}, column {code_col!r}: area code {dup[0]!r} appears more than once"
            + (" (filter the file to one sex and one period)" if not by_sex else "")
        )


def _check_bands(out: "pd.DataFrame", p: Path) -> None:
    """Refuse an area whose broad age bands do not add up to its total.

    ``|aged_0_to_15 + aged_16_to_64 + aged_65_and_over - all_ages| > 0.5``
    is an error (when the file has all three bands).
    """
    if not all(c in out for c in BAND_COLUMNS):
        return
    bands = out["aged_0_to_15"] + out["aged_16_to_64"] + out["aged_65_and_over"]
    bad = (bands - out["all_ages"]).abs() > 0.5
    if bad.any():
        code = out.index[bad.argmax()]
        raise InputFileError(
            f"{p}: for area {code!r} the age bands add up to {bands[code]:.0f}, not all_ages "
            f"{out.loc[code, 'all_ages']:.0f}; check the file"
        )


def _count(value: object, p: Path, row: int, col: str) -> float:
    """A population count from a cell: a finite number of at least 0 (thousands separators allowed,
    :func:`asset_map.numbers.number`)."""
    if value is None:
        raise InputFileError(f"{p}, row {row}, column {col!r}: empty population count; give every area its count")
    return number(value, where=f"{p}, row {row}, column {col!r}", what="a population count", low=0,
                  advice="give every area its number of people")
