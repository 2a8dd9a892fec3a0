"""Reading input files: CSV, Excel, GeoJSON, GeoPackage, Shapefile, TopoJSON.

Every reader returns an :class:`InputTable`: the rows as text (tabular files)
or as features (spatial files), each with the row number a person would look
for: the spreadsheet row for CSV and Excel (the header is row 1, so the first
data row is row 2) and the feature number (from 1) for spatial files.

Cells that say nothing are read as missing: empty, ``NA``, ``N/A``, ``n/a``,
``-``, ``null``, ``none``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputFileError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

TABULAR_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}
SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".topojson", ".zip"}
MISSING = {"", "na", "n/a", "-", "null", "none", "nan", "#n/a"}

SUPPORTED = "CSV, XLSX, GeoJSON, GeoPackage, Shapefile or TopoJSON"


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
    """

    path: Path
    frame: "pd.DataFrame"
    row_numbers: list[int]
    row_word: str = "row"
    notes: list[str] = field(default_factory=list)

    @property
    def is_spatial(self) -> bool:
        return self.row_word == "feature"

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "geometry"]


def read_input(
    path: str | Path,
    *,
    sheet: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
) -> InputTable:
    """Read any supported file, choosing the reader from its suffix.

    ``crs`` (e.g. ``"EPSG:27700"``) is the coordinate system of a spatial
    file that has none or a wrong one.

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
        return read_excel(p, sheet=sheet)
    if suffix in SPATIAL_SUFFIXES:
        return read_spatial(p, layer=layer, crs=crs)
    if suffix == ".xls":
        raise InputFileError(f"{p}: old Excel .xls files cannot be read; save it as .xlsx or CSV")
    raise InputFileError(f"{p}: unsupported file type {suffix or '(none)'!r}; give a {SUPPORTED} file")


def _decode(p: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode bytes as the given encoding, else UTF-8 (with or without BOM), else Windows-1252."""
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            f"{p}: looks like a binary file, not CSV text (is it a spreadsheet saved with a .csv name?)"
        )
    tried = [encoding] if encoding else ["utf-8-sig", "cp1252"]
    for enc in tried:
        try:
            return raw.decode(enc), enc
        except (UnicodeDecodeError, LookupError) as exc:
            last = exc
    if isinstance(last, LookupError):
        raise InputFileError(f"{p}: unknown encoding {encoding!r}; try utf-8 or cp1252") from None
    # Name the line with the first undecodable byte.
    line = raw[: last.start].count(b"\n") + 1  # type: ignore[union-attr]
    raise InputFileError(
        f"{p}, line {line}: cannot be read as {' or '.join(tried)}; "
        "save the file as 'CSV UTF-8' or pass --encoding"
    )


def read_csv(path: str | Path, *, encoding: str | None = None) -> InputTable:
    """Read a CSV file as text cells.

    The encoding is UTF-8 (a byte-order mark is skipped) unless ``encoding``
    is given; a file that is not valid UTF-8 is read as Windows-1252, the
    encoding Excel on Windows saves. The delimiter (comma, semicolon, tab or
    pipe) is detected from the first lines.
    """
    import pandas as pd

    p = Path(path)
    text, used = _decode(p, p.read_bytes(), encoding)
    notes = [] if used in ("utf-8-sig", encoding) else [f"read as {used} (the file is not UTF-8)"]
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise InputFileError(f"{p}: the file is empty")
    # The header names the columns and rarely holds punctuation: the
    # delimiter is the candidate it contains most often.
    delimiter = max(",;\t|", key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputFileError(f"{p}: not a well-formed CSV file ({exc})") from None
    # Skip blank records but keep each record's spreadsheet row number.
    header_idx = next(i for i, r in enumerate(rows) if any(c.strip() for c in r))
    header = [h.strip() for h in rows[header_idx]]
    _check_header(p, header)
    records, numbers = [], []
    for i, r in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        if not any(c.strip() for c in r):
            continue
        if len(r) > len(header) and any(c.strip() for c in r[len(header):]):
            raise InputFileError(
                f"{p}, row {i}: {len(r)} cells but the header has {len(header)} columns; "
                "check for an unquoted delimiter in that row"
            )
        records.append([_clean(c) for c in (r + [""] * len(header))[: len(header)]])
        numbers.append(i)
    if not records:
        raise InputFileError(f"{p}: has a header but no data rows")
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return InputTable(p, frame, numbers, "row", notes)


def read_excel(path: str | Path, *, sheet: str | None = None) -> InputTable:
    """Read one sheet of an .xlsx workbook (the first sheet unless ``sheet`` names one)."""
    import pandas as pd
    from openpyxl import load_workbook

    p = Path(path)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputFileError(f"{p}: cannot be opened as an Excel workbook ({exc})") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputFileError(f"{p}: no sheet {sheet!r}; the sheets are {', '.join(wb.sheetnames)}")
        ws = wb[sheet] if sheet is not None else wb[wb.sheetnames[0]]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    filled = [i for i, r in enumerate(rows) if any(_clean(c) is not None for c in r)]
    if not filled:
        raise InputFileError(f"{p}: sheet {ws.title!r} is empty")
    header_idx = filled[0]
    header = [str(c).strip() if c is not None else "" for c in rows[header_idx]]
    while header and header[-1] == "":
        header.pop()
    _check_header(p, header)
    records, numbers = [], []
    for i in filled[1:]:
        r = rows[i]
        records.append([_clean(c) for c in (r + [None] * len(header))[: len(header)]])
        numbers.append(i + 1)
    if not records:
        raise InputFileError(f"{p}: sheet {ws.title!r} has a header but no data rows")
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return InputTable(p, frame, numbers, "row")


def _existing_file(path: str | Path) -> Path:
    """The path, if it names a non-empty file; else an :class:`InputFileError` saying what is wrong."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder; give a {SUPPORTED} file")
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty")
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
        raise InputFileError(f"{p}: has no features")
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
    """Strip text and turn the words for 'nothing' into ``None``."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        v = value.replace("\u00a0", " ").strip()
        return None if v.lower() in MISSING else v
    return value


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
