"""``asset-map network load``: an OpenStreetMap extract read into the workspace's street network.

The extract (a county's, tens of MB) is read once (:func:`asset_map.network.pbf.read_pbf`) and
clipped to the study area (the union of the areas) buffered by a margin: the widest reach of the
taxonomy's catchments (:func:`clip_margin_m`) unless given, so that a journey to an asset just
beyond the border, or along a street that leaves the study area and comes back, is on the map.
The network is stored in the workspace (:mod:`asset_map.network.layers`), so later commands need
neither the file nor a connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import NetworkError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.taxonomy import Taxonomy
    from ..network.graph import StreetNetwork
    from ..store import Store

#: ``progress(step, done, total)``; ``total`` 0 when unknown.
Progress = Callable[[str, int, int], None]


@dataclass
class NetworkResult:
    """What ``network load`` read and kept."""

    network: "StreetNetwork"
    info: dict[str, Any]  # the ``network`` table's row (:func:`asset_map.network.layers.network_info`)
    ways_read: int  # ways with a highway tag in the extract
    ways_used: int  # those some mode may use
    edges_split: int  # edges of the whole extract, before clipping
    margin_m: float
    study_km2: float  # the study area clipped to, before its margin
    notes: list[str] = field(default_factory=list)


def clip_margin_m(taxonomy: "Taxonomy") -> float:
    """The margin kept around the study area, in metres: the taxonomy's widest reach in a straight line (its
    distance, or its travel time's straight-line equivalent when wider: :attr:`Category.reach_m`)."""
    return max((float(c.reach_m) for c in taxonomy), default=0.0)


def load_network(store: "Store", path: str | Path, areas: "gpd.GeoDataFrame", taxonomy: "Taxonomy", *,
                 margin_m: float | None = None, progress: Progress | None = None) -> NetworkResult:
    """Read the extract at ``path``, clip it to the areas plus the margin, and store it, all-or-nothing.

    Raises
    ------
    NetworkError
        If the file is not an extract, holds no streets, or has no usable street in the study area.
    """
    import shapely

    from ..network.layers import network_frames, network_info, write_network
    from ..network.pbf import read_pbf

    path = Path(path)
    if margin_m is not None and not 0 <= margin_m < float("inf"):
        raise NetworkError(f"{path}: a margin of {margin_m:g} m around the study area cannot be used; give 0 "
                           "metres or more (--margin)")
    margin = clip_margin_m(taxonomy) if margin_m is None else float(margin_m)
    study = shapely.union_all(list(areas.geometry))
    read = read_pbf(path, clip=study.buffer(margin), progress=progress)
    net = read.network
    _check_covers(path, net, study)
    info = network_info(read, margin_m=margin, loaded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    result = NetworkResult(net, info, read.ways_read, read.ways_used, read.edges_split, margin, study.area / 1e6,
                           notes=_areas_without_walking(net, areas))
    if progress:
        progress("writing the network", 0, 0)
    with store.transaction() as tx:
        write_network(tx, network_frames(read, info))
    return result


def _check_covers(path: Path, net: "StreetNetwork", study) -> None:
    """Refuse an extract with no usable street inside the study area itself (not only its margin)."""
    import shapely

    inside = net.n_edges and shapely.intersects(study, net.geometry).any()
    if not inside:
        from ..geo import BNG, WGS84, transformer

        w, s, e, n = transformer(BNG, WGS84).transform_bounds(*study.bounds)
        raise NetworkError(f"{path}: no street of this extract lies in the study area (longitude {w:.2f} to "
                           f"{e:.2f}, latitude {s:.2f} to {n:.2f}); download the extract that covers it, e.g. "
                           "the county's from https://download.geofabrik.de")


def _areas_without_walking(net: "StreetNetwork", areas: "gpd.GeoDataFrame") -> list[str]:
    """A note naming the areas that no walkable street reaches into (their people will count as unreached)."""
    import shapely

    tree = shapely.STRtree(net.geometry[net.walk])
    hit = tree.query(list(areas.geometry), predicate="intersects")[0]
    names = [str(n) for i, n in enumerate(areas["area_name"]) if i not in set(hit.tolist())]
    if not names:
        return []
    return [f"no walkable street in {len(names)} area(s): {', '.join(names)}; check that the extract covers "
            "them (a travel-time catchment cannot reach their residents on foot)"]
