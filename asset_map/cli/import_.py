"""``asset-map import``, ``inspect`` and ``rejects``: bring asset lists and directory feeds in, and check them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ._common import handle_errors, open_workspace, progress_bar, stderr, write_output
from ._import_notes import report_categories, report_feed, report_import, report_next_step
from ._options import (CategoryMapOpt, GeoPackageLayerOpt, SaveCategoryMapOpt, SheetOpt, UseInferredOpt,
                       WorkspaceOpt)

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from ..inputs.importer import ImportResult
    from ..inputs.workspace_change import Deferred
    from ..workspace import Workspace

FileArg = Annotated[Optional[Path], typer.Argument(
    help="Asset list: CSV, XLSX, GeoJSON or GeoPackage; or an Open Referral UK feed (JSON, or a folder or "
    "zip of HSDS CSV files).")]
MapOpt = Annotated[Optional[list[str]], typer.Option(
    "--map", help="Use a column for a field, e.g. --map name='Organisation' (fields: id, name, category, "
    "description, address, postcode, latitude, longitude, easting, northing). Repeatable.")]
CategoryOpt = Annotated[Optional[list[str]], typer.Option(
    help="Category for every row (id, label or synonym), e.g. for a list of food banks. Repeatable.")]
SourceOpt = Annotated[Optional[str], typer.Option(
    help="Name this import is known by (default: the file name); re-importing it replaces its assets.")]
EncodingOpt = Annotated[Optional[str], typer.Option(
    help="Text encoding of a CSV (default: UTF-8, else Windows-1252).")]
CrsOpt = Annotated[Optional[str], typer.Option(help="CRS of a spatial file that has none, e.g. EPSG:27700.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Check and report without changing the workspace.")]
ChunkRowsOpt = Annotated[Optional[int], typer.Option(
    "--chunk-rows", min=1, help="Read and write a CSV this many rows at a time (for files larger than memory; "
    "automatic for CSV files over 100 MB).")]
OnlineOpt = Annotated[bool, typer.Option(
    "--online", help="Locate postcodes the loaded lookup lacks with postcodes.io (needs internet; answers are "
    "cached in the workspace).")]
PostcodeServiceOpt = Annotated[Optional[str], typer.Option(
    help="Base URL of a service with the postcodes.io bulk API, used with --online.")]
TimeoutOpt = Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each request with --online.")]
UrlOpt = Annotated[Optional[str], typer.Option(
    help="Read the services of an Open Referral UK API at this base URL (pages are cached).")]
CrosswalkOpt = Annotated[Optional[Path], typer.Option(
    help="CSV mapping feed taxonomy terms to categories (vocabulary,term_id,term_name,category), "
    "instead of the one shipped.")]
IncludeInactiveOpt = Annotated[bool, typer.Option(
    "--include-inactive", help="Import a feed's inactive and defunct services too.")]
RejectOutsideLookupOpt = Annotated[bool, typer.Option(
    "--reject-outside-lookup", help="Reject rows whose valid postcode lies outside the loaded local postcode "
    "lookup's coverage, instead of keeping them as operating in the study area at unknown places.")]
StaleDaysOpt = Annotated[int, typer.Option(
    min=1, help="Flag a feed's services not verified for more than this many days as stale.")]


@handle_errors
def import_(
    file: FileArg = None,
    map_: MapOpt = None,
    category: CategoryOpt = None,
    source: SourceOpt = None,
    sheet: SheetOpt = None,
    layer: GeoPackageLayerOpt = None,
    encoding: EncodingOpt = None,
    crs: CrsOpt = None,
    dry_run: DryRunOpt = False,
    chunk_rows: ChunkRowsOpt = None,
    reject_outside_lookup: RejectOutsideLookupOpt = False,
    online: OnlineOpt = False,
    postcode_service: PostcodeServiceOpt = None,
    timeout: TimeoutOpt = 10.0,
    category_map: CategoryMapOpt = None,
    save_category_map: SaveCategoryMapOpt = None,
    use_inferred: UseInferredOpt = None,
    url: UrlOpt = None,
    crosswalk: CrosswalkOpt = None,
    include_inactive: IncludeInactiveOpt = False,
    stale_days: StaleDaysOpt = 730,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import an asset list or a service directory feed: locate, categorise and assign each row to an area."""

    import contextlib

    from ..inputs.columns import parse_overrides
    from ..inputs.workspace_change import keeping_deferred

    err = stderr()
    file = _source_file(file, url, postcode_service, online)
    ws = open_workspace(workspace)
    _check_save_path(file, save_category_map)
    # The gap inputs are kept once the summary is printed and the result let go of (a national list's result
    # is about 0.7 GB), not while it is held; the workspace stays locked from the import to the keeping.
    with contextlib.nullcontext() if dry_run else keeping_deferred(ws) as deferred:
        reconciles = _report_then_keep(err, ws, file, deferred, _import_with_progress(
            err, ws, file, columns=parse_overrides(map_), categories=category, source=source, sheet=sheet,
            layer=layer, encoding=encoding, crs=crs, dry_run=dry_run,
            online=(postcode_service or True) if online else False, timeout=timeout,
            category_map=category_map, use_inferred=use_inferred, url=url, crosswalk=crosswalk,
            include_inactive=include_inactive, stale_days=stale_days, chunk_rows=chunk_rows,
            reject_outside_lookup=reject_outside_lookup,
        ), category_map, save_category_map, use_inferred)
    if dry_run:
        err.print("Dry run: nothing was written.")
    elif not reconciles:  # pragma: no cover - a bug, not bad input
        raise RuntimeError("import counts do not reconcile")


def _report_then_keep(err: "Console", ws: "Workspace", file: Path, deferred: "Deferred | None",
                      result: "ImportResult", category_map: Optional[Path], save_category_map: Optional[Path],
                      use_inferred: Optional[bool]) -> bool:
    """Print what the import did (:func:`_report`), let go of ``result`` (the only reference to it), then keep
    the gap inputs (:func:`_keep_with_progress`); whether the counts reconcile. Ctrl-C once the import has
    landed says the change is saved; another failure to tell of it still keeps the inputs of the change."""
    from ..errors import InterruptedAfterChange

    try:
        reconciles = _report(err, ws, file, result, category_map, save_category_map, use_inferred)
    except KeyboardInterrupt:
        if deferred is not None and deferred.changed:  # the import has landed: "unchanged" would be wrong
            raise InterruptedAfterChange() from None
        raise
    except BaseException:  # telling of it failed (a category map not written): the import stands, kept
        result = None
        _keep_with_progress(err, deferred)
        raise
    result = None
    _keep_with_progress(err, deferred)
    return reconciles


def _report(err: "Console", ws: "Workspace", file: Path, result: "ImportResult", category_map: Optional[Path],
            save_category_map: Optional[Path], use_inferred: Optional[bool]) -> bool:
    """Print what the import did (notes, categories, feed, summary, next step); whether its counts reconcile."""
    from ..outputs.render import import_summary

    report_import(err, ws, file, result)
    report_categories(err, ws, file, result, category_map, save_category_map, use_inferred)
    if result.feed is not None:
        report_feed(err, file, result.feed)
    stderr().print(import_summary(result))
    report_next_step(err, file, result)
    return result.reconciles()


def _source_file(file: Optional[Path], url: Optional[str], postcode_service: Optional[str], online: bool) -> Path:
    """The file to import (for ``--url`` without one, named after the API's host), once the options agree."""
    if file is None and url is None:
        raise typer.BadParameter("give a FILE to import, or --url for a directory's API", param_hint="FILE")
    if file is None:
        from urllib.parse import urlparse

        file = Path(urlparse(url).netloc or "feed")
    if postcode_service and not online:
        raise typer.BadParameter("--postcode-service is used only with --online", param_hint="--postcode-service")
    return file


def _import_with_progress(err: "Console", ws: "Workspace", file: Path, **options) -> "ImportResult":
    """``ws.import_assets(file, **options)`` with a progress bar on stderr: the step and the rows done."""
    with progress_bar(err) as bar:
        task = bar.add_task(f"{file.name}: reading", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{file.name}: {step}", completed=done, total=total or None)

        return ws.import_assets(file, progress=progress, **options)


def _keep_with_progress(err: "Console", deferred: "Deferred | None") -> None:
    """Keep the workspace's gap inputs after the import (:meth:`Deferred.keep`), with a progress display; after a
    dry run (``deferred`` ``None``) or an import that changed nothing, nothing."""
    if deferred is None or not deferred.changed:
        return
    import gc

    from ..errors import InterruptedAfterChange
    from ..store.base import release_arrow_memory

    try:
        gc.collect()  # the result's tables hold reference cycles: let go of them now, not at a later collection
        release_arrow_memory()  # and hand back the Arrow memory its text columns used
    except KeyboardInterrupt:
        raise InterruptedAfterChange() from None
    with progress_bar(err) as bar:
        task = bar.add_task("", total=None, visible=False)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None, visible=True)

        deferred.keep(progress)


@handle_errors
def inspect(
    file: Annotated[Path, typer.Argument(help="Asset list: CSV, XLSX, GeoJSON or GeoPackage.")],
    map_: Annotated[Optional[list[str]], typer.Option(
        "--map", help="Use a column for a field, as with import. Repeatable.")] = None,
    category: Annotated[Optional[list[str]], typer.Option(help="Category for every row, as with import.")] = None,
    sheet: SheetOpt = None,
    layer: GeoPackageLayerOpt = None,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding of a CSV.")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of a spatial file that has none.")] = None,
    rows: Annotated[int, typer.Option(min=0, help="Sample rows to show.")] = 5,
    category_map: CategoryMapOpt = None,
    save_category_map: SaveCategoryMapOpt = None,
    use_inferred: UseInferredOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show how a file would import (columns, sample rows, category mapping, every problem) without writing."""
    from rich.console import Console

    from ..inputs.columns import parse_overrides
    from ..outputs import render

    ws = open_workspace(workspace)
    _check_save_path(file, save_category_map)
    result = ws.import_assets(file, columns=parse_overrides(map_), categories=category, sheet=sheet, layer=layer,
                              encoding=encoding, crs=crs, category_map=category_map, use_inferred=use_inferred,
                              dry_run=True)
    Console(soft_wrap=False, markup=False).print(render.inspect_report(result, ws.taxonomy(), sample=rows))
    report_categories(stderr(), ws, file, result, category_map, save_category_map, use_inferred)
    if result.feed is not None:
        report_feed(stderr(), file, result.feed)
    report_next_step(stderr(), file, result, verb="inspect")
    stderr().print("Inspection only: nothing was written. Import with `asset-map import` and the same options.")


@handle_errors
def rejects(
    source: Annotated[Optional[str], typer.Option(help="Only rows from this import source (file name).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write CSV to a file instead of stdout.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """List every rejected input row with its file, row number, column and reason (CSV)."""
    frame = open_workspace(workspace).rejects(source=source)
    if frame is None or (source is not None and not len(frame)):
        stderr().print("No rejected rows." if source is None else f"No rejected rows from {source!r}.")
        return
    from ..outputs.render import rejects_csv

    write_output(rejects_csv(frame), output)


def _check_save_path(file: Path, save_category_map: Optional[Path]) -> None:
    """Refuse a ``--save-category-map`` path that would replace the workspace or the list itself, before importing."""
    if save_category_map is not None:
        from ..files import check_output, protect

        if file is not None:
            protect([file])
        check_output(save_category_map)
