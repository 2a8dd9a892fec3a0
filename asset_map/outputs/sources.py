"""The handout's last table, Sources: what fed the figures, so a colleague can tell what they are looking at.

One row per thing the figures rest on (columns :data:`SOURCE_COLUMNS`):

- ``asset list``: every import in the workspace's log, with its file (or
  feed address), SHA-256, date, and rows read / imported / kept without a
  location / rejected (``rows read = imported + kept without location +
  rejected``, :mod:`asset_map.inputs.import_log`);
- ``boundaries``: the areas (how many, their codes) and their population,
  with how the population layer's small areas were shared among them
  (``population_method``) and how many people came from small areas cut by
  a border (``split_population``);
- ``method``: how coverage was counted, how priority ranks gaps, the
  robustness check, the need indicator;
- ``catchment``: each category's catchment and target population;
- ``filter``, ``focus`` and ``what if``: the asset filter, the area in
  focus and each asset added or taken away, when there are any;
- ``note``: the report's notes about its inputs.

With a what-if a table "What if" comes first after the Summary, a row per
area × category the what-if changes, before and after side by side.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .handouts import HandoutTable, handout_tables

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from ..categories.filters import AssetFilter
    from ..categories.taxonomy import Taxonomy
    from .view import OutputView

SOURCE_COLUMNS = ("Kind", "Name", "Detail", "Date", "Rows read", "Imported", "Kept without location", "Rejected",
                  "SHA-256")
WHAT_IF_COLUMNS = ("Area", "Category", "Assets before", "Assets after", "Coverage before", "Coverage after",
                   "Gap before", "Gap after", "Priority before", "Priority after", "Reason after")
PRIORITY_TEXT = ("gaps ranked by unreached target residents (weighted by need when a need indicator is loaded); "
                 "1 is the most urgent over every area and category; an area's sheet keeps these ranks")


def handout_with_sources(view: "OutputView", areas: "gpd.GeoDataFrame", imports: "pd.DataFrame | None",
                         taxonomy: "Taxonomy", *, filters: "AssetFilter | None" = None,
                         layer: "pd.DataFrame | None" = None) -> list[HandoutTable]:
    """The handout tables of ``view`` (:func:`asset_map.outputs.handouts.handout_tables`: only the area in
    focus's rows and assets when there is one), the "What if" table after the Summary with a what-if, and
    the Sources table last (``layer``: the population layer, when one is loaded)."""
    report = view.report if view.area is None else view.report.select(areas=[view.area])
    assets = view.assets
    if view.area is not None and assets is not None:
        assets = assets[assets["area_code"].astype(str) == view.area]
    tables = handout_tables(report, assets, taxonomy)
    if view.what_if is not None:
        tables.insert(1, what_if_table(view))
    tables.append(sources_table(view, areas, imports, taxonomy, filters, layer))
    return tables


def what_if_table(view: "OutputView") -> HandoutTable:
    """The rows the what-if changes (of the area in focus, when there is one), before and after."""
    rows = []
    for ch in view.what_if.changes(areas=None if view.area is None else [view.area]):
        b, a = ch.before, ch.after
        rows.append({"Area": a.area_name, "Category": a.category, "Assets before": b.assets, "Assets after": a.assets,
                     "Coverage before": b.coverage, "Coverage after": a.coverage, "Gap before": b.shown_level,
                     "Gap after": a.shown_level, "Priority before": b.priority, "Priority after": a.priority,
                     "Reason after": a.reason})
    return HandoutTable("What if", "what-if.csv", WHAT_IF_COLUMNS, rows)


def sources_table(view: "OutputView", areas: "gpd.GeoDataFrame", imports: "pd.DataFrame | None",
                  taxonomy: "Taxonomy", filters: "AssetFilter | None" = None,
                  layer: "pd.DataFrame | None" = None) -> HandoutTable:
    """The Sources table (see the module docstring)."""
    rows = _import_rows(imports) + _area_rows(areas, layer)
    report = view.report
    rows.append(_row("method", "Coverage", report.coverage_method))
    rows.append(_row("method", "Priority", PRIORITY_TEXT))
    if report.robustness:
        rows.append(_row("method", "Robust", report.robustness))
    rows.append(_row("method", "Need indicator", report.need_indicator or "none loaded: priority is unreached "
                                                                           "residents alone"))
    for c in taxonomy:
        rows.append(_row("catchment", c.label, f"{c.catchment_text} straight line; target population: "
                                               f"{c.target.phrase} ({c.target.code})"))
    if filters is not None and filters.active:
        rows.append(_row("filter", "Assets counted", f"only those known to be {filters.describe()}"))
    if view.area is not None:
        name = dict(zip(areas["area_code"], areas["area_name"])).get(view.area, view.area)
        rows.append(_row("focus", str(name), f"only area {view.area}'s rows and assets; priorities stay the ranks "
                                             "over every area"))
    if view.what_if is not None:
        for a in view.what_if.added:
            rows.append(_row("what if", a.name, f"added for this what-if: {', '.join(a.categories)}; located by "
                                                f"{a.located_by}"))
        for r in view.what_if.removed:
            rows.append(_row("what if", r, "taken away for this what-if"))
    rows += [_row("note", "", n) for n in report.notes]
    return HandoutTable("Sources", "sources.csv", SOURCE_COLUMNS, rows)


def _row(kind: str, name: str, detail: str, **more: Any) -> dict[str, Any]:
    return {"Kind": kind, "Name": name, "Detail": detail, **more}


def _int(v: Any) -> int | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)


def _import_rows(imports: "pd.DataFrame | None") -> list[dict[str, Any]]:
    """A row per import in the log, oldest first."""
    if imports is None or not len(imports):
        return [_row("asset list", "", "nothing imported")]
    out = []
    for rec in imports.sort_values("imported_at").to_dict("records"):
        out.append(_row("asset list", str(rec.get("source") or ""), str(rec.get("path") or ""),
                        **{"Date": str(rec.get("imported_at") or "")[:10], "Rows read": _int(rec.get("rows_read")),
                           "Imported": _int(rec.get("imported")),
                           "Kept without location": _int(rec.get("kept_unlocated")),
                           "Rejected": _int(rec.get("rejected")), "SHA-256": str(rec.get("sha256") or "")}))
    return out


def _area_rows(areas: "gpd.GeoDataFrame", layer: "pd.DataFrame | None") -> list[dict[str, Any]]:
    """The areas and their population, and the population layer (its small areas, how they were shared)."""
    codes = [str(c) for c in areas["area_code"]]
    shown = ", ".join(codes[:12]) + (f" and {len(codes) - 12} more" if len(codes) > 12 else "")
    rows = [_row("boundaries", f"{len(codes)} areas", f"codes {shown}")]
    if "all_ages" in areas.columns:
        pop = areas["all_ages"].dropna()
        if len(pop):
            rows.append(_row("population", "All ages", f"{pop.sum():,.0f} people in the areas (each area "
                                                       f"{pop.min():,.0f} to {pop.max():,.0f})"))
    if layer is not None and len(layer):
        inside = layer[layer["area_code"].notna() & (layer["area_code"].astype(str) != "")]
        rows.append(_row("population", "Small areas", f"{layer['code'].nunique():,} small areas in the population "
                                                      f"layer, {inside['code'].nunique():,} of them in the areas; "
                                                      "coverage is counted from where their people live"))
    if "population_method" in areas.columns:
        methods = sorted({str(m) for m in areas["population_method"].dropna() if str(m)})
        split = areas["split_population"].fillna(0).sum() if "split_population" in areas.columns else 0
        if methods:
            rows.append(_row("population", "Small areas shared", f"{'; '.join(methods)}; {split:,.0f} people came "
                                                                 "from small areas cut by an area's border"))
    return rows
