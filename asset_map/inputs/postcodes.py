"""Postcodes: normalising them, and reading a postcode lookup to locate assets offline.

A lookup gives each postcode a point (its centroid). Three kinds of file are
read, their columns detected from the header:

- the **ONS Postcode Directory** (ONSPD) CSV: ``pcds`` (or ``pcd``/``pcd7``/
  ``pcd8``), ``oseast1m``/``osnrth1m`` or ``lat``/``long``, and ``doterm``,
  the month a postcode was terminated (empty while it is live);
- **OS Code-Point Open**: one headerless CSV per postcode area, the columns
  being postcode, positional quality, eastings, northings...; give the
  folder of CSVs to read them all;
- **any CSV** with a postcode column and latitude/longitude or
  easting/northing columns.

Postcodes without a grid reference (ONSPD gives them latitude 99.999999)
are kept, so that an asset with one is rejected for that reason rather
than as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import ColumnError, InputFileError
from ..geo import normalise_postcode, suggest_postcode  # noqa: F401  (suggest_postcode: re-exported)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


#: Columns of the workspace's ``postcodes`` table.
POSTCODE_COLUMNS = {"postcode": "str", "x": "float64", "y": "float64", "terminated": "str", "ward": "str"}

_HEADERS = {
    "postcode": ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode", "post code", "postcodes", "pc"),
    "easting": ("oseast1m", "easting", "eastings", "east", "x"),
    "northing": ("osnrth1m", "northing", "northings", "north", "y"),
    "latitude": ("lat", "latitude"),
    "longitude": ("long", "lon", "lng", "longitude"),
    "terminated": ("doterm", "date of termination", "terminated", "termination date"),
    "ward": ("ward name", "ward", "wardnm", "wd24nm", "wd23nm", "wd22nm", "electoral ward"),
}


@dataclass
class PostcodeLookup:
    """A postcode lookup read from files, ready to store.

    ``rows_read = len(table) + len(skipped)``: every row is a postcode loaded
    or a row skipped with its reason.
    """

    table: "pd.DataFrame"
    rows_read: int
    sources: list[str]
    skipped: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def located(self) -> int:
        return int(self.table["x"].notna().sum())

    @property
    def terminated(self) -> int:
        return int((self.table["terminated"] != "").sum())


def _csv_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() == ".csv")
            if not found:
                raise InputFileError(f"{p}: a folder with no CSV files; give the postcode lookup's CSV files")
            files.extend(found)
        elif not p.exists():
            raise InputFileError(f"{p}: no such file")
        elif p.suffix.lower() not in (".csv", ".txt"):
            raise InputFileError(f"{p}: a postcode lookup must be CSV (unzip ONSPD or Code-Point Open first)")
        elif p.stat().st_size == 0:
            raise InputFileError(f"{p}: the file is empty")
        else:
            files.append(p)
    return files


def _first_line(p: Path) -> tuple[str, str]:
    """The first line of a file and the encoding that reads it."""
    with open(p, "rb") as fh:
        raw = fh.readline()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc).strip(), enc
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1").strip(), "latin-1"  # pragma: no cover - latin-1 decodes any bytes


def _layout(p: Path, first: str) -> tuple[str, bool, dict[str, int | str]]:
    """The delimiter, whether there is a header, and the column (name or position) of each field."""
    delimiter = max(",;\t|", key=first.count)
    cells = [c.strip().strip('"') for c in first.split(delimiter)]
    if cells and normalise_postcode(cells[0]) and len(cells) >= 4:  # Code-Point Open: no header
        return delimiter, False, {"postcode": 0, "easting": 2, "northing": 3}
    norm = {re.sub(r"[^0-9a-z]+", " ", c.lower()).strip(): c for c in cells}
    found: dict[str, int | str] = {}
    for fld, names in _HEADERS.items():
        hit = next((norm[n] for n in names if n in norm), None)
        if hit is not None:
            found[fld] = hit
    if "postcode" not in found:
        raise ColumnError(
            f"{p}: no postcode column (looked for pcds, pcd, postcode...); the columns are {', '.join(cells[:12])}"
            f"{' ...' if len(cells) > 12 else ''}"
        )
    if not ({"easting", "northing"} <= found.keys() or {"latitude", "longitude"} <= found.keys()):
        raise ColumnError(
            f"{p}: no coordinate columns (oseast1m/osnrth1m, Easting/Northing or lat/long); "
            "this does not look like a postcode lookup"
        )
    return delimiter, True, found


def read_postcode_lookup(paths: str | Path | Iterable[str | Path]) -> PostcodeLookup:
    """Read one or more postcode lookup files (or folders of them).

    Returns
    -------
    PostcodeLookup
        ``table`` has one row per postcode: ``postcode`` (standard form),
        ``x``, ``y`` (British National Grid metres, NaN when the file gives
        no grid reference) and ``terminated`` (the termination date as
        written, empty for a live postcode) and ``ward`` (the ward's name from
        a column such as ``ward_name``, empty when the file has none: places
        ``gaps --area`` understands, :mod:`asset_map.analysis.places`). A postcode listed twice keeps
        its first row; malformed postcodes are skipped. Both are counted in
        ``skipped``.
    """
    import pandas as pd

    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = _csv_files(paths)
    read = [_read_file(p) for p in files]
    data = pd.concat([frame for frame, _ in read], ignore_index=True)
    rows_read = len(data)
    table, skipped = _standard_postcodes(data)
    if table.empty:
        raise InputFileError(f"{files[0]}: no postcodes found; is this a postcode lookup?")
    columns = {k: str(v) for k, v in read[0][1].items()}
    return PostcodeLookup(table, rows_read, [str(p) for p in files], skipped, columns)


def _read_file(p: Path) -> tuple["pd.DataFrame", dict[str, str]]:
    """One lookup file's postcodes as written (``raw``), grid references (:func:`_grid`) and termination dates,
    and the columns they were read from (:func:`_layout`)."""
    import pandas as pd

    first, encoding = _first_line(p)
    delimiter, header, cols = _layout(p, first)
    try:
        raw = pd.read_csv(p, sep=delimiter, header=0 if header else None, usecols=list(cols.values()), dtype=str,
                          keep_default_na=False, encoding=encoding, engine="c")
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputFileError(f"{p}: not a well-formed CSV file ({str(exc).splitlines()[0]})") from None
    out = pd.DataFrame({"raw": raw[cols["postcode"]]})
    for fld in ("easting", "northing", "latitude", "longitude"):
        if fld in cols:
            out[fld] = pd.to_numeric(raw[cols[fld]].str.strip(), errors="coerce")
    out["terminated"] = raw[cols["terminated"]].str.strip() if "terminated" in cols else ""
    out["ward"] = raw[cols["ward"]].str.strip() if "ward" in cols else ""
    out["x"], out["y"] = _grid(out)
    return out[["raw", "x", "y", "terminated", "ward"]], cols


def _grid(out: "pd.DataFrame"):
    """British National Grid metres from easting/northing, else from latitude/longitude; NaN outside Great Britain.

    ONSPD writes latitude 99.999999 for "no location", and gives postcodes
    without a grid reference easting 0 / northing 1, or blanks: all are NaN.
    """
    import numpy as np

    from ..geo import GB_BNG_BOUNDS, lonlat_to_bng

    if "easting" in out and "northing" in out:
        x, y = out["easting"].to_numpy(float), out["northing"].to_numpy(float)
    else:
        lat, lon = out["latitude"].to_numpy(float), out["longitude"].to_numpy(float)
        good = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        x, y = np.full(len(out), np.nan), np.full(len(out), np.nan)
        if good.any():
            x[good], y[good] = lonlat_to_bng(lon[good], lat[good])
    x0, y0, x1, y1 = GB_BNG_BOUNDS
    inside = (x > x0) & (x <= x1) & (y > y0 + 1) & (y <= y1)
    return np.where(inside, x, np.nan), np.where(inside, y, np.nan)


def _standard_postcodes(data: "pd.DataFrame") -> tuple["pd.DataFrame", dict[str, int]]:
    """The rows with a valid postcode in standard form, each postcode once (its first row), and the rows skipped."""
    data["postcode"] = [normalise_postcode(v) for v in data["raw"]]
    skipped: dict[str, int] = {}
    bad = data["postcode"].isna()
    if bad.any():
        skipped["not a valid postcode"] = int(bad.sum())
    data = data[~bad]
    dup = data["postcode"].duplicated()
    if dup.any():
        skipped["listed twice (first kept)"] = int(dup.sum())
    data = data[~dup]
    return data[list(POSTCODE_COLUMNS)].reset_index(drop=True), skipped
