"""``asset-map gaps`` (with its what-if) and ``asset-map report``: the gap figures and the gap cards."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ._common import handle_errors, open_workspace, print_rich, stderr, write_output
from ._options import (AddOpt, AudienceOpt, FreeOpt, GapFormat, GapFormatOpt, OutputOpt, VerifiedOpt, WhenOpt,
                       WithoutOpt, WorkspaceOpt, area_code, asset_filter, view_options)

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.gaps import GapReport
    from ..categories.filters import AssetFilter
    from ..workspace import Workspace


@handle_errors
def gaps(
    area: Annotated[Optional[str], typer.Option(help="Area code or name (any case).")] = None,
    category: Annotated[Optional[str], typer.Option(help="Category id, label or synonym.")] = None,
    format: GapFormatOpt = GapFormat.table,
    top: Annotated[Optional[int], typer.Option(min=1, help="Show only the first N gaps by priority.")] = None,
    output: OutputOpt = None,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    hide_no_data: Annotated[bool, typer.Option(
        "--hide-no-data", help='Leave out the "no data?" rows (nothing found, but no list may cover them); '
        "a line says how many.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="After the table, say how each figure is computed (the method text).")] = False,
    stale_days: Annotated[Optional[int], typer.Option(
        min=1, help="Records verified longer ago than this lower the confidence (default 730).")] = None,
    by: Annotated[Optional[str], typer.Option(
        help="Break --area down: rank the gaps of a second level's areas inside it (loaded with "
        "`boundaries load FILE --level NAME`), or of the population layer's small-areas.")] = None,
    straight_line: Annotated[bool, typer.Option(
        "--straight-line", help="Measure reach by the straight line even when a street network is loaded "
        "(to compare with the travel times).")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Coverage gaps for each area and need category, sorted by priority."""
    ws = open_workspace(workspace)
    flt = asset_filter(audience, when, free, verified_since)
    area = area_code(ws, area)
    if (add or without) and by is not None:
        raise typer.BadParameter("--by shows the gaps as they are; leave out --add/--without with it")
    if add or without:
        _print_what_if(ws, add or [], without or [], area, category, format, output, top, flt, straight_line)
        return
    report = ws.gaps(area=area, category=category, filters=flt, stale_days=stale_days, by=by,
                     straight_line=straight_line)
    title = "Gaps by priority" + (f" — {report.rows[0].area_name}" if area and report.rows and not by else "")
    title += f" — by {by}" + (f" inside {area}" if area else "") if by else ""
    print_gaps(report, format, output, top, title, hide_no_data=hide_no_data, explain=explain)


def print_gaps(report: "GapReport", fmt: GapFormat, output: Optional[Path], top: Optional[int], title: str, *,
               hide_no_data: bool = False, explain: bool = True) -> None:
    """Print the first ``top`` gaps (all if None) as ``fmt``, to stdout or to the file ``output``.

    The table lists the first ``top`` rows found, then (unless
    ``hide_no_data``) the first ``top`` "no data?" rows in a section of their
    own; the other formats keep the rows in priority order, without the
    "no data?" rows when ``hide_no_data`` (stderr says how many).
    """
    from ..outputs import render
    from ..outputs.gap_table import split

    if fmt is GapFormat.table:
        if top is not None:
            found, unknown = split(report)
            report = report.with_rows(found.top(top).rows + unknown.top(top).rows)
        print_rich(lambda width: render.gaps_rich_table(report, title=title, width=width, hide_no_data=hide_no_data,
                                                        explain=explain), output, plain=True)
        return
    if hide_no_data:
        found, unknown = split(report)
        report = found
        n = len(unknown.rows)
        stderr().print(f'{n} {"row" if n == 1 else "rows"} "no data?" left out (--hide-no-data).')
    if top is not None:
        report = report.top(top)
    text = {GapFormat.csv: render.gaps_csv, GapFormat.json: render.gaps_json,
            GapFormat.markdown: render.gaps_markdown}[fmt](report)
    write_output(text, output)


def _print_what_if(ws: "Workspace", add: list[str], without: list[str], area: Optional[str],
                   category: Optional[str], fmt: GapFormat, output: Optional[Path], top: Optional[int],
                   flt: "AssetFilter | None" = None, straight_line: bool = False) -> None:
    """Print the area × category figures that adding and leaving out assets would change (within area, category)."""
    from ..outputs import render

    result = ws.what_if(add=add, without=without, filters=flt, straight_line=straight_line)
    one = ws.gaps(area=area, category=category) if (area is not None or category is not None) else None
    codes = sorted({r.area_code for r in one.rows}) if one else None
    cats = sorted({r.category_id for r in one.rows}) if one else None
    changes = result.changes(areas=codes, categories=cats)[:top]
    if fmt is GapFormat.table:
        print_rich(lambda width: render.whatif_table(result, changes, width=width), output, plain=True)
        return
    text = {GapFormat.csv: lambda: render.whatif_csv(changes), GapFormat.json: lambda: render.whatif_json(result, changes),
            GapFormat.markdown: lambda: render.whatif_markdown(result, changes)}[fmt]()
    write_output(text, output)


class CardFormat(str, Enum):
    """How gap cards are written."""

    html = "html"
    markdown = "markdown"


@handle_errors
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (.html or .md).")],
    area: Annotated[Optional[str], typer.Option(help="One area, by code or name (default: a card per area).")] = None,
    format: Annotated[CardFormat, typer.Option("--format", "-f", help="html (one file, maps inside) or markdown "
                                               "(maps as PNG files beside it).")] = CardFormat.html,
    top: Annotated[int, typer.Option(min=1, help="Gaps per card.")] = 5,
    add: AddOpt = None,
    without: WithoutOpt = None,
    audience: AudienceOpt = None,
    when: WhenOpt = None,
    free: FreeOpt = False,
    verified_since: VerifiedOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write gap cards: a printable page per area with its top gaps, what exists there and a small map;
    with --add/--without, the figures after the what-if and what it changed on each card."""
    ws = open_workspace(workspace)
    view = view_options(ws, area, add, without, asset_filter(audience, when, free, verified_since))
    if str(output) == "-":  # standard output: one page of text (Markdown then has no maps)
        write_output(ws.cards_page(fmt=format.value, top=top, **view), None)
        return
    paths = ws.export_cards(output, fmt=format.value, top=top, **view)
    maps = len(paths) - 1
    stderr().print(f"Wrote {paths[0]}" + (f" and {maps} map image{'s' if maps != 1 else ''}" if maps else ""))
