"""The small CSV files people edit in Excel: their text, their header and their cells.

Category maps (:mod:`asset_map.categories.category_map`) and crosswalks
(:mod:`asset_map.categories.crosswalk`) are read the same way: UTF-8 with or
without a byte-order mark, else Windows cp1252; header names compared without
case or surrounding spaces; cells as stripped text, a missing cell empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import TaxonomyError


def read_csv_text(path: Path, what: str) -> str:
    """The text of a small CSV file people edit in Excel: UTF-8 (with or without BOM), else Windows-1252.

    ``what`` names the kind of file in the one-line :class:`TaxonomyError`
    raised for a missing file, a folder or undecodable bytes.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise TaxonomyError(f"{path}: is a folder, not a {what} file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise TaxonomyError(
            f"{path.name}: neither UTF-8 nor Windows (cp1252) text; save the {what} as CSV UTF-8"
        ) from None


def dict_reader(text: str, required: Sequence[str], *, source: str, needs: str) -> csv.DictReader:
    """A reader of *text*'s rows keyed by lower-case header names, once the *required* columns are found.

    Raises
    ------
    TaxonomyError
        ``"<source>: missing column(s) ...; <needs>"`` if a required column is
        not in the header.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise TaxonomyError(f"{source}: missing column(s) {', '.join(missing)}; {needs}")
    reader.fieldnames = header
    return reader


def cell_text(row: Mapping[str, object], column: str) -> str:
    """A row's cell as stripped text; a missing cell (no such column, a short row) is ``""``."""
    value = row.get(column)
    return "" if value is None else str(value).strip()
