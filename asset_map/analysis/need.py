"""Need indicators by small area (IMD 2019 score or decile, or any indicator), and the need index.

An indicator file is a CSV with a code column (the population layer's
small-area codes, or the area codes when there is no layer) and a numeric
column: the English Indices of Deprivation 2019 file ("Index of Multiple
Deprivation (IMD) Score", "... Decile (where 1 is most deprived 10% of
LSOAs)"), a local health indicator, anything where more means more need, or
less does (deciles and ranks, where 1 is the most deprived).

need index
    For small area *i* with value ``v_i``: when higher means more need,
    ``v'_i = v_i``; when lower does, ``v'_i = v_max + v_min − v_i`` (decile 1
    becomes 10, 10 becomes 1). Then ``n_i = v'_i / v̄'``, where ``v̄'`` is the
    mean of ``v'`` over the study area weighted by all-ages population. So
    ``n = 1`` is average need for the study area, ``n = 1.5`` half as much
    again. A small area with no value gets ``n = 1`` and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

#: The table the workspace keeps an indicator in.
NEED_COLUMNS = {"code": "str", "value": "float64", "indicator": "str", "more_need": "str", "source": "str"}


@dataclass
class NeedIndicator:
    """One indicator's values by code, and which way means more need."""

    name: str
    values: dict[str, float]
    higher_is_more_need: bool
    source: str
    notes: list[str] = field(default_factory=list)

    def frame(self) -> "pd.DataFrame":
        """The indicator as the workspace's ``need`` table."""
        import pandas as pd

        return pd.DataFrame({
            "code": list(self.values), "value": list(self.values.values()),
            "indicator": self.name, "more_need": "higher" if self.higher_is_more_need else "lower",
            "source": self.source,
        })

    @classmethod
    def from_frame(cls, frame: "pd.DataFrame") -> "NeedIndicator | None":
        if frame is None or not len(frame):
            return None
        return cls(str(frame["indicator"].iloc[0]), dict(zip(frame["code"], map(float, frame["value"]))),
                   frame["more_need"].iloc[0] == "higher", str(frame["source"].iloc[0]))

    def index(self, codes: Sequence[str], weights: "np.ndarray") -> tuple["np.ndarray", list[str]]:
        """``n_i`` for each code (see the module docstring), and the codes without a value."""
        import numpy as np

        v = np.array([self.values.get(str(c), np.nan) for c in codes], dtype=float)
        missing = [str(c) for c, x in zip(codes, v) if np.isnan(x)]
        known = ~np.isnan(v)
        if not known.any():
            return np.ones(len(codes)), missing
        if not self.higher_is_more_need:
            v = np.nanmax(v) + np.nanmin(v) - v
        w = np.asarray(weights, dtype=float) * known
        mean = float(np.sum(np.nan_to_num(v) * w) / np.sum(w)) if np.sum(w) > 0 else float(np.nanmean(v))
        if not mean > 0:
            return np.ones(len(codes)), missing
        return np.where(known, v / mean, 1.0), missing
