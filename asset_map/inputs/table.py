"""The table every tabular reader makes, and the steps CSV and Excel share to make it.

An :class:`InputTable` holds the rows of one input file as text cells (or
features), each with the row number a person would look for. CSV and Excel
rows go through the same steps: the header is found below any title rows
(:func:`find_header`, noted by :func:`title_notes`), the cells under it become
a frame of text (:func:`build_frame`), and each cell is cleaned
(:func:`clean`): cells that say nothing are read as missing (:data:`MISSING`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import InputFileError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Excel's error values: what a cell shows when its formula fails.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
#: Cell texts (lower case) read as missing.
MISSING = frozenset({"", "na", "n/a", "-", "\u2013", "\u2014", "null", "none", "nan"}
                    | {e.lower() for e in EXCEL_ERRORS})
SUPPORTED = "CSV, XLSX, GeoJSON, GeoPackage, Shapefile or TopoJSON"
#: Rows (not counting empty ones) looked at to find the header below any title rows.
HEADER_SEARCH_ROWS = 30
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?")
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@dataclass
class InputTable:
    """Rows read from one input file.

    Attributes
    ----------
    path
        The file read.
    frame
        One row per input row. Tabular files: every column as text, missing
        cells as ``None``. Spatial files: a GeoDataFrame in the file's CRS.
    row_numbers
        For each row, the number a person finds it by in the file.
    row_word
        ``"row"`` for tabular files, ``"feature"`` for spatial ones.
    notes
        Things worth telling the user about how the file was read.
    sheet
        The Excel sheet read (``None`` for other files).
    header_row
        The spreadsheet row of the header (tabular files; 1 unless title rows
        stand above it).
    encoding
        The text encoding a CSV file was read in (``None`` for other files).
    delimiter
        The delimiter of a CSV file (``None`` for other files).
    unnamed
        The names made up for columns whose header cell is empty ("Column A").
    """

    path: Path
    frame: "pd.DataFrame"
    row_numbers: list[int]
    row_word: str = "row"
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    unnamed: list[str] = field(default_factory=list)

    @property
    def is_spatial(self) -> bool:
        return self.row_word == "feature"

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "geometry"]


# A tabular file's non-empty rows: (spreadsheet row number, cell texts; None for an empty cell).
Rows = list[tuple[int, list["str | None"]]]



def find_header(rows: Rows, covered: dict[int, int] | None = None) -> int:
    """The index (into ``rows``, the non-empty rows) of the header row.

    Lists often open with title rows ("Trafford Community Assets 2024",
    "Compiled by ...") above the header. Among the first
    :data:`HEADER_SEARCH_ROWS` non-empty rows, a row is *wide* when it has at
    least two non-empty cells and at least half as many as the widest of
    them. Narrow rows are titles and are passed over; the first wide row is
    the header if all its cells are labels (text, not a number or date).
    If it holds a number, it is still the header when every row above it is
    a lone cell (titles above a header with numbers: "code, 2021, 2022");
    otherwise it is data under a header narrower than the data, and the
    first non-empty row is the header, as it is when no row is wide (a
    one-column file).

    ``covered`` gives, by row number, the cells that merged cells in that
    row cover beyond their first: a header cell merged over three columns
    counts as three cells when widths are compared (but a lone title merged
    across the sheet is still one value, so never a header).

    A title of two or more cells (a hand-typed CSV line "Compiled by X,
    March 2024" above four columns) is wide enough to be taken for the
    header; Excel keeps such a title in one cell, and quotes it when saving
    CSV.
    """
    covered = covered or {}
    sample = [([v for v in map(clean, cells) if v is not None], covered.get(n, 0))
              for n, cells in rows[:HEADER_SEARCH_ROWS]]
    widest = max(len(values) + extra for values, extra in sample)
    for i, (values, extra) in enumerate(sample):
        if len(values) >= 2 and 2 * (len(values) + extra) >= widest:
            if all(_is_label(v) for v in values) or all(len(above) == 1 for above, _ in sample[:i]):
                return i
            return 0
    return 0


def all_numbers(values: list[str]) -> bool:
    """Whether every value is a number or a date: a row of data, not a header."""
    return bool(values) and not any(_is_label(v) for v in values)


def _is_label(value: str) -> bool:
    return not (_NUMBER.fullmatch(value) or _DATE.match(value))


def title_notes(rows: Rows, h: int) -> list[str]:
    """A note naming the title rows skipped above the header (``rows[h]``), if any."""
    if h == 0:
        return []
    first, header = rows[0][0], rows[h][0]
    if header - 1 == first:
        return [f"the header is row {header}: row {first} above it was skipped as a title"]
    return [f"the header is row {header}: rows {first}-{header - 1} above it were skipped as titles"]


def build_frame(p: Path, header: list, data: Rows, filled: dict[int, int] | None = None):
    """The frame of text cells under the header, notes on unnamed columns and merged cells filled, and the
    names made up for the unnamed columns.

    A header cell that is empty names its column after its letter
    ("Column D") if any data row has a value in that column; a column with
    neither header nor values is dropped. Header names have their runs of
    white space (line breaks too) made single spaces.
    """
    names, keep, unnamed = frame_columns(p, header, data)
    notes = unnamed_notes(unnamed)
    if filled:
        cols = [repr(names[keep.index(j)]) for j in sorted(filled) if j in keep]
        notes.append(f"{sum(filled.values())} cells merged down over several rows were filled in on every row "
                     f"they cover (column{'s' if len(cols) > 1 else ''} {', '.join(cols)})")
    return cells_frame(data, names, keep), notes, unnamed


def unnamed_notes(unnamed: list[str]) -> list[str]:
    """A note naming the columns whose header cell is empty, and the names made up for them."""
    if not unnamed:
        return []
    letters = ", ".join(n.split()[-1] for n in unnamed)
    return [f"column {letters} has no header; it is named {unnamed[0]!r}" if len(unnamed) == 1 else
            f"columns {letters} have no header; they are named {', '.join(repr(n) for n in unnamed)}"]


def frame_columns(p: Path, header: list, data: Rows, width: int | None = None,
                  has_values: "Callable[[int], bool] | None" = None) -> tuple[list[str], list[int], list[str]]:
    """The column names, the cell positions they come from, and the names made up for unnamed columns.

    ``width`` and ``has_values`` (whether column ``j`` has a value in any
    data row) stand in for looking through ``data`` when a reader knows them
    column by column.
    """
    if width is None:
        width = max([len(header)] + [len(cells) for _, cells in data])
    if has_values is None:
        def has_values(j: int) -> bool:
            return any(j < len(cells) and clean(cells[j]) is not None for _, cells in data)
    names, keep, unnamed = [], [], []
    for j in range(width):
        name = _header_name(header[j] if j < len(header) else None)
        if not name:
            if not has_values(j):
                continue
            name = f"Column {column_letter(j + 1)}"
            unnamed.append(name)
        names.append(name)
        keep.append(j)
    _check_header(p, names)
    return names, keep, unnamed


def cells_frame(data: Rows, names: list[str], keep: list[int]) -> "pd.DataFrame":
    """The cleaned cells at positions ``keep`` of each row, as a frame of text with columns ``names``."""
    import pandas as pd

    records = [[clean(cells[j]) if j < len(cells) else None for j in keep] for _, cells in data]
    return pd.DataFrame(records, columns=names, dtype=object)


def _header_name(value: object) -> str:
    return " ".join(str(value).replace("\u00a0", " ").split()) if value is not None else ""


def column_letter(n: int) -> str:
    """The spreadsheet letter of column ``n`` (1 → A, 27 → AA)."""
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def existing_file(path: str | Path) -> Path:
    """The path, if it names a non-empty file; else an :class:`InputFileError` saying what is wrong."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder; give a {SUPPORTED} file")
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty (0 bytes); save or export it again and give the saved file")
    return p


def _check_header(p: Path, header: list[str]) -> None:
    if not any(header):
        raise InputFileError(f"{p}: the first row is empty; the first row must name the columns")
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            raise InputFileError(f"{p}: the column {h!r} appears twice in the header; rename one")
        seen.add(h)


def clean(value: object) -> object:
    """Strip text, make its line breaks ``\\n``, drop NUL characters (no database keeps them) and turn the
    words for 'nothing' into ``None``."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        v = value.replace("\u00a0", " ").replace("\x00", "").strip()
        if "\r" in v:
            v = v.replace("\r\n", "\n").replace("\r", "\n")
        return None if v.lower() in MISSING else v
    return value


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none), to quote in ours."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def column_cells(frame: "pd.DataFrame", column: str | None) -> list | None:
    """A column's cells as a list (``None`` without a column): one conversion instead of a pandas lookup per cell."""
    return frame[column].tolist() if column else None
