"""The library API: a workspace and what can be done with it.

>>> import asset_map
>>> ws = asset_map.Workspace("trafford.gpkg")
>>> ws.load_boundaries("localities.geojson", name_field="area_name",
...                    population_csv="lsoa_population.csv", small_areas="lsoa.geojson")
>>> result = ws.import_assets("assets.csv")
>>> report = ws.gaps(area="North")
>>> report.to_frame()

Nothing here prints or exits: results are returned, problems raised as
:class:`asset_map.errors.AssetMapError`. Every change is one all-or-nothing
transaction on the store (:mod:`asset_map.store`).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .errors import WorkspaceError
from .store import open_store
from .categories.taxonomy import Taxonomy, load_taxonomy

#: What an import in chunks keeps of each asset (:meth:`Workspace._import_in_chunks`): the text columns
#: as categoricals (their values repeat), and the point as two floats.
SLIM_TEXT_COLUMNS = ["asset_id", "name", "postcode"]
SLIM_REPEATED_COLUMNS = ["categories", "area_code", "location_status", "located_by", "source", "category_source",
                         "inferred", "merged_into"]
SLIM_ASSET_COLUMNS = SLIM_TEXT_COLUMNS + SLIM_REPEATED_COLUMNS + ["source_row", "geometry"]
MB = 1 << 20
#: Asset columns that gaps and what-ifs never look at: not read for them (at national scale, most of the time).
UNUSED_BY_GAPS = ("description", "address", "category_text", "inferred", "category_source", "located_by",
                  "postcode", "source_row")
#: Lookup columns indexed when their tables are written.
_INDEXES = (("postcodes", "postcode"), ("postcode_cache", "postcode"))

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from .inputs.boundaries import BoundaryResult
    from .categories.category_map import CategoryMap
    from .inputs.duplicates import DuplicateGroup
    from .analysis.gaps import GapReport
    from .inputs.importer import ImportResult
    from .inputs.progress import Progress
    from .inputs.postcodes import PostcodeLookup
    from .categories.filters import AssetFilter
    from .analysis.need import NeedIndicator
    from .inputs.population_layer import PopulationLayerResult
    from .analysis.whatif import WhatIf
    from .store import Table

IMPORT_COLUMNS = {
    "import_id": "int64", "source": "str", "path": "str", "sha256": "str", "imported_at": "str",
    "rows_read": "int64", "imported": "int64", "outside": "int64", "uncategorised": "int64",
    "rejected": "int64", "replaced": "int64", "columns": "str", "unknown_words": "str",
}

#: Columns of the ``postcode_cache`` table: answers of the online postcode service.
CACHE_COLUMNS = {"postcode": "str", "x": "float64", "y": "float64", "terminated": "str", "looked_up_at": "str"}
#: ``terminated`` value of a cached postcode the service did not know.
NOT_FOUND = "not found"


def _changes(method):
    """Run a method that changes the workspace holding its lock (:meth:`GeoPackageStore.lock`), so that
    two commands changing one workspace at once both land instead of one overwriting the other."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if kwargs.get("dry_run"):
            return method(self, *args, **kwargs)
        with self.store.lock():
            return method(self, *args, **kwargs)

    return wrapper


class Workspace:
    """A project's workspace: a GeoPackage file, or a schema of a PostGIS database.

    Parameters
    ----------
    location
        Path of the workspace, or ``postgresql://USER@HOST/DATABASE?schema=NAME``
        (see :mod:`asset_map.store.postgis`); defaults to
        ``$ASSET_MAP_WORKSPACE`` or ``./asset-map.gpkg``. It is created by the
        first command that writes.
    """

    def __init__(self, location: str | os.PathLike | None = None) -> None:
        self.store = open_store(location)

    def __repr__(self) -> str:
        return f"Workspace({self.store.location!r})"

    @property
    def location(self) -> str:
        return self.store.location

    # ------------------------------------------------------------------ reading
    def table(self, name: str) -> "Table | None":
        """A layer or table as plain columns (see :class:`asset_map.store.Table`)."""
        return self.store.read(name)

    def frame(self, name: str) -> "pd.DataFrame | None":
        """A layer or table as a (Geo)DataFrame, or ``None`` if the workspace lacks it."""
        t = self.store.read(name)
        return None if t is None else t.to_frame()

    def areas(self) -> "gpd.GeoDataFrame | None":
        return self.frame("areas")

    def assets(self) -> "gpd.GeoDataFrame | None":
        assets = self.frame("assets")
        if assets is not None and "capacity" in assets.columns:
            import pandas as pd

            # A column with no value at all reads back untyped: keep it numeric.
            assets["capacity"] = pd.to_numeric(assets["capacity"], errors="coerce").astype(float)
        return assets

    def rejects(self) -> "pd.DataFrame | None":
        return self.frame("rejects")

    def imports(self) -> "pd.DataFrame | None":
        return self.frame("imports")

    def taxonomy(self) -> Taxonomy:
        """The workspace's taxonomy, or the default one if none is stored yet."""
        t = self.store.read("categories")
        if t is None:
            return load_taxonomy()
        rows = [dict(zip(t.columns, vals)) for vals in zip(*t.columns.values())]
        return Taxonomy.from_rows(rows, source=f"{self.location} (categories)")

    def copy_to(self, location: str | os.PathLike) -> dict[str, int]:
        """Copy every layer and table of this workspace into an empty one (another GeoPackage or a PostGIS schema).

        Moves a study from a GeoPackage to a shared database and back. Returns
        the rows copied per table; the copy is all-or-nothing.

        Raises
        ------
        WorkspaceError
            If this workspace does not exist or the target already holds a workspace.
        """
        target = Workspace(location)
        if not self.store.exists():
            raise WorkspaceError(f"{self.location}: no workspace here to copy; pass --workspace")
        with target.store.lock():
            if target.store.layers():
                raise WorkspaceError(
                    f"{target.location}: already holds a workspace ({', '.join(target.store.layers())}); "
                    "copy into a new file or an empty schema"
                )
            counts: dict[str, int] = {}
            with target.store.transaction() as tx:
                for name in self.store.layers():
                    table = self.store.read(name)
                    tx.write(name, table.to_frame())
                    counts[name] = len(table)
                for name, column in _INDEXES:
                    if name in counts:
                        tx.index(name, column)
        return counts

    def status(self) -> dict[str, Any]:
        """Counts of what the workspace holds."""
        out: dict[str, Any] = {"workspace": self.location, "exists": self.store.exists()}
        for name in ("areas", "population", "need", "assets", "rejects", "imports", "postcodes", "postcode_cache",
                     "unlocated"):
            out[name] = self.store.count(name) or 0
        assets = self.store.read("assets")
        if assets is not None and len(assets):
            from .inputs.duplicates import active

            out["assets_merged"] = len(assets) - len(active(assets))
            out["assets"] = len(assets) - out["assets_merged"]
            assets = active(assets)
            statuses = assets["location_status"]
            out["assets_outside"] = sum(1 for s in statuses if s == "outside")
            out["assets_uncategorised"] = sum(1 for c in assets["categories"] if not c)
        return out

    # ------------------------------------------------------------------ writing
    @_changes
    def load_boundaries(self, path: str | Path, **options: Any) -> "BoundaryResult":
        """Load areas (see :func:`asset_map.inputs.boundaries.load_boundaries` for the options).

        ``study_names``: the study area's own names and codes ("Trafford",
        "E08000009"), so that services serving it count as serving every area
        (:mod:`asset_map.categories.served`); replaces those given before.

        Replaces the areas and re-assigns every stored asset to the new areas.
        With ``small_areas`` the population layer is replaced too. Without
        any population option a population layer loaded before is kept,
        counted in the new areas, and gives them their population; when the
        areas bring their own population (``population_field`` or
        ``population_csv`` alone) the old layer no longer matches and is removed.
        """
        from .inputs.boundaries import load_boundaries
        from .inputs.importer import assign_assets

        study_names = [n.strip() for n in options.pop("study_names", None) or [] if n and n.strip()]
        result = load_boundaries(path, **options)
        assets = self.assets()
        old_layer = None
        drop_layer = False
        if result.small_areas is None and self.store.count("population"):
            if "all_ages" in result.areas.columns:
                drop_layer = True
                result.warnings.append("the population layer loaded before was removed, as these areas bring "
                                       "their own population; load it again with `asset-map population load`")
            else:
                from .inputs.population_layer import attach_to_areas

                old_layer = self.frame("population")
                old_layer, result.areas, more = attach_to_areas(old_layer, result.areas, "the population layer")
                result.warnings += more
        with self.store.transaction() as tx:
            tx.write("areas", result.areas)
            if result.small_areas is not None:
                tx.write("population", result.small_areas)
            elif old_layer is not None:
                tx.write("population", old_layer)
            elif drop_layer:
                tx.write("population", _empty_population())
            if assets is not None:
                tx.write("assets", assign_assets(assets, result.areas))
            if study_names:  # kept from an earlier load when none are given
                tx.write("settings", _settings_frame({"study_name": study_names}))
            self._ensure_taxonomy(tx)
        return result

    def study_names(self) -> set[str]:
        """The study area's own names and codes (lower case) given with ``study_names`` when the
        boundaries were loaded: a service serving one of them serves every area."""
        t = self.store.read("settings")
        if t is None:
            return set()
        return {str(v).strip().lower() for k, v in zip(t["key"], t["value"]) if k == "study_name" and v}

    @_changes
    def load_population(self, path: str | Path, **options: Any) -> "PopulationLayerResult":
        """Load the population layer: small areas with population by age.

        See :func:`asset_map.inputs.population_layer.load_population_layer` for the
        options. Replaces any population layer loaded before, and the areas'
        population becomes the sum of their small areas'.
        """
        from .inputs.population_layer import load_population_layer

        areas = self.areas()
        if areas is None:
            raise WorkspaceError(
                f"{self.location}: no areas loaded; run `asset-map boundaries load FILE` first"
            )
        result = load_population_layer(path, areas, **options)
        with self.store.transaction() as tx:
            tx.write("areas", result.areas)
            tx.write("population", result.small_areas)
        return result

    @_changes
    def load_need(self, path: str | Path, **options: Any) -> "NeedIndicator":
        """Load a need indicator by small-area code (or area code): it then weights the gaps' priority.

        See :func:`asset_map.inputs.need.read_need_csv` for the options. Replaces any
        indicator loaded before. The codes are matched against the population
        layer's small areas, or the areas when there is no layer; the notes
        say how many matched.

        Raises
        ------
        InputFileError
            If no code matches the workspace (a different geography or year).
        """
        from .errors import InputFileError
        from .inputs.need import read_need_csv

        indicator = read_need_csv(path, **options)
        layer = self.frame("population")
        if layer is not None and len(layer):
            codes, where = [str(c) for c in layer["code"]], "small areas of the population layer"
        else:
            areas = self.areas()
            if areas is None:
                raise WorkspaceError(
                    f"{self.location}: no areas loaded; run `asset-map boundaries load FILE` first"
                )
            codes, where = [str(c) for c in areas["area_code"]], "areas"
        matched = sum(1 for c in codes if c in indicator.values)
        if matched == 0:
            hint = ("; if its codes are small areas (LSOAs), load them first with `asset-map population load`"
                    if where == "areas" else "")
            raise InputFileError(
                f"{path}: none of its {len(indicator.values)} codes is one of the {len(codes)} {where} "
                f"(e.g. {codes[0]!r}); use an indicator for the same geography and census year{hint}"
            )
        indicator.notes.append(f"{matched} of {len(codes)} {where} have a value"
                               + ("" if matched == len(codes) else "; the others count as average need"))
        indicator.notes.append(
            f"{indicator.name!r}: {'higher' if indicator.higher_is_more_need else 'lower'} values mean more need")
        with self.store.transaction() as tx:
            tx.write("need", indicator.frame())
        return indicator

    def need(self) -> "NeedIndicator | None":
        """The need indicator loaded, if any."""
        from .analysis.need import NeedIndicator

        return NeedIndicator.from_frame(self.frame("need"))

    @_changes
    def load_postcodes(self, paths: "str | Path | list[str | Path]") -> "PostcodeLookup":
        """Store a postcode lookup (ONSPD, Code-Point Open or any postcode CSV), replacing any before.

        Imports then locate rows that have a postcode and no coordinates at
        the postcode's centroid. See :mod:`asset_map.inputs.postcodes`.
        """
        from .inputs.postcodes import read_postcode_lookup

        lookup = read_postcode_lookup(paths)
        with self.store.transaction() as tx:
            tx.write("postcodes", lookup.table)
            tx.index("postcodes", "postcode")
            self._ensure_taxonomy(tx)
        return lookup

    def find_postcodes(self, postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]] | None":
        """``{postcode: (x, y, terminated)}`` for the given standard-form postcodes found in the lookup.

        ``None`` when no postcode lookup is loaded. ``x``/``y`` are NaN for a
        postcode the lookup has no grid reference for.
        """
        if self.store.count("postcodes") is None:
            return None
        return self._read_postcodes("postcodes", postcodes)

    def _read_postcodes(self, table: str, postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]]":
        """The rows of a postcode table (``postcodes`` or ``postcode_cache``) for these postcodes."""
        wanted = sorted(set(postcodes))
        found: dict[str, tuple[float, float, str]] = {}
        if self.store.count(table) is None:
            return found
        for start in range(0, len(wanted), 500):
            chunk = tuple(wanted[start:start + 500])
            t = self.store.read(table, where=f"postcode IN ({','.join('?' * len(chunk))})", params=chunk)
            for pc, x, y, term in zip(t["postcode"], t["x"], t["y"], t["terminated"]):
                found[pc] = (float("nan") if x is None else x, float("nan") if y is None else y, term or "")
        return found

    def _feed_cache(self, cache_dir: str | Path | None) -> Path:
        """Where fetched feed pages wait until the import that uses them is written."""
        if cache_dir:
            return Path(cache_dir)
        return Path(self.store.side_path(".feed-cache"))

    def _read_feed(self, path, url, taxonomy, *, crosswalk, include_inactive, stale_days, cache_dir, progress):
        """Read a feed file, package or API into asset rows (:func:`asset_map.inputs.feed_import.feed_rows`)."""
        from .categories.crosswalk import load_crosswalk
        from .inputs.feed_import import STALE_DAYS, feed_rows
        from .inputs.oruk import feed_from_pages, read_feed

        if url is not None:
            from .inputs.feed_fetch import fetch_feed

            cache = self._feed_cache(cache_dir)
            fetched = fetch_feed(url, cache_dir=cache, progress=(lambda done, total: progress(
                "fetching pages", done, total)) if progress else None)
            feed = feed_from_pages(fetched.pages, source=str(path))
        else:
            feed = read_feed(path)
        return feed_rows(feed, load_crosswalk(crosswalk, taxonomy), include_inactive=include_inactive,
                         stale_days=STALE_DAYS if stale_days is None else stale_days)

    def _online_finder(self, base_url: str, timeout: float, new_rows: list[dict], progress=None):
        """A ``find_postcodes`` that asks the online service for what the lookup and the cache lack.

        Answers, "not found" included, are appended to ``new_rows`` for the
        caller to store in the ``postcode_cache`` table with the import.
        """
        from datetime import datetime, timezone

        from .inputs.postcodes_online import lookup_postcodes_online

        def find(postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]]":
            wanted = set(postcodes)
            found = self.find_postcodes(wanted) or {}
            cached = self._read_postcodes("postcode_cache", wanted - set(found))
            found.update({pc: v for pc, v in cached.items() if v[2] != NOT_FOUND})
            ask = sorted(wanted - set(found) - set(cached))
            if not ask:
                return found
            answer = lookup_postcodes_online(
                ask, base_url=base_url, timeout=timeout,
                progress=(lambda done, total: progress("looking up postcodes online", done, total))
                if progress else None,
            )
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            for pc, (x, y, term) in answer.found.items():
                new_rows.append({"postcode": pc, "x": x, "y": y, "terminated": term, "looked_up_at": now})
            for pc in sorted(answer.not_found):
                new_rows.append({"postcode": pc, "x": float("nan"), "y": float("nan"), "terminated": NOT_FOUND,
                                 "looked_up_at": now})
            found.update(answer.found)
            return found

        return find

    @_changes
    def load_taxonomy(self, path: str | Path) -> Taxonomy:
        """Replace the workspace's taxonomy and re-map every stored asset's category words."""
        taxonomy = load_taxonomy(path)
        assets = self.assets()
        with self.store.transaction() as tx:
            tx.write("categories", _taxonomy_frame(taxonomy))
            if assets is not None and len(assets):
                assets = assets.copy()
                assets["categories"] = [_recategorise(taxonomy, row) for row in assets.to_dict("records")]
                # Merged assets gave their categories to the kept one: give them again.
                from .inputs.duplicates import apply_merges

                assets["merged_into"] = ""
                assets, _ = apply_merges(assets, self.store.read("merges"))
                tx.write("assets", assets)
        return taxonomy

    @_changes
    def import_assets(
        self,
        path: str | Path,
        *,
        columns: dict[str, str] | None = None,
        categories: list[str] | None = None,
        source: str | None = None,
        sheet: str | None = None,
        layer: str | None = None,
        encoding: str | None = None,
        crs: str | None = None,
        dry_run: bool = False,
        online: bool | str = False,
        timeout: float = 10.0,
        category_map: "str | Path | CategoryMap | None" = None,
        use_inferred: bool = False,
        url: str | None = None,
        crosswalk: str | Path | None = None,
        include_inactive: bool = False,
        stale_days: int | None = None,
        cache_dir: str | Path | None = None,
        progress: "Progress | None" = None,
        chunk_rows: int | None = None,
    ) -> "ImportResult":
        """Import an asset list.

        Re-importing a file with the same source name (the file name unless
        ``source`` is given) replaces the assets and rejects of the earlier
        import instead of adding to them.

        Parameters
        ----------
        columns
            ``{field: column}`` overrides for the detected columns.
        categories
            Categories applied to every row.
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
            Categorise rows that have no known category by the categories
            their name and description suggest (marked ``inferred``).
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

        A JSON file of an Open Referral UK feed (v1 or v3), or a folder or
        zip of HSDS CSV files, is recognised and read as a directory feed
        (:mod:`asset_map.inputs.oruk`, :mod:`asset_map.inputs.feed_import`).
        progress
            Called as ``progress(step, done, total)`` as the import goes on
            (``total`` is 0 for a step whose size is unknown).
        chunk_rows
            Read and write a CSV file this many rows at a time, so that a file
            larger than memory can be imported (:meth:`_import_in_chunks`).
            CSV files over :data:`asset_map.inputs.readers.CHUNK_BYTES` are imported
            in chunks of :data:`asset_map.inputs.readers.CHUNK_ROWS` rows anyway.
        """
        import pandas as pd

        from .inputs.duplicates import apply_merges, find_duplicates
        from .inputs.importer import prepare_assets
        from .inputs.oruk import looks_like_feed
        from .inputs.readers import read_input

        def step(name: str) -> None:
            if progress is not None:
                progress(name, 0, 0)

        step("reading")
        taxonomy = self.taxonomy()
        feed = None
        if url is not None or looks_like_feed(path):
            feed = self._read_feed(path, url, taxonomy, crosswalk=crosswalk, include_inactive=include_inactive,
                                   stale_days=stale_days, cache_dir=cache_dir, progress=progress)
            table = feed.table
        elif chunk_rows or _large_csv(path):
            table = None
        else:
            table = read_input(path, sheet=sheet, layer=layer, encoding=encoding, crs=crs)
        areas = self.areas()
        cache_rows: list[dict] = []
        finder = self.find_postcodes
        if online:
            from .inputs.postcodes_online import DEFAULT_URL

            finder = self._online_finder(online if isinstance(online, str) else DEFAULT_URL, timeout, cache_rows,
                                         progress)
        if category_map is not None and not hasattr(category_map, "lookup"):
            from .categories.category_map import read_category_map

            category_map = read_category_map(category_map, taxonomy)
        if table is None:
            from .inputs.csv_reader import CHUNK_ROWS

            return self._import_in_chunks(
                path, chunk_rows or CHUNK_ROWS, taxonomy=taxonomy, areas=areas, columns=columns,
                categories=categories, source=source, encoding=encoding, finder=finder, category_map=category_map,
                use_inferred=use_inferred, dry_run=dry_run, progress=progress, cache_rows=cache_rows)
        result = prepare_assets(
            table, taxonomy, areas=areas, column_overrides=columns, categories=categories, source=source,
            find_postcodes=finder, category_map=category_map, use_inferred=use_inferred, progress=progress,
        )
        if feed is not None:
            result.assets = feed.decorate(result.assets)
            result.feed = feed.report
        step("checking for duplicates")
        old_assets = self.assets()
        if old_assets is not None:
            same = old_assets["source"] == result.source
            result.replaced = int(same.sum())
            kept = old_assets[~same]
            taken = set(kept["asset_id"])
            result.assets["asset_id"] = [
                f"{result.source}:{a}" if a in taken else a for a in result.assets["asset_id"]
            ]
            new_assets = pd.concat([kept, result.assets], ignore_index=True)
        else:
            new_assets = result.assets
        new_assets, result.merged_again = apply_merges(new_assets, self.store.read("merges"))
        result.duplicates = find_duplicates(new_assets, only_ids=result.assets["asset_id"])
        if dry_run:
            return result
        step("writing")
        with self.store.transaction() as tx:
            tx.write("assets", new_assets)
            self._write_import_log(tx, result, path, url, feed, cache_rows)
        if url is not None:  # the import is written: the next fetch must see the directory as it is then
            import shutil

            shutil.rmtree(self._feed_cache(cache_dir), ignore_errors=True)
        return result

    def _import_in_chunks(self, path: str | Path, chunk_rows: int, *, taxonomy: Taxonomy, areas, columns,
                          categories, source, encoding, finder, category_map, use_inferred: bool, dry_run: bool,
                          progress, cache_rows: list[dict]) -> "ImportResult":
        """Import a CSV file ``chunk_rows`` rows at a time, in one transaction, never holding the whole file.

        Each chunk is read (:func:`asset_map.inputs.readers.read_csv_chunks`),
        prepared as a whole file is (:func:`asset_map.inputs.importer.prepare_assets`,
        with the columns found in the first chunk) and appended to the
        ``assets`` layer; the rows of an earlier import of the same source are
        deleted first. Only each asset's id, name, categories, place and
        status stay in memory, for the counts, the duplicates check and the
        summary (``result.assets`` holds those columns). Recorded merges are
        applied to the assets they name at the end. Progress is reported in
        MB of the file.
        """
        import pandas as pd

        from .inputs.duplicates import apply_merges, find_duplicates
        from .inputs.importer import ImportResult, prepare_assets
        from .inputs.csv_reader import read_csv_chunks

        src = source or Path(path).name
        old = self.store.read("assets", columns=["asset_id", "source"])
        replaced, kept_ids = 0, set()
        if old is not None:
            for aid, s in zip(old["asset_id"], old["source"]):
                if s == src:
                    replaced += 1
                else:
                    kept_ids.add(aid)
        del old
        merges = self.store.read("merges")
        merge_ids = set(merges["kept_id"]) | set(merges["merged_id"]) if merges is not None and len(merges) else set()
        total = ImportResult(source=src, path=str(path), rows_read=0, assets=None, rejects=[], columns={},
                             replaced=replaced)
        seen: set[str] = set()
        slim, held = [], []
        notes: list[str] = []
        step = "importing (MB of the file)"
        if progress is not None:
            progress(step, 0, 0)

        notes.append(f"read in chunks of {chunk_rows:,} rows ({-(-Path(path).stat().st_size // MB):,} MB); "
                     "a sample or column count shown is of the first chunk")

        def add(tx) -> None:
            overrides = columns
            for chunk in read_csv_chunks(path, encoding=encoding, rows=chunk_rows):
                total.table = total.table or chunk.table
                r = prepare_assets(chunk.table, taxonomy, areas=areas, column_overrides=overrides,
                                   categories=categories, source=src, find_postcodes=finder,
                                   category_map=category_map, use_inferred=use_inferred, seen_ids=seen)
                overrides = dict(r.columns)  # every chunk is read with the columns found in the first
                if kept_ids:
                    r.assets["asset_id"] = [f"{src}:{a}" if a in kept_ids else a for a in r.assets["asset_id"]]
                named = r.assets["asset_id"].isin(merge_ids)
                if named.any():
                    held.append(r.assets[named])
                if tx is not None and (~named).any():
                    tx.append("assets", r.assets[~named])
                if len(r.assets):
                    slim.append(_compact(r.assets))
                total.rows_read += r.rows_read
                total.rejects += r.rejects
                total.columns = total.columns or dict(r.columns)
                total.served_only += r.served_only
                for word, rows in r.unknown_words.items():
                    total.unknown_words.setdefault(word, []).extend(rows)
                total.suggestions.update(r.suggestions)
                for counts, more in ((total.ignored_words, r.ignored_words), (total.inferred, r.inferred)):
                    for k, v in more.items():
                        counts[k] = counts.get(k, 0) + v
                notes.extend(n for n in r.notes if n not in notes)
                if progress is not None:
                    progress(step, -(-chunk.bytes_done // MB), -(-chunk.bytes_total // MB))

        def finish() -> None:
            total.notes = notes
            total.assets = _uncompact(slim)
            slim.clear()
            total.rejects.sort(key=lambda r: r.row)

        ids = tuple(sorted(merge_ids))
        named = f"asset_id IN ({','.join('?' * len(ids))}) AND source <> ?"
        # The other lists' assets that recorded merges name, read before the transaction changes the table
        # (a database's reads wait for its writes).
        stored = self.store.read("assets", where=named, params=ids + (src,)) if ids else None
        if dry_run:
            add(None)
            finish()
        else:
            with self.store.transaction() as tx:
                tx.delete("assets", "source = ?", (src,))
                add(tx)
                finish()
                if merge_ids:  # recorded merges naming assets of this file or of others
                    frames = [f for f in [None if stored is None else stored.to_frame(), *held] if f is not None]
                    if frames:
                        group, total.merged_again = apply_merges(pd.concat(frames, ignore_index=True), merges)
                        tx.delete("assets", named, ids + (src,))
                        tx.append("assets", group)
                        merged = dict(zip(group["asset_id"], group["merged_into"]))
                        total.assets["merged_into"] = [merged.get(a, m) for a, m in
                                                       zip(total.assets["asset_id"], total.assets["merged_into"])]
                self._write_import_log(tx, total, path, None, None, cache_rows)
        existing = self.store.read("assets", columns=SLIM_ASSET_COLUMNS,
                                   where="source <> ?", params=(src,))
        everything = total.assets if existing is None else pd.concat([existing.to_frame(), total.assets],
                                                                     ignore_index=True)
        total.duplicates = find_duplicates(everything, only_ids=total.assets["asset_id"])
        return total

    def _write_import_log(self, tx, result: "ImportResult", path: str | Path, url: str | None, feed,
                          cache_rows: list[dict]) -> None:
        """Write an import's rejects, its line in ``imports``, rows kept without a location and postcode answers."""
        import pandas as pd

        from .inputs.importer import file_sha256, rejects_frame

        old_rejects = self.rejects()
        rejects = rejects_frame(result)
        if old_rejects is not None:
            rejects = pd.concat([old_rejects[old_rejects["source"] != result.source], rejects], ignore_index=True)
        imports = self.imports()
        log = pd.DataFrame([{
            "import_id": 1 if imports is None or not len(imports) else int(imports["import_id"].max()) + 1,
            "source": result.source, "path": url or str(Path(path).resolve()),
            "sha256": file_sha256(path) if url is None and Path(path).is_file() else "",
            "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "rows_read": result.rows_read, "imported": result.imported, "outside": result.outside,
            "uncategorised": result.uncategorised, "rejected": result.rejected, "replaced": result.replaced,
            "columns": json.dumps(result.columns), "unknown_words": json.dumps(result.unknown_words),
        }])
        log = log if imports is None else pd.concat([imports, log], ignore_index=True)
        tx.write("rejects", rejects.astype({"row": "int64"}))
        tx.write("imports", log.astype({c: t for c, t in IMPORT_COLUMNS.items() if t == "int64"}))
        if feed is not None or result.served_only or self.store.count("unlocated") is not None:
            from .inputs.feed_import import UNLOCATED_COLUMNS, unlocated_frame

            old = self.frame("unlocated")
            frames = [] if old is None else [old[old["source"] != result.source]]
            if feed is not None:
                frames.append(unlocated_frame(feed.report).assign(source=result.source))
            if result.served_only:
                frames.append(pd.DataFrame(result.served_only))
            tx.write("unlocated", pd.concat(frames, ignore_index=True).reindex(columns=list(UNLOCATED_COLUMNS)))
        if cache_rows:
            old_cache = self.frame("postcode_cache")
            cache = pd.DataFrame(cache_rows, columns=list(CACHE_COLUMNS))
            if old_cache is not None:
                cache = pd.concat([old_cache[~old_cache["postcode"].isin(cache["postcode"])], cache],
                                  ignore_index=True)
            tx.write("postcode_cache", cache)
            tx.index("postcode_cache", "postcode")
        self._ensure_taxonomy(tx)

    def _ensure_taxonomy(self, tx) -> None:
        if self.store.read("categories") is None:
            tx.write("categories", _taxonomy_frame(load_taxonomy()))

    # ------------------------------------------------------------------ analysis
    def gaps(self, *, area: str | None = None, category: str | None = None,
             stale_days: int | None = None, filters: "AssetFilter | None" = None) -> "GapReport":
        """Gap measures for every area × category, ranked by priority, with their confidence.

        ``area`` is an area code or name, ``category`` a category id, label
        or synonym; either narrows the rows returned (ranks stay those of the
        whole table). ``stale_days``: records verified longer ago than this
        lower the confidence (default 730). ``filters`` restricts which
        assets count (:mod:`asset_map.categories.filters`). See :mod:`asset_map.analysis.gaps`
        and :mod:`asset_map.analysis.confidence` for the definitions.
        """
        areas, taxonomy, codes, cat_ids = self._gap_inputs(area, category)
        from .inputs.duplicates import active
        from .analysis.gaps import compute_gaps

        everything = active(self.store.read("assets", exclude=UNUSED_BY_GAPS))
        assets, taxonomy, unlocated, notes, unknown = self._filtered(everything, taxonomy, filters)
        report = compute_gaps(areas, assets, taxonomy, self.store.read("population"), self.need(),
                              served=self._served(areas, assets, unlocated))
        report.notes[:0] = notes
        report = self._assess(report, areas, everything, stale_days, unknown)
        return report.select(areas=codes, categories=cat_ids)

    def _filtered(self, assets: "Table | None", taxonomy: Taxonomy, filters: "AssetFilter | None"):
        """The assets, taxonomy and services without a location that count under ``filters``, notes, and
        the (area, categories) of the assets left out because their lists do not say."""
        unlocated = self.store.read("unlocated")
        if filters is None or not filters.active:
            return assets, taxonomy, unlocated, [], []
        from dataclasses import replace

        from .categories.filters import apply_filter

        assets, report = apply_filter(assets, filters)
        notes = [report.note()]
        if unlocated is not None and len(unlocated):
            unlocated, without_place = apply_filter(unlocated, filters)
            notes.append("services without a location: " + without_place.note().split(": ", 1)[1])
        if filters.audience is not None:
            taxonomy = Taxonomy([replace(c, target=filters.audience) for c in taxonomy], source=taxonomy.source)
        return assets, taxonomy, unlocated, notes, report.unknown

    def _assess(self, report: "GapReport", areas: "Table", assets: "Table | None",
                stale_days: int | None, unknown: "list | tuple" = ()) -> "GapReport":
        """Add each row's finding and confidence (:mod:`asset_map.analysis.confidence`)."""
        from .analysis.confidence import STALE_DAYS, assess, gather, sector_areas

        from .analysis import confidence

        lookup = None
        if (self.store.count("postcodes") or 0) >= confidence.NATIONAL_LOOKUP:
            # "M32 0" up to "M32 0~": every postcode of the sector, through the postcode index.
            lookup = sector_areas(lambda d: self.store.read("postcodes", where="postcode >= ? AND postcode < ?",
                                                            params=(f"{d}", f"{d}~")), areas)
        days = STALE_DAYS if stale_days is None else stale_days
        ev = gather(areas, assets, self.store.read("unlocated"), self.store.read("rejects"),
                    self.store.read("imports"), lookup, taxonomy=self.taxonomy(), stale_days=days,
                    unknown_filtered=unknown, study_names=self.study_names())
        return assess(report, ev, stale_days=days)

    def what_if(self, *, add: "Sequence[str]" = (), without: "Sequence[str]" = (),
                filters: "AssetFilter | None" = None) -> "WhatIf":
        """The gaps before and after adding assets (``"name;category;postcode or lon,lat"``) or
        taking them away (asset ids or exact names); the workspace is not changed.

        See :mod:`asset_map.analysis.whatif`.
        """
        from .inputs.duplicates import active
        from .analysis.gaps import compute_gaps
        from .analysis.whatif import WhatIf, changed_assets, parse_addition

        areas, taxonomy, _, _ = self._gap_inputs(None, None)
        additions = [parse_addition(spec, taxonomy, self._find_one_postcode) for spec in add]
        everything = active(self.store.read("assets", exclude=UNUSED_BY_GAPS))
        assets, taxonomy, unlocated, notes, _ = self._filtered(everything, taxonomy, filters)
        population, need = self.store.read("population"), self.need()
        # Robustness is left out: the comparison is of the figures and their ranks under the default catchments.
        before = compute_gaps(areas, assets, taxonomy, population, need,
                              served=self._served(areas, assets, unlocated), robust=False)
        changed, removed = changed_assets(assets, additions, list(without), areas, everything=everything)
        after = compute_gaps(areas, changed, taxonomy, population, need,
                             served=self._served(areas, changed, unlocated), robust=False)
        after.notes[:0] = notes
        before = self._assess(before, areas, everything, None)
        after = self._assess(after, areas, everything, None)
        return WhatIf(before, after, additions, removed)

    def _served(self, areas: "Table", assets: "Table | None", unlocated: "Table | None"):
        """Where services reach beyond their own door (:mod:`asset_map.categories.served`)."""
        from .categories.served import resolve

        return resolve(areas, assets, unlocated, self.study_names())

    def _find_one_postcode(self, postcode: str) -> "tuple[float, float] | None":
        """A postcode's grid reference from the lookup, else from the online cache."""
        import math

        for table in ("postcodes", "postcode_cache"):
            hit = self._read_postcodes(table, [postcode]).get(postcode)
            if hit and not math.isnan(hit[0]):
                return hit[0], hit[1]
        return None

    def _gap_inputs(self, area: str | None, category: str | None):
        from .analysis.gaps import find_area

        areas = self.store.read("areas")
        if areas is None:
            raise WorkspaceError(
                f"{self.location}: no areas loaded; run `asset-map boundaries load FILE` first"
            )
        taxonomy = self.taxonomy()
        cat_ids = [taxonomy.get(category).id] if category else None
        codes = [find_area(areas, area)] if area else None
        return areas, taxonomy, codes, cat_ids

    def export_geojson(self, layer: str = "areas", *, category: str | None = None,
                       filters: "AssetFilter | None" = None) -> str:
        """The areas (with their gap measures) or the assets as RFC 7946 GeoJSON text.

        ``filters`` restricts which assets count in the measures, or which are written.
        """
        from .inputs.duplicates import active
        from .outputs.geojson import areas_geojson, assets_geojson

        if layer == "areas":
            taxonomy = self.taxonomy()
            cat_ids = [taxonomy.get(category).id] if category else None
            return areas_geojson(self.areas(), self.gaps(filters=filters), taxonomy, categories=cat_ids)
        if layer == "assets":
            assets = self.assets()
            if assets is None:
                raise WorkspaceError(f"{self.location}: no assets imported yet; run `asset-map import FILE`")
            assets = active(assets)
            if filters is not None and filters.active:
                from .categories.filters import FilterError

                keep = [filters.check(rec) is None for rec in assets.to_dict("records")]
                assets = assets[keep]
                if not len(assets):
                    raise FilterError(f"no asset is known to be {filters.describe()}; nothing to write")
            return assets_geojson(assets, self.areas(), self.taxonomy())
        raise ValueError(f"layer must be 'areas' or 'assets', not {layer!r}")


    def counted_assets(self, filters: "AssetFilter | None" = None) -> "gpd.GeoDataFrame | None":
        """The active assets (merged duplicates left out) that ``filters`` keeps, as a GeoDataFrame."""
        from .inputs.duplicates import active

        assets = self.assets()
        if assets is None:
            return None
        assets = active(assets)
        if filters is not None and filters.active:
            assets = assets[[filters.check(rec) is None for rec in assets.to_dict("records")]]
        return assets

    def _require_areas(self) -> "gpd.GeoDataFrame":
        areas = self.areas()
        if areas is None:
            raise WorkspaceError(f"{self.location}: no areas loaded; run `asset-map boundaries load FILE` first")
        return areas

    def export_html(self, *, category: str | None = None, title: str | None = None,
                    filters: "AssetFilter | None" = None) -> str:
        """The interactive map as one self-contained HTML page (:mod:`asset_map.outputs.html_map`)."""
        from .outputs.html_map import map_html

        areas = self._require_areas()
        taxonomy = self.taxonomy()
        first = taxonomy.get(category).id if category else None
        return map_html(areas, self.gaps(filters=filters), self.counted_assets(filters), taxonomy,
                        title=title or "Community assets and gaps", data_date=self._data_date(), category=first)

    def export_png(self, path: str | Path, category: str, *, title: str | None = None,
                   filters: "AssetFilter | None" = None) -> Path:
        """A slide map of one category's gaps as PNG (:mod:`asset_map.outputs.slide_map`)."""
        from .outputs.slide_map import draw_png

        areas = self._require_areas()
        return draw_png(self.gaps(filters=filters), areas, self.taxonomy(), category, path,
                        assets=self.counted_assets(filters), title=title)

    def export_handouts(self, path: str | Path, *, folder: bool = False,
                        filters: "AssetFilter | None" = None) -> "Path | list[Path]":
        """The ranked gaps, a table per area and the asset list: a workbook, or CSV files in ``folder``
        mode (:mod:`asset_map.outputs.handouts`)."""
        from .outputs.handouts import handout_tables, write_csv_folder, write_xlsx

        self._require_areas()
        tables = handout_tables(self.gaps(filters=filters), self.counted_assets(filters), self.taxonomy())
        return write_csv_folder(tables, path) if folder else write_xlsx(tables, path)

    def export_cards(self, path: str | Path, *, area: str | None = None, fmt: str = "html", top: int = 5,
                     filters: "AssetFilter | None" = None) -> list[Path]:
        """Gap cards: a printable page per area (or for ``area``) as HTML or Markdown
        (:mod:`asset_map.outputs.gap_cards`); returns the files written."""
        from .outputs.gap_cards import workspace_cards, write_cards

        return write_cards(workspace_cards(self, area, top=top, filters=filters), path, fmt)

    def export_gpkg(self, path: str | Path, *, category: str | None = None,
                    filters: "AssetFilter | None" = None) -> dict[str, int]:
        """Areas with their measures, assets and the population layer as one GeoPackage for QGIS
        (:mod:`asset_map.outputs.gpkg_export`); returns each layer's feature count."""
        from .outputs.gpkg_export import write_workspace_gpkg

        self._require_areas()
        return write_workspace_gpkg(self, path, category=category, filters=filters)

    def _data_date(self) -> str:
        """The date of the latest import (or today when nothing is imported), as YYYY-MM-DD."""
        from datetime import date

        imports = self.imports()
        if imports is None or not len(imports):
            return date.today().isoformat()
        return str(max(imports["imported_at"]))[:10]

    def export_oruk(self, folder: str | Path, *, source: str | None = None) -> int:
        """Write the assets not from a directory feed as Open Referral UK v3 CSV files; returns how many.

        ``source`` keeps only the assets of one import. See :mod:`asset_map.outputs.oruk_export`.
        """
        from .outputs.oruk_export import hand_added, oruk_tables, write_oruk_csv

        assets = self.assets()
        if assets is None:
            raise WorkspaceError(f"{self.location}: no assets imported yet; run `asset-map import FILE`")
        chosen = hand_added(assets)
        if source is not None:
            if source not in set(assets["source"]):
                raise WorkspaceError(f"{self.location}: no import called {source!r}; the imports are "
                                     f"{', '.join(sorted(set(assets['source'])))}")
            chosen = chosen[chosen["source"] == source]
        write_oruk_csv(oruk_tables(chosen, self.taxonomy()), folder)
        return len(chosen)

    # ------------------------------------------------------------------ duplicates
    def duplicates(self, *, distance_m: float | None = None) -> "list[DuplicateGroup]":
        """Groups of likely duplicate assets (see :mod:`asset_map.inputs.duplicates`)."""
        from .inputs.duplicates import DEFAULT_DISTANCE_M, find_duplicates

        return find_duplicates(self.assets(), distance_m=distance_m or DEFAULT_DISTANCE_M)

    @_changes
    def merge(self, keep: str, others: list[str]) -> int:
        """Merge the assets ``others`` into ``keep`` and record the decision; returns how many were merged.

        Raises
        ------
        WorkspaceError
            If an id is unknown or already merged.
        """
        return self.merge_groups([(keep, list(others))])

    @_changes
    def merge_groups(self, groups: "list[tuple[str, list[str]]]") -> int:
        """Merge several ``(keep, others)`` groups in one write."""
        import pandas as pd

        from .inputs.duplicates import MERGE_COLUMNS, merge

        assets = self.assets()
        if assets is None:
            raise WorkspaceError(f"{self.location}: no assets imported yet; run `asset-map import FILE`")
        records = []
        for keep, others in groups:
            try:
                assets, rows = merge(assets, keep, others)
            except ValueError as exc:
                raise WorkspaceError(f"{self.location}: cannot merge: {exc}") from None
            records.append(rows)
        if not records:
            return 0
        old = self.store.read("merges")
        merges = pd.concat(([old] if old is not None else []) + records, ignore_index=True)
        with self.store.transaction() as tx:
            tx.write("assets", assets)
            tx.write("merges", merges.astype({"merged_row": "int64"})[list(MERGE_COLUMNS)])
        return sum(len(r) for r in records)


def _recategorise(taxonomy: Taxonomy, asset: dict) -> str:
    """An asset's category ids under a new taxonomy.

    Words from a category column are mapped again. Categories given with
    ``--category`` or inferred from the text keep the ids the new taxonomy
    still has; so do those a category map decided, added to the words mapped
    again (the map itself is not stored).
    """
    source = asset.get("category_source") or "category column"
    old = [c for c in str(asset.get("categories") or "").split(";") if c and c in taxonomy.ids]
    if source in ("category column", "category map"):
        ids = list(taxonomy.map_cell(asset.get("category_text")).ids)
        if source == "category map":
            ids += [c for c in old if c not in ids]
        return ";".join(ids)
    return ";".join(old)


def _settings_frame(values: dict[str, list[str]]) -> "pd.DataFrame":
    """The ``settings`` table: one row per (key, value)."""
    import pandas as pd

    rows = [(k, v) for k, vs in values.items() for v in vs]
    return pd.DataFrame(rows, columns=["key", "value"]).astype(str)


def _empty_population() -> "gpd.GeoDataFrame":
    from .store import empty_layer_frame

    return empty_layer_frame("population", {"code": "str", "name": "str", "area_code": "str", "all_ages": "float64"})


def _compact(assets: "gpd.GeoDataFrame") -> dict[str, Any]:
    """What an import in chunks keeps of a chunk's assets (:data:`SLIM_ASSET_COLUMNS`), in little memory."""
    import pandas as pd

    out: dict[str, Any] = {c: assets[c].tolist() for c in SLIM_TEXT_COLUMNS}
    out.update({c: pd.Categorical(assets[c]) for c in SLIM_REPEATED_COLUMNS})
    out["source_row"] = assets["source_row"].to_numpy("int64")
    out["x"], out["y"] = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
    return out


def _uncompact(parts: list[dict[str, Any]]) -> "gpd.GeoDataFrame":
    """The chunks' kept columns as one GeoDataFrame (:func:`_compact`)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    columns: dict[str, Any] = {c: [v for p in parts for v in p[c]] for c in SLIM_TEXT_COLUMNS}
    for c in SLIM_REPEATED_COLUMNS:  # categories as plain objects: a chunk of only blanks has no text dtype
        columns[c] = union_categoricals([pd.Categorical.from_codes(
            p[c].codes, categories=pd.Index(list(p[c].categories), dtype=object)) for p in parts]) if parts else []
    columns["source_row"] = np.concatenate([p["source_row"] for p in parts]) if parts else np.array([], "int64")
    x = np.concatenate([p["x"] for p in parts]) if parts else np.array([])
    y = np.concatenate([p["y"] for p in parts]) if parts else np.array([])
    return gpd.GeoDataFrame(pd.DataFrame(columns), geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")


def _large_csv(path: str | Path) -> bool:
    """Whether ``path`` is a CSV file too large to read whole (:data:`asset_map.inputs.readers.CHUNK_BYTES`)."""
    from .inputs.csv_reader import CHUNK_BYTES

    p = Path(path)
    return p.suffix.lower() in (".csv", ".txt", ".tsv") and p.is_file() and p.stat().st_size > CHUNK_BYTES


def _taxonomy_frame(taxonomy: Taxonomy) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame(taxonomy.to_rows())
