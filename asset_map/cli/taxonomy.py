"""``asset-map taxonomy show`` and ``load``: the need categories."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import handle_errors, open_workspace, stderr, write_output
from ._options import WorkspaceOpt

app = typer.Typer(help="Show or replace the need categories.", no_args_is_help=True)


@app.command("show")
@handle_errors
def taxonomy_show(workspace: WorkspaceOpt = None) -> None:
    """List the need categories: id, label, catchment, target population, synonyms (CSV)."""
    from ..outputs.render import taxonomy_csv

    write_output(taxonomy_csv(open_workspace(workspace).taxonomy()), None)


@app.command("load")
@handle_errors
def taxonomy_load(
    file: Annotated[Path, typer.Argument(help="Taxonomy CSV: id, label, catchment_m, target_population, synonyms.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Replace the workspace's need categories and re-map every asset's category words."""
    taxonomy = open_workspace(workspace).load_taxonomy(file)
    stderr().print(f"Loaded {len(taxonomy)} categories from {file.name}")
