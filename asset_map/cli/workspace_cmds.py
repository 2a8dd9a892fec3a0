"""``asset-map status``, ``copy`` and ``demo``: what a workspace holds, copying it, and the worked example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import handle_errors, open_workspace, stderr
from ._options import GapFormat, WorkspaceOpt
from .gaps import print_gaps


@handle_errors
def status(workspace: WorkspaceOpt = None) -> None:
    """Show what the workspace holds."""
    info = open_workspace(workspace).status()
    if not info["exists"]:
        stderr().print(f"No workspace at {info['workspace']} yet.")
        return
    for key, value in info.items():
        if key == "levels":  # second levels of areas, for gaps --by
            value = ", ".join(f"{name} ({n} areas)" for name, n in value.items())
        if key != "exists":
            typer.echo(f"{key}: {value}")


@handle_errors
def copy(
    target: Annotated[str, typer.Argument(
        help="A new GeoPackage file, or an empty PostGIS schema: postgresql://USER@HOST/DATABASE?schema=NAME.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Copy the workspace, every layer and table, into a new one: from a GeoPackage to a shared PostGIS
    database, or back."""
    ws = open_workspace(workspace)
    counts = ws.copy_to(target)
    stderr().print(f"Copied {ws.location} to {open_workspace(target).location}: " +
                   ", ".join(f"{name} {n:,}" for name, n in counts.items()))


@handle_errors
def demo(
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace to (re)build.")] = "asset-map-demo.gpkg",
    top: Annotated[int, typer.Option(min=1, help="How many gaps to show.")] = 20,
    outputs: Annotated[Path, typer.Option(
        help="Folder for the workshop outputs (map, slide, handouts, GeoPackage).")] = Path("asset-map-demo"),
) -> None:
    """Run the whole analysis on the bundled synthetic example (Eastbrook), print the top gaps and write the
    workshop outputs."""
    from ..demo import check_outputs_folder, run_demo, write_demo_outputs

    err = stderr()
    check_outputs_folder(outputs)
    ws = open_workspace(workspace)
    boundaries, result = run_demo(ws)
    err.print(
        f"Eastbrook (synthetic example): {len(boundaries.areas)} neighbourhoods, population "
        f"{boundaries.areas['all_ages'].sum():,.0f}; {result.rows_read} asset rows read, {result.imported} imported "
        f"({result.outside} outside the borough, {result.uncategorised} uncategorised), {result.rejected} rejected."
    )
    print_gaps(ws.gaps(), GapFormat.table, None, top, f"Eastbrook: top {top} gaps by priority")
    written = write_demo_outputs(ws, outputs)
    err.print(f"Workshop outputs in {outputs}/: " + ", ".join(p.name for p in written) + f" (open {outputs}/map.html "
              "in a browser)")
    err.print(f"Workspace: {ws.location}. Next: asset-map gaps -w {ws.location} --area Southmoor")
