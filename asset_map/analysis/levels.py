"""The gap level of each row: ``none``, ``low`` or ``ok``.

``none``
    no asset of the category in the area and under 1% of it within reach
    (``assets = 0`` and ``coverage < NONE_COVERAGE``);
``low``
    coverage under 60% (``coverage < LOW_COVERAGE``), or a rate under half
    the study-area rate (``rate_per_10k < LOW_RATE_SHARE × study rate``);
``ok``
    otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

NONE_COVERAGE = 0.01
LOW_COVERAGE = 0.60
LOW_RATE_SHARE = 0.5
LEVEL_ORDER = {"none": 0, "low": 1, "ok": 2}
#: The levels, each at its place in :data:`LEVEL_ORDER`.
LEVELS = ("none", "low", "ok")


def levels(counts: "np.ndarray", coverage: "np.ndarray", rate: "np.ndarray", has_rate: "np.ndarray",
           study_rate: float | None) -> "np.ndarray":
    """The level of every area (see the module docstring), as its place in :data:`LEVELS`.

    ``rate`` counts only where ``has_rate``; without a study-area rate
    (``None`` or 0) the rate never makes a level ``low``.
    """
    import numpy as np

    low = coverage < LOW_COVERAGE
    if study_rate:
        low |= has_rate & (rate < LOW_RATE_SHARE * study_rate)
    level = np.where(low, LEVEL_ORDER["low"], LEVEL_ORDER["ok"]).astype(np.int8)
    level[(counts == 0) & (coverage < NONE_COVERAGE)] = LEVEL_ORDER["none"]
    return level
