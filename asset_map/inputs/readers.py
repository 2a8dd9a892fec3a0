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
  (:func:`asset_map.inputs.table.find_header`).
* Excel: the first sheet that holds a table is read unless ``--sheet`` names
  one; cells merged down over several rows are filled in on every row;
  numbers, dates and booleans become the text Excel shows.
* A header cell left empty above a column of data names it after its column
  letter ("Column D"), so no data is silently dropped.
* A JSON file that is a plain list of records (an export, not a directory
  feed) is read as a table, the records' keys as its columns
  (:mod:`asset_map.inputs.json_table`).

Cells that say nothing are read as missing: empty, ``NA``, ``N/A``, ``n/a``,
``-``, ``–``, ``—``, ``null``, ``none`` and Excel's error values (``#N/A``,
``#REF!``, ``#VALUE!``...).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ..files import is_workspace, protect
from ..errors import InputFileError
from .csv_reader import read_csv
from .table import SUPPORTED, InputTable, clean, existing_file, first_line

SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".topojson", ".zip"}


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
    p = existing_file(path)
    if is_workspace(p):
        raise InputFileError(f"{p}: that is the workspace itself, not an asset list; give the list's own file "
                             f"(to move a workspace's assets elsewhere, use `asset-map copy`)")
    protect([p])  # an output of this command may not replace the list it reads
    check_read_options(p, sheet=sheet, layer=layer)
    suffix = p.suffix.lower()
    if suffix == ".json":
        from .json_table import json_records, load_json, read_json_table

        records = json_records(load_json(p))
        if records is not None:
            return read_json_table(p, records)
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


EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def check_read_options(path: str | Path, *, sheet: str | None = None, layer: str | None = None) -> None:
    """Refuse ``sheet`` for a file that is not a workbook and ``layer`` for one that is not spatial.

    Such an option would be silently ignored: most often the file given is
    not the one meant (the CSV saved from one sheet instead of the workbook).
    """
    p = Path(path)
    if not p.exists():
        return  # the reader says so
    suffix = p.suffix.lower()
    kind = _kind(p)
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise InputFileError(f"{p}: --sheet {sheet!r} chooses a sheet of an Excel workbook, but this is {kind}; "
                             "leave out --sheet, or give the workbook (.xlsx)")
    if layer is not None and suffix not in SPATIAL_SUFFIXES:
        raise InputFileError(f"{p}: --layer {layer!r} chooses a layer of a GeoPackage or other spatial file, but "
                             f"this is {kind}; leave out --layer, or give the spatial file")


def _kind(p: Path) -> str:
    """What a file is, by its suffix, for messages: "a CSV file", "an Excel workbook", "a folder"."""
    if p.is_dir():
        return "a folder"
    suffix = p.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "an Excel workbook"
    return {".csv": "a CSV file", ".txt": "a text file", ".tsv": "a text file", ".json": "a JSON file",
            ".geojson": "a GeoJSON file", ".topojson": "a TopoJSON file", ".gpkg": "a GeoPackage",
            ".shp": "a Shapefile", ".zip": "a zip archive"}.get(suffix, f"a {suffix or 'suffix-less'} file")


def read_spatial(path: str | Path, *, layer: str | None = None, crs: str | None = None) -> InputTable:
    """Read a GeoJSON, GeoPackage, Shapefile or TopoJSON file.

    TopoJSON and GeoJSON carry no CRS or say WGS84: without one, EPSG:4326
    is assumed, as RFC 7946 requires. ``crs`` overrides the file's own.
    """
    import pandas as pd
    import pyogrio

    p = existing_file(path)
    with warnings.catch_warnings(record=True) as caught:  # GDAL's warnings become notes, never printed
        warnings.simplefilter("always")
        try:
            layers = pyogrio.list_layers(p)
        except Exception:  # pyogrio raises several kinds for a file GDAL cannot open
            raise _unreadable(p) from None
        if layer is None and len(layers) > 1:
            spatial = [name for name, gtype in layers if gtype is not None]
            if len(spatial) != 1:
                names = ", ".join(str(n) for n, _ in layers)
                raise InputFileError(f"{p}: has several layers ({names}); choose one with --layer")
            layer = spatial[0]
        if layer is not None and str(layer) not in {str(n) for n, _ in layers}:
            names = ", ".join(str(n) for n, _ in layers)
            raise InputFileError(f"{p}: has no layer {layer!r}; its layers are {names}; choose one with --layer")
        try:
            frame = pyogrio.read_dataframe(p, layer=layer)
        except Exception as exc:
            raise _unreadable_features(p, exc) from None
    notes = _gdal_notes(caught)
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
            frame[col] = pd.Series([clean(v) for v in frame[col]], index=frame.index, dtype=object)
    return InputTable(p, frame, list(range(1, len(frame) + 1)), "feature", notes)


#: What each spatial file is called, and how to get a readable one.
_SPATIAL_ADVICE = {
    ".geojson": ("a GeoJSON file", "export it again (in QGIS: Export > Save Features As..., format GeoJSON)"),
    ".json": ("a GeoJSON file", "export it again (in QGIS: Export > Save Features As..., format GeoJSON)"),
    ".topojson": ("a TopoJSON file", "download it again, or give the boundaries as GeoJSON or GeoPackage"),
    ".gpkg": ("a GeoPackage", "export it again (in QGIS: Export > Save Features As..., format GeoPackage)"),
    ".shp": ("a shapefile", "give the .zip the shapefile came in, or export it again (in QGIS: Export > "
                            "Save Features As..., format GeoPackage)"),
}


def _unreadable(p: Path) -> InputFileError:
    """The error for a spatial file GDAL cannot open: what the file is not, and how to get one that reads.

    GDAL's own words (driver names, ``/vsizip/`` paths, SQLite statements)
    mean nothing to the person holding the file; what went wrong is told
    from the file itself (:func:`_what_is_wrong`).
    """
    suffix = p.suffix.lower()
    if suffix == ".zip":
        return _unreadable_zip(p)
    kind, advice = _SPATIAL_ADVICE.get(suffix, ("a spatial file", f"give a {SUPPORTED} file"))
    return InputFileError(f"{p}: cannot be read as {kind}: {_what_is_wrong(p, suffix)}; {advice}")


def _unreadable_features(p: Path, exc: BaseException) -> InputFileError:
    """The error for a spatial file whose layers were listed but whose features do not read."""
    import re

    kind, advice = _SPATIAL_ADVICE.get(p.suffix.lower(), ("a spatial file", f"give a {SUPPORTED} file"))
    said = re.sub(r"/vsi\w+/", "", first_line(exc).split("; It might help")[0]).strip().rstrip(".")
    return InputFileError(f"{p}: is {kind}, but its features cannot be read ({said}); {advice}")


def _what_is_wrong(p: Path, suffix: str) -> str:
    """A plain account of why the spatial file ``p`` does not read."""
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return f"it cannot be opened ({exc.strerror or type(exc).__name__})"
    if suffix in (".geojson", ".json", ".topojson"):
        import json

        try:
            text = p.read_text("utf-8-sig")
        except UnicodeDecodeError:
            return "it is not UTF-8 text"
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        return "it is JSON, but not a FeatureCollection of features with geometries"
    if suffix == ".gpkg":
        if not head.startswith(b"SQLite format 3\0"):
            return "it is not a GeoPackage (not an SQLite database)"
        return "it is damaged, or an SQLite database that is not a GeoPackage"
    if suffix == ".shp":
        missing = [s for s in (".shx", ".dbf") if not any(p.with_suffix(c).is_file() for c in (s, s.upper()))]
        if missing:
            return (f"it is damaged or not a shapefile, and its {' and '.join(missing)} file"
                    f"{'s are' if len(missing) > 1 else ' is'} not beside it (a shapefile is several files "
                    "that must stay together)")
        return "it is damaged or not a shapefile"
    return "it is damaged or not of that format"


def _unreadable_zip(p: Path) -> InputFileError:
    """The error for a zip archive with no readable boundaries or features in it, naming what it holds."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return InputFileError(f"{p}: is not a readable zip archive (damaged or not a zip); download it again")
    spatial = [n for n in names if Path(n).suffix.lower() in (".shp", ".gpkg", ".geojson")]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    if not spatial:
        return InputFileError(f"{p}: the zip archive holds no shapefile, GeoPackage or GeoJSON file "
                              f"({shown or 'it is empty'}); give the zip of the shapefile (its .shp, .shx, .dbf "
                              "and .prj files) or the spatial file itself")
    return InputFileError(f"{p}: the {', '.join(spatial[:3])} in the zip archive cannot be read (damaged, or a "
                          "shapefile without its .shx and .dbf files); unzip it and check the files, or download "
                          "it again")


def _gdal_notes(caught: list) -> list[str]:
    """GDAL's warnings while a file was read (a field truncated, a value out of range), as notes."""
    seen: list[str] = []
    for w in caught:
        text = " ".join(str(w.message).split())
        if issubclass(w.category, RuntimeWarning) and text not in seen:
            seen.append(text)
    return [f"the spatial file reader warned: {t}" for t in seen[:3]]
