"""Spatial assignment: which area contains each point.

A point belongs to the area whose polygon *intersects* it, so a point exactly
on a shared boundary is counted once, in the first of the touching areas in
the order given (areas are stored sorted by code). Points in no area, and
missing points, get ``None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


def assign_points(points: "np.ndarray", areas: "np.ndarray", codes: Sequence[str]) -> list[str | None]:
    """Return, for each point, the code of the area containing it, or ``None``.

    Uses a shapely STRtree over the area polygons, so the cost grows with
    the number of points times log(number of areas).
    """
    import numpy as np
    import shapely

    result: list[str | None] = [None] * len(points)
    if len(points) == 0 or len(areas) == 0:
        return result
    pts = np.asarray(points, dtype=object)
    present = ~shapely.is_missing(pts)
    tree = shapely.STRtree(np.asarray(areas, dtype=object))
    p_idx, a_idx = tree.query(pts[present], predicate="intersects")
    order = np.lexsort((a_idx, p_idx))  # by point, then by area order
    original = np.flatnonzero(present)
    for p, a in zip(p_idx[order][::-1], a_idx[order][::-1]):  # reversed: the first area wins
        result[original[p]] = codes[a]
    return result
