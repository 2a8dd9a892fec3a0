"""The small array conversions the gap measures share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


def floats(values: Iterable[Any]) -> "np.ndarray":
    """The values as a float array, ``None`` as NaN."""
    import numpy as np

    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def objects(values: Iterable[Any]) -> "np.ndarray":
    """A 1-d object array of ``values`` as they are (tuples stay whole)."""
    import numpy as np

    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def distinct(values: Sequence[Any]) -> tuple[list[Any], "np.ndarray"]:
    """The distinct values (equal ones once, in order of appearance) and each value's index among them.

    Raises TypeError for a value that cannot be a dictionary key.
    """
    import numpy as np

    index = dict.fromkeys(values)
    for k, v in enumerate(index):
        index[v] = k
    return list(index), np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))
