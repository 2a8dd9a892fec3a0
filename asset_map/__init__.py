"""asset-map: map community assets against neighbourhoods and find the gaps.

The library API works the same in a notebook as behind the command line::

    import asset_map
    ws = asset_map.Workspace("project.gpkg")
    ws.load_boundaries("areas.geojson", population_csv="population.csv")
    ws.import_assets("assets.csv")
    ws.gaps(area="North").to_frame()

Heavy libraries (pandas, geopandas) are imported only when a function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    AssetMapError,
    BoundaryError,
    ColumnError,
    InputFileError,
    FeedError,
    NetworkError,
    PostcodeServiceError,
    TaxonomyError,
    UnknownAreaError,
    WorkspaceError,
)
from .categories.taxonomy import Category, Taxonomy, load_taxonomy
from .workspace import Workspace

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.gaps import GapReport, GapRow, compute_gaps

__version__ = "0.1.0"

__all__ = [
    "AssetMapError", "BoundaryError", "ColumnError", "FeedError", "InputFileError", "NetworkError", "PostcodeServiceError", "TaxonomyError",
    "UnknownAreaError", "WorkspaceError", "Category", "Taxonomy", "load_taxonomy", "Workspace",
    "GapReport", "GapRow", "compute_gaps",
]


def __getattr__(name: str):
    if name in ("GapReport", "GapRow", "compute_gaps"):
        from .analysis import gaps

        return getattr(gaps, name)
    raise AttributeError(f"module 'asset_map' has no attribute {name!r}")
