"""The street network as arrays: nodes, and edges with what each mode may do on them.

Coordinates are British National Grid metres (EPSG:27700). An edge joins
node ``u`` to node ``v``; its ``geometry`` runs from ``u`` to ``v``. Where a
mode may travel one way only (``oneway_drive``, ``oneway_cycle``) that way
is always ``u → v`` (a way tagged ``oneway=-1`` is reversed when read).
Walking ignores one-way rules.

Travel time of an edge for a mode, in seconds:
``t = length_m / (speed_kmh / 3.6)``, with ``speed_kmh`` 4.8 on foot and
15 by bike (:data:`asset_map.network.profiles.SPEED_KMH`) and the edge's
``drive_kmh`` by car.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: The modes of travel, as written in catchments ("10 min walk").
MODES = ("walk", "cycle", "drive")


@dataclass
class StreetNetwork:
    """Nodes and edges of a street network (arrays of equal length within each group)."""

    x: "np.ndarray"  # node easting, m (float64)
    y: "np.ndarray"  # node northing, m (float64)
    u: "np.ndarray"  # edge start node, index into x/y (intp)
    v: "np.ndarray"  # edge end node (intp)
    length_m: "np.ndarray"  # along the edge's geometry (float64)
    walk: "np.ndarray"  # may be walked (bool)
    cycle: "np.ndarray"  # may be cycled (bool)
    drive: "np.ndarray"  # may be driven (bool)
    drive_kmh: "np.ndarray"  # speed by car (float64; NaN where not drivable)
    oneway_drive: "np.ndarray"  # by car only u → v (bool)
    oneway_cycle: "np.ndarray"  # by bike only u → v (bool)
    highway: "np.ndarray"  # OSM highway class, e.g. "residential" (object)
    geometry: "np.ndarray | None" = None  # shapely LineStrings, u → v (object)
    #: Where it came from: {"file": name, "sha256": ..., "profiles": version, ...}.
    source: dict = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def usable(self, mode: str) -> "np.ndarray":
        """Which edges ``mode`` may use (bool)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        return {"walk": self.walk, "cycle": self.cycle, "drive": self.drive}[mode]
