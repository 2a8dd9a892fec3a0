"""The ranking by priority, and the re-rankings that test whether a gap is robust.

priority
    Rows ranked from the largest priority score down; ties go to the more
    severe level, then area code, then the taxonomy's category order, so the
    order never depends on chance.
robust
    The rows are ranked again with every catchment halved and doubled and,
    with a population layer, by accessibility shortfall
    ``Σ_{i∈a} T_i·n_i·max(0, 1 − A_i / Ā)`` (``Ā`` the study-area 2SFCA) at
    the three catchments: up to six rankings. A gap in the top 10% of rows
    (at least 5) under every ranking, and not at level ``ok``, is
    **robust**; ``ranks`` gives its best and worst place.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .levels import LEVEL_ORDER
from .measures import CategoryMeasures, joined

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: "Top gaps" for robustness: the top 10% of rows, and at least 5.
TOP_SHARE = 0.10
TOP_MIN = 5


class Ranker:
    """Ranks the rows of every area × category (row ``k·n_areas + i``: category *k*, area *i*).

    ``code_rank`` is each area's code's place among the sorted codes.
    """

    def __init__(self, code_rank: "np.ndarray", n_categories: int) -> None:
        import numpy as np

        self.cat_order = np.repeat(np.arange(n_categories, dtype=np.intp), len(code_rank))
        self.code_rank = np.tile(code_rank, n_categories)

    def rank(self, score: "np.ndarray", level: "np.ndarray") -> "np.ndarray":
        """Row indices from the largest ``score`` down; ties: more severe level, area code, category order.

        Sorting by each row's area code's place sorts by code. The sort is stable.
        """
        import numpy as np

        return np.lexsort((self.cat_order, self.code_rank, level, -score))

    def rerank(self, base: list[CategoryMeasures], base_level: "np.ndarray", alt: dict[str, list[CategoryMeasures]],
               with_access: bool) -> "dict[str, np.ndarray]":
        """The robustness rankings: by count at each other catchment (``alt``, by label), and by access there
        and at the base catchment when ``with_access``, in that order."""
        import numpy as np

        ranks = {}
        for label, measures in alt.items():
            level = joined(measures, "level", np.int8)
            ranks[f"count, {label} catchment"] = self.rank(joined(measures, "score"), level)
            if with_access:
                ranks[f"access, {label} catchment"] = self.rank(joined(measures, "access_score"), level)
        if with_access:
            ranks["access"] = self.rank(joined(base, "access_score"), base_level)
        return ranks


def places(ranks: "dict[str, np.ndarray]", n_rows: int) -> "dict[str, np.ndarray]":
    """Each row's place (from 1) in each ranking."""
    import numpy as np

    out = {}
    for name, order in ranks.items():
        place = np.empty(n_rows, dtype=np.intp)
        place[order] = np.arange(1, n_rows + 1, dtype=np.intp)
        out[name] = place
    return out


def top_size(top: int | None, n_rows: int) -> int:
    """How many rows make "the top": ``top`` if given, else ``max(TOP_MIN, ⌈TOP_SHARE × n_rows⌉)``."""
    return top or max(TOP_MIN, math.ceil(TOP_SHARE * n_rows))


def describe(ranks: "dict[str, np.ndarray]", top: int, n_rows: int) -> str:
    """How robustness was judged: the size of the top and the rankings compared."""
    return f"in the top {top} of {n_rows} under all {len(ranks)} rankings: " + "; ".join(ranks)


def judge(place: "dict[str, np.ndarray]", top: int, level: "np.ndarray") -> tuple["np.ndarray", ...]:
    """Each row's best and worst place over the rankings, and whether it is robust: worst place within the
    ``top``, and a gap (level not ``ok``), not merely a large population."""
    import numpy as np

    stacked = np.vstack(list(place.values()))
    best, worst = stacked.min(axis=0), stacked.max(axis=0)
    return best, worst, (worst <= top) & (level != LEVEL_ORDER["ok"])
