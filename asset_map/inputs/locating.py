"""Placing each row of an asset list at a point, or rejecting it saying why.

A row is placed in British National Grid from, in order, the feature's
geometry (a polygon is placed at a point inside it: :func:`locate_features`),
latitude and longitude, easting and northing, or, when a row has no
coordinates, its postcode's centroid from the workspace's postcode lookup
(:func:`locate_rows`, :mod:`asset_map.inputs.postcodes`). Missing, non-numeric
or outside Great Britain coordinates, and malformed, unknown or terminated
postcodes, are rejected, naming the column (:class:`Reject`).

A well-formed, live postcode missing from a *local* lookup (one that does not
cover the whole country: :class:`~asset_map.inputs.postcode_finder.LookupCoverage`)
is not unknown: it lies outside the lookup's coverage, like the registered
office in Manchester of a charity working in Trafford. Such a row is set
aside as kept with its location unknown (:attr:`Placement.elsewhere`), or
rejected saying so when the import asks for that.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..analysis.confidence import OUTSIDE_LOOKUP
from ..errors import InputFileError
from ..geo import BNG, in_gb_bng, lonlat_to_bng, normalise_postcode
from ..numbers import number
from .columns import ColumnMap
from .coordinates import (DEGREES_AS_GRID, GRID_AS_DEGREES, PLACEHOLDER, SWAPPED, check_easting_northing,
                          check_lat_lon, usable_degrees, usable_grid)
from .postcodes import suggest_postcode
from .progress import PROGRESS_EVERY, Progress, tick
from .table import column_cells

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

#: Looks up standard-form postcodes: ``{postcode: (x, y, terminated)}`` for those found, ``None`` without a lookup.
PostcodeFinder = Callable[[Iterable[str]], "dict[str, tuple[float, float, str]] | None"]


@dataclass
class Reject:
    """One input row that could not be used."""

    row: int
    column: str | None
    reason: str
    value: str | None = None
    record: str = ""
    kind: str = "other"


class Placement:
    """Where each row of a table is placed, and the rows rejected.

    Attributes
    ----------
    x, y
        The point of each row in British National Grid (NaN until placed).
    located_by
        How each row was placed: ``coordinates``, ``geometry``, ``inside
        polygon`` or ``postcode`` (``""`` until placed).
    ok
        Whether each row is still usable (not rejected).
    rejects
        The rows rejected, each with its reason.
    elsewhere
        The rows kept with their location unknown, their postcode lying
        outside the postcode lookup's coverage (not usable as points: ``ok``
        is False), each with the reason.
    keep_outside
        Whether such rows are kept (else they are rejected with that reason).
    """

    def __init__(self, frame: "pd.DataFrame", rows: list[int], keep_outside: bool = True) -> None:
        import numpy as np

        self.frame, self.rows = frame, rows
        self.x = np.full(len(frame), np.nan)
        self.y = np.full(len(frame), np.nan)
        self.located_by = np.full(len(frame), "", dtype=object)
        self.ok = np.ones(len(frame), dtype=bool)
        self.rejects: list[Reject] = []
        self.elsewhere: list[Reject] = []
        self.keep_outside = keep_outside

    def reject(self, i: int, column: str | None, reason: str, value: Any = None, *, kind: str = "other") -> None:
        """Reject row ``i`` (by position), keeping its non-empty cells as the record."""
        self.ok[i] = False
        record = "; ".join(f"{c}={v}" for c, v in self.frame.iloc[i].items() if c != "geometry" and v is not None)
        self.rejects.append(Reject(self.rows[i], column, reason, None if value is None else str(value), record, kind))

    def set_aside(self, i: int, column: str | None, reason: str, value: Any = None) -> None:
        """Keep row ``i`` with its location unknown (its postcode is outside the lookup's coverage), or
        reject it for that reason when such rows are not kept."""
        if not self.keep_outside:
            self.reject(i, column, reason + "; rejected as asked (--reject-outside-lookup)", value,
                        kind=OUTSIDE_LOOKUP)
            return
        self.ok[i] = False
        self.elsewhere.append(Reject(self.rows[i], column, reason, None if value is None else str(value),
                                     kind=OUTSIDE_LOOKUP))

    def place(self, i: int, x: float, y: float, how: str) -> None:
        """Place row ``i`` at (``x``, ``y``), found by ``how``."""
        self.x[i], self.y[i] = x, y
        self.located_by[i] = how

    def kept(self):
        """The positions of the rows not rejected."""
        import numpy as np

        return np.flatnonzero(self.ok)


def locate_rows(placement: Placement, cmap: ColumnMap, notes: list[str],
                find_postcodes: "PostcodeFinder | None" = None, progress: "Progress | None" = None, *,
                decimal_comma: bool = False) -> None:
    """Place rows from latitude/longitude or easting/northing cells, else from the postcode.

    Coordinates are read by :func:`asset_map.numbers.number`; with
    ``decimal_comma`` (a semicolon-separated file, as Excel saves CSV where
    the comma is the decimal point) ``52,6044`` is 52.6044, with a note.

    Rows whose coordinates are plain decimal numbers inside Great Britain
    are placed a whole column at a time (:meth:`_RowLocator.place_plain`);
    every other row is read by :class:`_RowLocator`; then the latitudes and
    longitudes are converted to the grid all at once, a note is added when
    most rows share one mistake (:func:`_note_column_mistakes`) and the
    postcodes are looked up together (:func:`_locate_postcodes`).
    """
    import numpy as np

    n = len(placement.frame)
    rows = _RowLocator(placement, cmap, decimal_comma)
    marks = iter(range(0, n, PROGRESS_EVERY))  # progress as if every row were read in turn
    mark = next(marks, n)
    for i in np.flatnonzero(placement.ok & ~rows.place_plain()).tolist() + [n]:
        while mark <= i and mark < n:
            tick(progress, "locating", mark, n)
            mark = next(marks, n)
        if i < n:
            rows.locate(i)
    _note_column_mistakes(rows.kinds, int((placement.located_by == "coordinates").sum()), cmap, notes)
    if rows.comma_example:
        notes.append(f"the file is separated by semicolons, so a comma in a coordinate is its decimal point: "
                     f"{rows.comma_example} was read as {rows.comma_example.replace(',', '.')}")
    if rows.lonlat_rows:
        ex, ny = lonlat_to_bng(np.array(rows.lons), np.array(rows.lats))
        placement.x[rows.lonlat_rows], placement.y[rows.lonlat_rows] = ex, ny
    tick(progress, "locating", n, n)
    if rows.by_postcode:
        tick(progress, f"looking up {len(rows.by_postcode):,} postcodes", 0, 0)
        _locate_postcodes(placement, rows.pc_c, rows.by_postcode, find_postcodes)


class _RowLocator:
    """Reads the coordinate or postcode cells of one row at a time, collecting what is done for all rows at once.

    Attributes
    ----------
    lonlat_rows, lons, lats
        The rows given in degrees, and their longitudes and latitudes: they
        are converted to the grid together.
    by_postcode
        ``{row position: standard-form postcode}`` for the rows to place by postcode.
    kinds
        How many rows had each kind of coordinate mistake (:mod:`asset_map.inputs.coordinates`).
    """

    def __init__(self, placement: Placement, cmap: ColumnMap, decimal_comma: bool = False) -> None:
        self.placement, self.decimal_comma = placement, decimal_comma
        self.comma_example = ""  # a coordinate read with a decimal comma, for the note
        self.lat_c, self.lon_c = cmap.get("latitude"), cmap.get("longitude")
        self.e_c, self.n_c = cmap.get("easting"), cmap.get("northing")
        self.pc_c = cmap.get("postcode")
        self.cells = [column_cells(placement.frame, c) for c in (self.lat_c, self.lon_c, self.e_c, self.n_c)]
        self.pc_v = column_cells(placement.frame, self.pc_c)
        self.lonlat_rows: list[int] = []
        self.lons: list[float] = []
        self.lats: list[float] = []
        self.by_postcode: dict[int, str] = {}
        self.kinds: Counter[str] = Counter()

    def place_plain(self) -> "np.ndarray":
        """Place at once the rows whose coordinates need no reading row by row; which rows were placed.

        Those are rows (not rejected) with a latitude and longitude, or with
        no latitude or longitude cell but an easting and northing, that are
        plain decimal numbers (:func:`_plain_numbers`) and pass
        :func:`~asset_map.inputs.coordinates.check_lat_lon` or
        :func:`~asset_map.inputs.coordinates.check_easting_northing`
        (:func:`~asset_map.inputs.coordinates.usable_degrees`,
        :func:`~asset_map.inputs.coordinates.usable_grid`). :meth:`locate`
        would place them in the same way; it reads the others.
        """
        import numpy as np

        n, ok = len(self.placement.frame), self.placement.ok
        (lat, lat_none), (lon, lon_none), (east, _), (north, _) = (_plain_numbers(c, n) for c in self.cells)
        degrees = ok & usable_degrees(lat, lon)
        grid = ok & lat_none & lon_none & usable_grid(east, north)
        at = np.flatnonzero(degrees)
        self.lonlat_rows += at.tolist()
        self.lons += lon[at].tolist()
        self.lats += lat[at].tolist()
        placed = degrees | grid
        self.placement.x[grid], self.placement.y[grid] = east[grid], north[grid]
        self.placement.located_by[placed] = "coordinates"
        return placed

    def locate(self, i: int) -> None:
        """Place row ``i`` by the first pair of coordinate cells with a value, else by its postcode."""
        lat, lon, east, north = (v[i] if v is not None else None for v in self.cells)
        if lat is not None or lon is not None:
            self._by_degrees(i, lat, lon)
        elif east is not None or north is not None:
            self._by_grid(i, east, north)
        elif self._postcode(i) is not None:
            self._by_postcode(i)
        else:
            self._no_location(i)

    def _postcode(self, i: int) -> Any:
        return self.pc_v[i] if self.pc_v is not None else None

    def _by_degrees(self, i: int, lat: Any, lon: Any) -> None:
        """Take a latitude and longitude: both given, both numbers, in Great Britain (:func:`_refused`)."""
        read = []
        for col, val in ((self.lat_c, lat), (self.lon_c, lon)):
            if val is None:
                self.placement.reject(i, col, f"no {col}: a latitude needs a longitude and vice versa",
                                      kind="half a coordinate pair")
                return
            read.append(self._number(val))
            if read[-1] is None:
                self.placement.reject(i, col, f"{val!r} is not a number", val, kind="coordinate not a number")
                return
        flat, flon = read
        if self._refused(i, check_lat_lon(flat, flon), f"{self.lat_c}/{self.lon_c}", f"{flat:g}, {flon:g}"):
            return
        self.lonlat_rows.append(i)
        self.lons.append(flon)
        self.lats.append(flat)
        self.placement.located_by[i] = "coordinates"

    def _by_grid(self, i: int, east: Any, north: Any) -> None:
        """Place a row at its easting and northing: both numbers, in Great Britain (:func:`_refused`)."""
        ev, nv = self._number(east), self._number(north)
        if ev is None or nv is None:
            col, val = (self.e_c, east) if ev is None else (self.n_c, north)
            self.placement.reject(i, col, f"{val!r} is not a number" if val is not None else f"no {col}", val,
                                  kind="coordinate not a number" if val is not None else "half a coordinate pair")
            return
        if self._refused(i, check_easting_northing(ev, nv), f"{self.e_c}/{self.n_c}", f"{ev:g}, {nv:g}"):
            return
        self.placement.place(i, ev, nv, "coordinates")

    def _number(self, value: Any) -> float | None:
        """A coordinate cell as a finite number (:func:`asset_map.numbers.number`), or None."""
        try:
            x = number(value, where="", decimal_comma=self.decimal_comma)
        except InputFileError:
            return None
        if self.decimal_comma and not self.comma_example and isinstance(value, str) and "," in value:
            self.comma_example = value.strip()
        return x

    def _refused(self, i: int, problem: "tuple[str, str] | None", column: str, value: str) -> bool:
        """Whether the coordinates of row ``i`` have a problem, which rejects the row.

        A placeholder (0, 0) means "no coordinates": the row's postcode is
        used instead, when it has one.
        """
        if problem is None:
            return False
        if problem[0] == PLACEHOLDER and self._postcode(i) is not None:
            self._by_postcode(i)
            return True
        self.kinds[problem[0]] += 1
        self.placement.reject(i, column, problem[1], value, kind=problem[0])
        return True

    def _by_postcode(self, i: int) -> None:
        """Keep row ``i`` to place by its postcode, or reject it if the postcode is malformed."""
        raw = self._postcode(i)
        pc = normalise_postcode(raw)
        if pc is None:
            hint = suggest_postcode(raw)
            tip = f" (did you mean {hint}?)" if hint else ""
            self.placement.reject(i, self.pc_c, f"{raw!r} is not a valid UK postcode{tip}; correct it or give "
                                  "coordinates", raw, kind="malformed postcode")
        else:
            self.by_postcode[i] = pc

    def _no_location(self, i: int) -> None:
        """Reject row ``i``, whose coordinate and postcode cells are all empty, naming the columns."""
        given = " or ".join(
            f"{a}/{b}" for a, b in ((self.lat_c, self.lon_c), (self.e_c, self.n_c)) if a and b
        ) + (f" or {self.pc_c}" if self.pc_c else "")
        what = "coordinates or postcode" if self.pc_c else "coordinates"
        self.placement.reject(i, given.removeprefix(" or "),
                              f"no {what} (the cells are empty); fill them in and import the file again",
                              kind="no location")



#: A coordinate cell that is a plain decimal number: digits, perhaps a minus sign and a decimal point.
_PLAIN_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"


def _plain_numbers(cells: list | None, n: int) -> "tuple[np.ndarray, np.ndarray]":
    """A column's cells as floats where they are plain decimal numbers (NaN elsewhere), and where they are empty.

    A plain decimal number is what :func:`asset_map.numbers.number` reads
    it as (with or without ``decimal_comma``: it holds no comma). A column
    that is not all text (a workbook's numbers) is left to the row-by-row reading (all NaN, none empty).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if cells is None:
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    try:
        text = pa.array(cells, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
    values = pc.cast(pc.if_else(plain, text, pa.scalar(None, pa.string())), pa.float64())
    return (values.to_numpy(zero_copy_only=False).astype(float),
            pc.is_null(text).to_numpy(zero_copy_only=False))


def _note_column_mistakes(kinds: Counter, good_rows: int, cmap: ColumnMap, notes: list[str]) -> None:
    """Add a note when most coordinate rows share one mistake: then the columns, not the rows, are wrong."""
    lat_c, lon_c, e_c, n_c = (cmap.get(f) for f in ("latitude", "longitude", "easting", "northing"))
    for kind, count in kinds.items():
        if count < 2 or count <= good_rows:
            continue
        if kind == SWAPPED and lat_c and lon_c:
            notes.append(f"{count} rows have latitude and longitude swapped: if the columns are mislabelled, "
                         f"import again with --map latitude={lon_c!r} --map longitude={lat_c!r}")
        elif kind == SWAPPED and e_c and n_c:
            notes.append(f"{count} rows have easting and northing swapped: if the columns are mislabelled, "
                         f"import again with --map easting={n_c!r} --map northing={e_c!r}")
        elif kind == GRID_AS_DEGREES:
            notes.append(f"{count} rows have grid references in the columns {lat_c!r}/{lon_c!r}: import again "
                         f"with --map easting=COLUMN --map northing=COLUMN")
        elif kind == DEGREES_AS_GRID:
            notes.append(f"{count} rows have degrees in the columns {e_c!r}/{n_c!r}: import again "
                         f"with --map latitude=COLUMN --map longitude=COLUMN")


def _locate_postcodes(placement: Placement, pc_c: str | None, by_postcode: dict[int, str],
                      find_postcodes: "PostcodeFinder | None") -> None:
    """Place rows at their postcode's centroid, or reject them saying why not."""
    import math

    found = find_postcodes(by_postcode.values()) if find_postcodes is not None else None
    pc_v = column_cells(placement.frame, pc_c)
    coverage = getattr(find_postcodes, "coverage", None)  # a local lookup's; none for a national one
    for i, pc in by_postcode.items():
        raw = pc_v[i]
        if found is None:
            placement.reject(i, pc_c, "no coordinates, and no postcode lookup is loaded: run "
                             "`asset-map postcodes load FILE` (ONSPD or Code-Point Open), then import again", raw,
                             kind="no postcode lookup loaded")
            continue
        hit = found.get(pc)
        local = coverage() if hit is None and coverage is not None else None
        if local is not None:
            placement.set_aside(i, pc_c, local.reason(pc), raw)
            continue
        if hit is None:
            placement.reject(i, pc_c, f"postcode {pc} is not in the postcode lookup, which covers the whole "
                             "country: check it (mistyped, or newer than the lookup), or give coordinates", raw,
                             kind="postcode not in the lookup")
            continue
        px, py, terminated = hit
        if terminated:
            placement.reject(i, pc_c, f"postcode {pc} was terminated ({terminated}); find the service's current "
                             "postcode", raw, kind="terminated postcode")
            continue
        if math.isnan(px) or math.isnan(py):
            placement.reject(i, pc_c, f"postcode {pc} has no grid reference in the postcode lookup; give "
                             "coordinates", raw, kind="postcode without grid reference")
            continue
        placement.place(i, px, py, "postcode")


def locate_features(placement: Placement, notes: list[str]) -> None:
    """Place features at their geometry (in BNG); polygons give a point inside them."""
    import numpy as np
    import shapely

    frame = placement.frame
    geoms = frame.geometry.to_crs(BNG).to_numpy()
    polygons = 0
    for i, g in enumerate(geoms):
        if not placement.ok[i]:
            continue
        if g is None or g.is_empty:
            placement.reject(i, "geometry", "no geometry: the feature has no location", kind="no location")
            continue
        if g.geom_type != "Point":
            g = shapely.point_on_surface(g if g.is_valid else shapely.make_valid(g))
            placement.located_by[i] = "inside polygon"
            polygons += 1
        else:
            placement.located_by[i] = "geometry"
        if not (np.isfinite(g.x) and np.isfinite(g.y)) or not in_gb_bng(g.x, g.y):
            placement.reject(i, "geometry", _feature_problem(frame, i), kind="outside Great Britain")
            continue
        placement.x[i], placement.y[i] = g.x, g.y
    if polygons:
        notes.append(f"{polygons} features are shapes, not points: each is placed at a point inside it")


def _feature_problem(frame, i: int) -> str:
    """Why feature ``i`` is outside Great Britain, naming a swapped axis or (0, 0) when that is the cause."""
    g = frame.geometry.iloc[i]
    if frame.crs is not None and frame.crs.is_geographic and g.geom_type == "Point":
        problem = check_lat_lon(g.y, g.x)
        if problem is not None:
            return problem[1].replace("swap the two cells", "the file has latitude first; GeoJSON needs "
                                      "longitude first")
    return "the point is outside Great Britain; check the file's CRS"
