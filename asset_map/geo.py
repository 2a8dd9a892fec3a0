"""Coordinate reference systems, the extent of Great Britain, and the form of a postcode.

Analysis happens in British National Grid (EPSG:27700, metres); GeoJSON goes
out in WGS84 (EPSG:4326, longitude then latitude).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from pyproj import Transformer

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"

#: Bounding box of Great Britain in British National Grid metres
#: (the grid's own extent, which holds Great Britain and its islands).
GB_BNG_BOUNDS = (0.0, 0.0, 700_000.0, 1_300_000.0)
#: Bounding box of Great Britain in WGS84 degrees: (min lon, min lat, max lon, max lat).
GB_LONLAT_BOUNDS = (-8.75, 49.75, 1.9, 61.0)


@lru_cache(maxsize=8)
def transformer(src: str, dst: str) -> "Transformer":
    """A cached pyproj transformer that takes and gives x (or lon) first."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def lonlat_to_bng(lon: "np.ndarray", lat: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """Project WGS84 longitude/latitude to British National Grid easting/northing."""
    return transformer(WGS84, BNG).transform(lon, lat)


def in_gb_bng(x: float, y: float) -> bool:
    """Whether an easting/northing lies in the British National Grid's extent."""
    x0, y0, x1, y1 = GB_BNG_BOUNDS
    return x0 <= x <= x1 and y0 <= y <= y1


def in_gb_lonlat(lon: float, lat: float) -> bool:
    """Whether a longitude/latitude lies in the bounding box of Great Britain."""
    x0, y0, x1, y1 = GB_LONLAT_BOUNDS
    return x0 <= lon <= x1 and y0 <= lat <= y1


#: A full UK postcode without spaces: outward code (area, district) + inward code.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


def normalise_postcode(value: Any) -> str | None:
    """The postcode in its standard form (``M32 0TH``), or ``None`` if it is not one.

    Case, missing or extra spaces and non-breaking spaces do not matter:
    ``"m320th"``, ``" M32  0TH "`` and ``"M32\\u00a00TH"`` all give ``"M32 0TH"``.
    """
    if value is None:
        return None
    compact = _SPACES.sub("", str(value)).upper()
    m = _POSTCODE.match(compact)
    return f"{m.group(1)} {m.group(2)}" if m else None


def suggest_postcode(value: Any) -> str | None:
    """A likely correction of a mistyped postcode: letter O for zero, I or L for one in the digit places.

    ``"WA15 OHF"`` gives ``"WA15 0HF"``; ``None`` when no such fix makes a postcode.
    """
    if value is None:
        return None
    compact = _SPACES.sub("", str(value)).upper()
    if len(compact) < 5:
        return None
    inward = compact[-3:]
    fixed = compact[:-3] + inward[0].replace("O", "0").replace("I", "1").replace("L", "1") + inward[1:]
    return normalise_postcode(fixed) if fixed != compact else None


def label_circle(geom: Any) -> "tuple[Any, float]":
    """Where an area's name goes: the centre and radius (metres) of the largest circle inside ``geom``
    (shapely's ``maximum_inscribed_circle``, to 1/1000 of its outline), or any point inside it and 0 when that
    fails (an invalid polygon)."""
    import shapely

    try:
        circle = shapely.maximum_inscribed_circle(geom, tolerance=geom.length / 1000 or None)
        return shapely.get_point(circle, 0), circle.length
    except Exception:  # an invalid polygon: any point inside it
        return geom.representative_point(), 0.0


def distance_text(metres: float) -> str:
    """A distance as people read it: ``800 m`` under a kilometre, else ``1.6 km``."""
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:g} km"
