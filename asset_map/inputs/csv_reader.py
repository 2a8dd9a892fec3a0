"""Reading CSV files as text cells: whole (:func:`read_csv`) or in chunks (:func:`read_csv_chunks`).

The encoding is found as :func:`asset_map.inputs.csv_encoding.decode`
describes, and the delimiter (comma, semicolon, tab or pipe) as
:func:`_sniff_delimiter` does. The header is found below any title rows
(:func:`asset_map.inputs.table.find_header`). A quote that opens a cell and
never closes is an error, not a reason to read the rest of the file as one
cell (:func:`_check_quotes`, :func:`_check_swallowed`).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import InputFileError
from .csv_columns import SWALLOWED_LINES, read_columns
from .csv_encoding import decode, decoded_lines, mixed_note, whole_lines
from .table import (HEADER_SEARCH_ROWS, InputTable, Rows, build_frame, cells_frame, clean, column_letter,
                    existing_file, find_header, frame_columns, title_notes)

#: Delimiters a CSV file may use, in order of preference when the evidence is even.
DELIMITERS = ",;\t|"
#: Lines of a CSV file looked at to detect its delimiter.
SNIFF_LINES = 50


def read_csv(path: str | Path, *, encoding: str | None = None) -> InputTable:
    """Read a CSV file as text cells.

    The encoding is found as :func:`asset_map.inputs.csv_encoding.decode`
    describes unless ``encoding`` is given, and the delimiter as
    :func:`_sniff_delimiter` does. The header is found below any title lines
    (:func:`asset_map.inputs.table.find_header`). A quote that opens a cell and
    never closes is an error, not a reason to read the rest of the file as one
    cell (:func:`_check_quotes`).
    """
    p = Path(path)
    text, used, notes = decode(p, p.read_bytes(), encoding)
    if not text.strip():
        raise _empty(p)
    delimiter = _sniff_delimiter(text)
    quoted = '"' in text
    if quoted:
        _check_quotes(p, io.StringIO(text, newline=""), delimiter)
    columns = read_columns(p, text, delimiter)
    if columns is not None:
        return InputTable(p, columns["frame"], columns["row_numbers"], "row", notes + columns["notes"],
                          header_row=columns["header_row"], encoding=used, delimiter=delimiter,
                          unnamed=columns["unnamed"])
    if not quoted:  # a cell too long for the csv module: said with its row and column
        _check_quotes(p, io.StringIO(text, newline=""), delimiter)
    with _csv_errors(p, used):
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    # A record is a spreadsheet row (a quoted cell holding line breaks is one
    # row in Excel too); blank records keep their numbers.
    rows: Rows = [(n, list(r)) for n, r in enumerate(records, start=1) if _filled(r)]
    if not rows:
        raise _empty(p)
    h = find_header(rows)
    header_row, header = rows[h]
    data = rows[h + 1:]
    _check_rows(p, data, header, delimiter)
    if not data:
        raise InputFileError(f"{p}: has a header but no data rows")
    notes += title_notes(rows, h)
    frame, build_notes, unnamed = build_frame(p, header, data)
    return InputTable(p, frame, [n for n, _ in data], "row", notes + build_notes,
                      header_row=header_row, encoding=used, delimiter=delimiter, unnamed=unnamed)


def _filled(record: list) -> bool:
    """Whether a record has any cell that says something (:func:`asset_map.inputs.table.clean`)."""
    return any(clean(c) is not None for c in record)


def _empty(p: Path) -> InputFileError:
    """The error for a file with no rows."""
    return InputFileError(f"{p}: the file is empty (nothing but blank lines or delimiters); "
                          "save or export it again with its rows")


@contextmanager
def _csv_errors(p: Path, encoding: str) -> "Iterator[None]":
    """Turn the ``csv`` module's errors, and bytes not in ``encoding``, into an :class:`InputFileError`."""
    try:
        yield
    except csv.Error as exc:
        raise InputFileError(f"{p}: not a well-formed CSV file ({exc}); save it again as CSV UTF-8") from None
    except UnicodeDecodeError:
        raise InputFileError(
            f"{p}: cannot be read as {encoding}; save the file as 'CSV UTF-8' or pass --encoding"
        ) from None


def _check_rows(p: Path, data: Rows, header: list, delimiter: str) -> None:
    """Refuse rows wider than the header, or a cell that swallowed rows (:func:`_check_widths`,
    :func:`_check_swallowed`)."""
    _check_widths(p, data, header)
    _check_swallowed(p, data, delimiter, len(header))


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
    (found below any title lines, :func:`asset_map.inputs.table.find_header`)
    and the columns are those :func:`read_csv` finds; the encoding and
    delimiter are found from the first :data:`SAMPLE_BYTES`
    (:func:`_sample`). Without ``encoding``, each line is UTF-8, or else the
    file's other encoding (Windows-1252 or Latin-1), as
    :func:`asset_map.inputs.csv_encoding.decode` does for a file that mixes
    them. The columns are fixed by the header and the first chunk
    (:func:`_chunks`). A quote left open is caught by a first pass over the
    file (:func:`_check_quotes`) and by the swallowed-rows check
    (:func:`_check_swallowed`), chunk by chunk.

    Raises
    ------
    InputFileError
        If the file is missing, empty, unreadable or malformed (naming the row).
    """
    p = existing_file(path)
    total = p.stat().st_size
    lines = _LineSource(p, total, encoding)
    with _csv_errors(p, lines.encoding), open(p, "rb") as fh:  # read_csv checks the whole text
        _check_quotes(p, lines.of(fh), lines.delimiter)
    lines.other.clear()
    with _csv_errors(p, lines.encoding), open(p, "rb") as fh:
        reader = enumerate(csv.reader(lines.of(fh), delimiter=lines.delimiter), start=1)
        header_row, header, data, notes = _header_and_data(p, reader)
        for k, (pending, frame, build_notes, unnamed) in enumerate(_chunks(p, header, data, lines.delimiter,
                                                                            rows)):
            if lines.other:
                build_notes.append(mixed_note(sorted(lines.other), lines.encoding))
                lines.other.clear()
            table = InputTable(p, frame, [n for n, _ in pending], "row",
                               (lines.notes + notes if k == 0 else []) + build_notes,
                               header_row=header_row, encoding=lines.encoding, delimiter=lines.delimiter,
                               unnamed=unnamed)
            yield Chunk(table, min(fh.tell(), total), total)


class _LineSource:
    """How to read a large CSV file line by line: its encoding, delimiter and notes, found from its start.

    Attributes
    ----------
    encoding, delimiter, notes
        As :func:`asset_map.inputs.csv_encoding.decode` and
        :func:`_sniff_delimiter` find them in the first :data:`SAMPLE_BYTES`
        (the note on mixed encodings aside: it is made chunk by chunk).
    other
        The numbers of the lines read so far (in the current chunk) that are
        not in the file's encoding.
    """

    def __init__(self, p: Path, total: int, encoding: str | None) -> None:
        with open(p, "rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        text, self.encoding, notes = decode(p, whole_lines(sample, total), encoding)
        if not text.strip():
            raise _empty(p)
        self.delimiter = _sniff_delimiter(text)
        self.notes = [n for n in notes if not n.startswith("the file mixes encodings")]  # said chunk by chunk
        # UTF-16/32, a given encoding, or lines ended by CR alone (old Mac Excel): a text stream does it all.
        self.whole_stream = (bool(encoding) or codecs.lookup(self.encoding).name.startswith(("utf-16", "utf-32"))
                             or (b"\r" in sample and b"\n" not in sample))
        self.other: set[int] = set()

    def of(self, fh) -> "Iterator[str]":
        """The lines of the open binary file ``fh`` as text."""
        if self.whole_stream:
            codec = "utf-8-sig" if codecs.lookup(self.encoding).name == "utf-8" else self.encoding
            return iter(io.TextIOWrapper(fh, encoding=codec, newline=""))
        return decoded_lines(fh, self.encoding, self.other)


def _header_and_data(p: Path, reader: "Iterator[tuple[int, list[str]]]") -> tuple[int, list, "Iterator", list[str]]:
    """The header's row number and cells, the data rows after it (an iterator), and the notes on title rows.

    The header is looked for in the first :data:`HEADER_SEARCH_ROWS`
    non-empty records, as :func:`read_csv` looks for it.
    """
    found: Rows = []
    for n, record in reader:
        if _filled(record):
            found.append((n, record))
            if len(found) >= HEADER_SEARCH_ROWS:
                break
    if not found:
        raise _empty(p)
    h = find_header(found)
    header_row, header = found[h]
    data = itertools.chain(found[h + 1:], ((n, r) for n, r in reader if _filled(r)))
    return header_row, header, data, title_notes(found, h)


def _chunks(p: Path, header: list, data: "Iterator", delimiter: str,
            rows: int) -> "Iterator[tuple[Rows, Any, list[str], list[str]]]":
    """The data rows in lists of at most ``rows``, checked, each with its frame of text cells, notes and the
    names made up for unnamed columns.

    The first chunk fixes the columns (:func:`asset_map.inputs.table.build_frame`);
    later ones keep them (:func:`_skipped_note`).
    """
    keep: list[int] | None = None
    names: list[str] = []
    unnamed: list[str] = []
    while pending := list(itertools.islice(data, rows)):
        _check_rows(p, pending, header, delimiter)
        if keep is None:
            frame, build_notes, unnamed = build_frame(p, header, pending)
            names, keep, _ = frame_columns(p, header, pending)
        else:
            frame, build_notes = cells_frame(pending, names, keep), _skipped_note(pending, keep, rows)
        yield pending, frame, build_notes, unnamed
    if keep is None:
        raise InputFileError(f"{p}: has a header but no data rows")


def _skipped_note(pending: Rows, keep: list[int], rows: int) -> list[str]:
    """A note on values in an unnamed column the first chunk left out, as it was empty there."""
    skipped = {j for _, c in pending for j, v in enumerate(c) if j not in keep and clean(v) is not None}
    if not skipped:
        return []
    letters = ", ".join(column_letter(j + 1) for j in sorted(skipped))
    return [f"rows {pending[0][0]}-{pending[-1][0]} have values in column {letters}, which has no header "
            f"and was empty in the first {rows:,} rows: those values are not read (give it a header)"]


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
    first: Rows = []  # the first non-empty records, to name a column by its header
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            message = str(exc)
            if "field larger than field limit" in message and reader.line_num == line + 1:
                _check_long_line(p, seen.last, delimiter, row, first)
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
            if len(first) < HEADER_SEARCH_ROWS and _filled(record):
                first.append((row, record))
        line = reader.line_num


def _check_long_line(p: Path, text: str, delimiter: str, row: int, first: Rows) -> None:
    """Refuse a cell of one line longer than a CSV cell may be, naming its row and column.

    The ``csv`` module stops at :func:`csv.field_size_limit` characters (a
    guard against a quote left open reading the rest of a large file). A
    line that holds such a cell is read again on its own, the guard raised
    for it: if a quote is still open at its end, the quote is the problem
    (the caller says so); otherwise the longest cell is too long.
    """
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, len(text) + 1))
        cells = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return  # a quote opens on this line and does not close on it
    finally:
        csv.field_size_limit(limit)
    j = max(range(len(cells)), key=lambda k: len(cells[k]), default=0)
    if not cells or len(cells[j]) <= limit:
        return
    column = f"column {column_letter(j + 1)}"
    if first:
        header = first[find_header(first)][1]
        if j < len(header) and clean(header[j]) is not None:
            column += f" ({clean(header[j])!r})"
    raise InputFileError(
        f"{p}, row {row}, {column}: the cell is too long ({len(cells[j]):,} characters; a CSV cell holds at "
        f"most {limit:,}); shorten it, or keep the long text in a document and put its link in the cell"
    )


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
        if len(r) > len(header) and any(clean(c) is not None for c in r[len(header):]):
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
