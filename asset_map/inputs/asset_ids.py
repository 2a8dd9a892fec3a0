"""The id of each imported asset: the file's own, else a stable hash of its source, name and place."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ..categories.words import normalise_words
from .columns import ColumnMap
from .table import column_cells

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa


def asset_ids(frame, cmap: ColumnMap, keep, rows, source: str, x, y, seen: set[str] | None = None) -> list[str]:
    """A stable id per asset: the file's id column, else a hash of source, name and place.

    The hash is ``"A"`` and the first 10 hex digits of the SHA-1 of
    ``source|normalised name|easting|northing`` (:func:`place_keys`), so
    re-importing an edited file keeps the ids of unchanged rows. Repeated
    ids (within the file: ``seen``) get ``-<row>`` appended.
    """
    import numpy as np

    id_col, name_col = cmap.get("id"), cmap.get("name")
    id_v, name_v = column_cells(frame, id_col), column_cells(frame, name_col)
    keep = np.asarray(keep, dtype=np.int64)
    names = normalise_words([str(name_v[i]) for i in keep.tolist()])
    out = ["A" + hashlib.sha1(k.encode()).hexdigest()[:10] for k in place_keys(source, names, x[keep], y[keep])]
    seen = set() if seen is None else seen
    for k, i in enumerate(keep.tolist()):
        raw = id_v[i] if id_v is not None else None
        aid = str(raw).strip() if raw is not None else out[k]
        if aid in seen:
            aid = f"{aid}-{rows[i]}"
        seen.add(aid)
        out[k] = aid
    return out


def place_keys(source: str, names: list[str], x: "np.ndarray", y: "np.ndarray") -> list[str]:
    """``f"{source}|{name}|{x:.0f}|{y:.0f}"`` for each asset, a whole column at a time.

    The point is rounded to the metre as Python's ``:.0f`` rounds (half to
    even, :func:`numpy.round`); a negative or non-finite coordinate (where
    ``:.0f`` may write ``-0``, ``nan``) is formatted by Python.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(source, pa.array(names, pa.string()), _metres(x), _metres(y), "|").to_pylist()


def _metres(values: "np.ndarray") -> "pa.Array":
    """Each coordinate as ``f"{v:.0f}"`` writes it."""
    import numpy as np
    import pyarrow as pa

    plain = np.isfinite(values) & ~np.signbit(values) & (values < 2 ** 52)
    text = pa.array(np.where(plain, np.round(values), 0).astype(np.int64)).cast(pa.string())
    if plain.all():
        return text
    cells = text.to_numpy(zero_copy_only=False).copy()
    for i in np.flatnonzero(~plain).tolist():
        cells[i] = f"{values[i]:.0f}"
    return pa.array(cells, pa.string())
