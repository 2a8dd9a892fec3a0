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
transaction on the store (:mod:`asset_map.store`). The work itself is done by
the steps of the pipeline (:mod:`asset_map.inputs`, :mod:`asset_map.analysis`,
:mod:`asset_map.outputs`); a workspace opens the store, reads what they need
and hands it to them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .errors import WorkspaceError
from .store import open_store
from .inputs.workspace_change import changes as _changes
from .categories.taxonomy import Taxonomy, load_taxonomy

#: What to run first when a command needs what the workspace lacks.
_MISSING = {"areas": "no areas loaded; run `asset-map boundaries load FILE` first",
            "assets": "no assets imported yet; run `asset-map import FILE`"}

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from .inputs.boundaries import BoundaryResult
    from .inputs.duplicates import DuplicateGroup
    from .analysis.gaps import GapReport
    from .inputs.importer import ImportResult
    from .inputs.postcodes import PostcodeLookup
    from .categories.filters import AssetFilter
    from .analysis.need import NeedIndicator
    from .outputs.gap_cards import GapCard
    from .inputs.population_layer import PopulationLayerResult
    from .analysis.whatif import WhatIf
    from .outputs.view import OutputView
    from .store import Table
    from .inputs.network_load import NetworkResult, Progress
    from .network.graph import StreetNetwork


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
        from .inputs.stored import frame

        return frame(self.store, name)

    def areas(self) -> "gpd.GeoDataFrame | None":
        return self.frame("areas")

    def assets(self) -> "gpd.GeoDataFrame | None":
        """The assets, merged duplicates included (see :func:`asset_map.inputs.stored.assets_frame`)."""
        from .inputs.stored import assets_frame

        return assets_frame(self.store)

    def rejects(self, *, source: str | None = None) -> "pd.DataFrame | None":
        """The rejected input rows, or those of the import ``source`` (:func:`asset_map.inputs.stored.rejects_frame`)."""
        from .inputs.stored import rejects_frame

        return rejects_frame(self.store, source)

    def imports(self) -> "pd.DataFrame | None":
        return self.frame("imports")

    def taxonomy(self) -> Taxonomy:
        """The workspace's taxonomy, or the default one if none is stored yet."""
        from .inputs.stored_taxonomy import stored_taxonomy

        return stored_taxonomy(self.store)

    def study_names(self) -> set[str]:
        """The study area's own names and codes (lower case) given with ``study_names`` when the
        boundaries were loaded: a service serving one of them serves every area."""
        from .inputs.area_update import study_names

        return study_names(self.store)

    def need(self) -> "NeedIndicator | None":
        """The need indicator loaded, if any."""
        from .analysis.need import NeedIndicator

        return NeedIndicator.from_frame(self.frame("need"))

    def find_postcodes(self, postcodes: "Iterable[str]") -> "dict[str, tuple[float, float, str]] | None":
        """``{postcode: (x, y, terminated)}`` for the given standard-form postcodes found in the lookup.

        ``None`` when no postcode lookup is loaded. ``x``/``y`` are NaN for a
        postcode the lookup has no grid reference for.
        """
        from .inputs.postcode_finder import find_postcodes

        return find_postcodes(self.store, postcodes)

    def status(self) -> dict[str, Any]:
        """Counts of what the workspace holds (:func:`asset_map.inputs.status.workspace_status`)."""
        from .inputs.status import workspace_status

        return workspace_status(self.store, self.location)

    def copy_to(self, location: str | os.PathLike) -> dict[str, int]:
        """Copy every layer and table of this workspace into an empty one (another GeoPackage or a PostGIS
        schema), all-or-nothing; returns the rows copied per table (:func:`asset_map.store.copy.copy_store`).

        Moves a study from a GeoPackage to a shared database and back; the copy keeps its own gap inputs
        (:mod:`asset_map.inputs.gap_state`) when it is worth it.
        """
        from .inputs.workspace_change import keep_after_change
        from .store.copy import copy_store

        counts = copy_store(self.store, open_store(location))
        copy = Workspace(location)
        with copy.store.lock():
            keep_after_change(copy)
        return counts

    def _required(self, found, what: str):
        """``found``, unless it is None (the workspace lacks ``what``, "areas" or "assets"): then the
        :class:`~asset_map.errors.WorkspaceError` saying what to run first."""
        if found is None:
            raise WorkspaceError(f"{self.location}: {_MISSING[what]}")
        return found

    def _require_areas(self) -> "gpd.GeoDataFrame":
        return self._required(self.areas(), "areas")

    # ------------------------------------------------------------------ writing
    @_changes
    def load_boundaries(self, path: str | Path, **options: Any) -> "BoundaryResult":
        """Load areas (see :func:`asset_map.inputs.boundaries.load_boundaries` for the options).

        ``study_names``: the study area's own names and codes ("Trafford",
        "E08000009"), so that services serving it count as serving every area
        (:mod:`asset_map.categories.served`); replaces those given before.

        ``level``: store them as a second level of that name (:mod:`asset_map.inputs.levels`) instead.
        Replaces the areas (levels are kept) and re-assigns every stored asset to the new areas.
        With ``small_areas`` the population layer is replaced too. Without
        any population option a population layer loaded before is kept,
        counted in the new areas, and gives them their population; when the
        areas bring their own population (``population_field`` or
        ``population_csv`` alone) the old layer no longer matches and is removed
        (:func:`asset_map.inputs.area_update.population_after`).
        """
        from .inputs.area_update import clean_names, population_after, settings_frame
        from .inputs.boundaries import load_boundaries
        from .inputs.importer import assign_assets
        from .inputs.stored_taxonomy import ensure_taxonomy

        study_names = clean_names(options.pop("study_names", None))
        if options.get("level"):  # a second level: the areas, population and assets stay as they are
            from .inputs.levels import load_level

            return load_level(self.store, path, options.pop("level"), **options)
        options.pop("level", None)
        result = load_boundaries(path, **options)
        assets = self.assets()
        population = population_after(self.store, result)
        with self.store.transaction() as tx:
            tx.write("areas", result.areas)
            if population is not None:
                tx.write("population", population)
            if assets is not None:
                tx.write("assets", assign_assets(assets, result.areas))
            if study_names:  # kept from an earlier load when none are given
                tx.write("settings", settings_frame({"study_name": study_names}))
            ensure_taxonomy(self.store, tx)
        return result

    @_changes
    def load_population(self, path: str | Path, **options: Any) -> "PopulationLayerResult":
        """Load the population layer: small areas with population by age.

        See :func:`asset_map.inputs.population_layer.load_population_layer` for the
        options. ``method`` (``"auto"`` unless given) says how small areas
        that straddle areas are shared (:mod:`asset_map.inputs.apportion`):
        ``"auto"`` is by postcode count when a postcode lookup is loaded,
        else by area share. Parts beyond the areas are kept within twice the
        widest catchment of the taxonomy (the widest the robustness check
        measures), as demand from beyond the border. Replaces any population
        layer loaded before, and the areas' population becomes the sum of
        their parts'.
        """
        from .inputs.population_layer import load_population_layer
        from .inputs.stored import postcode_points

        areas = self._require_areas()
        method = options.pop("method", None) or "auto"
        if method == "auto":
            method = "postcodes" if self.store.count("postcodes") else "area"
        if method == "postcodes" and not options.get("finer") and not options.get("lookup"):
            options["postcodes"] = postcode_points(self.store, areas)
        reach = max((c.reach_m for c in self.taxonomy()), default=0.0) * 2
        result = load_population_layer(path, areas, method=method, reach_m=reach, **options)
        with self.store.transaction() as tx:
            tx.write("areas", result.areas)
            tx.write("population", result.small_areas)
        return result

    def check_population(self, path: str | Path, *, code_column: str | None = None) -> "pd.DataFrame":
        """Each area's population beside a published estimate (:mod:`asset_map.inputs.population_check`)."""
        from .inputs.population_check import compare_population, read_estimates

        return compare_population(self._require_areas(), read_estimates(path, code_column=code_column))

    @_changes
    def load_need(self, path: str | Path, **options: Any) -> "NeedIndicator":
        """Load a need indicator by small-area code (or area code): it then weights the gaps' priority.

        See :func:`asset_map.inputs.need.read_need_csv` for the options. Replaces any
        indicator loaded before. The codes are matched against the population
        layer's small areas, or the areas when there is no layer; the notes
        say how many matched (:func:`asset_map.inputs.need_match.match_need`).

        Raises
        ------
        InputFileError
            If no code matches the workspace (a different geography or year).
        """
        from .inputs.need import read_need_csv
        from .inputs.need_match import match_need

        indicator = read_need_csv(path, **options)
        layer = self.frame("population")
        areas = self.areas() if layer is not None and len(layer) else self._require_areas()
        match_need(indicator, path, layer, areas)
        with self.store.transaction() as tx:
            tx.write("need", indicator.frame())
        return indicator

    @_changes
    def load_postcodes(self, paths: "str | Path | list[str | Path]") -> "PostcodeLookup":
        """Store a postcode lookup (ONSPD, Code-Point Open or any postcode CSV), replacing any before.

        Imports then locate rows that have a postcode and no coordinates at
        the postcode's centroid. See :mod:`asset_map.inputs.postcodes`.
        """
        from .inputs.postcodes import read_postcode_lookup
        from .inputs.stored_taxonomy import ensure_taxonomy

        lookup = read_postcode_lookup(paths)
        with self.store.transaction() as tx:
            tx.write("postcodes", lookup.table)
            tx.index("postcodes", "postcode")
            ensure_taxonomy(self.store, tx)
        return lookup

    @_changes
    def load_taxonomy(self, path: str | Path) -> Taxonomy:
        """Replace the workspace's taxonomy and re-map every stored asset's category words
        (:func:`asset_map.inputs.stored_taxonomy.recategorised`)."""
        from .inputs.stored_taxonomy import recategorised, taxonomy_frame

        taxonomy = load_taxonomy(path)
        assets = self.assets()
        with self.store.transaction() as tx:
            tx.write("categories", taxonomy_frame(taxonomy))
            if assets is not None and len(assets):
                tx.write("assets", recategorised(assets, taxonomy, self.store.read("merges")))
        return taxonomy

    @_changes
    def import_assets(self, path: str | Path, **options: Any) -> "ImportResult":
        """Import an asset list.

        Re-importing a file with the same source name (the file name unless
        ``source`` is given) replaces the assets and rejects of the earlier
        import instead of adding to them. The options (``columns``,
        ``categories``, ``dry_run``, ``online``, ``url``, ``chunk_rows``...) are
        those of :class:`asset_map.inputs.import_options.ImportOptions`; the
        import itself is :func:`asset_map.inputs.asset_import.import_assets`.
        """
        from .inputs.asset_import import import_assets
        from .inputs.import_options import ImportOptions

        options = ImportOptions(**options)
        return import_assets(self.store, path, options, taxonomy=self.taxonomy(), areas=self.areas())

    # ------------------------------------------------------------------ analysis
    def gaps(self, *, area: str | None = None, category: str | None = None, stale_days: int | None = None,
             filters: "AssetFilter | None" = None, by: str | None = None,
             straight_line: bool = False) -> "GapReport":
        """Gap measures for every area × category, ranked by priority, with their confidence.

        ``area`` is an area code or name, ``category`` a category id, label or synonym; either narrows the
        rows returned (ranks stay those of the whole table). ``stale_days``: records verified longer ago than
        this lower the confidence (default 730). ``filters`` restricts which
        assets count (:mod:`asset_map.categories.filters`). See :mod:`asset_map.analysis.gaps`
        and :mod:`asset_map.analysis.confidence` for the definitions. ``by``: a second level (or
        ``"small-areas"``), whose areas inside ``area`` are measured instead (:mod:`asset_map.inputs.levels`).
        ``straight_line``: by the straight line even with a street network (:mod:`asset_map.analysis.network_reach`).
        """
        from .inputs.gap_inputs import gap_report
        from .inputs.gap_state import stored_report
        from .inputs.levels import level_gaps

        taxonomy = self.taxonomy()  # read once: the kept inputs' check and the gaps use it
        kept = None if by or straight_line or (filters is not None and filters.active) else stored_report(
            self.store, taxonomy, stale_days)  # the workspace's kept inputs (:mod:`.inputs.gap_state`)
        if kept is not None:
            return kept.select(areas=[self.find_area(area)[0]] if area is not None else None,
                               categories=_category_ids(taxonomy, category))
        inputs, codes, cat_ids = self._gap_inputs(area, category, filters, straight_line, not by, taxonomy)
        report, codes = (level_gaps(self.store, inputs, by, codes and codes[0], self.need(), stale_days=stale_days),
                         None) if by else (gap_report(self.store, inputs, inputs.assets, self.need(),
                                                      stale_days=stale_days, unknown=inputs.unknown), codes)
        report.notes[:0] = inputs.notes
        return report.select(areas=codes, categories=cat_ids)

    def find_area(self, query: str) -> tuple[str, str]:
        """The code of the area ``query`` names, or that holds the place it names, and a line saying which
        (:func:`asset_map.analysis.places.find_place`)."""
        from .analysis.places import find_place

        return find_place(self.store, query)

    def what_if(self, *, add: "Sequence[str]" = (), without: "Sequence[str]" = (),
                filters: "AssetFilter | None" = None, robust: bool = False, straight_line: bool = False) -> "WhatIf":
        """The gaps before and after adding assets (``"name;category;postcode or lon,lat"``) or
        taking them away (asset ids or exact names); the workspace is not changed.

        See :mod:`asset_map.analysis.whatif`. Robustness is left out unless
        ``robust``: the comparison is of the figures and their ranks under the default catchments.
        """
        from functools import partial

        from .analysis.whatif import WhatIf, changed_assets, parse_addition
        from .inputs.gap_inputs import gap_report
        from .inputs.gap_state import stored_report
        from .inputs.postcode_finder import find_one_postcode

        moment, (inputs, _, _) = self.store.changes(), self._gap_inputs(None, None, filters, straight_line)
        find = partial(find_one_postcode, self.store)
        additions = [parse_addition(spec, inputs.taxonomy, find) for spec in add]
        changed, removed = changed_assets(inputs.assets, additions, list(without), inputs.areas,
                                          everything=inputs.everything)
        need = self.need()
        kept = None if straight_line or (filters is not None and filters.active) else stored_report(
            self.store, inputs.taxonomy, None, robust=robust, at=moment)  # "before", if kept as the tables read
        report = partial(gap_report, self.store, inputs, need=need, robust=robust, unknown=inputs.unknown)
        before, after = kept if kept is not None else report(inputs.assets), report(changed)
        after.notes[:0] = inputs.notes
        kept = {str(a) for a in changed["asset_id"]} if "asset_id" in changed.columns else set()
        gone = [str(a) for a in (inputs.assets["asset_id"] if inputs.assets is not None else []) if str(a) not in kept]
        return WhatIf(before, after, additions, removed, gone)

    def output_view(self, *, area: str | None = None, add: "Sequence[str]" = (), without: "Sequence[str]" = (),
                    filters: "AssetFilter | None" = None, shade: bool = False,
                    catchments: "bool | Sequence[str]" = False) -> "OutputView":
        """What the outputs show (:mod:`asset_map.outputs.view`): the gaps (after the what-if ``add`` and
        ``without`` when given, see :meth:`what_if`), the assets they count, and the area in focus
        (``area``, a code or name); ``shade``: and, without a what-if, where the area's unreached residents live
        (:func:`asset_map.inputs.levels.unreached_by_small_area`); ``catchments`` (all, or these category ids), with a
        street network: the assets' catchments, and the shading over every area (:mod:`asset_map.inputs.catchment_view`)."""
        from .inputs.catchment_view import view_catchments
        from .inputs.levels import unreached_by_small_area
        from .outputs.view import make_view

        areas = self._require_areas()
        code = self.find_area(area)[0] if area is not None else None
        wi = self.what_if(add=add, without=without, filters=filters, robust=True) if add or without else None
        report = wi.after if wi is not None else self.gaps(filters=filters)
        inputs = self._gap_inputs(None, None, filters)[0] if shade and wi is None else None
        net = (inputs.network if inputs is not None else self.network()) if catchments else None  # read once
        small = unreached_by_small_area(self.store, inputs, code, self.need(),
                                        everywhere=net is not None) if inputs is not None else None
        view = make_view(report, self.counted_assets(filters), areas, area=code, what_if=wi, small_areas=small)
        if net is not None:
            view.catchments = view_catchments(net, self.taxonomy(), view.assets,
                                              None if catchments is True else list(catchments))
        return view

    def _gap_inputs(self, area: str | None, category: str | None, filters: "AssetFilter | None",
                    straight_line: bool = False, lean: bool = False, taxonomy: "Taxonomy | None" = None):
        """What the gaps count (:func:`asset_map.inputs.gap_inputs.read_gap_inputs`), and the area codes and category
        ids ``area`` and ``category`` narrow them to (``lean``: see there; ``taxonomy``, if already read)."""
        from .inputs.gap_inputs import read_gap_inputs

        areas = self._required(self.store.read("areas"), "areas")
        taxonomy = self.taxonomy() if taxonomy is None else taxonomy
        codes = [self.find_area(area)[0]] if area is not None else None
        cat_ids = _category_ids(taxonomy, category)
        return (read_gap_inputs(self.store, areas, taxonomy, filters, self.study_names(), straight_line=straight_line,
                                lean=lean), codes, cat_ids)

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

    def gap_cards(self, area: str | None = None, *, top: int | None = None, **view: Any) -> "list[GapCard]":
        """The gap cards (:mod:`asset_map.outputs.gap_cards`): one for ``area`` (code or name), or one per
        area when None, listing ``top`` gaps each (default :data:`asset_map.outputs.gap_cards.TOP`);
        ``view``: ``filters`` and the what-if's ``add`` and ``without`` (:meth:`output_view`)."""
        from .outputs.gap_cards import TOP, view_cards

        return view_cards(self.output_view(area=area, shade=True, **view), self._require_areas(), self.taxonomy(),
                          top=TOP if top is None else top, data_date=self._data_date())

    def _data_date(self) -> str:
        """The date of the latest import (or today when nothing is imported), as YYYY-MM-DD."""
        from datetime import date

        imports = self.imports()
        if imports is None or not len(imports):
            return date.today().isoformat()
        return str(max(imports["imported_at"]))[:10]

    # ------------------------------------------------------------------ exports
    def export_geojson(self, layer: str = "areas", *, category: str | None = None, **view: Any) -> str:
        """The areas (with their gap measures) or the assets as RFC 7946 GeoJSON text.

        ``category`` (id, label or synonym; an unknown one raises
        :class:`~asset_map.errors.TaxonomyError`) keeps one category's measures,
        or its assets. ``view`` (:meth:`output_view`): ``filters`` restricts which
        assets count in the measures, or which are written; ``area`` keeps one
        area and its assets; ``add``/``without`` give the figures after a what-if
        beside those before (:func:`asset_map.outputs.geojson.view_geojson`).
        """
        from .outputs.geojson import view_geojson

        if layer not in ("areas", "assets", "catchments"):
            raise ValueError(f"layer must be 'areas', 'assets' or 'catchments', not {layer!r}")
        taxonomy = self.taxonomy()
        cat_ids = _category_ids(taxonomy, category)
        v = self.output_view(**view, catchments=cat_ids or True) if layer == "catchments" else self.output_view(**view)
        if layer == "assets":
            self._required(v.assets, "assets")
        return view_geojson(v, self.areas(), taxonomy, layer, cat_ids, view.get("filters"))

    def export_html(self, *, category: str | None = None, title: str | None = None, **view: Any) -> str:
        """The interactive map as one self-contained HTML page (:mod:`asset_map.outputs.html_map`);
        ``view``: the area in focus, filters and what-if (:meth:`output_view`)."""
        from .outputs.html_map import map_html

        areas = self._require_areas()
        taxonomy = self.taxonomy()
        first = (_category_ids(taxonomy, category) or [None])[0]
        return map_html(areas, self.output_view(**view, shade=True, catchments=True), taxonomy, category=first,
                        title=title or "Community assets and gaps", data_date=self._data_date())

    def export_png(self, path: str | Path, category: str | None = None, *, title: str | None = None,
                   **view: Any) -> Path:
        """A slide map of one category's gaps as PNG (:mod:`asset_map.outputs.slide_map`); ``view``: the area
        framed, filters and what-if (:meth:`output_view`). Without ``category``, the area's top robust gap's."""
        from .outputs.slide_map import draw_png

        areas = self._require_areas()
        v = self.output_view(**view)
        return draw_png(v.report, areas, self.taxonomy(), category or v.opening_category(), path, assets=v.assets,
                        title=title, view=v)

    def export_handouts(self, path: str | Path, *, folder: bool = False, **view: Any) -> "Path | list[Path]":
        """The ranked gaps, a table per area, the asset list and the sources: a workbook, or CSV files in
        ``folder`` mode (:mod:`asset_map.outputs.handouts`); ``view``: the area, filters and what-if
        (:meth:`output_view`)."""
        from .outputs.handouts import write_csv_folder, write_xlsx
        from .outputs.sources import handout_with_sources

        areas = self._require_areas()
        tables = handout_with_sources(self.output_view(**view), areas, self.imports(), self.taxonomy(),
                                      filters=view.get("filters"), layer=self.frame("population"))
        return write_csv_folder(tables, path) if folder else write_xlsx(tables, path)

    def export_cards(self, path: str | Path, *, area: str | None = None, fmt: str = "html", top: int = 5,
                     **view: Any) -> list[Path]:
        """Gap cards: a printable page per area (or for ``area``) as HTML or Markdown
        (:mod:`asset_map.outputs.gap_cards`); returns the files written."""
        from .outputs.gap_cards import write_cards

        return write_cards(self.gap_cards(area, top=top, **view), path, fmt)

    def cards_page(self, *, area: str | None = None, fmt: str = "html", top: int = 5, **view: Any) -> str:
        """The gap cards as one page of text: HTML with the maps inside, or Markdown without maps."""
        from .outputs.gap_cards import cards_html, cards_markdown

        cards = self.gap_cards(area, top=top, **view)
        return cards_html(cards) if fmt == "html" else cards_markdown(cards)

    def export_gpkg(self, path: str | Path, *, category: str | None = None, **view: Any) -> dict[str, int]:
        """Areas with their measures, assets and the population layer as one GeoPackage for QGIS
        (:mod:`asset_map.outputs.gpkg_export`); returns each layer's feature count.

        ``category`` (id, label or synonym) limits the areas' measures to one
        category; ``view`` (:meth:`output_view`): ``filters`` restricts which assets
        count in the measures (the assets layer keeps them all), ``area`` keeps one
        area, ``add``/``without`` give the measures after a what-if beside those before.
        """
        from .outputs.gpkg_export import write_view_gpkg

        areas = self._require_areas()
        taxonomy = self.taxonomy()
        cat_ids = _category_ids(taxonomy, category)
        return write_view_gpkg(path, self.output_view(**view, catchments=cat_ids or True), areas, taxonomy,
                               assets=self.assets(), population=self.frame("population"), categories=cat_ids)

    def export_oruk(self, folder: str | Path, *, source: str | None = None) -> int:
        """Write the assets not from a directory feed as Open Referral UK v3 CSV files; returns how many.

        ``source`` keeps only the assets of one import. See :mod:`asset_map.outputs.oruk_export`.
        """
        from .outputs.oruk_export import export_oruk

        return export_oruk(self._required(self.assets(), "assets"), self.taxonomy(), folder, source=source,
                           location=self.location)

    # ------------------------------------------------------------------ duplicates
    def duplicates(self, *, distance_m: float | None = None, min_score: float | None = None,
                   venues: bool = False) -> "list[DuplicateGroup]":
        """Groups of likely duplicate assets, then with ``venues`` the shared venues (:mod:`asset_map.inputs.duplicates`)."""
        from .inputs.duplicates import DEFAULT_DISTANCE_M, SIMILAR_NAME_SCORE, find_duplicates

        return find_duplicates(self.assets(), distance_m=DEFAULT_DISTANCE_M if distance_m is None else distance_m,
                               venues=venues, min_score=SIMILAR_NAME_SCORE if min_score is None else min_score)

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
        """Merge several ``(keep, others)`` groups in one write (:func:`asset_map.inputs.merging.merge_groups`)."""
        from .inputs.merging import merge_groups

        return merge_groups(self.store, self._required(self.assets(), "assets"), groups)

    @_changes
    def load_network(self, path: str | Path, *, margin_m: float | None = None,
                     progress: "Progress | None" = None) -> "NetworkResult":
        """Read an OpenStreetMap extract into the workspace's street network, replacing any loaded before
        (:func:`asset_map.inputs.network_load.load_network`)."""
        from .inputs.network_load import load_network

        return load_network(self.store, path, self._require_areas(), self.taxonomy(), margin_m=margin_m,
                            progress=progress)

    def network(self, geometry: bool = True) -> "StreetNetwork | None":
        """The stored street network, or ``None`` (:func:`asset_map.network.layers.read_network`)."""
        from .network.layers import read_network

        return read_network(self.store, geometry=geometry)


def _category_ids(taxonomy: Taxonomy, category: str | None) -> list[str] | None:
    """``[id]`` of a category id, label or synonym (an unknown one raises
    :class:`~asset_map.errors.TaxonomyError`), or ``None`` for every category."""
    return [taxonomy.get(category).id] if category is not None else None
