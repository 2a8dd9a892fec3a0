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

Cells that say nothing are read as missing: empty, ``NA``, ``N/A``, ``n/a``,
``-``, ``–``, ``—``, ``null``, ``none`` and Excel's error values (``#N/A``,
``#REF!``, ``#VALUE!``...).
"""

from __future__ import annotations

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


def read_spatial(path: str | Path, *, layer: str | None = None, crs: str | None = None) -> InputTable:
    """Read a GeoJSON, GeoPackage, Shapefile or TopoJSON file.

    TopoJSON and GeoJSON carry no CRS or say WGS84: without one, EPSG:4326
    is assumed, as RFC 7946 requires. ``crs`` overrides the file's own.
    """
    import pandas as pd
    import pyogrio

    p = existing_file(path)
    try:
        layers = pyogrio.list_layers(p)
    except Exception as exc:
        raise InputFileError(f"{p}: cannot be read as {SUPPORTED} ({first_line(exc)})") from None
    if layer is None and len(layers) > 1:
        spatial = [name for name, gtype in layers if gtype is not None]
        if len(spatial) != 1:
            names = ", ".join(str(n) for n, _ in layers)
            raise InputFileError(f"{p}: has several layers ({names}); choose one with --layer")
        layer = spatial[0]
    try:
        frame = pyogrio.read_dataframe(p, layer=layer)
    except Exception as exc:
        raise InputFileError(f"{p}: cannot be read ({first_line(exc)})") from None
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
            frame[col] = pd.Series([clean(v) for v in frame[col]], index=frame.index, dtype=object)
    return InputTable(p, frame, list(range(1, len(frame) + 1)), "feature", notes)


