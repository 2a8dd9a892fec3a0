"""What every category's gap measures share: the areas, the assets, the population layer, need, served areas.

Built once per :func:`~asset_map.analysis.gaps.compute_gaps`; the
per-category figures (:mod:`asset_map.analysis.measures`) read it and
keep here what several catchments reuse (each category's assets, served
areas and target population).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any, Sequence

from .access import category_supply, plain_points
from .arrays import distinct, floats, objects
from .rows import COVERAGE_METHOD, POPULATION_METHOD
from .small_areas import SmallAreas
from .target_population import target_population

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    import numpy as np

    from ..categories.served import ServedAreas
    from ..categories.taxonomy import Category
    from ..network.graph import StreetNetwork
    from ..store import Table
    from .network_reach import Catchment
    from .need import NeedIndicator

#: A served area counts for an area when it covers more than this share of it.
SERVED_MIN_SHARE = 0.01
#: From this many assets, their coordinates are read in a second thread while the rest of them is read
#: (1,000,000 points: 0.15-0.2 s).
XY_IN_THREAD = 50_000


class GapContext:
    """What every category's measures share: areas, assets, the population layer, need.

    Attributes
    ----------
    codes, names, geoms, area_m2
        The areas: codes, names, polygons and their areas in m².
    code_rank
        Each area's code's place among the sorted codes.
    layer
        The population layer's small areas, if one is loaded (with an
        ``all_ages`` column).
    population_loaded, method
        Whether the target population is known, and how coverage is measured.
    cell_of_asset, cells, area_of_asset, asset_pts, located, capacity, capacity_unit
        The assets: each one's category cell (an index into ``cells``, the
        distinct sets of category ids), its area (an index, -1 for none),
        its point, whether it has one, its capacity (NaN for none) and the
        unit its list gave, as stored (``""``, ``None`` or NaN for none:
        :meth:`supply` reads them as ``""`` where it needs them); :meth:`supply`
        makes ``S_j``. Areas, capacities and units are read from their
        cells when first asked for, the points' coordinates (``asset_xy``)
        in a second thread for a large register: a search for pairs in reach
        needs only the categories and the points.
    need_small, need_area
        The need index ``n_i`` of each small area (with a layer) or ``n_a``
        of each area (without), or ``None`` (1 everywhere).
    notes
        What the report should say about these inputs.
    """

    def __init__(self, areas: "Table", assets: "Table | None", population: "Table | None",
                 need: "NeedIndicator | None", served: "ServedAreas | None" = None,
                 network: "StreetNetwork | None" = None) -> None:
        self.notes: list[str] = []
        self._read_areas(areas)
        self.layer = SmallAreas(population, self.code_index) if _has_layer(population) else None
        if self.layer is not None:
            self.notes.append(self.layer.note())
        self.network = self.grid = None
        if network is not None:
            from .network_reach import AreaGrid, NetworkReach

            self.grid = AreaGrid(self.geoms) if self.layer is None else None
            self.network = NetworkReach(network, self.layer.points if self.layer is not None else self.grid.points)
            if self.grid is not None:
                self.notes.append(f"reach on the street network without a population layer: measured at points every "
                                  f"{self.grid.step:.0f} m across each area, residents taken as spread evenly")
        self.population_loaded = self.layer is not None or (
            "all_ages" in areas and all(v is not None for v in areas["all_ages"]))
        self.method = POPULATION_METHOD if self.layer is not None else COVERAGE_METHOD
        self.served = served
        if served is not None and served.note():
            self.notes.append(served.note())
        self._read_assets(assets)
        self.need_small, self.need_area = self._need_index(need)
        self._members: dict[str, Any] = {}
        self._served_by: dict[str, tuple[Any, Any]] = {}
        self._targets: dict[Any, tuple[Any, str]] = {}
        self._supply: dict[str, Any] = {}

    def catchment(self, cat: "Category") -> "Catchment":
        """How the category's reach is measured (:func:`asset_map.analysis.network_reach.catchment`)."""
        from .network_reach import catchment

        return catchment(cat, self.network is not None)

    def reach_by(self, c: "Catchment") -> Any:
        """What finds the pairs in reach for ``c``: a mode of the street network, or ``None`` (the straight line)."""
        return self.network.by(c.mode) if c.on_network and self.network is not None else None

    def _read_areas(self, areas: "Table") -> None:
        """The areas' codes, names, polygons and sizes, and the order of their codes."""
        import numpy as np
        import shapely

        self.areas = areas
        self.codes = list(areas["area_code"])
        self.names = list(areas["area_name"])
        self.geoms = areas.geometry
        self.area_m2 = shapely.area(self.geoms)
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        try:
            ordered = sorted(set(self.codes))
        except TypeError:  # codes of mixed types (not expected): an order that does not fail
            ordered = sorted(set(self.codes), key=lambda c: (type(c).__name__, str(c)))
        place = {c: k for k, c in enumerate(ordered)}
        self.code_rank = np.array([place[c] for c in self.codes], dtype=np.intp)

    def _read_assets(self, assets: "Table | None") -> None:
        """Each asset's category cell, area, point, whether it is located, and capacity."""
        import numpy as np
        import shapely

        self.cells: list[set[str]] = []
        self.cell_of_asset = np.array([], dtype=np.intp)
        self._area_cells: Sequence[Any] = []
        self._area_of_asset: "np.ndarray | None" = None
        self.asset_pts = np.array([], dtype=object)
        self._capacity_cells: Sequence[Any] = []
        self._capacity: "np.ndarray | None" = None
        self._unit_cells: Sequence[Any] = []
        self._capacity_unit: "np.ndarray | None" = None
        self._xy: "np.ndarray | None" = None
        self._xy_pending: "Future | None" = None
        if assets is not None and len(assets):
            n = len(assets)
            self.asset_pts = np.asarray(assets.geometry, dtype=object)
            if n >= XY_IN_THREAD:  # read in a second thread while the cells below are read in this one
                from concurrent.futures import ThreadPoolExecutor

                pool = ThreadPoolExecutor(max_workers=1)
                self._xy_pending = pool.submit(_coordinates, self.asset_pts)
                pool.shutdown(wait=False)
            cells, self.cell_of_asset = distinct(assets["categories"])
            self.cells = [set(filter(None, (c or "").split(";"))) for c in cells]
            self._area_cells = assets["area_code"]
            self._capacity_cells = assets["capacity"] if "capacity" in assets else [None] * n
            self._unit_cells = assets["capacity_unit"] if "capacity_unit" in assets else [""] * n
        self.located = ~shapely.is_missing(self.asset_pts) if len(self.asset_pts) else np.array([], dtype=bool)

    @property
    def area_of_asset(self) -> "np.ndarray":
        """Each asset's area (an index into ``codes``; -1 for none), read from the cells when first asked for
        (the counts need them; a search for pairs in reach, in another thread meanwhile, does not)."""
        import numpy as np

        if self._area_of_asset is None:
            cells = self._area_cells
            self._area_of_asset = np.fromiter(map(self.code_index.get, cells, itertools.repeat(-1)),
                                              dtype=np.intp, count=len(cells))
        return self._area_of_asset

    @property
    def capacity(self) -> "np.ndarray":
        """Each asset's capacity where it is a positive number, otherwise NaN (:func:`_capacities`), read from
        the cells when first asked for (only accessibility needs them)."""
        if self._capacity is None:
            self._capacity = _capacities(self._capacity_cells)
        return self._capacity

    @property
    def capacity_unit(self) -> "np.ndarray":
        """Each asset's capacity unit as stored (text, or ``None`` / NaN for none: :meth:`supply` reads them as
        ``""`` where it needs them), as an array when first asked for."""
        if self._capacity_unit is None:
            self._capacity_unit = objects(self._unit_cells)
        return self._capacity_unit

    @property
    def asset_xy(self) -> "np.ndarray":
        """Each asset's coordinates (:func:`_coordinates`), read from the points once (for
        :data:`XY_IN_THREAD` assets or more, in a second thread from the start)."""
        if self._xy is None:
            pending, self._xy_pending = self._xy_pending, None
            self._xy = pending.result() if pending is not None else _coordinates(self.asset_pts)
        return self._xy

    def _need_index(self, need: "NeedIndicator | None") -> tuple["np.ndarray | None", "np.ndarray | None"]:
        """``n_i`` of each small area (with a layer) and ``n_a`` of each area (without); codes with no value
        count as average need, and a note says how many.

        Each index is weighted by all-ages population (without a layer and
        without population, by area).
        """
        import numpy as np

        if need is None:
            return None, None
        if self.layer is not None:
            need_small, missing = need.index(self.layer.codes, self.layer.all_ages)
            need_area, where, total = None, "small areas", len(self.layer.codes)
        else:
            weights = floats(self.areas["all_ages"]) if "all_ages" in self.areas else self.area_m2
            need_area, missing = need.index(self.codes, np.nan_to_num(weights))
            need_small, where, total = None, "areas", len(self.codes)
        if missing:
            self.notes.append(
                f"need indicator {need.name!r} ({need.source}): no value for {len(missing)} of {total} {where} "
                f"(e.g. {missing[0]}); counted as average need"
            )
        return need_small, need_area

    def members(self, category_id: str) -> "np.ndarray":
        """The indices of the assets of a category, in order."""
        import numpy as np

        if category_id not in self._members:
            has = np.array([category_id in cell for cell in self.cells], dtype=bool)
            self._members[category_id] = np.flatnonzero(has[self.cell_of_asset]).astype(np.intp, copy=False)
        return self._members[category_id]

    def supply(self, cat: Category, placed: "np.ndarray") -> "np.ndarray":
        """``S_j`` of the category's located assets ``placed`` (:func:`~asset_map.analysis.access.category_supply`);
        when each is counted once, a note says why (once per category)."""
        if cat.id not in self._supply:
            capacity, units = self.capacity[placed], self.capacity_unit[placed]
            if (capacity > 0).any():  # the units count only where there are capacities (NaN > 0 is false)
                units = [u if isinstance(u, str) else "" for u in units]
            supply, note = category_supply(capacity, units, cat.capacity_unit)
            if note:
                self.notes.append(f"{cat.label}: {note}")
            self._supply[cat.id] = supply
        return self._supply[cat.id]

    def area_target(self, cat: Category) -> tuple["np.ndarray | None", str]:
        """The areas' own target population of ``cat`` (without a population layer), and its description."""
        if cat.target not in self._targets:
            self._targets[cat.target] = target_population(self.areas.columns, cat.target)
        return self._targets[cat.target]

    def served_by(self, category_id: str) -> tuple[Any, "np.ndarray"]:
        """The union of the category's served areas (or ``None``), and how many serve each area from outside it.

        A served area serves an area when it covers more than
        :data:`SERVED_MIN_SHARE` of it and the service is not located there.
        """
        import numpy as np
        import shapely

        if category_id in self._served_by:
            return self._served_by[category_id]
        count = np.zeros(len(self.codes), dtype=int)
        out: tuple[Any, Any] = (None, count)
        mine = self.served.for_category(category_id) if self.served is not None else None
        if mine:
            for s in mine:
                share = shapely.area(shapely.intersection(self.geoms, s.geometry)) / self.area_m2
                count += (share > SERVED_MIN_SHARE) & np.array([c != s.located_area for c in self.codes])
            out = (shapely.union_all(np.array([s.geometry for s in mine], dtype=object)), count)
        self._served_by[category_id] = out
        return out


def _coordinates(points: "np.ndarray") -> "np.ndarray":
    """Each point's coordinates (n × 2; NaN where it has none: no point, an empty one or another shape).
    shapely's functions run outside Python's lock, so this can run in a second thread."""
    import numpy as np
    import shapely

    xy = np.full((len(points), 2), np.nan)
    ok = plain_points(points)
    if not ok.all():
        points = points[ok]
    xy[ok, 0], xy[ok, 1] = shapely.get_x(points), shapely.get_y(points)
    return xy


def _has_layer(population: "Table | None") -> bool:
    """Whether a population layer is loaded, with an ``all_ages`` column."""
    return population is not None and bool(len(population)) and "all_ages" in population


def _capacities(values: Sequence[Any]) -> "np.ndarray":
    """Each asset's capacity where it is a positive number, otherwise NaN.

    Each distinct value is converted once (equal values convert alike).
    """
    import numpy as np

    if isinstance(values, list) and values.count(None) == len(values):  # no capacities at all: the common case
        return np.full(len(values), np.nan)
    try:
        values_once, which = distinct(values)
    except TypeError:  # a value that cannot be a dictionary key: each on its own
        return _capacity_each(values)
    return _capacity_each(values_once)[which]


def _capacity_each(values: Sequence[Any]) -> "np.ndarray":
    """:func:`_capacities` of each value in turn."""
    import numpy as np

    out = np.full(len(values), np.nan)
    for k, v in enumerate(values):
        try:
            x = float(v)
        except (TypeError, ValueError):
            continue
        if x > 0 and math.isfinite(x):
            out[k] = x
    return out
