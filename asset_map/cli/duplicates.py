"""``asset-map duplicates`` and ``merge``: find assets listed twice and merge them."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import handle_errors, open_workspace, print_rich, stderr, write_output
from ._options import OutputOpt, WorkspaceOpt

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from ..inputs.duplicates import DuplicateGroup
    from ..workspace import Workspace


class ListFormat(str, Enum):
    """How a list of duplicates is printed."""

    table = "table"
    csv = "csv"


@handle_errors
def duplicates(
    distance: Annotated[float, typer.Option(
        min=0, help="Same- or similar-named assets at most this many metres apart are likely duplicates.")] = 100.0,
    min_score: Annotated[float, typer.Option(
        min=0, max=100, help="How alike two different names must be (0-100) to count as similar.")] = 85.0,
    venues: Annotated[bool, typer.Option(
        "--venues/--no-venues", help="Also list shared venues: different assets at one place (information only).")
    ] = True,
    merge_all: Annotated[bool, typer.Option(
        "--merge", help="Merge every group of likely duplicates listed into its first asset (marked *).")] = False,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
    output: OutputOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """List likely duplicate assets (same or similar name, at the same postcode or close together) and shared
    venues; --merge merges the duplicates."""
    from ..outputs import render

    ws = open_workspace(workspace)
    found = ws.duplicates(distance_m=distance, min_score=min_score, venues=venues)
    groups = [g for g in found if g.kind != "shared venue"]
    hubs = [g for g in found if g.kind == "shared venue"]
    err = stderr()
    if found and format is ListFormat.csv:
        write_output(render.duplicates_csv(found), output)
    elif found:
        from rich.console import Group

        print_rich(lambda width: Group(*(render.duplicates_table(g) for g in (groups, hubs) if g)), output)
    if hubs:
        err.print(f"{len(hubs)} shared venues (different assets at one place): for information, never merged.")
    if not groups:
        err.print("No likely duplicates.")
        return
    across = sum(g.across_imports for g in groups)
    err.print(f"{len(groups)} groups of likely duplicates ({across} across imports, {len(groups) - across} "
              "within one file).")
    _merge_or_tell(err, ws, groups, merge_all)


def _merge_or_tell(err: "Console", ws: "Workspace", groups: "list[DuplicateGroup]", merge_all: bool) -> None:
    """Merge every group of likely duplicates into its first asset (``--merge``), or say how to merge them."""
    if merge_all:
        n = ws.merge_groups([(g.asset_ids[0], list(g.asset_ids[1:])) for g in groups])
        err.print(f"Merged {n} assets into {len(groups)} kept ones; the decisions are kept and applied again "
                  "when a list is re-imported.")
    else:
        err.print("Nothing was merged: run `asset-map duplicates --merge` to merge every group of likely "
                  "duplicates, or `asset-map merge KEEP_ID OTHER_ID...` for one.")


@handle_errors
def merge(
    keep: Annotated[str, typer.Argument(help="Id of the asset to keep.")],
    others: Annotated[list[str], typer.Argument(help="Ids of the assets that are the same as it.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Merge assets that are the same into one (their categories are added to the kept asset)."""
    ws = open_workspace(workspace)
    n = ws.merge(keep, others)
    stderr().print(f"Merged {n} asset(s) into {keep}.")
