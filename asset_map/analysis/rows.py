"""One row of the gap report: the measures for one area × category, and the study-area figures beside them.

The measures are defined in :mod:`asset_map.analysis.gaps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: How coverage is measured without a population layer (see :mod:`asset_map.analysis.gaps`).
COVERAGE_METHOD = "uniform density within each area"
#: How coverage is measured with a population layer.
POPULATION_METHOD = "population-weighted: small areas whose point is within reach"


@dataclass(frozen=True)
class StudyFigures:
    """Figures for one category over the whole study area.

    ``assets`` and ``target_population`` (``T``) are the areas' summed;
    ``rate_per_10k = assets / T × 10,000``; ``coverage = Σ T·coverage / Σ T``
    over the areas (area-weighted without population, the small areas'
    population-weighted mean with a population layer); accessibility is the
    population-weighted mean over all small areas.
    """

    category_id: str
    assets: int
    target_population: float | None
    rate_per_10k: float | None
    coverage: float
    access_per_10k: float | None = None
    access_e2sfca_per_10k: float | None = None
    #: On a street network: the barrier effect's share over the whole study area.
    barrier_share: float | None = None


@dataclass(frozen=True)
class GapRow:
    """The measures for one area and one category."""

    priority: int
    area_code: str
    area_name: str
    category_id: str
    category: str
    target: str
    target_population: float | None
    assets: int
    rate_per_10k: float | None
    coverage: float
    uncovered: float | None
    level: str
    reason: str
    study_assets: int
    study_rate_per_10k: float | None
    study_coverage: float
    catchment_m: float
    coverage_method: str = COVERAGE_METHOD
    access_per_10k: float | None = None
    access_e2sfca_per_10k: float | None = None
    study_access_per_10k: float | None = None
    need_index: float | None = None
    priority_score: float = 0.0
    robust: bool | None = None
    ranks: str = ""
    finding: str = ""
    confidence: str = ""
    confidence_reason: str = ""
    coverage_located: float | None = None
    served: int = 0
    #: How reach was measured: "10 min walk" on the street network, or "straight-line 800 m".
    reach: str = ""
    #: The share of the target population cut off by barriers (:mod:`asset_map.analysis.network_reach`);
    #: ``None`` by the straight line.
    barrier_share: float | None = None

    @property
    def shown_level(self) -> str:
        """The level as shown to people: ``no data?`` when nothing was found but the lists may be missing it."""
        return "no data?" if self.finding == "no data?" else self.level


#: GapRow's fields, in order.
ROW_FIELDS = tuple(GapRow.__dataclass_fields__)


def make_row(values: dict[str, Any]) -> GapRow:
    """``GapRow(**values)``, without the per-field cost of a frozen dataclass's ``__init__``.

    ``values`` (a new dictionary, which the row keeps) holds every field in
    the fields' order, as ``__init__`` would set them; GapRow has no
    ``__post_init__``, so the object is the same.
    """
    row = object.__new__(GapRow)
    object.__setattr__(row, "__dict__", values)  # the row takes the dictionary as its own
    return row
