"""``asset-map postcodes load``: the postcode lookup that locates assets with only a postcode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import handle_errors, open_workspace, stderr
from ._options import WorkspaceOpt

app = typer.Typer(help="Load a postcode lookup to locate assets that have only a postcode.", no_args_is_help=True)


@app.command("load")
@handle_errors
def postcodes_load(
    files: Annotated[list[Path], typer.Argument(
        help="ONSPD CSV, Code-Point Open CSVs (or their folder), or any CSV of postcodes with coordinates.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Store a postcode lookup in the workspace (replacing any before); imports then locate rows by postcode."""
    err = stderr()
    ws = open_workspace(workspace)
    with err.status("Reading postcodes..."):
        lookup = ws.load_postcodes(files)
    skipped = "".join(f"; {n:,} skipped: {why}" for why, n in lookup.skipped.items())
    err.print(
        f"Loaded {len(lookup.table):,} postcodes from {len(lookup.sources)} file(s) into {ws.location} "
        f"({lookup.located:,} with a grid reference, {lookup.terminated:,} terminated); "
        f"{lookup.rows_read:,} rows read{skipped}."
    )
    err.print("Lists imported before now are not re-located: import them again to use the postcodes.")
