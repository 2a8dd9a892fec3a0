"""A best-fit lookup from small areas to areas (ONS's LSOA → ward lookup, say), for ``population load --lookup``.

The lookup's columns are recognised by their values, not their names: the
small-area column is the one holding most of the small areas' codes, the area
column the one holding most of the loaded areas' codes (ONS names them
``lsoa21cd``/``wd22cd``, councils anything).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..errors import ColumnError, InputFileError


def read_area_lookup(path: str | Path, small_codes: Iterable[object], area_codes: Iterable[object]) -> dict[str, str]:
    """``{small-area code: area code}`` from a lookup CSV or Excel file.

    Raises
    ------
    ColumnError
        If no column holds the small areas' codes, or none the areas' codes.
    InputFileError
        If a small area is given two different areas.
    """
    from .readers import read_input

    table = read_input(path)
    small = {str(c).strip() for c in small_codes if c is not None}
    areas = {str(c).strip() for c in area_codes if c is not None}
    frame = table.frame

    def best(codes: set[str], what: str, example: str) -> str:
        hits = {c: sum(1 for v in frame[c] if v is not None and str(v).strip() in codes) for c in frame.columns}
        column = max(hits, key=hits.get) if hits else None
        if column is None or hits[column] == 0:
            raise ColumnError(f"{table.path}: no column holds the {what}' codes (e.g. {example!r}); "
                              f"give a lookup from these small areas to these areas")
        return column

    s_col = best(small, "small areas", next(iter(sorted(small)), "?"))
    a_col = best(areas, "areas", next(iter(sorted(areas)), "?"))
    out: dict[str, str] = {}
    for i, (s, a) in enumerate(zip(frame[s_col], frame[a_col])):
        if s is None or a is None:
            continue
        s, a = str(s).strip(), str(a).strip()
        if out.get(s, a) != a:
            raise InputFileError(f"{table.path}, row {table.row_numbers[i]}, column {a_col!r}: small area {s!r} "
                                 f"is given two areas ({out[s]!r} and {a!r}); a best-fit lookup gives each one area")
        out[s] = a
    return out
