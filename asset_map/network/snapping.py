"""Points put on the street network: each on the nearest edge its mode may use.

A point *p* is snapped to the usable edge ``e`` nearest to it (shortest
straight-line distance ``w_p`` to the edge's line), at the place along the
edge nearest to it. Its offset along the edge, in the edge's own metres, is
``o_p = L_e × λ_p / ℓ_e``, where ``λ_p`` is that place's distance along the
line and ``ℓ_e`` the line's length in the map's metres (British National
Grid), ``L_e`` the edge's length. ``w_p`` is walked at 4.8 km/h in every
mode (:mod:`.routing`). A snap longer than :data:`FAR_M` is reported: such
a point stands far from any street the mode may use (a park's middle, a
field, a missing footpath), and its walk to the street may be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .graph import StreetNetwork

#: A point further than this from every usable street (m) is reported as far from the network.
FAR_M = 250.0


@dataclass(frozen=True)
class Snapped:
    """Where each point stands on the network (``edge`` -1: not snapped: no point, or no usable edge)."""

    edge: "np.ndarray"  # the nearest usable edge (intp)
    offset_m: "np.ndarray"  # o_p: metres from the edge's u along it
    access_m: "np.ndarray"  # w_p: straight-line metres from the point to the edge

    @property
    def far(self) -> "np.ndarray":
        """Points snapped more than :data:`FAR_M` from their street (bool)."""
        return (self.edge >= 0) & (self.access_m > FAR_M)


class Snapper:
    """The usable edges of one mode, indexed for nearest-edge queries."""

    def __init__(self, net: "StreetNetwork", usable: "np.ndarray") -> None:
        import numpy as np
        import shapely

        self.net = net
        self.edges = np.flatnonzero(usable)
        lines = net.geometry
        if lines is None:  # straight from u to v
            xy = np.stack([np.column_stack([net.x[net.u], net.y[net.u]]),
                           np.column_stack([net.x[net.v], net.y[net.v]])], axis=1)
            lines = shapely.linestrings(xy)
        self.lines = np.asarray(lines, dtype=object)[self.edges]
        self.tree = shapely.STRtree(self.lines)

    def snap(self, points: "np.ndarray") -> Snapped:
        """Each point on its nearest usable edge (see the module docstring); missing points stay unsnapped."""
        import numpy as np
        import shapely

        pts = np.asarray(points, dtype=object)
        n = len(pts)
        edge = np.full(n, -1, dtype=np.intp)
        offset = np.zeros(n)
        access = np.zeros(n)
        have = np.flatnonzero(~shapely.is_missing(pts) & ~shapely.is_empty(pts)) if n else np.array([], dtype=np.intp)
        if len(have) and len(self.edges):
            # One nearest edge per point (ties: the first), with its distance.
            (src, hit), dist = self.tree.query_nearest(pts[have], return_distance=True, all_matches=False)
            k = have[src]
            line = self.lines[hit]
            frac = np.divide(shapely.line_locate_point(line, pts[k]), shapely.length(line),
                             out=np.zeros(len(k)), where=shapely.length(line) > 0)
            e = self.edges[hit]
            edge[k] = e
            offset[k] = np.clip(frac, 0, 1) * self.net.length_m[e]
            access[k] = dist
        return Snapped(edge, offset, access)
