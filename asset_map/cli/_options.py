"""Options that several commands share, each declared once as an ``Annotated`` type."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:  # pragma: no cover
    from ..categories.filters import AssetFilter
    from ..workspace import Workspace

WorkspaceOpt = Annotated[
    Optional[str],
    typer.Option(
        "--workspace", "-w", envvar="ASSET_MAP_WORKSPACE", show_envvar=True,
        help="Workspace: a GeoPackage file, or a shared PostGIS database as "
        "postgresql://USER@HOST/DATABASE?schema=NAME. Default: ./asset-map.gpkg.",
    ),
]

# Reading an asset list (import and inspect).
SheetOpt = Annotated[Optional[str], typer.Option(
    help="Excel sheet to read, by name or number (default: the first holding a table).")]
GeoPackageLayerOpt = Annotated[Optional[str], typer.Option(help="Layer of a multi-layer GeoPackage.")]
CategoryMapOpt = Annotated[Optional[Path], typer.Option(
    "--category-map", help="CSV of decisions about category words the taxonomy does not know (word,category).")]
SaveCategoryMapOpt = Annotated[Optional[Path], typer.Option(
    "--save-category-map", help="Write a CSV to decide in Excel: the unknown category words (row counts, closest "
    "category) and each row without a category from its cell, its suggested categories pre-filled with their "
    "evidence and confidence (keeps the decisions of --category-map).")]
UseInferredOpt = Annotated[Optional[bool], typer.Option(
    "--use-inferred/--no-inferred", help="Rows with no known category get the categories their name and "
    "description suggest (marked inferred): by default those of enough confidence; --use-inferred every "
    "suggestion; --no-inferred none (kept as suggestions only).", show_default=False)]

# Which assets count (gaps, report and every export of gap figures).
AudienceOpt = Annotated[Optional[str], typer.Option(
    help="Count only assets for this age band (e.g. 65+, 0-15), and count that band as every category's "
    "target population.")]
WhenOpt = Annotated[Optional[list[str]], typer.Option(
    "--when", help="Count only assets known to run in the daytime, evening or weekend (repeatable: any of them).")]
FreeOpt = Annotated[bool, typer.Option("--free", help="Count only assets known to be free.")]
VerifiedOpt = Annotated[Optional[str], typer.Option(
    help="Count only assets verified on or after this date (e.g. 2025-04-01).")]

# The what-if (gaps, report and every export): assets added or taken away for this run only.
AddOpt = Annotated[Optional[list[str]], typer.Option(
    "--add", help='What if: an asset "name;category;postcode" or "name;category;lon,lat" (repeatable); '
    "the workspace is not changed.")]
WithoutOpt = Annotated[Optional[list[str]], typer.Option(
    "--without", help="What if: leave out this asset (id or name, in any case and punctuation; repeatable).")]
# The area an output is about (report and every export).
FocusAreaOpt = Annotated[Optional[str], typer.Option(
    "--area", help="Focus on this area (code or name, any case): maps zoom to it with its neighbours faded, "
    "tables keep its rows (priorities stay the ranks over every area).")]


def view_options(ws: "Workspace", area: Optional[str], add: Optional[list[str]], without: Optional[list[str]],
                 flt: "AssetFilter | None") -> dict:
    """The keyword arguments of ``Workspace.output_view`` (and of every export) for these options; the area
    resolved as :func:`area_code` does."""
    return {"area": area_code(ws, area), "add": add or [], "without": without or [], "filters": flt}


def area_code(ws: "Workspace", area: Optional[str]) -> Optional[str]:
    """The code of the area ``area`` names or holds (a ward, a postcode district), saying so on stderr."""
    if area is None:
        return None
    code, said = ws.find_area(area)
    if said:
        from ._common import stderr

        stderr().print(said)
    return code


def asset_filter(audience: Optional[str], when: Optional[list[str]], free: bool,
                 verified_since: Optional[str]) -> "AssetFilter | None":
    """The filter the four options ask for, or None when they ask for none."""
    from ..categories.filters import AssetFilter

    flt = AssetFilter.from_options(audience=audience, when=when, free=free, verified_since=verified_since)
    return flt if flt.active else None


class GapFormat(str, Enum):
    """How gap figures are printed."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


GapFormatOpt = Annotated[GapFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to a file instead of stdout.")]
