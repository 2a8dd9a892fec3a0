"""How far each category reaches: a travel time on the street network, or a straight line.

With a street network loaded (and not ``gaps --straight-line``), a
category whose taxonomy row gives a travel time (``travel``: "10 min
walk") is measured on the network: an asset *j* is in reach of a small
area *i* when the travel time ``τ_ij`` (:mod:`asset_map.network.routing`:
the walk to the street, the streets the mode may use, one-way rules) is at
most the time ``t₀``. Every measure then reads times where it read
distances: coverage (``τ_ij ≤ t₀``), 2SFCA, E2SFCA (its bands are thirds of
``t₀``), the robust rankings (``t₀/2`` and ``2·t₀``) and the what-if.
Otherwise the straight line ``d_ij ≤ d₀`` (``catchment_m``) as before.
Every row says which (``reach``: "10 min walk" or "straight-line 800 m").

barrier effect
    For a category measured on the network, the share of an area's target
    population within the straight-line equivalent ``d* = t₀ × nominal
    speed`` (:func:`asset_map.network.profiles.straight_line_m`) of one of
    its located assets, but not within ``t₀`` of any on the network:
    ``barrier_share = Σ_{i∈a} T_i·[min_j d_ij ≤ d*]·[min_j τ_ij > t₀] / Σ_{i∈a} T_i``.
    It is the share of people whom a river, a railway, a motorway or a
    missing path cuts off from a service that looks near on a map. (Some
    of it is the ordinary detour of streets: it is rarely 0.)

without a population layer
    Residents are taken as spread evenly over each area (as by the straight
    line), so reach on the network is measured at points on a square grid
    across the areas (:class:`AreaGrid`: every :data:`GRID_M` metres, wider
    for large study areas so that there are at most :data:`GRID_POINTS`;
    an area no grid point falls in gets a point inside it), each standing
    for an equal piece of ground: coverage is the share of an area's grid
    points within the time (or inside a served area), and ``barrier_share``
    the share within ``d*`` but not within the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..categories.travel import Travel
from ..geo import distance_text
from .access import Reach

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..categories.taxonomy import Category
    from ..network.graph import StreetNetwork


@dataclass(frozen=True)
class Catchment:
    """How one category's reach is measured: ``limit`` minutes by ``mode`` on the network, or metres."""

    limit: float
    mode: str | None  # None: the straight line
    #: The straight-line distance it stands for: ``catchment_m``, or the travel time's equivalent.
    straight_m: float

    @property
    def on_network(self) -> bool:
        return self.mode is not None

    @property
    def text(self) -> str:
        """``10 min walk`` or ``straight-line 800 m`` (``1.6 km``)."""
        if self.mode is not None:
            return Travel(self.limit, self.mode).text
        return "straight-line " + distance_text(self.limit)


def catchment(cat: "Category", network: bool) -> Catchment:
    """The category's catchment: its travel time when there is a network and the taxonomy gives one."""
    if network and cat.travel is not None:
        return Catchment(cat.travel.minutes, cat.travel.mode, cat.travel.straight_m)
    return Catchment(cat.catchment_m, None, cat.catchment_m)


class NetworkReach:
    """The small areas' points on the street network, for the pairs in reach by each mode."""

    def __init__(self, net: "StreetNetwork", demand_points: "np.ndarray") -> None:
        import numpy as np

        self.net = net
        self.points = np.asarray(demand_points, dtype=object)
        self._modes: dict[str, tuple] = {}
        #: The places of the assets snapped further than FAR_M from a street, by mode.
        self.far_assets: dict[str, set[tuple[float, float]]] = {}

    def parts(self, mode: str) -> tuple:
        """The router, snapper and snapped small-area points of a mode (made once)."""
        if mode not in self._modes:
            from ..network.routing import Router
            from ..network.snapping import Snapper

            router = Router(self.net, mode)
            snapper = Snapper(self.net, router.usable)
            self._modes[mode] = (router, snapper, snapper.snap(self.points))
        return self._modes[mode]

    def note(self) -> str:
        """What the report says of the network: the modes used, and the points far from their streets."""
        from ..network.snapping import FAR_M

        if not self._modes:
            return ("reach: a street network is loaded, but no category has a travel time (the taxonomy's travel "
                    "column): every reach is the straight line")
        source = self.net.source.get("file") if isinstance(self.net.source, dict) else None
        text = (f"reach: travel times on the street network{f' ({source})' if source else ''}, by "
                f"{', '.join(sorted(self._modes))}; the walk from each point to its street counts")
        far = {m: int(v[2].far.sum()) for m, v in sorted(self._modes.items())}
        if any(far.values()):
            text += "; small areas' points more than {:.0f} m from a street: {}".format(
                FAR_M, ", ".join(f"{n} by {m}" for m, n in far.items() if n))
        if any(self.far_assets.values()):
            text += "; assets more than {:.0f} m from a street: {}".format(
                FAR_M, ", ".join(f"{len(v)} by {m}" for m, v in sorted(self.far_assets.items()) if v))
        return text

    def by(self, mode: str) -> "ModeReach":
        return ModeReach(self, mode)


@dataclass(frozen=True)
class ModeReach:
    """One mode's reach, with the interface of :class:`~asset_map.analysis.access.ReachIndex` in minutes."""

    network: NetworkReach
    mode: str

    def reach(self, supply_points: "np.ndarray", limit_min: float) -> Reach:
        """Every (small area *i*, asset *j*) with ``τ_ij ≤ limit_min``; ``distance`` holds the minutes."""
        import numpy as np

        import shapely

        router, snapper, demand = self.network.parts(self.mode)
        supply = np.asarray(supply_points, dtype=object)
        snapped = snapper.snap(supply)
        if snapped.far.any():
            far = self.network.far_assets.setdefault(self.mode, set())
            far.update(map(tuple, shapely.get_coordinates(supply[snapped.far]).tolist()))
        p = router.pairs(demand, snapped, limit_min)
        order = np.lexsort((p.supply, p.demand))  # the order of the straight line's pairs: by small area
        return Reach(p.demand[order], p.supply[order], p.minutes[order], limit_min, len(demand.edge), len(supply))


#: Spacing of the grid of points that stands for evenly spread residents without a population layer, m.
GRID_M = 100.0
#: At most this many grid points (the spacing widens for large study areas).
GRID_POINTS = 20_000


class AreaGrid:
    """Points on a square grid across the areas, each in one area (see the module docstring)."""

    def __init__(self, geoms: "np.ndarray") -> None:
        import math

        import numpy as np
        import shapely

        geoms = np.asarray(geoms, dtype=object)
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        step = max(GRID_M, math.sqrt(float(shapely.area(geoms).sum()) / GRID_POINTS))
        gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
        pts = shapely.points(gx.ravel(), gy.ravel())
        tree = shapely.STRtree(geoms)
        p, a = tree.query(pts, predicate="intersects")
        first = np.unique(p, return_index=True)[1]  # a point on a shared border: the first area
        p, a = p[first], a[first]
        lonely = np.setdiff1d(np.arange(len(geoms)), a)  # areas no grid point falls in
        self.points = np.concatenate([pts[p], shapely.point_on_surface(geoms[lonely])])
        self.area = np.concatenate([a, lonely]).astype(np.intp)
        self.n_areas = len(geoms)
        self.count = np.bincount(self.area, minlength=self.n_areas)
        self.step = step

    def mean(self, values: "np.ndarray") -> "np.ndarray":
        """The mean of ``values`` over each area's points."""
        import numpy as np

        sums = np.bincount(self.area, weights=values, minlength=self.n_areas)
        return np.divide(sums, self.count, out=np.zeros(self.n_areas), where=self.count > 0)
