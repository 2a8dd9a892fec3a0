"""Reading input files: CSV, Excel, GeoJSON, GeoPackage, Shapefile, TopoJSON.

Every reader returns an :class:`InputTable`: the rows as text (tabular files)
or as features (spatial files), each with the row number a person would look
for: the spreadsheet row for CSV and Excel (in a plain file the header is row
1, so the first data row is row 2; title rows above the header keep their
numbers, so the rows are still numbered as the spreadsheet shows them) and the
feature number (from 1) for spatial files.

Tabular files are read as people save them, not as they ought to:

* CSV in UTF-8 (with or without a byte-order mark), Windows-1252, Latin-1,
  UTF-16 (Excel's "Unicode Text"), or a mixture of UTF-8 and Windows-1252
  lines; the delimiter (comma, semicolon, tab or pipe) is detected.
* The header need not be the first row: title rows above it are skipped
  (:func:`_find_header`).
* Excel: the first sheet that holds a table is read unless ``--sheet`` names
  one; cells merged down over several rows are filled in on every row;
  numbers, dates and booleans become the text Excel shows.
* A header cell left empty above a column of data names it after its column
  letter ("Column D"), so no data is silently dropped.

Cells that say nothing are read as missing: empty, ``NA``, ``N/A``, ``n/a``,
``-``, ``–``, ``—``, ``null``, ``none`` and Excel's error values (``#N/A``,
``#REF!``, ``#VALUE!``...).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from ..errors import InputFileError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

TABULAR_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}
SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".topojson", ".zip"}
#: Excel's error values: what a cell shows when its formula fails.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
#: Cell texts (lower case) read as missing.
MISSING = frozenset({"", "na", "n/a", "-", "\u2013", "\u2014", "null", "none", "nan"}
                    | {e.lower() for e in EXCEL_ERRORS})

SUPPORTED = "CSV, XLSX, GeoJSON, GeoPackage, Shapefile or TopoJSON"

#: Delimiters a CSV file may use, in order of preference when the evidence is even.
DELIMITERS = ",;\t|"
#: Lines of a CSV file looked at to detect its delimiter.
SNIFF_LINES = 50
#: Rows (not counting empty ones) looked at to find the header below any title rows.
HEADER_SEARCH_ROWS = 30
#: A CSV cell running over at least this many lines that look like rows of their own swallowed them.
SWALLOWED_LINES = 10

# Bytes Windows-1252 leaves undefined: a file holding them is Latin-1 (ISO-8859-1).
_UNDEFINED_IN_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# A well-formed UTF-8 multi-byte character.
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
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

    @property
    def is_spatial(self) -> bool:
        return self.row_word == "feature"

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "geometry"]


# A tabular file's non-empty rows: (spreadsheet row number, cell texts; None for an empty cell).
Rows = list[tuple[int, list["str | None"]]]


def read_input(
    path: str | Path,
    *,
    sheet: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
) -> InputTable:
    """Read any supported file, choosing the reader from its suffix.

    ``sheet`` names an Excel sheet (or gives its number from 1); ``crs``
    (e.g. ``"EPSG:27700"``) is the coordinate system of a spatial file that
    has none or a wrong one.

    Raises
    ------
    InputFileError
        If the file is missing, empty, of an unsupported type or unreadable.
    """
    p = _existing_file(path)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(p, encoding=encoding)
    if suffix in (".xlsx", ".xlsm"):
        from .excel import read_excel

        return read_excel(p, sheet=sheet)
    if suffix in SPATIAL_SUFFIXES:
        return read_spatial(p, layer=layer, crs=crs)
    if suffix == ".xls":
        raise InputFileError(f"{p}: old Excel .xls files cannot be read; save it as .xlsx or CSV")
    raise InputFileError(f"{p}: unsupported file type {suffix or '(none)'!r}; give a {SUPPORTED} file")


# ------------------------------------------------------------------ CSV
def read_csv(path: str | Path, *, encoding: str | None = None) -> InputTable:
    """Read a CSV file as text cells.

    The encoding is found as :func:`_decode` describes unless ``encoding`` is
    given, and the delimiter as :func:`_sniff_delimiter` does. The header is
    found below any title lines (:func:`_find_header`). A quote that opens a
    cell and never closes is an error, not a reason to read the rest of the
    file as one cell (:func:`_check_quotes`).
    """
    p = Path(path)
    text, used, notes = _decode(p, p.read_bytes(), encoding)
    if not text.strip():
        raise InputFileError(f"{p}: the file is empty (nothing but blank lines or delimiters); "
                             "save or export it again with its rows")
    delimiter = _sniff_delimiter(text)
    _check_quotes(p, io.StringIO(text, newline=""), delimiter)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputFileError(f"{p}: not a well-formed CSV file ({exc}); save it again as CSV UTF-8") from None
    # A record is a spreadsheet row (a quoted cell holding line breaks is one
    # row in Excel too); blank records keep their numbers.
    rows: Rows = [(n, list(r)) for n, r in enumerate(records, start=1) if any(_clean(c) is not None for c in r)]
    if not rows:
        raise InputFileError(f"{p}: the file is empty (nothing but blank lines or delimiters); "
                             "save or export it again with its rows")
    h = _find_header(rows)
    header_row, header = rows[h]
    data = rows[h + 1:]
    _check_widths(p, data, header)
    _check_swallowed(p, data, delimiter, len(header))
    if not data:
        raise InputFileError(f"{p}: has a header but no data rows")
    notes += _title_notes(rows, h)
    frame, build_notes = _build_frame(p, header, data)
    return InputTable(p, frame, [n for n, _ in data], "row", notes + build_notes,
                      header_row=header_row, encoding=used, delimiter=delimiter)


#: A CSV file larger than this is imported in chunks (:func:`read_csv_chunks`) instead of read whole.
CHUNK_BYTES = 100 * 1024 * 1024
#: Rows per chunk.
CHUNK_ROWS = 50_000
#: Bytes at the start of a large CSV file read to find its encoding and delimiter.
SAMPLE_BYTES = 1 << 20


@dataclass
class Chunk:
    """Part of a large CSV file: its rows as an :class:`InputTable`, and how far through the file it ends."""

    table: InputTable
    bytes_done: int
    bytes_total: int


def read_csv_chunks(path: str | Path, *, encoding: str | None = None,
                    rows: int = CHUNK_ROWS) -> "Iterator[Chunk]":
    """Read a CSV file as consecutive tables of at most ``rows`` rows, never holding the whole file.

    For files larger than memory allows. The rows, their numbers, the header
    (found below any title lines, :func:`_find_header`) and the columns are
    those :func:`read_csv` finds; the encoding and delimiter are found from
    the first :data:`SAMPLE_BYTES` (:func:`_decode`, :func:`_sniff_delimiter`).
    Without ``encoding``, each line is UTF-8, or else the file's other
    encoding (Windows-1252 or Latin-1), as :func:`_decode` does for a file
    that mixes them. The columns are fixed by the header and the first
    chunk. A quote left open is caught by the swallowed-rows check
    (:func:`_check_swallowed`), chunk by chunk.

    Raises
    ------
    InputFileError
        If the file is missing, empty, unreadable or malformed (naming the row).
    """
    p = _existing_file(path)
    total = p.stat().st_size
    with open(p, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    text, used, notes = _decode(p, _whole_lines(sample, total), encoding)
    if not text.strip():
        raise InputFileError(f"{p}: the file is empty (nothing but blank lines or delimiters); "
                             "save or export it again with its rows")
    delimiter = _sniff_delimiter(text)
    notes = [n for n in notes if not n.startswith("the file mixes encodings")]  # said chunk by chunk instead
    # UTF-16/32, a given encoding, or lines ended by CR alone (old Mac Excel): a text stream does it all.
    whole_stream = (bool(encoding) or codecs.lookup(used).name.startswith(("utf-16", "utf-32"))
                    or (b"\r" in sample and b"\n" not in sample))
    other: set[int] = set()  # lines (of the current chunk) not in the file's encoding

    def file_lines(fh) -> "Iterator[str]":
        if whole_stream:
            codec = "utf-8-sig" if codecs.lookup(used).name == "utf-8" else used
            return iter(io.TextIOWrapper(fh, encoding=codec, newline=""))
        return _decoded_lines(fh, used, other)

    try:
        with open(p, "rb") as fh:  # a first pass, for a quote left open (read_csv checks the whole text)
            _check_quotes(p, file_lines(fh), delimiter)
    except UnicodeDecodeError:
        raise InputFileError(
            f"{p}: cannot be read as {used}; save the file as 'CSV UTF-8' or pass --encoding") from None
    other.clear()
    with open(p, "rb") as fh:
        lines = file_lines(fh)
        reader = enumerate(csv.reader(lines, delimiter=delimiter), start=1)
        found: Rows = []
        try:
            for n, record in reader:  # the rows the header is looked for in
                if any(_clean(c) is not None for c in record):
                    found.append((n, record))
                    if len(found) >= HEADER_SEARCH_ROWS:
                        break
            if not found:
                raise InputFileError(f"{p}: the file is empty (nothing but blank lines or delimiters); "
                                     "save or export it again with its rows")
            h = _find_header(found)
            header_row, header = found[h]
            notes += _title_notes(found, h)
            data = itertools.chain(found[h + 1:], ((n, r) for n, r in reader if any(_clean(c) is not None for c in r)))
            keep: list[int] | None = None
            names: list[str] = []
            first = True
            while True:
                pending: Rows = list(itertools.islice(data, rows))
                if not pending:
                    if first:
                        raise InputFileError(f"{p}: has a header but no data rows")
                    return
                _check_widths(p, pending, header)
                _check_swallowed(p, pending, delimiter, len(header))
                if keep is None:
                    frame, build_notes = _build_frame(p, header, pending)
                    names, keep, _ = _frame_columns(p, header, pending)
                else:
                    frame, build_notes = _cells_frame(pending, names, keep), []
                    skipped = {j for _, c in pending for j, v in enumerate(c)
                               if j not in keep and _clean(v) is not None}
                    if skipped:  # an unnamed column the first chunk left out, as it was empty there
                        letters = ", ".join(_column_letter(j + 1) for j in sorted(skipped))
                        build_notes.append(f"rows {pending[0][0]}-{pending[-1][0]} have values in column "
                                           f"{letters}, which has no header and was empty in the first "
                                           f"{rows:,} rows: those values are not read (give it a header)")
                if other:
                    build_notes.append(_mixed_note(sorted(other), used))
                    other.clear()
                table = InputTable(p, frame, [n for n, _ in pending], "row",
                                   (notes if first else []) + build_notes,
                                   header_row=header_row, encoding=used, delimiter=delimiter)
                yield Chunk(table, min(fh.tell(), total), total)
                first = False
        except csv.Error as exc:
            raise InputFileError(f"{p}: not a well-formed CSV file ({exc}); save it again as CSV UTF-8") from None
        except UnicodeDecodeError:
            raise InputFileError(
                f"{p}: cannot be read as {used}; save the file as 'CSV UTF-8' or pass --encoding"
            ) from None


def _whole_lines(sample: bytes, total: int) -> bytes:
    """The start of a file cut after its last whole line, keeping UTF-16/32 code units whole."""
    if len(sample) >= total:
        return sample
    cut = sample.rfind(b"\n") + 1
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        cut = (cut + 3) // 4 * 4
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(sample[:4096]):
        cut = (cut + 1) // 2 * 2
    return sample[:cut] or sample


def _decoded_lines(fh, codec: str, other: set[int]) -> "Iterator[str]":
    """The lines of a binary file as text, as :func:`_decode_mixed` reads them: UTF-8 where a line is UTF-8,
    else ``codec`` (the file's encoding found from its start), else Windows-1252 (Latin-1 if it has bytes
    Windows-1252 does not define). In a UTF-8 file, the numbers of the other lines go into ``other``."""
    def other_encoding(raw: bytes) -> str:
        return raw.decode("latin-1" if any(b in raw for b in _UNDEFINED_IN_CP1252) else "cp1252")

    for n, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            if codec == "utf-8":
                other.add(n)
                line = other_encoding(raw)
            else:
                try:
                    line = raw.decode(codec)
                except UnicodeDecodeError:
                    line = other_encoding(raw)
        yield line.removeprefix("\ufeff") if n == 1 else line


def _mixed_note(lines: list[int], encoding: str) -> str:
    """The note :func:`_decode_mixed` makes, for the lines of one chunk."""
    shown = ", ".join(str(n) for n in lines[:5]) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
    what, read_as = ("UTF-8", "cp1252") if encoding == "utf-8" else (encoding, "latin-1")
    lines_text = f"line {shown} is not {what} and was" if len(lines) == 1 else f"lines {shown} are not {what} and were"
    return f"the file mixes encodings: {lines_text} read as {read_as}"


def _decode(p: Path, raw: bytes, encoding: str | None) -> tuple[str, str, list[str]]:
    """The text of a CSV file, the encoding read and notes saying how.

    Without ``encoding``, in this order:

    * a workbook saved with a .csv name (zip or old .xls bytes) is refused;
    * a byte-order mark decides: UTF-8, UTF-16 (Excel's "Unicode Text"), UTF-32;
    * NUL bytes at every other position of the first 4 KB mean UTF-16 without
      a byte-order mark; other NUL bytes there mean a binary file, refused;
    * UTF-8;
    * a file of UTF-8 with some lines in another encoding (two files pasted
      together) is read line by line;
    * Windows-1252, the encoding Excel on Windows saves "CSV" in, unless the
      file holds bytes Windows-1252 does not define (0x81, 0x8D, 0x8F, 0x90,
      0x9D): then it is Latin-1 (ISO-8859-1), which defines every byte.
    """
    _refuse_workbook(p, raw)
    if encoding:
        try:
            # A byte-order mark is not part of the text, even when the encoding is given.
            codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
        except LookupError:
            raise InputFileError(f"{p}: unknown encoding {encoding!r}; try utf-8 or cp1252") from None
        try:
            return raw.decode(codec), encoding, []
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputFileError(
                f"{p}, line {line}: cannot be read as {encoding}; save the file as 'CSV UTF-8' or pass --encoding"
            ) from None
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            how = " (as Excel saves 'Unicode Text')" if name == "utf-16" else ""
            return _decode_wide(p, raw, name, f"read as {name.upper()}{how}")
    wide = _utf16_without_bom(raw)
    if wide is not None:
        return _decode_wide(p, raw, wide, f"read as {wide.upper()} (the file has no byte-order mark)")
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            f"{p}: looks like a binary file, not CSV text; open it in the program that made it "
            "and save it as 'CSV UTF-8'"
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    if _UTF8_CHAR.search(raw):
        return _decode_mixed(raw)
    if any(b in raw for b in _UNDEFINED_IN_CP1252):
        return raw.decode("latin-1"), "latin-1", [
            "read as latin-1 (ISO-8859-1): the file is not UTF-8 and has bytes Windows-1252 does not use"]
    return raw.decode("cp1252"), "cp1252", ["read as cp1252 (the file is not UTF-8)"]


def _refuse_workbook(p: Path, raw: bytes) -> None:
    """Refuse a workbook or zip archive saved with a text file's name, saying what it is."""
    name = p.suffix or "(no suffix)"
    if raw.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = None  # damaged: most likely a workbook all the same
        if names is not None and not any(n.startswith("xl/") for n in names):
            raise InputFileError(f"{p}: is a zip archive, not CSV text; unzip it and give the file inside")
        raise InputFileError(f"{p}: looks like an Excel workbook saved with a {name} name; rename it to .xlsx")
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputFileError(
            f"{p}: looks like an old Excel .xls workbook saved with a {name} name; open it in Excel and "
            "save it as .xlsx or 'CSV UTF-8'"
        )


def _utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when NUL is every other byte, as in mostly-ASCII UTF-16 text."""
    sample = raw[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.6 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.6 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_wide(p: Path, raw: bytes, encoding: str, note: str) -> tuple[str, str, list[str]]:
    try:
        return raw.decode(encoding), encoding, [note]
    except UnicodeDecodeError:
        raise InputFileError(
            f"{p}: looks like {encoding.upper()} text but cannot be read as it; save the file as 'CSV UTF-8'"
        ) from None


def _decode_mixed(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode each line as UTF-8, else Windows-1252 (else Latin-1), noting the lines that were not UTF-8."""
    out, other = [], []
    for n, line in enumerate(raw.split(b"\n"), start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            other.append(n)
            latin = any(b in line for b in _UNDEFINED_IN_CP1252)
            out.append(line.decode("latin-1" if latin else "cp1252"))
    text = "\n".join(out).removeprefix("\ufeff")
    shown = ", ".join(str(n) for n in other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
    lines = f"line {shown} is not UTF-8 and was" if len(other) == 1 else f"lines {shown} are not UTF-8 and were"
    return text, "utf-8", [f"the file mixes encodings: {lines} read as cp1252"]


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into equal rows most often.

    Each candidate (comma, semicolon, tab, pipe) splits the first
    :data:`SNIFF_LINES` lines, quotes respected. Its score is the number of
    rows that have its most common width of two cells or more; the highest
    score wins, then the wider table, then the order above. So a title line
    (one cell whatever the delimiter) or commas inside the cells of a
    semicolon file do not sway it. A file of one column has no delimiter to
    find; comma is used.
    """
    from collections import Counter
    from itertools import islice

    sample = "".join(islice(io.StringIO(text, newline=""), SNIFF_LINES))
    best, chosen = (0, 0), ","
    for d in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=d)
                      if any(c.strip() for c in r)]
        except csv.Error:
            continue
        counts = Counter(w for w in widths if w >= 2)
        if counts:
            width, count = max(counts.items(), key=lambda wc: (wc[1], wc[0]))
            if (count, width) > best:
                best, chosen = (count, width), d
    return chosen


def _check_quotes(p: Path, lines: "Iterable[str]", delimiter: str) -> None:
    """Refuse a quote that opens a cell and does not close where the cell ends.

    The ``csv`` module is lenient: a quote left open reads every following
    line into one cell, silently. Its strict mode stops where that happens:
    at the end of the file ("never closed"), or on a later line where a stray
    quote is followed by text ("runs on"). A stray quote within one line
    (``"Smith" & Co``) is left to the lenient reading, which keeps the text.
    The row named is the record the quote opens in. ``lines`` are the file's
    lines with their line ends (a text stream opened with ``newline=""``).
    """
    seen = _LastLine(lines)
    reader = csv.reader(seen, delimiter=delimiter, strict=True)
    row = line = 0  # records read so far; the last physical line read
    while True:
        try:
            next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            message = str(exc)
            if "unexpected end of data" in message or "field larger than field limit" in message:
                raise InputFileError(
                    f"{p}, row {row}: a quote (\") opens here and is never closed, so the rest of the file "
                    "would be read as one cell; close the quote or remove it"
                ) from None
            if reader.line_num > line + 1 and not _closes_then_spaces(seen.last, delimiter):
                raise InputFileError(
                    f"{p}, row {row}: a quote (\") opens here and runs on to line {reader.line_num} of the "
                    f"file, so lines {line + 1}-{reader.line_num} would be read as one cell; "
                    "close the quote or remove it"
                ) from None
        else:
            row += 1
        line = reader.line_num


class _LastLine:
    """Lines passed on one by one, remembering the last (the one a csv error is on)."""

    def __init__(self, lines: "Iterable[str]") -> None:
        self.lines, self.last = iter(lines), ""

    def __iter__(self) -> "_LastLine":
        return self

    def __next__(self) -> str:
        self.last = next(self.lines)
        return self.last


def _closes_then_spaces(line: str, delimiter: str) -> bool:
    """Whether, on that line, the open quote closes and only spaces stand before the next delimiter."""
    return re.match(r'(?:[^"]|"")*"[ \t]*(?:' + re.escape(delimiter) + r"|\r?\n?$)", line) is not None


def _check_widths(p: Path, data: Rows, header: list) -> None:
    """Refuse a row with values beyond the header's last column (an unquoted delimiter)."""
    for n, r in data:
        if len(r) > len(header) and any(_clean(c) is not None for c in r[len(header):]):
            raise InputFileError(
                f"{p}, row {n}: {len(r)} cells but the header has {len(header)} columns; "
                "check for an unquoted delimiter in that row"
            )


def _check_swallowed(p: Path, data: Rows, delimiter: str, width: int) -> None:
    """Refuse a cell that holds many lines that each look like a row of the file.

    This is a quote left open and closed, much later, by another stray quote
    just before a delimiter: well-formed CSV, but rows swallowed into a cell.
    """
    if width < 2:
        return
    for n, cells in data:
        for cell in cells:
            if cell and cell.count("\n") >= SWALLOWED_LINES:
                lines = cell.split("\n")
                if sum(ln.count(delimiter) == width - 1 for ln in lines) >= SWALLOWED_LINES:
                    raise InputFileError(
                        f"{p}, row {n}: a quote (\") opens here and runs on over {len(lines)} lines that look "
                        "like rows of their own, so they would be read as one cell; close the quote or remove it"
                    )


# ------------------------------------------------------------------ shared by CSV and Excel
def _find_header(rows: Rows, covered: dict[int, int] | None = None) -> int:
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
    sample = [([v for v in map(_clean, cells) if v is not None], covered.get(n, 0))
              for n, cells in rows[:HEADER_SEARCH_ROWS]]
    widest = max(len(values) + extra for values, extra in sample)
    for i, (values, extra) in enumerate(sample):
        if len(values) >= 2 and 2 * (len(values) + extra) >= widest:
            if all(_is_label(v) for v in values) or all(len(above) == 1 for above, _ in sample[:i]):
                return i
            return 0
    return 0


def _is_label(value: str) -> bool:
    return not (_NUMBER.fullmatch(value) or _DATE.match(value))


def _title_notes(rows: Rows, h: int) -> list[str]:
    if h == 0:
        return []
    first, header = rows[0][0], rows[h][0]
    if header - 1 == first:
        return [f"the header is row {header}: row {first} above it was skipped as a title"]
    return [f"the header is row {header}: rows {first}-{header - 1} above it were skipped as titles"]


def _build_frame(p: Path, header: list, data: Rows, filled: dict[int, int] | None = None):
    """The frame of text cells under the header, and notes on unnamed columns and merged cells filled.

    A header cell that is empty names its column after its letter
    ("Column D") if any data row has a value in that column; a column with
    neither header nor values is dropped. Header names have their runs of
    white space (line breaks too) made single spaces.
    """
    names, keep, unnamed = _frame_columns(p, header, data)
    notes = []
    if unnamed:
        letters = ", ".join(n.split()[-1] for n in unnamed)
        notes.append(f"column {letters} has no header; it is named {unnamed[0]!r}" if len(unnamed) == 1 else
                     f"columns {letters} have no header; they are named {', '.join(repr(n) for n in unnamed)}")
    if filled:
        cols = [repr(names[keep.index(j)]) for j in sorted(filled) if j in keep]
        notes.append(f"{sum(filled.values())} cells merged down over several rows were filled in on every row "
                     f"they cover (column{'s' if len(cols) > 1 else ''} {', '.join(cols)})")
    return _cells_frame(data, names, keep), notes


def _frame_columns(p: Path, header: list, data: Rows) -> tuple[list[str], list[int], list[str]]:
    """The column names, the cell positions they come from, and the names made up for unnamed columns."""
    width = max([len(header)] + [len(cells) for _, cells in data])
    names, keep, unnamed = [], [], []
    for j in range(width):
        name = _header_name(header[j] if j < len(header) else None)
        if not name:
            if not any(j < len(cells) and _clean(cells[j]) is not None for _, cells in data):
                continue
            name = f"Column {_column_letter(j + 1)}"
            unnamed.append(name)
        names.append(name)
        keep.append(j)
    _check_header(p, names)
    return names, keep, unnamed


def _cells_frame(data: Rows, names: list[str], keep: list[int]) -> "pd.DataFrame":
    import pandas as pd

    records = [[_clean(cells[j]) if j < len(cells) else None for j in keep] for _, cells in data]
    return pd.DataFrame(records, columns=names, dtype=object)


def _header_name(value: object) -> str:
    return " ".join(str(value).replace("\u00a0", " ").split()) if value is not None else ""


def _column_letter(n: int) -> str:
    """The spreadsheet letter of column ``n`` (1 → A, 27 → AA)."""
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


# ------------------------------------------------------------------ spatial
def _existing_file(path: str | Path) -> Path:
    """The path, if it names a non-empty file; else an :class:`InputFileError` saying what is wrong."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder; give a {SUPPORTED} file")
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty (0 bytes); save or export it again and give the saved file")
    return p


def read_spatial(path: str | Path, *, layer: str | None = None, crs: str | None = None) -> InputTable:
    """Read a GeoJSON, GeoPackage, Shapefile or TopoJSON file.

    TopoJSON and GeoJSON carry no CRS or say WGS84: without one, EPSG:4326
    is assumed, as RFC 7946 requires. ``crs`` overrides the file's own.
    """
    import pandas as pd
    import pyogrio

    p = _existing_file(path)
    try:
        layers = pyogrio.list_layers(p)
    except Exception as exc:
        raise InputFileError(f"{p}: cannot be read as {SUPPORTED} ({_first_line(exc)})") from None
    if layer is None and len(layers) > 1:
        spatial = [name for name, gtype in layers if gtype is not None]
        if len(spatial) != 1:
            names = ", ".join(str(n) for n, _ in layers)
            raise InputFileError(f"{p}: has several layers ({names}); choose one with --layer")
        layer = spatial[0]
    try:
        frame = pyogrio.read_dataframe(p, layer=layer)
    except Exception as exc:
        raise InputFileError(f"{p}: cannot be read ({_first_line(exc)})") from None
    notes = []
    if crs is not None:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            frame = frame.set_crs(CRS.from_user_input(crs), allow_override=True)
        except CRSError:
            raise InputFileError(f"{p}: --crs {crs!r} is not a coordinate system; give e.g. EPSG:27700") from None
    if frame.crs is None:
        if p.suffix.lower() in (".geojson", ".json", ".topojson"):
            frame = frame.set_crs("EPSG:4326")
        else:
            raise InputFileError(f"{p}: has no coordinate reference system; pass --crs (e.g. EPSG:27700)")
    if len(frame) == 0:
        raise InputFileError(f"{p}: has no features; export it again with its features (or choose another --layer)")
    for col in frame.columns:
        if col != "geometry":
            frame[col] = pd.Series([_clean(v) for v in frame[col]], index=frame.index, dtype=object)
    return InputTable(p, frame, list(range(1, len(frame) + 1)), "feature", notes)


def _check_header(p: Path, header: list[str]) -> None:
    if not any(header):
        raise InputFileError(f"{p}: the first row is empty; the first row must name the columns")
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            raise InputFileError(f"{p}: the column {h!r} appears twice in the header; rename one")
        seen.add(h)


def _clean(value: object) -> object:
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


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
