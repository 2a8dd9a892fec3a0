"""``asset-map boundaries load``, ``population load`` and ``need load``: the areas and who lives in them."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import handle_errors, open_workspace, print_rich, stderr, write_output
from ._options import GapFormat, GapFormatOpt, OutputOpt, WorkspaceOpt

boundaries_app = typer.Typer(help="Load neighbourhood boundaries and their population.", no_args_is_help=True)
population_app = typer.Typer(help="Load where people live: small areas with population by age; check it against "
                             "published estimates.",
                             no_args_is_help=True)
need_app = typer.Typer(help="Load a need indicator (IMD score or decile, or any) that weights the priority.",
                       no_args_is_help=True)

class ShareMethod(str, Enum):
    """How ``population load`` shares a small area among the areas it straddles."""

    auto = "auto"
    area = "area"
    postcodes = "postcodes"
    whole = "whole"


FileLayerOpt = Annotated[Optional[str], typer.Option(help="Layer to read from a multi-layer file.")]
CrsOpt = Annotated[Optional[str], typer.Option(help="CRS of a file that has none, e.g. EPSG:27700.")]


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
    layer: FileLayerOpt = None,
    crs: CrsOpt = None,
    study_name: Annotated[Optional[list[str]], typer.Option(
        "--study-name", help="A name or code of the whole study area (e.g. Trafford, E08000009; repeatable): "
        "services that serve it count as serving every area.")] = None,
    level: Annotated[Optional[str], typer.Option(
        help="Store these as a second level of areas with this name (e.g. wards), beside the areas, for "
        "`gaps --area AREA --by NAME`; the areas, population and assets stay as they are.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load neighbourhood boundaries (and population) into the workspace, replacing any loaded before;
    with --level, a second level of areas inside them (wards in localities)."""
    ws = open_workspace(workspace)
    result = ws.load_boundaries(
        file, code_field=code_field, name_field=name_field, population_field=population_field,
        population_csv=population, population_code_column=population_code_column, small_areas=small_areas,
        dissolve=dissolve, into=into, into_name=into_name, layer=layer, crs=crs, study_names=study_name,
        level=level,
    )
    err = stderr()
    for w in result.warnings:
        err.print(f"Warning: {w}")
    a = result.areas
    if level:
        err.print(f"Loaded {len(a)} areas from {result.source} as the level {level.strip()!r} into {ws.location}; "
                  f"the areas are kept (gaps --area AREA --by {level.strip()})")
        return
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
    method: Annotated[ShareMethod, typer.Option(
        help="How small areas that straddle areas are shared: auto (by postcode count when a postcode lookup is "
        "loaded, else by area share), area, postcodes, or whole (each small area wholly to the area containing "
        "its point).")] = ShareMethod.auto,
    lookup: Annotated[Optional[Path], typer.Option(
        help="Best-fit lookup CSV from small-area codes to area codes (e.g. ONS LSOA to ward): each small area "
        "goes wholly to the area it names.")] = None,
    finer: Annotated[Optional[Path], typer.Option(
        help="A finer layer inside the small areas (output areas inside LSOAs: polygons or points, with their "
        "population in their fields or --finer-population): small areas are shared by its people.")] = None,
    finer_population: Annotated[Optional[Path], typer.Option(
        help="Population CSV of the finer layer, by its codes.")] = None,
    layer: FileLayerOpt = None,
    crs: CrsOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load the population layer: coverage then counts where people live, and accessibility is computed."""
    ws = open_workspace(workspace)
    result = ws.load_population(file, population_csv=population, code_field=code_field, name_field=name_field,
                                population_code_column=population_code_column, layer=layer, crs=crs,
                                method=method.value, lookup=lookup,
                                finer=finer, finer_population=finer_population)
    from ..inputs.apportion import METHOD_TEXT

    err = stderr()
    for w in result.warnings:
        err.print(f"Warning: {w}")
    parts = result.small_areas
    counted = parts[parts["area_code"].notna()]
    err.print(f"Stored {parts['code'].nunique()} small areas from {result.source} as the population layer "
              f"({len(parts)} parts, shared by {METHOD_TEXT[result.method]}): "
              f"{counted['all_ages'].sum():,.0f} people in {len(result.areas)} areas, "
              f"{parts['all_ages'].sum() - counted['all_ages'].sum():,.0f} beyond them; "
              "each area's population is now the sum of its parts")


@population_app.command("check")
@handle_errors
def population_check(
    file: Annotated[Path, typer.Argument(
        help="Published estimates by area: ONS mid-year estimates (wide format, 'Persons' rows) or code, name "
        "and total columns.")],
    code_column: Annotated[Optional[str], typer.Option(
        help="Column of area codes in the estimates (detected if omitted).")] = None,
    format: GapFormatOpt = GapFormat.table,
    output: OutputOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Compare each area's population with a published estimate (matched by code, else name); changes nothing."""
    from ..inputs.population_check import summary
    from ..outputs import render

    ws = open_workspace(workspace)
    check = ws.check_population(file, code_column=code_column)
    s = summary(check)
    if format is GapFormat.csv:
        write_output(render.population_check_csv(check), output)
    elif format is GapFormat.json:
        write_output(render.population_check_json(check, s), output)
    elif format is GapFormat.markdown:
        write_output(render.population_check_markdown(check, s), output)
    else:
        print_rich(lambda width: render.population_check_table(check), output)
    err = stderr()
    for line in render.population_check_lines(s):
        err.print(line)


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
    ws = open_workspace(workspace)
    indicator = ws.load_need(file, column=column, code_column=code_column, higher_is_more_need=higher_is_more_need)
    err = stderr()
    err.print(f"Loaded need indicator {indicator.name!r} from {indicator.source}: {len(indicator.values)} values")
    for note in indicator.notes:
        err.print(f"  {note}")

