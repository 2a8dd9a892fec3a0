"""``asset-map network load``: a street network from an OpenStreetMap extract, for travel-time reach."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ._common import handle_errors, open_workspace, progress_bar, stderr
from ._options import WorkspaceOpt

if TYPE_CHECKING:  # pragma: no cover
    from ..inputs.network_load import NetworkResult

app = typer.Typer(help="Load a street network (walking, cycling, driving) from an OpenStreetMap extract.",
                  no_args_is_help=True)


@app.command("load")
@handle_errors
def load(
    file: Annotated[Path, typer.Argument(
        help="OpenStreetMap extract (.osm.pbf), e.g. greater-manchester-latest.osm.pbf from download.geofabrik.de.")],
    margin: Annotated[Optional[float], typer.Option(
        min=0, help="Metres of street kept around the study area (default: the widest catchment of the "
        "taxonomy).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Read the streets of an OpenStreetMap extract around the areas into the workspace, replacing any network
    loaded before: who may walk, cycle and drive where, at what speed, one-way streets."""
    err = stderr()
    ws = open_workspace(workspace)
    with progress_bar(err) as bar:
        task = bar.add_task(f"{file.name}: reading", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{file.name}: {step}", completed=done, total=total or None)

        result = ws.load_network(file, margin_m=margin, progress=progress)
    for note in result.notes:
        err.print(f"Warning: {note}")
    err.print(summary(result, ws.location))


def summary(result: "NetworkResult", location: str) -> str:
    """What was read and kept, in a few lines."""
    info = result.info
    modes = "; ".join(f"{mode} {info[f'{mode}_edges']:,} edges, {info[f'{mode}_km']:,.1f} km"
                      for mode in ("walk", "cycle", "drive"))
    return (f"Read {result.ways_read:,} street ways from {info['file']} ({result.ways_used:,} usable, "
            f"{result.edges_split:,} edges between junctions).\n"
            f"Kept {info['edges']:,} edges and {info['nodes']:,} junctions within {result.margin_m:,.0f} m of the "
            f"study area ({result.study_km2:,.1f} km²): {modes}.\nStored in {location} (layers network_nodes, "
            "network_edges).")
