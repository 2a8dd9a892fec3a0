"""The workspace store: where a project's layers and tables live.

One place chooses the backend (:func:`open_store`): a ``postgresql://`` address
is a PostGIS schema (:mod:`.postgis`), anything else a GeoPackage file
(:mod:`.gpkg`). Neither backend imports the other; both build on :mod:`.base`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .base import (CRS, DEFAULT_WORKSPACE, ENV_VAR, LOCK_POLL, LOCK_TIMEOUT, LOCK_TIMEOUT_VAR, READ_BATCH,
                   SPATIAL_LAYERS, Store, StoreWriter, Table, empty_layer_frame)
from .gpkg import GeoPackageStore

if TYPE_CHECKING:  # pragma: no cover
    from .postgis import PostGISStore

__all__ = ["CRS", "DEFAULT_WORKSPACE", "ENV_VAR", "LOCK_POLL", "LOCK_TIMEOUT", "LOCK_TIMEOUT_VAR", "READ_BATCH",
           "SPATIAL_LAYERS", "Store", "StoreWriter", "Table", "empty_layer_frame", "GeoPackageStore",
           "open_store", "resolve_location"]


def resolve_location(location: str | os.PathLike | None) -> Path:
    """The workspace path: the argument, else ``$ASSET_MAP_WORKSPACE``, else the default."""
    if location is None or str(location) == "":
        location = os.environ.get(ENV_VAR) or DEFAULT_WORKSPACE
    return Path(location)


def open_store(location: str | os.PathLike | None = None) -> "GeoPackageStore | PostGISStore":
    """The store for a workspace location: a ``postgresql://`` address or a GeoPackage path.

    Without a location, ``$ASSET_MAP_WORKSPACE`` or the default (see :func:`resolve_location`).
    """
    from .postgis import PostGISStore, is_postgres_location

    if location is None or str(location) == "":
        location = os.environ.get(ENV_VAR) or DEFAULT_WORKSPACE
    if is_postgres_location(location):
        return PostGISStore(str(location))
    return GeoPackageStore(resolve_location(location))


