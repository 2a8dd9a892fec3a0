"""The options of an asset import (:func:`asset_map.inputs.asset_import.import_assets`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..categories.category_map import CategoryMap
    from .importer import Progress


@dataclass(frozen=True)
class ImportOptions:
    """How to read, categorise, locate and write an asset list.

    A JSON file of an Open Referral UK feed (v1 or v3), or a folder or
    zip of HSDS CSV files, is recognised and read as a directory feed
    (:mod:`asset_map.inputs.oruk`, :mod:`asset_map.inputs.feed_import`).

    Parameters
    ----------
    columns
        ``{field: column}`` overrides for the detected columns.
    categories
        Categories applied to every row.
    source
        The name the import is known by (default: the file name); importing
        again under the same name replaces the earlier import.
    sheet, layer, encoding
        The sheet of a workbook, the layer of a spatial file, the encoding of a text file.
    crs
        Coordinate system of a spatial file that has none, e.g. ``"EPSG:27700"``.
    dry_run
        Check and report without writing anything.
    online
        Locate postcodes that the workspace's lookup (if any) lacks with
        the online postcode service (postcodes.io; a string gives another
        base URL that speaks its bulk API). Answers are cached in the
        workspace, so each postcode is asked for once.
    timeout
        Seconds to wait for each request to the postcode service.
    category_map
        A category map file (or a read :class:`~asset_map.categories.category_map.CategoryMap`)
        deciding category words the taxonomy does not know.
    use_inferred
        Which categories suggested by the name and description of a row
        with no known category become its categories (marked ``inferred``):
        ``None`` (the default) the suggestions whose confidence is at least
        :data:`asset_map.categories.inference.DEFAULT_USE_CONFIDENCE`; ``True``
        every suggestion; ``False`` none (they are only recorded).
    url
        Base URL of an Open Referral UK API to read the services from
        (``path`` is then only the name the import is known by).
    crosswalk
        A crosswalk CSV from feed taxonomy terms to categories, instead
        of the one shipped (:mod:`asset_map.categories.crosswalk`).
    include_inactive
        Import inactive and defunct services of a feed too.
    stale_days
        A feed's service not verified for longer than this is flagged
        stale (default 730).
    cache_dir
        Where pages fetched from ``url`` are kept, so an interrupted
        fetch resumes (default: a folder beside the workspace).
    progress
        Called as ``progress(step, done, total)`` as the import goes on
        (``total`` is 0 for a step whose size is unknown).
    reject_outside_lookup
        Reject the rows whose well-formed postcode lies outside the loaded
        local postcode lookup's coverage, instead of keeping them as
        operating in the study area with their location unknown.
    chunk_rows
        Read and write a CSV file this many rows at a time, so that a file
        larger than memory can be imported (:mod:`asset_map.inputs.chunked_import`).
        CSV files over :data:`asset_map.inputs.csv_reader.CHUNK_BYTES` are imported
        in chunks of :data:`asset_map.inputs.csv_reader.CHUNK_ROWS` rows anyway.
    """

    columns: dict[str, str] | None = None
    categories: list[str] | None = None
    source: str | None = None
    sheet: str | None = None
    layer: str | None = None
    encoding: str | None = None
    crs: str | None = None
    dry_run: bool = False
    online: bool | str = False
    timeout: float = 10.0
    category_map: "str | Path | CategoryMap | None" = None
    use_inferred: bool | None = None
    url: str | None = None
    crosswalk: str | Path | None = None
    include_inactive: bool = False
    stale_days: int | None = None
    cache_dir: str | Path | None = None
    progress: "Progress | None" = None
    chunk_rows: int | None = None
    reject_outside_lookup: bool = False

    def step(self, name: str) -> None:
        """Report the start of a step whose size is unknown."""
        if self.progress is not None:
            self.progress(name, 0, 0)
