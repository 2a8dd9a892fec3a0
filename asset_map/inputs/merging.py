"""Merging duplicate assets in the workspace: the assets rewritten and each decision recorded in ``merges``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..store import Store


def merge_groups(store: "Store", assets: "gpd.GeoDataFrame", groups: "list[tuple[str, list[str]]]") -> int:
    """Merge several ``(keep, others)`` groups of ``assets`` in one write; returns how many were merged.

    Raises
    ------
    WorkspaceError
        If an id is unknown or already merged.
    """
    import pandas as pd

    from .duplicates import MERGE_COLUMNS, merge
    from .stored import frame

    records = []
    for keep, others in groups:
        try:
            assets, rows = merge(assets, keep, others)
        except ValueError as exc:
            raise WorkspaceError(f"{store.location}: cannot merge: {exc}") from None
        records.append(rows)
    if not records:
        return 0
    old = frame(store, "merges")
    merges = pd.concat(([old] if old is not None else []) + records, ignore_index=True)
    with store.transaction() as tx:
        tx.write("assets", assets)
        tx.write("merges", merges.astype({"merged_row": "int64"})[list(MERGE_COLUMNS)])
    return sum(len(r) for r in records)
