"""The ``asset-map`` command line: parse options, call the library, render.

Data (tables, CSV, JSON, GeoJSON) goes to stdout; messages and progress go
to stderr. A problem with the input or the workspace prints one line,
``Error: ...``, and exits with status 1; a bad option exits with status 2.
"""

from __future__ import annotations

import functools
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from .errors import AssetMapError

app = typer.Typer(
    name="asset-map",
    help="Map community assets against neighbourhoods and find the gaps in provision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
boundaries_app = typer.Typer(help="Load neighbourhood boundaries and their population.", no_args_is_help=True)
export_app = typer.Typer(help="Write maps, handouts and data for other tools (HTML, PNG, Excel, CSV, GeoJSON, "
                         "GeoPackage, Open Referral UK CSV).",
                         no_args_is_help=True)
taxonomy_app = typer.Typer(help="Show or replace the need categories.", no_args_is_help=True)
postcodes_app = typer.Typer(help="Load a postcode lookup to locate assets that have only a postcode.",
                            no_args_is_help=True)
population_app = typer.Typer(help="Load where people live: small areas with population by age.",
                              no_args_is_help=True)
app.add_typer(boundaries_app, name="boundaries")
app.add_typer(population_app, name="population")
need_app = typer.Typer(help="Load a need indicator (IMD score or decile, or any) that weights the priority.",
                       no_args_is_help=True)
app.add_typer(need_app, name="need")
app.add_typer(export_app, name="export")
app.add_typer(taxonomy_app, name="taxonomy")
app.add_typer(postcodes_app, name="postcodes")

WorkspaceOpt = Annotated[
    Optional[str],
    typer.Option(
        "--workspace", "-w", envvar="ASSET_MAP_WORKSPACE", show_envvar=True,
        help="Workspace: a GeoPackage file, or a shared PostGIS database as "
        "postgresql://USER@HOST/DATABASE?schema=NAME. Default: ./asset-map.gpkg.",
    ),
]


CategoryMapOpt = Annotated[Optional[Path], typer.Option(
    "--category-map", help="CSV of decisions about category words the taxonomy does not know (word,category).")]
SaveCategoryMapOpt = Annotated[Optional[Path], typer.Option(
    "--save-category-map", help="Write the unknown category words, with row counts and suggestions, to this CSV "
    "for you to decide (keeps the decisions of --category-map).")]
UseInferredOpt = Annotated[bool, typer.Option(
    "--use-inferred", help="Give rows with no known category the categories their name and description suggest "
    "(marked inferred).")]


AudienceOpt = Annotated[Optional[str], typer.Option(
    help="Count only assets for this age band (e.g. 65+, 0-15), and count that band as every category's "
    "target population.")]
WhenOpt = Annotated[Optional[list[str]], typer.Option(
    "--when", help="Count only assets known to run in the daytime, evening or weekend (repeatable: any of them).")]
FreeOpt = Annotated[bool, typer.Option("--free", help="Count only assets known to be free.")]
VerifiedOpt = Annotated[Optional[str], typer.Option(
    help="Count only assets verified on or after this date (e.g. 2025-04-01).")]


def _filters(audience, when, free, verified_since):
    from .categories.filters import AssetFilter

    flt = AssetFilter.from_options(audience=audience, when=when, free=free, verified_since=verified_since)
    return flt if flt.active else None


class GapFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class Layer(str, Enum):
    areas = "areas"
    assets = "assets"


F = TypeVar("F", bound=Callable[..., object])


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _progress_bar(console):
    """A progress bar on stderr: step, bar, rows done of total, time; it disappears when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


def handle_errors(func: F) -> F:
    """Turn domain errors into ``Error: ...`` (exit 1) and interruptions into exit 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AssetMapError as exc:
            _stderr().print(f"[red]Error:[/] {exc}", markup=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            _stderr().print("Interrupted: the workspace is unchanged.")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _workspace(path: Optional[str]):
    from .workspace import Workspace

    return Workspace(path)


def _write_output(text: str, output: Optional[Path]) -> None:
    """Write text to a file (replaced atomically) or to stdout for ``-``/None."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .outputs.files import replace_atomically

    replace_atomically(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _stderr().print(f"Wrote {output}")


def _print_gaps(report, fmt: GapFormat, output: Optional[Path], top: Optional[int], title: str) -> None:
    from .outputs import render

    if top is not None:
        report = report.top(top)
    if fmt is GapFormat.table:
        from rich.console import Console

        if output is not None and str(output) != "-":
            with open(output, "w", encoding="utf-8") as fh:
                Console(file=fh, width=200).print(render.gaps_rich_table(report, title=title))
            _stderr().print(f"Wrote {output}")
        else:
            console = Console()
            console.print(render.gaps_rich_table(report, title=title, width=console.width))
        return
    text = {GapFormat.csv: render.gaps_csv, GapFormat.json: render.gaps_json,
            GapFormat.markdown: render.gaps_markdown}[fmt](report)
    _write_output(text, output)


# --------------------------------------------------------------------------- commands
@boundaries_app.command("load")
@handle_errors
def boundaries_load(
    file: Annotated[Path, typer.Argument(help="Polygons: GeoJSON, GeoPackage, Shapefile or TopoJSON, any CRS.")],
    code_field: Annotated[Optional[str], typer.Option(help="Field with the area code (detected if omitted).")] = None,
    name_field: Annotated[Optional[str], typer.Option(help="Field with the area name (detected if omitted).")] = None,
    population_field: Annotated[Optional[str], typer.Option(help="Field with each area's population.")] = None,
    population: Annotated[Optional[Path], typer.Option(
        help="Population CSV joined by code (ONS wide format: 'Persons' rows, all_ages and age columns).")] = None,
    population_code_column: Annotated[Optional[str], typer.Option(
        help="Column of area codes in the population CSV (detected if omitted).")] = None,
    small_areas: Annotated[Optional[Path], typer.Option(
        help="Small-area polygons (e.g. LSOA) for a population CSV of smaller areas; summed into the areas.")] = None,
    dissolve: Annotated[Optional[Path], typer.Option(
        help="Lookup CSV from the polygons' codes to neighbourhoods: dissolve them into neighbourhoods.")] = None,
    into: Annotated[Optional[str], typer.Option(help="Lookup column with the neighbourhood code.")] = None,
    into_name: Annotated[Optional[str], typer.Option(help="Lookup column with the neighbourhood name.")] = None,
    layer: Annotated[Optional[str], typer.Option(help="Layer to read from a multi-layer file.")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of a file that has none, e.g. EPSG:27700.")] = None,
    study_name: Annotated[Optional[list[str]], typer.Option(
        "--study-name", help="A name or code of the whole study area (e.g. Trafford, E08000009; repeatable): "
        "services that serve it count as serving every area.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load neighbourhood boundaries (and population) into the workspace, replacing any loaded before."""
    ws = _workspace(workspace)
    result = ws.load_boundaries(
        file, code_field=code_field, name_field=name_field, population_field=population_field,
        population_csv=population, population_code_column=population_code_column, small_areas=small_areas,
        dissolve=dissolve, into=into, into_name=into_name, layer=layer, crs=crs, study_names=study_name,
    )
    err = _stderr()
    for w in result.warnings:
        err.print(f"Warning: {w}")
    a = result.areas
    pop = f", population {a['all_ages'].sum():,.0f}" if "all_ages" in a.columns else ", no population"
    err.print(f"Loaded {len(a)} areas from {result.source}{pop} into {ws.location}")
    if result.small_areas is not None:
        err.print(f"Stored {len(result.small_areas)} small areas as the population layer")


@population_app.command("load")
@handle_errors
def population_load(
    file: Annotated[Path, typer.Argument(
        help="Small areas: LSOA or output-area polygons, or population-weighted centroid points (any CRS).")],
    population: Annotated[Optional[Path], typer.Option(
        help="Population CSV by small-area code (ONS wide format or code + total); "
        "omit if the file has the population fields.")] = None,
    code_field: Annotated[Optional[str], typer.Option(help="Field with the small-area code (detected if omitted).")] = None,
    name_field: Annotated[Optional[str], typer.Option(help="Field with the small-area name (detected if omitted).")] = None,
    population_code_column: Annotated[Optional[str], typer.Option(
        help="Column of small-area codes in the population CSV (detected if omitted).")] = None,
    layer: Annotated[Optional[str], typer.Option(help="Layer to read from a multi-layer file.")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of a file that has none, e.g. EPSG:27700.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load the population layer: coverage then counts where people live, and accessibility is computed."""
    ws = _workspace(workspace)
    result = ws.load_population(file, population_csv=population, code_field=code_field, name_field=name_field,
                                population_code_column=population_code_column, layer=layer, crs=crs)
    err = _stderr()
    for w in result.warnings:
        err.print(f"Warning: {w}")
    small = result.small_areas
    counted = small[small["area_code"].notna()]
    err.print(f"Stored {len(small)} small areas from {result.source} as the population layer: "
              f"{counted['all_ages'].sum():,.0f} people in {len(result.areas)} areas "
              f"({result.outside} small areas outside them); each area's population is now the sum of its small areas")


@need_app.command("load")
@handle_errors
def need_load(
    file: Annotated[Path, typer.Argument(help="CSV or Excel with a small-area code column and an indicator column.")],
    column: Annotated[Optional[str], typer.Option(
        help="The indicator column (detected if omitted: an IMD score, else an IMD decile, else the only number).")] = None,
    code_column: Annotated[Optional[str], typer.Option(help="The code column (detected if omitted).")] = None,
    higher_is_more_need: Annotated[Optional[bool], typer.Option(
        "--higher-is-more-need/--lower-is-more-need",
        help="Which way the indicator runs (detected: deciles and ranks run lower = more need).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load a need indicator by small-area code; the gaps' priority is then weighted by need."""
    ws = _workspace(workspace)
    indicator = ws.load_need(file, column=column, code_column=code_column, higher_is_more_need=higher_is_more_need)
    err = _stderr()
    err.print(f"Loaded need indicator {indicator.name!r} from {indicator.source}: {len(indicator.values)} values")
    for note in indicator.notes:
        err.print(f"  {note}")


@app.command("import")
@handle_errors
def import_(
    file: Annotated[Optional[Path], typer.Argument(
        help="Asset list: CSV, XLSX, GeoJSON or GeoPackage; or an Open Referral UK feed (JSON, or a folder or "
        "zip of HSDS CSV files).")] = None,
    map_: Annotated[Optional[list[str]], typer.Option(
        "--map", help="Use a column for a field, e.g. --map name='Organisation' (fields: id, name, category, "
        "description, address, postcode, latitude, longitude, easting, northing). Repeatable.")] = None,
    category: Annotated[Optional[list[str]], typer.Option(
        help="Category for every row (id, label or synonym), e.g. for a list of food banks. Repeatable.")] = None,
    source: Annotated[Optional[str], typer.Option(
        help="Name this import is known by (default: the file name); re-importing it replaces its assets.")] = None,
    sheet: Annotated[Optional[str], typer.Option(help="Excel sheet to read, by name or number (default: the first holding a table).")] = None,
    layer: Annotated[Optional[str], typer.Option(help="Layer of a multi-layer GeoPackage.")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding of a CSV (default: UTF-8, else Windows-1252).")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of a spatial file that has none, e.g. EPSG:27700.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report without changing the workspace.")] = False,
    chunk_rows: Annotated[Optional[int], typer.Option(
        "--chunk-rows", min=1, help="Read and write a CSV this many rows at a time (for files larger than memory; "
        "automatic for CSV files over 100 MB).")] = None,
    online: Annotated[bool, typer.Option(
        "--online", help="Locate postcodes the loaded lookup lacks with postcodes.io (needs internet; answers are "
        "cached in the workspace).")] = False,
    postcode_service: Annotated[Optional[str], typer.Option(
        help="Base URL of a service with the postcodes.io bulk API, used with --online.")] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each request with --online.")] = 10.0,
    category_map: CategoryMapOpt = None,
    save_category_map: SaveCategoryMapOpt = None,
    use_inferred: UseInferredOpt = False,
    url: Annotated[Optional[str], typer.Option(
        help="Read the services of an Open Referral UK API at this base URL (pages are cached).")] = None,
    crosswalk: Annotated[Optional[Path], typer.Option(
        help="CSV mapping feed taxonomy terms to categories (vocabulary,term_id,term_name,category), "
        "instead of the one shipped.")] = None,
    include_inactive: Annotated[bool, typer.Option(
        "--include-inactive", help="Import a feed's inactive and defunct services too.")] = False,
    stale_days: Annotated[int, typer.Option(
        min=1, help="Flag a feed's services not verified for more than this many days as stale.")] = 730,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import an asset list or a service directory feed: locate, categorise and assign each row to an area."""
    from rich.console import Console

    from .inputs.columns import parse_overrides
    from .outputs.render import import_summary

    err = _stderr()
    if file is None and url is None:
        raise typer.BadParameter("give a FILE to import, or --url for a directory's API", param_hint="FILE")
    if file is None:
        from urllib.parse import urlparse

        file = Path(urlparse(url).netloc or "feed")
    if postcode_service and not online:
        raise typer.BadParameter("--postcode-service is used only with --online", param_hint="--postcode-service")
    ws = _workspace(workspace)
    with _progress_bar(err) as bar:
        task = bar.add_task(f"{file.name}: reading", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{file.name}: {step}", completed=done, total=total or None)

        result = ws.import_assets(
            file, columns=parse_overrides(map_), categories=category, source=source, sheet=sheet,
            layer=layer, encoding=encoding, crs=crs, dry_run=dry_run,
            online=(postcode_service or True) if online else False, timeout=timeout,
            category_map=category_map, use_inferred=use_inferred, url=url, crosswalk=crosswalk,
            include_inactive=include_inactive, stale_days=stale_days, progress=progress, chunk_rows=chunk_rows,
        )
    for note in result.notes:
        err.print(f"Note: {file.name}: {note}")
    if result.columns:
        err.print("Columns: " + ", ".join(f"{k}={v!r}" for k, v in result.columns.items()))
    taxonomy = ws.taxonomy() if result.unknown_words else None
    for word, rows in sorted(result.unknown_words.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        hint = result.suggestions.get(word)
        shown = ", ".join(map(str, rows[:5])) + (" ..." if len(rows) > 5 else "")
        tip = f"closest category: {taxonomy.get(hint).label} ({hint}); " if hint else ""
        err.print(
            f"Warning: {file.name}, column {result.columns.get('category')!r}: unknown category {word!r} "
            f"in {len(rows)} row(s) ({shown}); {tip}decide it in a category map (--save-category-map FILE, "
            "fill in the category column, import with --category-map FILE) or add it to the taxonomy"
        )
    for r in result.rejects[:10]:
        col = f", column {r.column!r}" if r.column else ""
        err.print(f"Rejected: {file.name}, row {r.row}{col}: {r.reason}")
    if result.rejected > 10:
        err.print(f"... and {result.rejected - 10} more rejected rows (`asset-map rejects` lists them all)")
    if result.duplicates:
        across = sum(g.across_imports for g in result.duplicates)
        err.print(f"Note: {len(result.duplicates)} groups of likely duplicates involve this list ({across} with "
                  "earlier imports); nothing was merged: review them with `asset-map duplicates`.")
    _report_categories(err, ws, file, result, category_map, save_category_map, use_inferred)
    if result.feed is not None:
        _report_feed(err, file, result.feed)
    Console(stderr=True).print(import_summary(result))
    if dry_run:
        err.print("Dry run: nothing was written.")
    elif not result.reconciles():  # pragma: no cover - a bug, not bad input
        raise RuntimeError("import counts do not reconcile")


def _report_categories(err, ws, file: Path, result, category_map, save_category_map, use_inferred) -> None:
    """Tell the user about inferred categories and write the category-map template if asked."""
    if result.with_inferred:
        labels = {c.id: c.label for c in ws.taxonomy()}
        top = ", ".join(f"{labels.get(c, c)} {n}" for c, n in list(result.inferred.items())[:5])
        used = ("used as their categories (marked inferred)" if use_inferred
                else "not used: review them (`asset-map export geojson --layer assets`, property inferred) "
                     "and import with --use-inferred to use them")
        err.print(f"Note: {file.name}: {result.with_inferred} rows without a known category have categories "
                  f"suggested by their name or description ({top}); {used}.")
    if save_category_map is not None:
        from .categories.category_map import read_category_map, write_category_map

        existing = read_category_map(category_map, ws.taxonomy()) if category_map is not None else None
        n = write_category_map(save_category_map, result.unknown_words, result.suggestions, existing)
        err.print(f"Wrote {n} category words to {save_category_map}: fill in the category column (an id, label, "
                  "or 'ignore') and import again with --category-map.")


def _report_feed(err, file: Path, report) -> None:
    """The feed's schema problems, unmapped terms and the table of what became of its services."""
    from rich.console import Console

    from .outputs.render import feed_summary

    for p in report.problems[:10]:
        err.print(f"Problem: {file.name}, {p}")
    if len(report.problems) > 10:
        err.print(f"... and {len(report.problems) - 10} more problems in the feed")
    for (vocab, term), n in report.unmapped_terms.most_common(10):
        err.print(f"Warning: {file.name}: taxonomy term {term!r} ({vocab or 'no vocabulary'}) is not in the "
                  f"crosswalk ({n} service(s)); add it to a crosswalk file and import with --crosswalk")
    if len(report.unmapped_terms) > 10:
        err.print(f"... and {len(report.unmapped_terms) - 10} more unmapped terms")
    Console(stderr=True).print(feed_summary(report))


@app.command()
@handle_errors
def inspect(
    file: Annotated[Path, typer.Argument(help="Asset list: CSV, XLSX, GeoJSON or GeoPackage.")],
    map_: Annotated[Optional[list[str]], typer.Option(
        "--map", help="Use a column for a field, as with import. Repeatable.")] = None,
    category: Annotated[Optional[list[str]], typer.Option(help="Category for every row, as with import.")] = None,
    sheet: Annotated[Optional[str], typer.Option(help="Excel sheet to read, by name or number (default: the first holding a table).")] = None,
    layer: Annotated[Optional[str], typer.Option(help="Layer of a multi-layer GeoPackage.")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding of a CSV.")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of a spatial file that has none.")] = None,
    rows: Annotated[int, typer.Option(min=0, help="Sample rows to show.")] = 5,
    category_map: CategoryMapOpt = None,
    save_category_map: SaveCategoryMapOpt = None,
    use_inferred: UseInferredOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show how a file would import (columns, sample rows, category mapping, every problem) without writing."""
    from rich.console import Console

    from .outputs import render
    from .inputs.columns import parse_overrides

    ws = _workspace(workspace)
    result = ws.import_assets(file, columns=parse_overrides(map_), categories=category, sheet=sheet, layer=layer,
                              encoding=encoding, crs=crs, category_map=category_map, use_inferred=use_inferred,
                              dry_run=True)
    Console(soft_wrap=False).print(render.inspect_report(result, ws.taxonomy(), sample=rows))
    _report_categories(_stderr(), ws, file, result, category_map, save_category_map, use_inferred)
    if result.feed is not None:
        _report_feed(_stderr(), file, result.feed)
    _stderr().print("Inspection only: nothing was written. Import with `asset-map import` and the same options.")


@app.command()
@handle_errors
def gaps(
    area: Annotated[Optional[str], typer.Option(help="Area code or name (any case).")] = None,
    category: Annotated[Optional[str], typer.Option(help="Category id, label or synonym.")] = None,
    format: Annotated[GapFormat, typer.Option("--format", "-f", help="Output format.")] = GapFormat.table,
    top: Annotated[Optional[int], typer.Option(min=1, help="Show only the first N gaps by priority.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to a file instead of stdout.")] = None,
    add: Annotated[Optional[list[str]], typer.Option(
        "--add", help='What if: an asset "name;category;postcode" or "name;category;lon,lat" (repeatable); '
        "the workspace is not changed.")] = None,
    without: Annotated[Optional[list[str]], typer.Option(
        "--without", help="What if: leave out this asset (id or exact name; repeatable).")] = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    stale_days: Annotated[Optional[int], typer.Option(
        min=1, help="Records verified longer ago than this lower the confidence (default 730).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Coverage gaps for each area and need category, sorted by priority."""
    ws = _workspace(workspace)
    flt = _filters(audience, when, free, verified_since)
    if add or without:
        _print_what_if(ws, add or [], without or [], area, category, format, output, top, flt)
        return
    report = ws.gaps(area=area, category=category, filters=flt, stale_days=stale_days)
    title = "Gaps by priority" + (f" — {report.rows[0].area_name}" if area and report.rows else "")
    _print_gaps(report, format, output, top, title)


def _print_what_if(ws, add, without, area, category, fmt: GapFormat, output, top, flt=None) -> None:
    from .outputs import render

    result = ws.what_if(add=add, without=without, filters=flt)
    one = ws.gaps(area=area, category=category) if (area or category) else None
    codes = sorted({r.area_code for r in one.rows}) if one else None
    cats = sorted({r.category_id for r in one.rows}) if one else None
    changes = result.changes(areas=codes, categories=cats)[:top]
    if fmt is GapFormat.table:
        from rich.console import Console

        if output is not None and str(output) != "-":
            with open(output, "w", encoding="utf-8") as fh:
                Console(file=fh, width=200).print(render.whatif_table(result, changes))
            _stderr().print(f"Wrote {output}")
        else:
            console = Console()
            console.print(render.whatif_table(result, changes, width=console.width))
        return
    text = {GapFormat.csv: lambda: render.whatif_csv(changes), GapFormat.json: lambda: render.whatif_json(result, changes),
            GapFormat.markdown: lambda: render.whatif_markdown(result, changes)}[fmt]()
    _write_output(text, output)


class CardFormat(str, Enum):
    html = "html"
    markdown = "markdown"


@app.command("report")
@handle_errors
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (.html or .md).")],
    area: Annotated[Optional[str], typer.Option(help="One area, by code or name (default: a card per area).")] = None,
    format: Annotated[CardFormat, typer.Option("--format", "-f", help="html (one file, maps inside) or markdown "
                                               "(maps as PNG files beside it).")] = CardFormat.html,
    top: Annotated[int, typer.Option(min=1, help="Gaps per card.")] = 5,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write gap cards: a printable page per area with its top gaps, what exists there and a small map."""
    paths = _workspace(workspace).export_cards(output, area=area, fmt=format.value, top=top,
                                               filters=_filters(audience, when, free, verified_since))
    maps = len(paths) - 1
    _stderr().print(f"Wrote {paths[0]}" + (f" and {maps} map image{'s' if maps != 1 else ''}" if maps else ""))


@export_app.command("geojson")
@handle_errors
def export_geojson(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write, or - for stdout.")],
    layer: Annotated[Layer, typer.Option(help="areas (with gap measures per category) or assets.")] = Layer.areas,
    category: Annotated[Optional[str], typer.Option(help="Only this category's measures (areas layer).")] = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write areas or assets as RFC 7946 GeoJSON (WGS84) for web maps and QGIS."""
    text = _workspace(workspace).export_geojson(layer.value, category=category,
                                                filters=_filters(audience, when, free, verified_since))
    _write_output(text + "\n", output)


@export_app.command("html")
@handle_errors
def export_html(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    category: Annotated[Optional[str], typer.Option(help="Category shown first (default: the top gap's).")] = None,
    title: Annotated[Optional[str], typer.Option(help="Title at the top of the page.")] = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the interactive map: one HTML file that opens without internet (apart from background tiles)."""
    text = _workspace(workspace).export_html(category=category, title=title,
                                             filters=_filters(audience, when, free, verified_since))
    _write_output(text, output)


@export_app.command("png")
@handle_errors
def export_png(
    category: Annotated[str, typer.Option(help="The category to map (id, label or synonym).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")],
    title: Annotated[Optional[str], typer.Option(help="Title above the map.")] = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a slide map of one category's gaps (16:9, 2000 × 1125 pixels)."""
    path = _workspace(workspace).export_png(output, category, title=title,
                                            filters=_filters(audience, when, free, verified_since))
    _stderr().print(f"Wrote {path}")


@export_app.command("xlsx")
@handle_errors
def export_xlsx(
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the handout workbook: ranked gaps, a sheet per area, and the asset list."""
    path = _workspace(workspace).export_handouts(output, filters=_filters(audience, when, free, verified_since))
    _stderr().print(f"Wrote {path}")


@export_app.command("csv")
@handle_errors
def export_csv(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the CSV files into.")],
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the handout tables as CSV files: summary.csv, area-<code>.csv per area, assets.csv."""
    paths = _workspace(workspace).export_handouts(output, folder=True,
                                                  filters=_filters(audience, when, free, verified_since))
    _stderr().print(f"Wrote {len(paths)} CSV files to {output}")


@export_app.command("gpkg")
@handle_errors
def export_gpkg(
    output: Annotated[Path, typer.Option("--output", "-o", help="GeoPackage to write (.gpkg).")],
    category: Annotated[Optional[str], typer.Option(help="Only this category's measures on the areas.")] = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write areas (with their measures), assets and the population layer as a GeoPackage for QGIS."""
    counts = _workspace(workspace).export_gpkg(output, category=category,
                                               filters=_filters(audience, when, free, verified_since))
    _stderr().print(f"Wrote {output}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


class ListFormat(str, Enum):
    table = "table"
    csv = "csv"


@app.command()
@handle_errors
def duplicates(
    distance: Annotated[float, typer.Option(
        min=0, help="Same-named assets at most this many metres apart are likely duplicates.")] = 100.0,
    merge_all: Annotated[bool, typer.Option(
        "--merge", help="Merge every group listed into its first asset (the one marked keep).")] = False,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to a file instead of stdout.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """List likely duplicate assets (same name at the same postcode or close together); --merge merges them."""
    from .outputs import render

    ws = _workspace(workspace)
    groups = ws.duplicates(distance_m=distance)
    err = _stderr()
    if not groups:
        err.print("No likely duplicates.")
        return
    if format is ListFormat.csv:
        _write_output(render.duplicates_csv(groups), output)
    else:
        from rich.console import Console

        if output is not None and str(output) != "-":
            with open(output, "w", encoding="utf-8") as fh:
                Console(file=fh, width=200).print(render.duplicates_table(groups))
            err.print(f"Wrote {output}")
        else:
            Console().print(render.duplicates_table(groups))
    across = sum(g.across_imports for g in groups)
    err.print(f"{len(groups)} groups of likely duplicates ({across} across imports, {len(groups) - across} "
              "within one file).")
    if merge_all:
        n = ws.merge_groups([(g.asset_ids[0], list(g.asset_ids[1:])) for g in groups])
        err.print(f"Merged {n} assets into {len(groups)} kept ones; the decisions are kept and applied again "
                  "when a list is re-imported.")
    else:
        err.print("Nothing was merged: run `asset-map duplicates --merge` to merge every group, or "
                  "`asset-map merge KEEP_ID OTHER_ID...` for one.")


@app.command()
@handle_errors
def merge(
    keep: Annotated[str, typer.Argument(help="Id of the asset to keep.")],
    others: Annotated[list[str], typer.Argument(help="Ids of the assets that are the same as it.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Merge assets that are the same into one (their categories are added to the kept asset)."""
    ws = _workspace(workspace)
    n = ws.merge(keep, others)
    _stderr().print(f"Merged {n} asset(s) into {keep}.")


@export_app.command("oruk")
@handle_errors
def export_oruk(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the CSV files into.")],
    source: Annotated[Optional[str], typer.Option(help="Only the assets of this import (file name).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write assets added by hand (not from a directory feed) as Open Referral UK v3 CSV files for the directory."""
    n = _workspace(workspace).export_oruk(output, source=source)
    _stderr().print(f"Wrote {n} assets as Open Referral UK v3 CSV (services, locations, service_at_locations, "
                    f"addresses, taxonomy_terms, attributes) to {output}")


@app.command()
@handle_errors
def rejects(
    source: Annotated[Optional[str], typer.Option(help="Only rows from this import source (file name).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write CSV to a file instead of stdout.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """List every rejected input row with its file, row number, column and reason (CSV)."""
    frame = _workspace(workspace).rejects()
    if frame is None:
        _stderr().print("No rejected rows.")
        return
    if source is not None:
        frame = frame[frame["source"] == source]
    from .outputs.handouts import neutralise

    # The cells hold what the lists held: text that a spreadsheet would run as a formula gets an apostrophe.
    frame = frame.map(neutralise) if hasattr(frame, "map") else frame.applymap(neutralise)
    _write_output(frame.to_csv(index=False), output)


@app.command()
@handle_errors
def status(workspace: WorkspaceOpt = None) -> None:
    """Show what the workspace holds."""
    info = _workspace(workspace).status()
    if not info["exists"]:
        _stderr().print(f"No workspace at {info['workspace']} yet.")
        return
    for key, value in info.items():
        if key != "exists":
            typer.echo(f"{key}: {value}")


@app.command()
@handle_errors
def copy(
    target: Annotated[str, typer.Argument(
        help="A new GeoPackage file, or an empty PostGIS schema: postgresql://USER@HOST/DATABASE?schema=NAME.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Copy the workspace, every layer and table, into a new one: from a GeoPackage to a shared PostGIS
    database, or back."""
    from .workspace import Workspace

    ws = _workspace(workspace)
    counts = ws.copy_to(target)
    _stderr().print(f"Copied {ws.location} to {Workspace(target).location}: " +
                    ", ".join(f"{name} {n:,}" for name, n in counts.items()))


@postcodes_app.command("load")
@handle_errors
def postcodes_load(
    files: Annotated[list[Path], typer.Argument(
        help="ONSPD CSV, Code-Point Open CSVs (or their folder), or any CSV of postcodes with coordinates.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Store a postcode lookup in the workspace (replacing any before); imports then locate rows by postcode."""
    err = _stderr()
    ws = _workspace(workspace)
    with err.status("Reading postcodes..."):
        lookup = ws.load_postcodes(files)
    skipped = "".join(f"; {n:,} skipped: {why}" for why, n in lookup.skipped.items())
    err.print(
        f"Loaded {len(lookup.table):,} postcodes from {len(lookup.sources)} file(s) into {ws.location} "
        f"({lookup.located:,} with a grid reference, {lookup.terminated:,} terminated); "
        f"{lookup.rows_read:,} rows read{skipped}."
    )
    err.print("Lists imported before now are not re-located: import them again to use the postcodes.")


@taxonomy_app.command("show")
@handle_errors
def taxonomy_show(workspace: WorkspaceOpt = None) -> None:
    """List the need categories: id, label, catchment, target population, synonyms (CSV)."""
    import csv

    from .categories.taxonomy import TAXONOMY_COLUMNS

    writer = csv.DictWriter(sys.stdout, fieldnames=list(TAXONOMY_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(_workspace(workspace).taxonomy().to_rows())


@taxonomy_app.command("load")
@handle_errors
def taxonomy_load(
    file: Annotated[Path, typer.Argument(help="Taxonomy CSV: id, label, catchment_m, target_population, synonyms.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Replace the workspace's need categories and re-map every asset's category words."""
    taxonomy = _workspace(workspace).load_taxonomy(file)
    _stderr().print(f"Loaded {len(taxonomy)} categories from {file.name}")


@app.command()
@handle_errors
def demo(
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace to (re)build.")] = "asset-map-demo.gpkg",
    top: Annotated[int, typer.Option(min=1, help="How many gaps to show.")] = 20,
    outputs: Annotated[Path, typer.Option(
        help="Folder for the workshop outputs (map, slide, handouts, GeoPackage).")] = Path("asset-map-demo"),
) -> None:
    """Run the whole analysis on the bundled synthetic example (Eastbrook), print the top gaps and write the
    workshop outputs."""
    from .demo import run_demo, write_demo_outputs

    err = _stderr()
    ws = _workspace(workspace)
    boundaries, result = run_demo(ws)
    err.print(
        f"Eastbrook (synthetic example): {len(boundaries.areas)} neighbourhoods, population "
        f"{boundaries.areas['all_ages'].sum():,.0f}; {result.rows_read} asset rows read, {result.imported} imported "
        f"({result.outside} outside the borough, {result.uncategorised} uncategorised), {result.rejected} rejected."
    )
    _print_gaps(ws.gaps(), GapFormat.table, None, top, f"Eastbrook: top {top} gaps by priority")
    written = write_demo_outputs(ws, outputs)
    err.print(f"Workshop outputs in {outputs}/: " + ", ".join(p.name for p in written) + f" (open {outputs}/map.html "
              "in a browser)")
    err.print(f"Workspace: {ws.location}. Next: asset-map gaps -w {ws.location} --area Southmoor")


def _sigterm(_signum, _frame):
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _sigterm)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
