"""Checking one row's coordinates before they are used, and saying what is wrong.

Lists typed by hand or exported from other systems get coordinates wrong in
a few recognisable ways. Each check returns ``None`` for a usable pair, or a
reason that names the likely mistake:

- **(0, 0)**: a placeholder written by a system that had no location;
- **swapped latitude and longitude**: the pair is outside Great Britain as
  given, but inside it with the two numbers exchanged;
- **eastings/northings in the latitude/longitude columns** (and the
  reverse): the numbers are a British National Grid reference, or degrees;
- **outside Great Britain**: anything else beyond the bounding boxes of
  :mod:`asset_map.geo`.

Great Britain here is a bounding box (longitude −8.75 to 1.9, latitude 49.75
to 61; easting 0–700 km, northing 0–1,300 km), so a point in the sea or in
Ireland within that box passes these checks; it is then flagged ``outside``
when it falls in no loaded area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..geo import GB_BNG_BOUNDS, GB_LONLAT_BOUNDS, in_gb_bng, in_gb_lonlat

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: Below this easting and northing (metres) the grid is open sea south-west
#: of the Isles of Scilly: such "grid references" are degrees in the wrong columns.
GRID_CORNER_M = 1_000.0

#: Kinds of problem, used to tell a file-wide mistake from a row's typo.
SWAPPED = "swapped"
GRID_AS_DEGREES = "grid reference given as latitude/longitude"
DEGREES_AS_GRID = "latitude/longitude given as grid reference"
PLACEHOLDER = "placeholder (0, 0)"
OUTSIDE = "outside Great Britain"


def _gb_box() -> str:
    x0, y0, x1, y1 = GB_LONLAT_BOUNDS
    return f"latitude {y0:g} to {y1:g}, longitude {x0:g} to {x1:g}"


def check_lat_lon(lat: float, lon: float) -> tuple[str, str] | None:
    """``None`` if latitude/longitude is in Great Britain, else ``(kind, reason)``."""
    if in_gb_lonlat(lon, lat):
        return None
    given = f"latitude {lat:g}, longitude {lon:g}"
    if lat == 0 and lon == 0:
        return PLACEHOLDER, (f"{given} is a placeholder, not a place (0, 0 is in the Atlantic); "
                             "give the real coordinates or a postcode")
    if in_gb_lonlat(lat, lon):
        return SWAPPED, (f"{given} looks swapped: read the other way round it is in Great Britain; "
                         "swap the two cells")
    for east, north in ((lon, lat), (lat, lon)):
        if in_gb_bng(east, north) and east >= GRID_CORNER_M and north >= GRID_CORNER_M:
            return GRID_AS_DEGREES, (
                f"{given} looks like a British National Grid reference (easting {east:g}, northing "
                f"{north:g}), not degrees; put it in Easting/Northing columns or use "
                "--map easting=COLUMN --map northing=COLUMN")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return OUTSIDE, f"{given} is not a latitude/longitude (latitude is −90 to 90, longitude −180 to 180)"
    return OUTSIDE, f"{given} is outside Great Britain ({_gb_box()}); check the coordinates"


def check_easting_northing(east: float, north: float) -> tuple[str, str] | None:
    """``None`` if the grid reference is in Great Britain, else ``(kind, reason)``."""
    given = f"easting {east:g}, northing {north:g}"
    if east == 0 and north == 0:
        return PLACEHOLDER, (f"{given} is a placeholder, not a place; give the real coordinates or a postcode")
    if abs(east) < GRID_CORNER_M and abs(north) < GRID_CORNER_M:
        for lon, lat in ((east, north), (north, east)):
            if in_gb_lonlat(lon, lat):
                return DEGREES_AS_GRID, (
                    f"{given} looks like longitude/latitude in degrees, not metres on the British National "
                    "Grid; put it in Latitude/Longitude columns or use --map latitude=COLUMN "
                    "--map longitude=COLUMN")
    if in_gb_bng(east, north) and (east >= GRID_CORNER_M or north >= GRID_CORNER_M):
        return None
    if in_gb_bng(north, east):
        return SWAPPED, f"{given} looks swapped: read the other way round it is in Great Britain; swap the two cells"
    return OUTSIDE, (f"{given} is outside Great Britain (easting 0 to 700,000, northing 0 to 1,300,000 "
                     "metres); check the coordinates")


def usable_grid(east: "np.ndarray", north: "np.ndarray") -> "np.ndarray":
    """For whole columns: where :func:`check_easting_northing` finds nothing wrong (NaN is never usable).

    That is a grid reference in the British National Grid's extent with an
    easting or a northing of at least :data:`GRID_CORNER_M` (which also
    rules out the placeholder (0, 0) and degrees in the grid columns).
    """
    x0, y0, x1, y1 = GB_BNG_BOUNDS
    return (x0 <= east) & (east <= x1) & (y0 <= north) & (north <= y1) & ((east >= GRID_CORNER_M)
                                                                        | (north >= GRID_CORNER_M))


def usable_degrees(lat: "np.ndarray", lon: "np.ndarray") -> "np.ndarray":
    """For whole columns: where :func:`check_lat_lon` finds nothing wrong, in Great Britain's box (NaN never)."""
    x0, y0, x1, y1 = GB_LONLAT_BOUNDS
    return (x0 <= lon) & (lon <= x1) & (y0 <= lat) & (lat <= y1)
