"""Travel times on the street network: from where people live to the assets, by one mode.

Points are put on the network by :mod:`.snapping`: each point *p* stands
on its nearest usable edge ``e = (u, v)``, at ``o`` metres from ``u`` along
it (of the edge's length ``L``), ``w_p`` metres from the edge. Travel on an
edge takes ``L / s`` seconds at the mode's speed ``s`` (m/s); the walk to
the street takes ``w_p / s_walk`` (4.8 km/h) whatever the mode, so a point
in the middle of a park pays for reaching the path.

The graph ``G`` has an arc ``u → v`` for every edge the mode may use and
``v → u`` unless the edge is one-way for the mode; of parallel arcs between
the same two nodes (OSM has many) the quickest is kept. The travel time
from a resident's point *i* to an asset *j* is

``τ_ij = min( t(i → v_i) + D(v_i, j),  t(i → u_i) + D(u_i, j),  t_edge(i, j) )``

where ``t(i → v_i) = w_i / s_walk + (L_i − o_i) / s_i`` (with the edge's
direction, always allowed), ``t(i → u_i) = w_i / s_walk + o_i / s_i``
(against it, only where the edge is not one-way), ``D(n, j)`` the shortest
time in ``G`` from node *n* to *j* (arriving along *j*'s edge:
``o_j / s_j`` from ``u_j``, ``(L_j − o_j) / s_j`` from ``v_j`` where
allowed, plus ``w_j / s_walk``), and ``t_edge`` the direct time when both
stand on the same edge (``|o_j − o_i| / s`` plus both walks, in an allowed
direction). ``D`` comes from :func:`scipy.sparse.csgraph.dijkstra` run from
each asset over the reversed graph, with the search stopped at the
catchment's limit; assets are searched in batches of :data:`BATCH` so no
dense asset × node matrix is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .profiles import SPEED_KMH

if TYPE_CHECKING:  # pragma: no cover
    from typing import Iterator

    import numpy as np

    from .graph import StreetNetwork
    from .snapping import Snapped

#: Assets searched at once (bench/network.py: 8 a batch was quicker than 32 on a county-sized network).
BATCH = 8
#: The smallest time an arc takes, seconds (scipy's sparse graphs cannot hold a zero weight).
MIN_ARC_S = 1e-6


@dataclass(frozen=True)
class Pairs:
    """The (resident point, asset) pairs within a time limit, and their travel times in minutes."""

    demand: "np.ndarray"  # index of the resident point (intp)
    supply: "np.ndarray"  # index of the asset (intp)
    minutes: "np.ndarray"  # τ_ij / 60 (float)


class Router:
    """One mode's graph of a street network, ready for many searches."""

    def __init__(self, net: "StreetNetwork", mode: str) -> None:
        import numpy as np

        self.net = net
        self.mode = mode
        use = net.usable(mode)
        speed = net.drive_kmh if mode == "drive" else np.full(net.n_edges, SPEED_KMH[mode])
        self.usable = use & np.isfinite(speed) & (speed > 0)
        #: Metres per second on each edge (0 where the mode may not use it).
        self.speed = np.where(self.usable, np.nan_to_num(speed) / 3.6, 0.0)
        oneway = {"walk": np.zeros(net.n_edges, dtype=bool), "cycle": net.oneway_cycle,
                  "drive": net.oneway_drive}[mode]
        #: Whether each usable edge may be travelled v → u.
        self.back = self.usable & ~np.asarray(oneway, dtype=bool)
        self.seconds = np.divide(net.length_m, self.speed, out=np.full(net.n_edges, np.inf), where=self.usable)
        self._arcs = self._reversed_arcs()

    def _reversed_arcs(self) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """The arcs of ``G`` reversed (``v → u`` for each ``u → v``), the quickest of parallel arcs kept."""
        import numpy as np

        e = np.flatnonzero(self.usable)
        b = np.flatnonzero(self.back)
        # G has u→v for every usable edge and v→u for those usable backwards; reversed: v→u and u→v.
        rows = np.concatenate([self.net.v[e], self.net.u[b]])
        cols = np.concatenate([self.net.u[e], self.net.v[b]])
        w = np.maximum(np.concatenate([self.seconds[e], self.seconds[b]]), MIN_ARC_S)
        return quickest(rows, cols, w)

    def pairs(self, demand: "Snapped", supply: "Snapped", limit_min: float) -> Pairs:
        """Every (resident point *i*, asset *j*) with ``τ_ij ≤ limit_min`` minutes (module docstring).

        Points that could not be snapped (no usable edge) reach nothing and
        are reached by nothing.
        """
        import numpy as np

        limit = limit_min * 60.0
        out_i, out_j, out_t = [], [], []
        d_ok = np.flatnonzero(demand.edge >= 0)
        s_ok = np.flatnonzero(supply.edge >= 0)
        if len(d_ok) and len(s_ok):
            to_v, to_u = self._leaving(demand, d_ok)
            graph = self._with_assets(supply, s_ok)
            for start in range(0, len(s_ok), BATCH):
                k = np.arange(start, min(start + BATCH, len(s_ok)))
                i, a, t = self._batch(graph, demand, d_ok, to_v, to_u, supply, s_ok, k, limit)
                out_i.append(i)
                out_j.append(a)
                out_t.append(t)
        if not out_i:
            empty = np.array([], dtype=np.intp)
            return Pairs(empty, empty, np.array([], dtype=float))
        return Pairs(np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_t) / 60.0)

    def node_times(self, supply: "Snapped", limit_min: float) -> "Iterator[tuple[int, np.ndarray, np.ndarray]]":
        """For each snapped asset *j*: ``(j, nodes, seconds)``, the nodes from which *j* is reached within
        ``limit_min`` minutes and ``D(n, j)`` from each (module docstring), one asset at a time.

        For drawing catchments (isochrones); the measures use :meth:`pairs`.
        """
        import numpy as np
        from scipy.sparse.csgraph import dijkstra

        s_ok = np.flatnonzero(supply.edge >= 0)
        if not len(s_ok):
            return
        graph = self._with_assets(supply, s_ok)
        n = self.net.n_nodes
        for start in range(0, len(s_ok), BATCH):
            k = np.arange(start, min(start + BATCH, len(s_ok)))
            dist = dijkstra(graph, directed=True, indices=n + k, limit=limit_min * 60.0)[:, :n]
            for row, j in zip(dist, s_ok[k]):
                nodes = np.flatnonzero(np.isfinite(row))
                yield int(j), nodes, row[nodes]

    def _leaving(self, p: "Snapped", idx: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
        """``t(i → v_i)`` and ``t(i → u_i)`` (inf where not allowed) of the points ``idx``, seconds."""
        import numpy as np

        e = p.edge[idx]
        s = self.speed[e]
        walk = p.access_m[idx] / (SPEED_KMH["walk"] / 3.6)
        to_v = walk + (self.net.length_m[e] - p.offset_m[idx]) / s
        to_u = np.where(self.back[e], walk + p.offset_m[idx] / s, np.inf)
        return to_v, to_u

    def _arriving(self, p: "Snapped", idx: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
        """The time from ``u_j`` and from ``v_j`` (inf where not allowed) to each point ``idx``, seconds."""
        import numpy as np

        e = p.edge[idx]
        s = self.speed[e]
        walk = p.access_m[idx] / (SPEED_KMH["walk"] / 3.6)
        from_u = walk + p.offset_m[idx] / s
        from_v = np.where(self.back[e], walk + (self.net.length_m[e] - p.offset_m[idx]) / s, np.inf)
        return from_u, from_v

    def _with_assets(self, supply: "Snapped", j: "np.ndarray"):
        """The reversed graph with each asset ``j[k]`` added as node ``n + k``, its arcs to ``u_j`` and ``v_j``.

        The network's arcs are sorted by node once (:meth:`_reversed_arcs`); the assets' rows come after
        them, so the matrix is laid out directly, without sorting again.
        """
        import numpy as np
        from scipy.sparse import csr_matrix

        n, m = self.net.n_nodes, len(j)
        from_u, from_v = self._arriving(supply, j)
        e = supply.edge[j]
        rows = np.concatenate([np.arange(m), np.arange(m)])
        cols = np.concatenate([self.net.u[e], self.net.v[e]])
        w = np.maximum(np.concatenate([from_u, from_v]), MIN_ARC_S)
        keep = np.isfinite(w)
        rows, cols, w = quickest(rows[keep], cols[keep], w[keep])  # u = v on a closed way's single edge
        a_rows, a_cols, a_w = self._arcs
        counts = np.concatenate([np.bincount(a_rows, minlength=n), np.bincount(rows, minlength=m)])
        indptr = np.concatenate([[0], np.cumsum(counts)])
        return csr_matrix((np.concatenate([a_w, w]), np.concatenate([a_cols, cols]), indptr), shape=(n + m, n + m))

    def _batch(self, graph, demand: "Snapped", d_ok: "np.ndarray", to_v: "np.ndarray", to_u: "np.ndarray",
               supply: "Snapped", j: "np.ndarray", k: "np.ndarray",
               limit: float) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """The pairs of the assets ``j[k]``: one limited Dijkstra search each from its node, in seconds."""
        import numpy as np
        from scipy.sparse.csgraph import dijkstra

        dist = dijkstra(graph, directed=True, indices=self.net.n_nodes + k, limit=limit)
        du = self.net.u[demand.edge[d_ok]]
        dv = self.net.v[demand.edge[d_ok]]
        tau = np.minimum(dist[:, dv] + to_v, dist[:, du] + to_u)
        tau = np.minimum(tau, self._same_edge(demand, d_ok, supply, j[k]))
        a, b = np.nonzero(tau <= limit)
        return d_ok[b], j[k][a], tau[a, b]

    def _same_edge(self, demand: "Snapped", d_ok: "np.ndarray", supply: "Snapped",
                   j: "np.ndarray") -> "np.ndarray":
        """``t_edge(i, j)`` for the batch (rows: assets ``j``; columns: points ``d_ok``), inf off a shared edge."""
        import numpy as np

        de, se = demand.edge[d_ok], supply.edge[j]
        same = se[:, None] == de[None, :]
        out = np.full(same.shape, np.inf)
        if not same.any():
            return out
        a, b = np.nonzero(same)
        e = se[a]
        gap = supply.offset_m[j][a] - demand.offset_m[d_ok][b]  # ≥ 0: with the edge's direction
        ok = (gap >= 0) | self.back[e]
        walk = (supply.access_m[j][a] + demand.access_m[d_ok][b]) / (SPEED_KMH["walk"] / 3.6)
        out[a, b] = np.where(ok, walk + np.abs(gap) / self.speed[e], np.inf)
        return out


def quickest(rows: "np.ndarray", cols: "np.ndarray", w: "np.ndarray") -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
    """Arcs without repeats: of several arcs between the same two nodes, the one with the least weight.

    A sparse matrix built from repeated (row, column) entries *adds* their
    weights, which would make a street with a parallel footway twice as long.
    """
    import numpy as np

    if not len(rows):
        return rows, cols, w
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return rows[first], cols[first], w[first]
