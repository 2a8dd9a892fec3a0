"""The areas' population beside a published estimate: how far to trust the denominators.

An area's population in the workspace is what was loaded: a field of the
boundary file, a CSV joined by code, or the sum of the small areas whose
point falls in it. When the areas are not the areas the ONS publishes
(wards built from LSOAs that straddle a boundary, council localities), that
sum is an approximation; comparing it with a published estimate for the same
areas (ONS mid-year estimates by ward, say) shows how close it is.

Each area is matched to an estimate by code, else by name (ignoring case
and surrounding spaces, and only when one estimate has that name). For each
area matched, with ``P`` the workspace's population and ``E`` the estimate:

- ``difference = P − E``;
- ``pct_difference = (P − E) / E × 100`` (none when ``E = 0``).

The summary (:func:`summary`) gives the mean absolute percentage difference
``Σ |pct_difference| / n`` over the ``n`` areas with one, and the area with
the largest ``|pct_difference|``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import WorkspaceError
from .population import _code_column, _count, _norm, _persons_rows

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns of the comparison, in order.
CHECK_COLUMNS = ("area_code", "area_name", "ours", "published", "difference", "pct_difference", "matched_by")

#: Headers of an estimate's area name: ``area_name`` (ONS), or a name column of an ONS lookup (``WD23NM``...).
_NAME_HEADERS = ("area_name", "area name", "name", "geography name", "area")


@dataclass(frozen=True)
class CheckSummary:
    """What the comparison comes to: the mean absolute % difference, the worst area, what did not match."""

    compared: int
    mean_abs_pct: float | None
    worst_name: str | None
    worst_pct: float | None
    no_estimate: list[str]
    no_area: list[str]


def read_estimates(path: str | Path, *, code_column: str | None = None) -> "pd.DataFrame":
    """Published estimates from a CSV: ``code``, ``name`` and ``published`` (all ages), one row per area.

    The ONS wide format as :func:`asset_map.inputs.population.read_population_csv`
    reads it (the ``Persons`` rows; ``area_code``, ``area_name``,
    ``all_ages``), or any CSV with a code, a name and a total column.

    Raises
    ------
    ColumnError
        If there is no code or total column.
    InputFileError
        If a count is not a number of at least 0, or a code is empty or appears twice.
    """
    import pandas as pd

    from ..errors import InputFileError
    from .population import _count_columns
    from .readers import read_input

    table = read_input(path)
    headers = {_norm(c): c for c in table.columns}
    code_col = _code_column(table, headers, code_column)
    total_col = _count_columns(table.path, headers)["all_ages"]
    name_col = next((headers[h] for h in _NAME_HEADERS if h in headers),
                    next((c for h, c in headers.items() if h.endswith("nm")), None))
    frame, p, seen = table.frame, table.path, {}
    rows = []
    for i in _persons_rows(table, headers):
        row, code = table.row_numbers[i], frame[code_col].iloc[i]
        if code is None or not str(code).strip():
            raise InputFileError(f"{p}, row {row}, column {code_col!r}: empty area code; give every estimate its code")
        code = str(code).strip()
        if code in seen:
            raise InputFileError(f"{p}, row {row}, column {code_col!r}: area code {code!r} appears more than once "
                                 f"(also row {seen[code]}); keep one estimate per area (one sex, one period)")
        seen[code] = row
        name = frame[name_col].iloc[i] if name_col is not None else None
        rows.append((code, "" if name is None else str(name).strip(), _count(frame[total_col].iloc[i], p, row,
                                                                                total_col)))
    return pd.DataFrame(rows, columns=["code", "name", "published"])


def compare_population(areas: "pd.DataFrame", estimates: "pd.DataFrame") -> "pd.DataFrame":
    """Each area's population beside its estimate (:data:`CHECK_COLUMNS`; formulas in the module docstring).

    One row per area, in the areas' order (``matched_by`` is ``code``,
    ``name`` or ``no estimate``), then one per estimate that matched no area
    (``no area``, with the estimate's code and name and no ``ours``).

    Raises
    ------
    WorkspaceError
        If the areas have no population.
    """
    import pandas as pd

    if "all_ages" not in areas.columns or pd.to_numeric(areas["all_ages"], errors="coerce").isna().all():
        raise WorkspaceError("the areas have no population to check; load it with `asset-map boundaries load "
                             "FILE --population CSV` or `asset-map population load`")
    by_code = {c: k for k, c in enumerate(estimates["code"])}
    names: dict[str, list[int]] = {}
    for k, n in enumerate(estimates["name"]):
        names.setdefault(str(n).strip().lower(), []).append(k)
    used: set[int] = set()
    records = []
    for code, name, ours in zip(areas["area_code"], areas["area_name"], areas["all_ages"]):
        k, how = _match(str(code), str(name), by_code, names, used)
        published = float(estimates["published"].iloc[k]) if k is not None else math.nan
        records.append(_record(code, name, _number(ours), published, how))
    for k in range(len(estimates)):
        if k not in used:
            records.append(_record(estimates["code"].iloc[k], estimates["name"].iloc[k], math.nan,
                                   float(estimates["published"].iloc[k]), "no area"))
    return pd.DataFrame(records, columns=list(CHECK_COLUMNS))


def _match(code: str, name: str, by_code: dict[str, int], names: dict[str, list[int]],
           used: set[int]) -> tuple[int | None, str]:
    """The estimate of an area, by code, else by a name only one estimate has; and how it was matched."""
    k = by_code.get(code.strip())
    how = "code"
    if k is None or k in used:
        same = [j for j in names.get(name.strip().lower(), []) if j not in used]
        k, how = (same[0], "name") if len(same) == 1 else (None, "no estimate")
    if k is not None:
        used.add(k)
    return k, how


def _number(value: object) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan


def _record(code: object, name: object, ours: float, published: float, how: str) -> dict:
    """One row of the comparison: ``difference = ours − published``, ``pct = difference / published × 100``."""
    diff = ours - published
    pct = diff / published * 100 if published > 0 else math.nan
    return {"area_code": str(code), "area_name": str(name), "ours": ours, "published": published,
            "difference": diff, "pct_difference": pct, "matched_by": how}


def summary(check: "pd.DataFrame") -> CheckSummary:
    """The mean absolute % difference over the areas with one, the worst area, and what did not match."""
    matched = check[check["matched_by"].isin(["code", "name"]) & check["pct_difference"].notna()
                    & check["ours"].notna()]
    worst = matched.loc[matched["pct_difference"].abs().idxmax()] if len(matched) else None
    return CheckSummary(
        compared=len(matched),
        mean_abs_pct=float(matched["pct_difference"].abs().mean()) if len(matched) else None,
        worst_name=None if worst is None else str(worst["area_name"]),
        worst_pct=None if worst is None else float(worst["pct_difference"]),
        no_estimate=check.loc[check["matched_by"] == "no estimate", "area_name"].tolist(),
        no_area=[f"{n} ({c})" if n else str(c) for c, n in
                 check.loc[check["matched_by"] == "no area", ["area_code", "area_name"]].itertuples(index=False)],
    )
