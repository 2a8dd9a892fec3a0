"""Catchments drawn on the map: the streets from which an asset is reached within its time, as polygons.

A catchment polygon is a **drawing** of the reach the measures compute; the
measures themselves use the exact travel times (:mod:`.routing`), never the
polygon. It is drawn from the same search, :meth:`.routing.Router.node_times`,
which gives ``t_n = D(n, j)``, the time from each node *n* to asset *j*
(within the limit ``T``, approach along the asset's edge and its walk from
the street included).

The reached part of a usable edge ``e = (u, v)`` of length ``L`` and speed
``s`` (m/s) is where a resident standing on it reaches the asset in time:

- from ``v``'s side, the last ``r_v = (T − t_v) × s`` metres (walking to
  ``v`` goes with the edge's direction, always allowed);
- from ``u``'s side, the first ``r_u = (T − t_u) × s`` metres, only where
  the mode may travel the edge ``v → u`` (not one-way for it);
- the whole edge when ``r_u + r_v ≥ L``;
- on the asset's own edge, the metres within ``r_j = (T − w_j / s_walk) × s``
  of the asset's place ``o_j`` (towards ``u`` always, towards ``v`` where
  the edge may be travelled ``v → u``), ``w_j`` its walk from the street.

Offsets are in the edge's own metres and drawn at the same fraction of its
line. Each reached part is buffered by :data:`WIDTH_M` either side (the
residents' own walk to the street, which the drawing leaves out, and a width
that shows on a map) and the buffers are unioned: a street reached on one
bank of a river gives no polygon on the other bank away from a bridge, as
it would if the reached nodes were wrapped in a hull. A hole left inside
under :data:`BLOCK_M2` is a block between reached streets, whose residents
walk out to one of them: it is filled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from .profiles import SPEED_KMH

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import numpy as np

    from .graph import StreetNetwork
    from .routing import Router
    from .snapping import Snapped

#: How far either side of a reached street the catchment is drawn, m (NETWORK-NOTES: 40 m buffers and a union
#: take ~90 ms for a 15-minute walk's ~2,400 nodes).
WIDTH_M = 40.0
#: Holes smaller than this inside a catchment are blocks between reached streets, filled (5 ha, m²).
BLOCK_M2 = 50_000.0
#: Segments per quarter circle of the buffers' round ends (shapely's default is 8; 4 draws the same at half the cost).
QUAD_SEGS = 4


def street_radius(net: "StreetNetwork") -> "Callable[[object, float], object]":
    """``draw(point, metres)``: the streets within ``metres`` of ``point`` measured along them (the walking
    network: every street but motorways, and footpaths), drawn as :func:`catchment_polygons` draws a walk of
    ``metres`` at 4.8 km/h; a disc of that radius for a point on no street. For the served areas that services
    state as a radius ("we visit within 5 miles", :mod:`asset_map.categories.served`)."""
    import numpy as np
    import shapely

    from .routing import Router
    from .snapping import Snapper

    made: list = []  # the router and snapper, made at the first radius drawn (most lists have none)

    def draw(point: object, metres: float) -> object:
        if not made:
            made.append(Router(net, "walk"))
            made.append(Snapper(net, made[0].usable))
        router, snapper = made
        minutes = metres / (SPEED_KMH["walk"] / 3.6) / 60
        shape = catchment_polygons(router, snapper.snap(np.array([point], dtype=object)), minutes)[0]
        return shape if shape is not None and not shape.is_empty else shapely.buffer(point, metres, quad_segs=16)

    return draw


def edge_lines(net: "StreetNetwork") -> "np.ndarray":
    """Each edge's line from ``u`` to ``v``: its geometry, or the straight line between its nodes without one."""
    import numpy as np
    import shapely

    if net.geometry is not None:
        return np.asarray(net.geometry, dtype=object)
    xy = np.stack([np.column_stack([net.x[net.u], net.y[net.u]]),
                   np.column_stack([net.x[net.v], net.y[net.v]])], axis=1)
    return shapely.linestrings(xy)


def catchment_polygons(router: "Router", snapped: "Snapped", limit_min: float, *,
                       width_m: float = WIDTH_M) -> "np.ndarray":
    """One polygon per snapped point: the streets from which it is reached within ``limit_min`` minutes by the
    router's mode, buffered by ``width_m`` (module docstring). None for a point not snapped; an empty polygon
    for one whose own walk from the street takes longer than the limit.
    """
    import numpy as np
    import shapely

    from concurrent.futures import ThreadPoolExecutor

    from ..cores import usable_cores

    lines = edge_lines(router.net)
    out = np.full(len(snapped.edge), None, dtype=object)
    out[snapped.edge >= 0] = shapely.Polygon()

    def draw(parts: "np.ndarray") -> object:
        return fill_blocks(shapely.union_all(shapely.buffer(parts, width_m, quad_segs=QUAD_SEGS)))

    # The buffers and their union (most of the time) run in shapely's C code without the GIL: one thread per core,
    # a few drawings waiting at a time.
    workers = usable_cores()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: dict = {}
        for j, nodes, seconds in router.node_times(snapped, limit_min):
            parts = reached_parts(router, lines, nodes, seconds, limit_min * 60.0, snapped, j)
            if len(parts):
                pending[j] = pool.submit(draw, parts)
            if len(pending) >= 2 * workers:
                first = next(iter(pending))
                out[first] = pending.pop(first).result()
        for j, future in pending.items():
            out[j] = future.result()
    return out


def fill_blocks(shape, block_m2: float = BLOCK_M2):
    """``shape`` with its holes under ``block_m2`` filled (module docstring)."""
    import shapely

    polys = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= block_m2])
             for p in shapely.get_parts(shape)]
    return shapely.union_all(polys) if len(polys) > 1 else (polys[0] if polys else shape)


def reached_parts(router: "Router", lines: "np.ndarray", nodes: "np.ndarray", seconds: "np.ndarray",
                  limit_s: float, snapped: "Snapped", j: int) -> "np.ndarray":
    """The lines (whole edges and parts of edges) from which asset ``j`` is reached within ``limit_s`` seconds,
    given the times ``seconds`` from the reached ``nodes`` (module docstring)."""
    import numpy as np

    net = router.net
    t = np.full(net.n_nodes, np.inf)
    t[nodes] = seconds
    e = np.flatnonzero(router.usable & (np.isfinite(t[net.u]) | np.isfinite(t[net.v])))
    s, length = router.speed[e], net.length_m[e]
    r_v = np.clip((limit_s - t[net.v[e]]) * s, 0, None)
    r_u = np.where(router.back[e], np.clip((limit_s - t[net.u[e]]) * s, 0, None), 0.0)
    whole = r_u + r_v >= length
    pieces = [lines[e[whole]]]
    spans = [(k, 0.0, r) for k, r in zip(e[~whole], r_u[~whole]) if r > 0]
    spans += [(k, length_k - r, length_k) for k, r, length_k in zip(e[~whole], r_v[~whole], length[~whole]) if r > 0]
    own = int(snapped.edge[j])
    if router.usable[own]:
        o, ln = float(snapped.offset_m[j]), float(net.length_m[own])
        r_j = (limit_s - snapped.access_m[j] / (SPEED_KMH["walk"] / 3.6)) * router.speed[own]
        if r_j > 0:
            spans.append((own, max(o - r_j, 0.0), min(o + r_j, ln) if router.back[own] else o))
    pieces.append(np.array([_part(lines[k], a, b, net.length_m[k]) for k, a, b in spans], dtype=object))
    parts = np.concatenate(pieces)
    return parts[parts != None]  # noqa: E711 (elementwise on an object array)


def _part(line, start_m: float, end_m: float, length_m: float):
    """The part of ``line`` between ``start_m`` and ``end_m`` of the edge's ``length_m`` (same fractions)."""
    from shapely.ops import substring

    if not length_m > 0:
        return line
    return substring(line, start_m / length_m, end_m / length_m, normalized=True)


def catchments_frame(net: "StreetNetwork", assets: "gpd.GeoDataFrame",
                     catchments: Mapping[str, tuple[float, str, str]], *, width_m: float = WIDTH_M,
                     progress: "Callable[[int, int], None] | None" = None) -> "gpd.GeoDataFrame":
    """A row per located asset × each of its categories with a catchment: ``asset_id``, ``name``, ``category``
    (id), ``reach`` (the catchment as people read it, "10 min walk"), ``minutes``, ``mode`` and the catchment
    polygon (:func:`catchment_polygons`), in British National Grid (EPSG:27700).

    ``catchments`` maps a category id to ``(minutes, mode, reach text)``; an asset's ``categories`` are ids
    separated by ``;``. Assets without a location have no row; one that stands on no street its mode may use has
    no polygon (None). Each (minutes, mode) is searched once for every asset that needs it; ``progress(done,
    total)`` is called after each.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    from ..geo import BNG
    from .routing import Router
    from .snapping import Snapper

    assets = assets.to_crs(BNG) if assets.crs is not None and not assets.crs.equals(BNG) else assets
    geoms = np.asarray(assets.geometry, dtype=object)
    located = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    ids = [[c for c in str(v or "").split(";") if c in catchments] for v in assets["categories"]]
    wanted: dict[tuple[float, str], set[int]] = {}
    for k in np.flatnonzero(located):
        for c in ids[k]:
            wanted.setdefault(tuple(catchments[c][:2]), set()).add(int(k))
    drawn: dict[tuple[float, str], dict[int, object]] = {}
    routers: dict[str, tuple[Router, Snapper]] = {}
    for n, ((minutes, mode), rows) in enumerate(sorted(wanted.items()), start=1):
        if mode not in routers:
            router = Router(net, mode)
            routers[mode] = (router, Snapper(net, router.usable))
        router, snapper = routers[mode]
        rows_ = sorted(rows)
        polys = catchment_polygons(router, snapper.snap(geoms[rows_]), minutes, width_m=width_m)
        drawn[(minutes, mode)] = dict(zip(rows_, polys))
        if progress is not None:
            progress(n, len(wanted))
    records, polygons = [], []
    for k in np.flatnonzero(located):
        for c in ids[k]:
            minutes, mode, reach = catchments[c]
            records.append({"asset_id": assets["asset_id"].iloc[k], "name": assets["name"].iloc[k], "category": c,
                            "reach": reach, "minutes": float(minutes), "mode": mode})
            polygons.append(drawn[(minutes, mode)][int(k)])
    columns = ["asset_id", "name", "category", "reach", "minutes", "mode"]
    return gpd.GeoDataFrame(records, columns=columns, geometry=polygons, crs=BNG)
