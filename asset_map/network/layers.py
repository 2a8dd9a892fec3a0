"""The street network in the workspace: two layers QGIS shows and one row about where it came from.

``network_nodes`` (points)
    ``node`` (the number edges refer to, from 0), ``osm_id`` (the OSM node),
    ``x``, ``y`` (BNG metres, so routing reads them without decoding points).
``network_edges`` (lines, drawn ``u → v``)
    ``u``, ``v`` (nodes), ``length_m`` (geodesic), ``walk``, ``cycle``,
    ``drive`` (may the mode use it), ``drive_kmh`` (empty where not driven),
    ``oneway_drive``, ``oneway_cycle`` (only ``u → v``), ``highway`` (the OSM
    class), ``name``, ``osm_id`` (the OSM way).
``network`` (one row)
    ``file``, ``sha256``, ``bytes``, ``loaded_at`` (UTC, ISO 8601),
    ``profiles`` (:data:`asset_map.network.profiles.PROFILES_VERSION`),
    ``margin_m``, ``nodes``, ``edges``, and per mode ``walk_edges``,
    ``walk_km``... (the km are the sum of the edges' lengths).

Loading a network again replaces all three in one transaction
(:func:`write_network`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store import CRS
from .graph import MODES, StreetNetwork

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..store import Store, StoreWriter
    from .pbf import PbfNetwork

NODES, EDGES, INFO = "network_nodes", "network_edges", "network"
#: The plain columns of the edges layer that make a :class:`StreetNetwork`.
EDGE_COLUMNS = ("u", "v", "length_m", "walk", "cycle", "drive", "drive_kmh", "oneway_drive", "oneway_cycle", "highway")


def network_info(read: "PbfNetwork", *, margin_m: float | None, loaded_at: str) -> dict[str, Any]:
    """The ``network`` table's one row for a network read from an extract."""
    net = read.network
    info: dict[str, Any] = {key: net.source[key] for key in ("file", "sha256", "bytes", "profiles")}
    info.update(loaded_at=loaded_at, margin_m=float("nan") if margin_m is None else float(margin_m),
                nodes=net.n_nodes, edges=net.n_edges)
    for mode in MODES:
        usable = net.usable(mode)
        info[f"{mode}_edges"] = int(usable.sum())
        info[f"{mode}_km"] = round(float(net.length_m[usable].sum()) / 1000, 3)
    return info


def network_frames(read: "PbfNetwork", info: dict[str, Any]) -> "tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]":
    """The nodes layer, the edges layer and the one-row table, ready for :func:`write_network`."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    net = read.network
    nodes = gpd.GeoDataFrame({"node": np.arange(net.n_nodes, dtype=np.int64), "osm_id": read.osm_node,
                              "x": net.x, "y": net.y}, geometry=gpd.points_from_xy(net.x, net.y), crs=CRS)
    columns = {name: getattr(net, name) for name in EDGE_COLUMNS}
    columns["u"], columns["v"] = net.u.astype(np.int64), net.v.astype(np.int64)
    edges = gpd.GeoDataFrame({**columns, "name": read.name, "osm_id": read.osm_way},
                             geometry=gpd.GeoSeries(net.geometry, crs=CRS), crs=CRS)
    return nodes, edges, pd.DataFrame([info])


def write_network(tx: "StoreWriter", frames: "tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]") -> None:
    """Replace the network's two layers and its table within the transaction ``tx``."""
    nodes, edges, info = frames
    tx.write(NODES, nodes)
    tx.write(EDGES, edges)
    tx.write(INFO, info)


def stored_info(store: "Store") -> dict[str, Any] | None:
    """The ``network`` table's row, or ``None`` when no network is loaded."""
    table = store.read(INFO)
    if table is None or not len(table):
        return None
    return {name: values[0] for name, values in table.columns.items()}


def read_network(store: "Store", *, geometry: bool = True) -> StreetNetwork | None:
    """The stored street network, or ``None`` when none is loaded.

    Without ``geometry`` the edges' lines are not read (nor decoded): what
    routing needs is in the plain columns, and reading is several times faster.
    """
    import numpy as np

    info = stored_info(store)
    if info is None:
        return None
    nodes = store.read(NODES, columns=["node", "x", "y"])
    edges = store.read(EDGES, columns=list(EDGE_COLUMNS) + (["geometry"] if geometry else []))
    order = np.asarray(nodes["node"], dtype=np.int64)  # rows in any order: node i goes to place i
    x, y = np.empty(len(order)), np.empty(len(order))
    x[order], y[order] = np.asarray(nodes["x"], dtype=float), np.asarray(nodes["y"], dtype=float)
    kinds = {"u": np.intp, "v": np.intp, "length_m": float, "drive_kmh": float, "highway": object}
    columns = {name: np.asarray(edges[name], dtype=kinds.get(name, bool)) for name in EDGE_COLUMNS}
    lines = np.asarray(edges.geometry, dtype=object) if geometry else None
    return StreetNetwork(x=x, y=y, **columns, geometry=lines, source=info)
