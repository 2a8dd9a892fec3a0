"""The id of each imported asset: the file's own, else a stable hash of its source, name and place."""

from __future__ import annotations

import hashlib

from ..categories.words import normalise_words
from .columns import ColumnMap
from .table import column_cells


def asset_ids(frame, cmap: ColumnMap, keep, rows, source: str, x, y, seen: set[str] | None = None) -> list[str]:
    """A stable id per asset: the file's id column, else a hash of source, name and place.

    The hash uses the source name, the normalised name and the point rounded
    to the metre, so re-importing an edited file keeps the ids of unchanged
    rows. Repeated ids (within the file: ``seen``) get ``-<row>`` appended.
    """
    id_col, name_col = cmap.get("id"), cmap.get("name")
    id_v, name_v = column_cells(frame, id_col), column_cells(frame, name_col)
    keep = list(keep)
    names = normalise_words([str(name_v[i]) for i in keep])
    out: list[str] = []
    seen = set() if seen is None else seen
    for i, name, xi, yi in zip(keep, names, x[keep].tolist(), y[keep].tolist()):
        raw = id_v[i] if id_v is not None else None
        if raw is not None:
            aid = str(raw).strip()
        else:
            aid = "A" + hashlib.sha1(f"{source}|{name}|{xi:.0f}|{yi:.0f}".encode()).hexdigest()[:10]
        if aid in seen:
            aid = f"{aid}-{rows[i]}"
        seen.add(aid)
        out.append(aid)
    return out
