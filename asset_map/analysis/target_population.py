"""The population a category serves: its age band counted from the population columns.

Population columns (areas and small areas alike): ``all_ages``, the ONS broad
bands ``aged_0_to_15``, ``aged_16_to_64``, ``aged_65_and_over``, and single
years ``age_0`` ... ``age_90`` (90 and over) when they are known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from ..categories.taxonomy import AgeBand
from .arrays import floats

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

BAND_COLUMNS = ("all_ages", "aged_0_to_15", "aged_16_to_64", "aged_65_and_over")
SINGLE_YEAR_COLUMNS = tuple(f"age_{a}" for a in range(91))


def population_columns(columns: Sequence[str]) -> list[str]:
    """The population columns among ``columns``, in standard order."""
    present = set(columns)
    return [c for c in (*BAND_COLUMNS, *SINGLE_YEAR_COLUMNS) if c in present]


def target_population(
    columns: Mapping[str, Sequence[float | None]], band: AgeBand
) -> tuple["np.ndarray | None", str]:
    """Count the population in an age band for each area.

    Uses single years of age when they are stored; otherwise the ONS broad
    bands when the target is one of them (or ``16+`` = 16–64 + 65+);
    otherwise all ages, and the description says so.

    Returns
    -------
    (values, description)
        ``values`` is ``None`` when no population is stored at all.
    """
    def col(name: str) -> "np.ndarray":
        return floats(columns[name])

    if "all_ages" not in columns:
        return None, "no population loaded"
    if band.is_all:
        return col("all_ages"), "all ages"
    high = 90 if band.high is None else min(band.high, 90)
    if all(f"age_{a}" in columns for a in range(band.low, high + 1)) and band.low <= 90:
        return sum(col(f"age_{a}") for a in range(band.low, high + 1)), f"aged {band.code}"
    named = {
        (0, 15): ("aged_0_to_15",),
        (16, 64): ("aged_16_to_64",),
        (65, None): ("aged_65_and_over",),
        (16, None): ("aged_16_to_64", "aged_65_and_over"),
    }.get((band.low, band.high))
    if named and all(c in columns for c in named):
        return sum(col(c) for c in named), f"aged {band.code}"
    return col("all_ages"), f"all ages (ages {band.code} not in the population data)"
