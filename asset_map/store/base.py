"""The workspace's tables, and what every store backend offers.

A workspace is a GeoPackage (``./asset-map.gpkg`` unless ``--workspace`` or
the ``ASSET_MAP_WORKSPACE`` environment variable says otherwise) that QGIS
opens as it is. It holds these layers and tables, all in British National
Grid (EPSG:27700):

``areas``
    neighbourhood polygons: ``area_code``, ``area_name``, population columns
    (``all_ages``, ``aged_0_to_15``, ``aged_16_to_64``, ``aged_65_and_over``,
    and ``age_0`` ... ``age_90`` when single years of age are known),
    ``area_km2``.
``population``
    optional small areas (LSOA/OA) with the same population columns, cut
    into parts where they straddle neighbourhoods: ``code`` (the small
    area's), ``area_code`` (the part's neighbourhood; none beyond them),
    ``share`` of the small area's people, ``method`` and the part's point
    ``x``, ``y`` (see :mod:`asset_map.inputs.apportion`).
``level_areas``
    optional second levels of areas (wards inside localities): the columns
    of ``areas`` and ``level``, the level's name (see :mod:`asset_map.inputs.levels`).
``assets``
    points: one row per asset (see :mod:`asset_map.inputs.importer`).
``categories``
    the taxonomy in use (see :mod:`asset_map.categories.taxonomy`).
``imports``
    one row per import: file, checksum, time and the counts.
``rejects``
    every input row that could not be used: file, row, column, reason.
``network_nodes``, ``network_edges``, ``network``
    optional street network read from an OpenStreetMap extract: junctions
    (points), streets between them (lines) with what each mode may do on
    them, and one row about the extract (see :mod:`asset_map.network.layers`).
``postcodes``
    optional postcode lookup: ``postcode``, ``x``, ``y`` (centroid, BNG),
    ``terminated`` (see :mod:`asset_map.inputs.postcodes`).
``asset_map_state``
    the workspace's own bookkeeping, not a layer (QGIS does not list it):
    ``key``, ``version``, ``value``. The row ``changes`` counts the changes
    to the workspace: every asset-map transaction adds one, and so does
    every change made to a layer or table by another program (QGIS editing
    the assets), through triggers asset-map puts on each of them. Other rows
    hold what asset-map derived from the layers (the gap inputs of
    :mod:`asset_map.inputs.gap_state`), each with the ``changes`` count it
    was derived at: a row whose count is not the current one is out of date
    and is not used.

Every change goes through :meth:`GeoPackageStore.transaction`: the file is
copied beside itself, the copy is changed, and only a complete copy replaces
the original (``os.replace`` is atomic). A command that fails, is interrupted
with Ctrl-C or is killed leaves the workspace exactly as it was; a copy left
by a killed process is removed the next time the workspace is written.

Reading uses only :mod:`sqlite3` and shapely, so that read-only commands such
as ``asset-map gaps`` start quickly.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Protocol, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

DEFAULT_WORKSPACE = "asset-map.gpkg"
#: Seconds a command that changes the workspace waits for another one to finish.
LOCK_TIMEOUT = 300.0
LOCK_TIMEOUT_VAR = "ASSET_MAP_LOCK_TIMEOUT"
LOCK_POLL = 0.1
ENV_VAR = "ASSET_MAP_WORKSPACE"
CRS = "EPSG:27700"
#: Rows fetched at a time when reading a table.
READ_BATCH = 50_000

#: The workspace's bookkeeping table (see above) and its row counting the changes.
STATE_TABLE = "asset_map_state"
CHANGES_KEY = "changes"
#: The row recording the layers and tables as asset-map last left them (a table dropped, replaced or added by
#: another program fires no trigger: its changes count is then no count, -1).
SCHEMA_KEY = "schema"
#: The prefix of the triggers that count changes made by other programs.
TRIGGER_PREFIX = "asset_map_changed"

#: Layers with geometry, and their geometry type.
SPATIAL_LAYERS = {"areas": "MultiPolygon", "population": "MultiPolygon", "assets": "Point",
                  "level_areas": "MultiPolygon", "network_nodes": "Point", "network_edges": "LineString"}


@dataclass
class Table:
    """A table read from the workspace: plain columns and decoded geometries."""

    columns: dict[str, list[Any]] = field(default_factory=dict)
    geometry: "np.ndarray | None" = None

    def __len__(self) -> int:
        if self.columns:
            return len(next(iter(self.columns.values())))
        return 0 if self.geometry is None else len(self.geometry)

    def __getitem__(self, name: str) -> list[Any]:
        return self.columns[name]

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def to_frame(self) -> "pd.DataFrame":
        """A pandas DataFrame, or a GeoDataFrame in EPSG:27700 if the table has geometry."""
        import pandas as pd

        df = pd.DataFrame(self.columns)
        if self.geometry is None:
            return df
        import geopandas as gpd

        return gpd.GeoDataFrame(df, geometry=list(self.geometry), crs=CRS)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk read, and set back as it was.

    Reading a large table makes millions of row tuples and values at once;
    each of the collector's passes over them (one every few hundred
    thousand new objects) goes over all the objects alive, and reading a
    million assets took 2.4 times as long with it running. A read makes no
    reference cycles, so nothing is left for the collector afterwards. An
    import of a table read whole (:mod:`asset_map.inputs.asset_import`) is
    run with it paused too (any cycles it makes are collected after).
    """
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


#: How many of a column's first cells are looked at to judge whether its text repeats (:func:`mostly_distinct`).
REPEAT_SAMPLE = 10_000


def mostly_distinct(n_distinct: int, n: int) -> bool:
    """Whether a column of ``n`` cells, ``n_distinct`` of them distinct, is more than 90% distinct (names,
    ids, coordinates): not worth sharing its text (:func:`shared_repeats`,
    :func:`asset_map.inputs.csv_columns.read_columns`)."""
    return n_distinct > 0.9 * n


def shared_repeats(values: list[Any]) -> list[Any]:
    """``values`` (a column just read) with equal text cells made one object, in place, when many cells repeat
    another (categories, area codes, units: a million cells read from a database are a million strings,
    about 60 MB; shared, a few thousand). Judged on the first :data:`REPEAT_SAMPLE` cells
    (:func:`mostly_distinct`: names and ids are left as read). Later steps that group such a column by its
    values (:func:`asset_map.analysis.arrays.distinct`) then compare objects by identity, which is faster too."""
    sample = values[:REPEAT_SAMPLE]
    try:
        seen = set(sample)
        if mostly_distinct(len(seen), len(sample)) or not any(isinstance(v, str) for v in seen):
            return values
        # Text only: a number is never equal to text, so numbers (1 and 1.0 and True are equal) stay as read.
        memo = {v: v for v in set(values) if type(v) is str}
    except (TypeError, ValueError):  # a value that cannot be a dictionary key (a writable memoryview): as read
        return values
    values[:] = map(memo.get, values, values)
    return values


def release_arrow_memory() -> None:
    """Give the memory pyarrow's allocator keeps for reuse back to the system, after a step that made and
    dropped large Arrow arrays (reading a national CSV left 190 MB held this way)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def empty_layer_frame(name: str, columns: dict[str, str]) -> "pd.DataFrame":
    """An empty frame with typed columns, so an empty layer still has its schema."""
    import pandas as pd

    df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    if name in SPATIAL_LAYERS:
        import geopandas as gpd

        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    return df



class StoreWriter(Protocol):
    """The changes a store's transaction accepts."""

    def write(self, name: str, frame: "pd.DataFrame") -> None: ...
    def append(self, name: str, frame: "pd.DataFrame") -> None: ...
    def delete(self, name: str, where: str, params: tuple = ()) -> int: ...
    def index(self, name: str, column: str) -> None: ...
    def put_state(self, key: str, value: bytes | None, derived_at: int) -> None: ...


class Store(Protocol):
    """What a workspace store offers: a GeoPackage file (:mod:`.gpkg`) or a PostGIS schema (:mod:`.postgis`)."""

    @property
    def location(self) -> str: ...
    def exists(self) -> bool: ...
    def layers(self) -> list[str]: ...
    def count(self, name: str) -> int | None: ...
    def read(self, name: str, *, where: str | None = None, params: tuple = (),
             columns: list[str] | None = None, exclude: Sequence[str] = ()) -> Table | None: ...
    def state(self, key: str) -> tuple[int, bytes] | None: ...
    def changes(self) -> int: ...
    def lock(self, timeout: float | None = None) -> "Iterator[None]": ...
    def transaction(self) -> "Iterator[StoreWriter]": ...
