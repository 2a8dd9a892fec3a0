"""Street networks built in code for the tests: a town grid cut by a river with one bridge."""

from __future__ import annotations

import numpy as np
import shapely

from asset_map.network.graph import StreetNetwork


def network(lines, *, walk=None, cycle=None, drive=None, drive_kmh=None, oneway_drive=None, oneway_cycle=None,
            origin=(380_000.0, 400_000.0)) -> StreetNetwork:
    """A network from polylines in local metres (moved to ``origin`` in British National Grid).

    Lines meeting at the same rounded coordinate share a node; each line is
    one edge from its first to its last point.
    """
    ox, oy = origin
    nodes: dict[tuple[float, float], int] = {}
    u, v, geoms = [], [], []
    for line in lines:
        ends = []
        for x, y in (line[0], line[-1]):
            ends.append(nodes.setdefault((round(x, 6), round(y, 6)), len(nodes)))
        u.append(ends[0])
        v.append(ends[1])
        geoms.append(shapely.LineString([(x + ox, y + oy) for x, y in line]))
    xy = np.array(list(nodes), dtype=float).reshape(-1, 2)
    n = len(lines)

    def flags(given, default):
        return np.full(n, default) if given is None else np.asarray(given)

    return StreetNetwork(
        x=xy[:, 0] + ox, y=xy[:, 1] + oy, u=np.array(u, dtype=np.intp), v=np.array(v, dtype=np.intp),
        length_m=shapely.length(np.array(geoms, dtype=object)), walk=flags(walk, True), cycle=flags(cycle, True),
        drive=flags(drive, True), drive_kmh=flags(drive_kmh, 30.0).astype(float),
        oneway_drive=flags(oneway_drive, False), oneway_cycle=flags(oneway_cycle, False),
        highway=np.full(n, "residential", dtype=object), geometry=np.array(geoms, dtype=object),
    )


def river_town(size=2000, step=100, river_y=950, bridge_x=1000):
    """A square grid of streets every ``step`` m, cut along ``y = river_y`` by a river crossed at ``bridge_x``.

    Returns the network's polylines (local metres).
    """
    lines = []
    ticks = range(0, size + 1, step)
    for y in ticks:
        for x in range(0, size, step):
            lines.append([(x, y), (x + step, y)])
    for x in ticks:
        for y in range(0, size, step):
            crosses = y < river_y < y + step
            if not crosses or x == bridge_x:
                lines.append([(x, y), (x, y + step)])
    return lines


def at(x, y, origin=(380_000.0, 400_000.0)):
    """A point at local metres."""
    return shapely.Point(x + origin[0], y + origin[1])
