"""Rows of an asset list kept without a location, as records of the workspace's ``unlocated`` table.

Two kinds of row are kept rather than rejected although they cannot be put
on the map:

- a row with no location that names an area it serves (a helpline, a
  borough-wide befriending line): it counts for coverage where it serves
  (:mod:`asset_map.categories.served`);
- a row whose postcode is well-formed and live but lies outside a local
  postcode lookup's coverage (:class:`~asset_map.inputs.postcode_finder.LookupCoverage`):
  the registered office in Manchester of a charity working in Trafford. It
  operates in the study area at a place unknown, so it is counted in the
  study area's totals and as evidence in every area's confidence
  (:mod:`asset_map.analysis.confidence`), never as provision: its ``reason``
  is :data:`~asset_map.analysis.confidence.OUTSIDE_LOOKUP` and its
  ``served_area`` is only what the row itself says.

Both are recorded with the columns of
:data:`asset_map.inputs.feed_import.UNLOCATED_COLUMNS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..geo import normalise_postcode
from .locating import OUTSIDE_LOOKUP

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .columns import ColumnMap
    from .locating import Reject


def unlocated_record(frame: "pd.DataFrame", cmap: "ColumnMap", i: int, row: int, source: str, categories: str,
                     reason: str, served: Any) -> dict[str, str]:
    """The ``unlocated`` record of the row at position ``i`` (row number ``row``): its id (else ``row N``),
    name, categories, why it has no location, where it serves, and who, when and at what cost."""
    from ..categories.filters import parse_audience, parse_date, parse_free, parse_when

    def cell(field: str) -> Any:
        col = cmap.get(field)
        return frame[col].iloc[i] if col else None

    ident = cell("id")
    return {"source": source, "service_id": str(ident) if ident is not None else f"row {row}",
            "name": str(cell("name")), "categories": categories, "reason": reason,
            "served_area": "" if served is None else str(served).strip(), "served_extent": "",
            "last_verified": parse_date(cell("last_verified")), "audience": parse_audience(cell("audience")),
            **parse_when(cell("when")), "free": parse_free(cell("cost")),
            "postcode": normalise_postcode(cell("postcode")) or ""}


def outside_lookup_records(frame: "pd.DataFrame", cmap: "ColumnMap", rows: list[int], elsewhere: "list[Reject]",
                           source: str, categories: list[str]) -> list[dict[str, str]]:
    """The records of the rows set aside because their postcode lies outside the lookup's coverage.

    ``elsewhere`` are those rows (:attr:`asset_map.inputs.locating.Placement.elsewhere`)
    in row order, ``categories`` their category ids (``;``-separated), worked
    out as for the imported rows.
    """
    index = {r: i for i, r in enumerate(rows)}
    served_col = cmap.get("served_area")
    out = []
    for r, cats in zip(elsewhere, categories):
        i = index[r.row]
        served = frame[served_col].iloc[i] if served_col else None
        out.append(unlocated_record(frame, cmap, i, r.row, source, cats, OUTSIDE_LOOKUP, served))
    return out
