"""The import run: read an asset list, prepare its rows, and write them with the import's log.

:func:`import_assets` reads the list (a file, a directory feed or an Open
Referral UK API), maps its categories and locates its rows
(:func:`asset_map.inputs.importer.prepare_assets`), puts the assets in place
of those of an earlier import of the same source, applies the recorded merges
again, checks for duplicates, and writes the assets and the log
(:mod:`asset_map.inputs.import_log`) in one transaction. A CSV file too large
to hold is imported in chunks instead (:mod:`asset_map.inputs.chunked_import`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .import_log import write_import_log
from .stored import assets_frame

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.category_map import CategoryMap
    from ..categories.taxonomy import Taxonomy
    from ..store import Store
    from .import_options import ImportOptions
    from .importer import ImportResult
    from .feed_import import FeedRows


def import_assets(store: "Store", path: str | Path, options: "ImportOptions", *, taxonomy: "Taxonomy",
                  areas: "gpd.GeoDataFrame | None") -> "ImportResult":
    """Import the asset list ``path`` into ``store`` (see :class:`~asset_map.inputs.import_options.ImportOptions`).

    The caller holds the store's lock. Nothing is written with ``options.dry_run``.
    """
    from ..store.base import paused_gc

    _check_crosswalk(options.crosswalk)
    options.step("reading")
    table, feed = _read(store, path, options, taxonomy)
    cache_rows: list[dict] = []
    finder = _postcode_finder(store, options, cache_rows)
    category_map = _category_map(options.category_map, taxonomy)
    if table is None:
        from .chunked_import import import_in_chunks
        from .csv_reader import CHUNK_ROWS

        result = import_in_chunks(store, path, options.chunk_rows or CHUNK_ROWS, options, taxonomy=taxonomy,
                                  areas=areas, finder=finder, category_map=category_map, cache_rows=cache_rows)
    else:  # the table is whole in memory: the collector paused while its rows become assets (:func:`paused_gc`)
        with paused_gc():
            result = _prepare(table, feed, options, taxonomy=taxonomy, areas=areas, finder=finder,
                              category_map=category_map)
            options.step("checking for duplicates")
            assets = _with_stored(store, result)
            if not options.dry_run:
                _write(store, result, assets, path, options, feed, cache_rows)
    if feed is None and options.crosswalk is not None:
        result.notes.append(f"--crosswalk {Path(options.crosswalk).name} was not used: a crosswalk maps the "
                            "taxonomy terms of a directory feed, and this list is a table (its categories are "
                            "matched through the taxonomy)")
    warning = result.nothing_imported(options.dry_run)
    if warning:
        result.warnings.append(warning)
    return result


def _check_crosswalk(crosswalk: str | Path | None) -> None:
    """Refuse a ``--crosswalk`` that names no file, before anything is read."""
    from ..errors import InputFileError

    if crosswalk is None:
        return
    p = Path(crosswalk)
    if not p.exists():
        raise InputFileError(f"{p}: no such file (given as --crosswalk); give the crosswalk CSV "
                             "(vocabulary,term_id,term_name,category) or leave out --crosswalk")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder (given as --crosswalk); give the crosswalk CSV file")


def _read(store: "Store", path: str | Path, options: "ImportOptions", taxonomy: "Taxonomy"):
    """The list's rows and, for a directory feed, the feed; ``(None, None)`` for a CSV file read in chunks."""
    from .chunked_import import large_csv
    from .oruk import looks_like_feed
    from .readers import check_read_options, read_input

    if options.url is None:
        check_read_options(path, sheet=options.sheet, layer=options.layer)
    if options.url is not None or looks_like_feed(path):
        feed = _read_feed(store, path, options, taxonomy)
        return feed.table, feed
    if options.chunk_rows or large_csv(path):
        return None, None
    return read_input(path, sheet=options.sheet, layer=options.layer, encoding=options.encoding,
                      crs=options.crs), None


def _read_feed(store: "Store", path: str | Path, options: "ImportOptions", taxonomy: "Taxonomy") -> "FeedRows":
    """Read a feed file, package or API into asset rows (:func:`asset_map.inputs.feed_import.feed_rows`)."""
    from ..categories.crosswalk import load_crosswalk
    from .feed_import import STALE_DAYS, feed_rows
    from .oruk import feed_from_pages, read_feed

    if options.url is not None:
        from .feed_fetch import fetch_feed

        progress = options.progress
        fetched = fetch_feed(options.url, cache_dir=_feed_cache(store, options.cache_dir), progress=(
            lambda done, total: progress("fetching pages", done, total)) if progress else None)
        feed = feed_from_pages(fetched.pages, source=str(path))
    else:
        feed = read_feed(path)
    return feed_rows(feed, load_crosswalk(options.crosswalk, taxonomy), include_inactive=options.include_inactive,
                     stale_days=STALE_DAYS if options.stale_days is None else options.stale_days)


def _feed_cache(store: "Store", cache_dir: str | Path | None) -> Path:
    """Where fetched feed pages wait until the import that uses them is written."""
    if cache_dir:
        return Path(cache_dir)
    return Path(store.side_path(".feed-cache"))


def _postcode_finder(store: "Store", options: "ImportOptions", cache_rows: list[dict]):
    """How the import locates postcodes: the stored lookup (which knows what it covers), and with ``online``
    the cache and the service, which covers the whole country (whose new answers are added to ``cache_rows``)."""
    from .postcode_finder import LookupFinder, online_finder

    if not options.online:
        return LookupFinder(store)
    from .postcodes_online import DEFAULT_URL

    url = options.online if isinstance(options.online, str) else DEFAULT_URL
    return online_finder(store, url, options.timeout, cache_rows, options.progress)


def _category_map(category_map: "str | Path | CategoryMap | None", taxonomy: "Taxonomy") -> "CategoryMap | None":
    """The category map, read from its file when a path is given."""
    if category_map is None or hasattr(category_map, "lookup"):
        return category_map
    from ..categories.category_map import read_category_map

    return read_category_map(category_map, taxonomy)


def _prepare(table, feed, options: "ImportOptions", *, taxonomy, areas, finder, category_map) -> "ImportResult":
    """The list's assets and rejects (:func:`asset_map.inputs.importer.prepare_assets`), a feed's
    details added."""
    from .import_review import unapplied_row_decisions
    from .importer import prepare_assets

    result = prepare_assets(
        table, taxonomy, areas=areas, column_overrides=options.columns, categories=options.categories,
        source=options.source, find_postcodes=finder, category_map=category_map, use_inferred=options.use_inferred,
        progress=options.progress, reject_outside_lookup=options.reject_outside_lookup,
    )
    moved = unapplied_row_decisions(table, result.columns.get("name"), category_map)
    result.notes += [moved] if moved else []
    if feed is not None:
        result.assets = feed.decorate(result.assets)
        result.feed = feed.report
    return result


def _with_stored(store: "Store", result: "ImportResult") -> "gpd.GeoDataFrame":
    """Every asset after the import: the other sources' stored assets and this list's, merges applied again.

    This list's ids already used by another source are prefixed with its
    source (``source:id``); ``result`` gets the counts replaced and merged
    again, and the likely duplicates of its assets.
    """
    import pandas as pd

    from .duplicates import apply_merges, find_duplicates

    old_assets = assets_frame(store)
    if old_assets is not None:
        same = old_assets["source"] == result.source
        result.replaced = int(same.sum())
        kept = old_assets[~same]
        taken = set(kept["asset_id"])
        result.assets["asset_id"] = [f"{result.source}:{a}" if a in taken else a for a in result.assets["asset_id"]]
        new_assets = pd.concat([kept, result.assets], ignore_index=True)
    else:
        new_assets = result.assets
    new_assets, result.merged_again = apply_merges(new_assets, store.read("merges"))
    result.duplicates = find_duplicates(new_assets, only_ids=result.assets["asset_id"])
    return new_assets


def _write(store: "Store", result: "ImportResult", assets: "gpd.GeoDataFrame", path: str | Path,
           options: "ImportOptions", feed, cache_rows: list[dict]) -> None:
    """Write every asset and the import's log in one transaction; then drop the pages fetched from an API."""
    options.step("writing")
    with store.transaction() as tx:
        tx.write("assets", assets)
        write_import_log(store, tx, result, path, options.url, feed, cache_rows)
    if options.url is not None:  # the import is written: the next fetch must see the directory as it is then
        import shutil

        shutil.rmtree(_feed_cache(store, options.cache_dir), ignore_errors=True)
