"""The demo: the whole analysis on the bundled, synthetic Eastbrook example.

Eastbrook is a fictional borough (see ``examples/README.md``): 40 small areas
dissolved into 6 neighbourhoods through a lookup, ONS-format population by
age, a street network cut by a river with one bridge, and about 300 assets
with messy category words and a few bad rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    from .inputs.boundaries import BoundaryResult
    from .inputs.importer import ImportResult
    from .workspace import Workspace

DEMO_WORKSPACE = "asset-map-demo.gpkg"


@dataclass(frozen=True)
class ExampleFiles:
    small_areas: Path
    lookup: Path
    population: Path
    assets: Path
    streets: Path


def example_files(root: str | Path | None = None) -> ExampleFiles:
    """The bundled example's files, in a clone of the repository."""
    base = Path(root) if root else Path(__file__).resolve().parent.parent
    files = ExampleFiles(
        small_areas=base / "data" / "boundaries" / "eastbrook_small_areas.geojson",
        lookup=base / "data" / "boundaries" / "eastbrook_neighbourhood_lookup.csv",
        population=base / "data" / "boundaries" / "eastbrook_population.csv",
        assets=base / "examples" / "eastbrook_assets.csv",
        streets=base / "data" / "streets" / "eastbrook_streets.osm.pbf",
    )
    for f in (files.small_areas, files.lookup, files.population, files.assets, files.streets):
        if not f.is_file():
            raise WorkspaceError(f"{f}: the bundled example is missing; run the demo from a clone of the repository")
    return files


def run_demo(workspace: "Workspace", root: str | Path | None = None) -> tuple["BoundaryResult", "ImportResult"]:
    """Load the example's neighbourhoods, its streets and its assets into ``workspace``.

    The neighbourhoods are built by dissolving the small areas through the
    lookup; their population is the sum of the small areas' ONS-format
    estimates. The streets (a synthetic OpenStreetMap extract: the River Ease
    with one bridge) make reach a travel time.
    """
    files = example_files(root)
    _refuse_users_workspace(workspace, files.assets.name)
    boundaries = workspace.load_boundaries(
        files.small_areas,
        code_field="sa_code",
        name_field="sa_name",
        population_csv=files.population,
        dissolve=files.lookup,
        into="neighbourhood_code",
        into_name="neighbourhood_name",
    )
    workspace.load_network(files.streets)
    imported = workspace.import_assets(files.assets)
    return boundaries, imported


def _refuse_users_workspace(workspace: "Workspace", example: str) -> None:
    """Refuse to rebuild a workspace that holds anything but the example: the demo replaces its areas."""
    if not workspace.store.exists() or not workspace.store.layers():
        return
    imports = workspace.imports()
    sources = set() if imports is None else {Path(str(p)).name for p in imports["path"]}
    if sources != {example}:
        raise WorkspaceError(f"{workspace.location}: this workspace holds other data than the demo's, which would "
                             f"replace its areas; give the demo its own workspace, e.g. -w asset-map-demo.gpkg")


def check_outputs_folder(folder: str | Path) -> Path:
    """The demo's output folder, checked before anything is built (see :func:`asset_map.files.check_output`)."""
    from .files import check_output

    return check_output(folder, what="folder")


#: The workshop outputs the demo writes, in its output folder.
DEMO_OUTPUTS = ("map.html", "dementia.png", "cards.html", "gaps.xlsx", "csv", "gaps.gpkg")


def write_demo_outputs(workspace: "Workspace", folder: str | Path) -> list[Path]:
    """Write the workshop outputs for the example into ``folder``: the interactive map, a slide map of
    dementia (Southmoor's deliberate gap), the gap cards, the handout workbook and CSV files, and the
    GeoPackage."""
    from .files import output_folder, write_text

    out = output_folder(folder)
    write_text(out / "map.html", workspace.export_html(title="Eastbrook (synthetic example): gaps by area"))
    workspace.export_png(out / "dementia.png", "dementia")
    workspace.export_cards(out / "cards.html")
    workspace.export_handouts(out / "gaps.xlsx")
    workspace.export_handouts(out / "csv", folder=True)
    workspace.export_gpkg(out / "gaps.gpkg")
    return [out / name for name in DEMO_OUTPUTS]
