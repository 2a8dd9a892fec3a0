"""``asset-map export ...``: maps, handouts and data for other tools."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import handle_errors, open_workspace, stderr, write_output
from ._options import (AddOpt, AudienceOpt, FocusAreaOpt, FreeOpt, VerifiedOpt, WhenOpt, WithoutOpt, WorkspaceOpt,
                       asset_filter, view_options)

app = typer.Typer(help="Write maps, handouts and data for other tools (HTML, PNG, Excel, CSV, GeoJSON, "
                  "GeoPackage, Open Referral UK CSV).",
                  no_args_is_help=True)


class Layer(str, Enum):
    """The layers a GeoJSON export holds."""

    areas = "areas"
    assets = "assets"
    catchments = "catchments"


@app.command("geojson")
@handle_errors
def export_geojson(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write, or - for stdout.")],
    layer: Annotated[Layer, typer.Option(
        help="areas (with gap measures per category), assets, or catchments (each asset's catchment polygon per "
        "category; needs a street network).")] = Layer.areas,
    category: Annotated[Optional[str], typer.Option(
        help="Only this category: its measures (areas layer), its assets (assets layer) or its assets' catchments "
        "(catchments layer).")] = None,
    area: FocusAreaOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write areas, assets or catchments as RFC 7946 GeoJSON (WGS84) for web maps and QGIS (with --area only
    that area and its assets; with --add/--without the measures after the what-if beside those before)."""
    ws = open_workspace(workspace)
    text = ws.export_geojson(
        layer.value, category=category, **view_options(ws, area, add, without, asset_filter(audience, when, free,
                                                                                          verified_since)))
    write_output(text + "\n", output)


@app.command("html")
@handle_errors
def export_html(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    category: Annotated[Optional[str], typer.Option(
        help="Category shown first (default: the top robust gap's, of the area with --area).")] = None,
    title: Annotated[Optional[str], typer.Option(help="Title at the top of the page.")] = None,
    area: FocusAreaOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the interactive map: one HTML file that opens without internet (apart from background tiles);
    with --add/--without it switches between before and after the what-if."""
    ws = open_workspace(workspace)
    text = ws.export_html(
        category=category, title=title, **view_options(ws, area, add, without, asset_filter(audience, when, free,
                                                                                         verified_since)))
    write_output(text, output)


@app.command("png")
@handle_errors
def export_png(
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")],
    category: Annotated[Optional[str], typer.Option(
        help="The category to map (id, label or synonym; default: the top robust gap's, of the area with "
        "--area).")] = None,
    title: Annotated[Optional[str], typer.Option(help="Title above the map.")] = None,
    area: FocusAreaOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a slide map of one category's gaps (16:9, 2000 × 1125 pixels); framed on --area when given."""
    ws = open_workspace(workspace)
    path = ws.export_png(
        output, category, title=title, **view_options(ws, area, add, without, asset_filter(audience, when, free,
                                                                                        verified_since)))
    stderr().print(f"Wrote {path}")


@app.command("xlsx")
@handle_errors
def export_xlsx(
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    area: FocusAreaOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the handout workbook: ranked gaps, a sheet per area, the asset list and the sources
    (with --add/--without a "What if" sheet, before and after)."""
    ws = open_workspace(workspace)
    path = ws.export_handouts(
        output, **view_options(ws, area, add, without, asset_filter(audience, when, free, verified_since)))
    stderr().print(f"Wrote {path}")


@app.command("csv")
@handle_errors
def export_csv(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the CSV files into.")],
    area: FocusAreaOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the handout tables as CSV files: summary.csv, area-<code>.csv per area, assets.csv, sources.csv
    (and what-if.csv with --add/--without)."""
    ws = open_workspace(workspace)
    paths = ws.export_handouts(
        output, folder=True, **view_options(ws, area, add, without, asset_filter(audience, when, free,
                                                                             verified_since)))
    stderr().print(f"Wrote {len(paths)} CSV files to {output}")


@app.command("gpkg")
@handle_errors
def export_gpkg(
    output: Annotated[Path, typer.Option("--output", "-o", help="GeoPackage to write (.gpkg).")],
    category: Annotated[Optional[str], typer.Option(help="Only this category's measures on the areas.")] = None,
    area: FocusAreaOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write areas (with their measures), assets, the population layer and, with a street network, the
    assets' catchments as a GeoPackage for QGIS."""
    ws = open_workspace(workspace)
    counts = ws.export_gpkg(
        output, category=category, **view_options(ws, area, add, without, asset_filter(audience, when, free,
                                                                                   verified_since)))
    stderr().print(f"Wrote {output}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if "catchments" not in counts:
        stderr().print("No catchments layer: it needs a street network (`asset-map network load`) and located "
                       "assets; without one the catchments are straight-line distances.")


@app.command("oruk")
@handle_errors
def export_oruk(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the CSV files into.")],
    source: Annotated[Optional[str], typer.Option(help="Only the assets of this import (file name).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write assets added by hand (not from a directory feed) as Open Referral UK v3 CSV files for the directory."""
    ws = open_workspace(workspace)
    n = ws.export_oruk(output, source=source)
    stderr().print(f"Wrote {n} assets as Open Referral UK v3 CSV (services, locations, service_at_locations, "
                   f"addresses, taxonomy_terms, attributes) to {output}")
