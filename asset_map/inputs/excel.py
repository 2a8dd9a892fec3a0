"""Reading Excel workbooks (.xlsx, .xlsm) as people save them.

The first sheet holding a table is read unless a sheet is named; title rows
above the header are skipped (:func:`asset_map.inputs.table.find_header`); a value
merged down over several data rows is filled in on each; cells become the
text Excel shows. See :func:`read_excel`.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

from ..errors import InputFileError
from .table import EXCEL_ERRORS, InputTable, Rows, build_frame, clean, find_header, first_line, title_notes

# A cell element that is not self-closing, with its reference and what it holds.
_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?\br="([A-Za-z]+)([0-9]+)"[^>]*?)(?<!/)>(.{0,4000}?)'
                   rb'</(?:[A-Za-z_][\w.-]*:)?c>', re.S)
# A formula cell whose result is text, a boolean or an error has its value even when it is empty ("").
_TYPED = re.compile(rb'\bt="(?:str|b|e)"')
_FORMULA = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>([^<]*)<)')
_VALUE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(?:v|is)\b[^>]*>\s*[^<\s]')
_MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)"')


def read_excel(path: str | Path, *, sheet: str | None = None) -> InputTable:
    """Read one sheet of an .xlsx/.xlsm workbook.

    ``sheet`` is a sheet's name (case and surrounding spaces do not matter)
    or its number from 1. Without it, the first sheet holding a table is read
    (:func:`_pick_sheet`), with a note naming it when there are several.

    The workbook is read in openpyxl's read-only mode, which streams the
    cells: a sheet whose stated size is a million rows (formatting applied to
    whole columns) costs only the rows actually stored. Read-only mode does
    not give merged cells, so their ranges are read from the sheet's XML
    (:func:`_merged_ranges`); a value merged down over several data rows is
    filled in on each of them (:func:`_fill_merged_down`).

    Cells become the text Excel shows (:func:`_excel_text`): ``123`` not
    ``123.0``, ``53.4512``, ``2024-03-01``, ``TRUE``; error values
    (``#N/A``, ``#REF!``...) are missing, with a note counting them.
    """
    from openpyxl import load_workbook

    p = Path(path)
    with warnings.catch_warnings():  # openpyxl warns about features it drops; the library does not print
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputFileError(f"{p}: cannot be opened as an Excel workbook ({first_line(exc)})") from None
        try:
            title, rows, errors, notes = _pick_sheet(p, wb, sheet)
        except InputFileError:
            raise
        except Exception as exc:  # the cells are parsed only now: a damaged sheet fails here
            raise InputFileError(f"{p}: cannot be read as an Excel workbook ({first_line(exc)}); "
                                 "open it in Excel and save it again") from None
        finally:
            wb.close()
    merges = _merged_ranges(p, title)
    if merges is None:
        merges = []
        notes.append(f"the merged cells of sheet {title!r} could not be read: a value merged down over "
                     "several rows is read on its first row only")
    # A header cell merged across columns stands for all of them when rows are compared for width.
    covered: dict[int, int] = {}
    for c1, r1, c2, _r2 in merges:
        covered[r1] = covered.get(r1, 0) + c2 - c1
    h = find_header(rows, covered)
    header_row, header = rows[h]
    filled = _fill_merged_down(rows, merges, header_row)
    data = rows[h + 1:]
    if not data:
        raise InputFileError(f"{p}: sheet {title!r} has a header but no data rows")
    notes += title_notes(rows, h)
    frame, build_notes, unnamed = build_frame(p, header, data, filled)
    notes += build_notes
    notes += _formula_notes(p, title, header_row, header)
    if errors:
        notes.append(f"{errors} cell{'s' if errors != 1 else ''} held Excel error values (#N/A, #REF!...) "
                     f"and {'were' if errors != 1 else 'was'} read as empty")
    return InputTable(p, frame, [n for n, _ in data], "row", notes, sheet=title, header_row=header_row,
                      unnamed=unnamed)


def _pick_sheet(p: Path, wb, sheet: str | None) -> tuple[str, Rows, int, list[str]]:
    """The sheet to read: its title, non-empty rows, count of error values, and notes.

    Without ``sheet``: the first sheet whose header row names at least two
    columns and has at least one data row below it (visible sheets before
    hidden ones), so an empty sheet, a cover sheet with one title cell or a
    notes sheet of one column of prose is passed over; if no sheet is such a
    table, the first sheet that is not empty.
    """
    names = wb.sheetnames
    if sheet is not None:
        ws = _named_sheet(p, wb, sheet)
        rows, errors = _sheet_rows(ws)
        if not rows:
            raise InputFileError(f"{p}: sheet {ws.title!r} is empty")
        return ws.title, rows, errors, []
    first = chosen = None
    for ws in sorted(wb.worksheets, key=lambda w: w.sheet_state != "visible"):
        rows, errors = _sheet_rows(ws)
        if not rows:
            continue
        if first is None:
            first = (ws.title, rows, errors)
        if _is_table(rows):
            chosen = (ws.title, rows, errors)
            break
    chosen = chosen or first
    if chosen is None:
        if len(names) == 1:
            raise InputFileError(f"{p}: sheet {names[0]!r} is empty")
        raise InputFileError(f"{p}: every sheet is empty ({', '.join(names)})")
    notes = []
    if len(names) > 1:
        others = ", ".join(n for n in names if n != chosen[0])
        notes.append(f"read sheet {chosen[0]!r} (the workbook also has: {others}); choose another with --sheet")
    return (*chosen, notes)


def _named_sheet(p: Path, wb, sheet: str):
    """The sheet named ``sheet`` (exactly, else ignoring case and surrounding spaces), or numbered so from 1."""
    names = wb.sheetnames
    want = sheet.strip().casefold()
    name = next((n for n in names if n == sheet), None) or next(
        (n for n in names if n.strip().casefold() == want), None)
    if name is None and want.isdigit() and 1 <= int(want) <= len(names):
        name = names[int(want) - 1]
    if name is None:
        raise InputFileError(
            f"{p}: no sheet {sheet!r}; the sheets are {', '.join(names)}; "
            f"give one of those names, or a number from 1 to {len(names)}, with --sheet"
        )
    ws = wb[name]
    if not hasattr(ws, "iter_rows"):
        raise InputFileError(f"{p}: sheet {name!r} is a chart, not a table; choose another with --sheet")
    return ws


def _sheet_rows(ws) -> tuple[Rows, int]:
    """The non-empty rows of a sheet as text, and how many cells hold an Excel error value.

    The sheet's stated size is ignored (``reset_dimensions``): the rows are
    those stored, so empty rows that only carry formatting, however far
    down, cost little and are dropped.
    """
    ws.reset_dimensions()
    rows: Rows = []
    errors = 0
    for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if not values:
            continue
        cells = [None if v is None else _excel_text(v) for v in values]
        if any(clean(c) is not None for c in cells):
            while cells[-1] is None:
                cells.pop()
            rows.append((n, cells))
            errors += sum(1 for c in cells if c is not None and c.strip().upper() in EXCEL_ERRORS)
    return rows, errors


def _is_table(rows: Rows) -> bool:
    """Whether the rows hold a header naming at least two columns and at least one data row."""
    h = find_header(rows)
    return sum(clean(c) is not None for c in rows[h][1]) >= 2 and len(rows) > h + 1


def _excel_text(value: object) -> str | None:
    """A cell's value as the text Excel shows (before missing words are dropped).

    Whole numbers lose the ``.0`` a float gives them (``123``), other numbers
    keep every digit (``53.4512``), dates are ISO (``2024-03-01``, with the
    time only when there is one), booleans ``TRUE``/``FALSE``.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == value.microsecond == 0 else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if value.second == value.microsecond == 0 else "seconds")
    return str(value)


def _merged_ranges(p: Path, title: str) -> list[tuple[int, int, int, int]] | None:
    """The merged ranges of a sheet as (first column, first row, last column, last row), or None if unreadable.

    The ``<mergeCell ref="A5:A7"/>`` elements stand after the cells in the
    sheet's XML; the part is streamed and searched for them, which is much
    faster than loading the workbook in full.
    """
    import zipfile

    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(p) as z:
            part = _sheet_part(z, title)
            if part is None:
                return None
            refs: set[bytes] = set()
            tail = b""
            with z.open(part) as fh:
                while chunk := fh.read(1 << 20):
                    buf = tail + chunk
                    refs.update(m.group(1) for m in _MERGE_CELL.finditer(buf))
                    tail = buf[-512:]
        return [range_boundaries(r.decode("ascii")) for r in refs]
    except (KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile, SyntaxError):
        return None


def _formula_notes(p: Path, title: str, header_row: int, header: list) -> list[str]:
    """A note on the data cells that hold a formula saved without its value (read as empty).

    A workbook written by a program (a script, some exports) rather than
    saved by Excel may keep only the formulas: no value has been calculated,
    so there is nothing to read. Their places are found in the sheet's XML.
    """
    from openpyxl.utils.cell import column_index_from_string

    cells = _formulas_without_values(p, title)
    cells = [(r, c, f) for r, c, f in cells if r > header_row]
    if not cells:
        return []

    def where(row: int, letters: str, formula: str) -> str:
        j = column_index_from_string(letters) - 1
        name = header[j] if j < len(header) and clean(header[j]) is not None else None
        col = f"column {letters} ({clean(name)!r})" if name is not None else f"column {letters}"
        return f"row {row}, {col}" + (f" (formula ={formula})" if formula else " (a formula)")

    shown = "; ".join(where(*c) for c in cells[:5]) + (f"; and {len(cells) - 5} more" if len(cells) > 5 else "")
    what = "1 cell holds a formula" if len(cells) == 1 else f"{len(cells)} cells hold formulas"
    return [f"{what} saved without a value, read as empty: {shown}; the workbook was written without being "
            "calculated: open it in Excel or LibreOffice and save it, so the values are stored"]


def _formulas_without_values(p: Path, title: str) -> list[tuple[int, str, str]]:
    """The cells of a sheet holding a formula but no saved value: (row, column letters, formula text)."""
    import html
    import zipfile

    found: dict[tuple[int, str], str] = {}
    try:
        with zipfile.ZipFile(p) as z:
            part = _sheet_part(z, title)
            if part is None:
                return []
            tail = b""
            with z.open(part) as fh:
                while chunk := fh.read(1 << 20):
                    buf, end = tail + chunk, 0
                    for m in _CELL.finditer(buf):
                        end = m.end()
                        attrs, letters, row, inner = m.groups()
                        formula = _FORMULA.search(inner)
                        if formula is not None and not _VALUE.search(inner) and not _TYPED.search(attrs):
                            text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
                            found[(int(row), letters.decode("ascii").upper())] = text[:40]
                    tail = buf[max(end, len(buf) - 8192):]
    except (KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile, SyntaxError):
        return []
    return sorted((r, c, f) for (r, c), f in found.items())


def _sheet_part(z, title: str) -> str | None:
    """The zip member holding a sheet's XML, found through the package relationships."""
    import posixpath
    from xml.etree import ElementTree as ET

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def resolve(base: str, target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))

    book = next((r.get("Target") for r in ET.fromstring(z.read("_rels/.rels"))
                 if (r.get("Type") or "").endswith("/officeDocument")), None)
    if book is None:
        return None
    book = resolve("", book)
    base = posixpath.dirname(book)
    rels = {r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read(posixpath.join(base, "_rels", posixpath.basename(book) + ".rels")))}
    for el in ET.fromstring(z.read(book)).iter():
        if local(el.tag) == "sheet" and el.get("name") == title:
            rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
            return resolve(base, rels[rid]) if rels.get(rid) else None
    return None


def _fill_merged_down(rows: Rows, merges: list[tuple[int, int, int, int]], header_row: int) -> dict[int, int]:
    """Copy the value of each range merged down over data rows to the rows below its first.

    Only the range's first column is filled (a value merged across columns
    belongs to its first), and only rows that hold something of their own
    (a row whose only content would be the merged value stays empty).
    Ranges that start at or above the header are left alone. Returns the
    number of cells filled in each column (0-based).
    """
    by_number = {n: cells for n, cells in rows}
    filled: dict[int, int] = {}
    for c1, r1, _c2, r2 in merges:
        if r2 <= r1 or r1 <= header_row or r1 not in by_number:
            continue
        top = by_number[r1]
        value = top[c1 - 1] if c1 <= len(top) else None
        if clean(value) is None:
            continue
        for r in range(r1 + 1, r2 + 1):
            cells = by_number.get(r)
            if cells is None:
                continue
            if len(cells) < c1:
                cells.extend([None] * (c1 - len(cells)))
            if clean(cells[c1 - 1]) is None:
                cells[c1 - 1] = value
                filled[c1 - 1] = filled.get(c1 - 1, 0) + 1
    return filled
