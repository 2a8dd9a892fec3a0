"""What an output shows: the gaps (after a what-if, when there is one), the assets, the area in focus.

Every output (the HTML map, the slide map, the gap cards, the workbook, the
GeoJSON) is drawn from one :class:`OutputView`, so that ``--area`` and the
what-if's ``--add``/``--without`` mean the same on each:

- ``area``: the code of the area in focus. Maps zoom to it with its
  neighbours faded; tables keep its rows (their priorities stay the ranks
  over the whole study area).
- ``what_if``: the gaps before and after (:class:`asset_map.analysis.whatif.WhatIf`).
  ``report`` is then the *after* figures; ``before`` the figures as the
  workspace holds them. ``assets`` are the assets counted after the what-if
  (added ones included, with ``what_if = "added"``); ``removed`` are the
  assets taken out (``what_if = "removed"``), drawn struck through.
- ``small_areas``: with an area in focus and a population layer (and no
  what-if), the small areas (parts) inside it, each with ``<c>_target`` and
  ``<c>_unreached`` for every category *c*
  (:func:`asset_map.inputs.levels.unreached_by_small_area`): the maps shade
  them by the share out of reach, to show where the unreached live.
- ``catchments``: with a street network, each located asset's catchment for
  each of its categories as a polygon (one row per asset × category:
  ``asset_id``, ``name``, ``category``, ``reach``, ``minutes``, ``mode``;
  :func:`asset_map.network.isochrones.catchments_frame`); None without a network (the catchments are then straight-line
  distances). The exports write them and the HTML map draws the chosen
  category's (:meth:`OutputView.shown_catchments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport, GapRow
    from ..analysis.whatif import WhatIf


#: How the small areas in focus are shaded by the share of their target residents out of reach: (upper bound of
#: the share, colour, legend text), ColorBrewer's sequential Purples (colour-blind safe, apart from the level colours).
UNREACHED_CLASSES = [(0.005, "#F2F0F7", "none out of reach"), (0.25, "#CBC9E2", "under 25%"),
                     (0.5, "#9E9AC8", "25% to 50%"), (0.75, "#756BB1", "50% to 75%"), (1.01, "#54278F", "75% or more")]


def unreached_colour(unreached: float, target: float) -> str | None:
    """The colour of :data:`UNREACHED_CLASSES` for ``unreached / target`` (None when ``target`` is 0)."""
    if not target > 0:
        return None
    share = unreached / target
    return next((colour for bound, colour, _ in UNREACHED_CLASSES if share < bound), UNREACHED_CLASSES[-1][1])


@dataclass
class OutputView:
    """The figures and assets an output draws, and the area it frames (see the module docstring)."""

    report: "GapReport"
    assets: "gpd.GeoDataFrame | None"
    area: str | None = None
    what_if: "WhatIf | None" = None
    removed: "gpd.GeoDataFrame | None" = None
    small_areas: "gpd.GeoDataFrame | None" = None
    catchments: "gpd.GeoDataFrame | None" = None

    def shown_catchments(self, categories: Sequence[str] | None = None) -> "gpd.GeoDataFrame | None":
        """The catchments an output shows: those of the assets counted (:attr:`assets`: not those a what-if
        takes away), in the area in focus when there is one, of ``categories`` (ids; all when None); rows
        without a polygon left out. None without :attr:`catchments`."""
        c = self.catchments
        if c is None:
            return None
        a = self.assets
        if a is not None and self.area is not None:
            a = a[a["area_code"].astype(str) == self.area]
        import shapely

        geoms = c.geometry.to_numpy()
        keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        keep &= c["asset_id"].isin(set() if a is None else set(a["asset_id"])).to_numpy()
        if categories:
            keep &= c["category"].isin(list(categories)).to_numpy()
        return c[keep]

    def unreached(self, category_id: str) -> "list[tuple[str, str, object, float, float]]":
        """``(code, name, polygon, unreached, target)`` of each small area in focus for one category
        (none without :attr:`small_areas`)."""
        s = self.small_areas
        if s is None or f"{category_id}_target" not in s.columns:
            return []
        return list(zip(s["area_code"], s["area_name"], s.geometry, s[f"{category_id}_unreached"],
                        s[f"{category_id}_target"]))

    @property
    def before(self) -> "GapReport | None":
        """The figures before the what-if, or None without one."""
        return None if self.what_if is None else self.what_if.before

    def rows(self) -> "list[GapRow]":
        """The report's rows, those of the area in focus only when there is one (priority order)."""
        return [r for r in self.report.rows if self.area is None or r.area_code == self.area]

    def opening_category(self) -> str | None:
        """The category a map opens on: that of the area's (or the study area's) top robust gap.

        The first row by priority (of the area in focus, else of all) that is
        a gap found in the lists (level ``none`` or ``low``, finding not
        ``no data?``: "nothing found, but the lists may be missing it" is a
        question about the data, not the gap a room came to discuss) and is
        robust (in the top gaps under every ranking tried); failing one, the
        first such gap; failing that, the first "no data?" row, then the first
        row. None when the report is empty.
        """
        rows = self.rows()
        gaps = [r for r in rows if r.level in ("none", "low") and r.finding != "no data?"]
        robust = [r for r in gaps if r.robust]
        unsure = [r for r in rows if r.finding == "no data?"]
        for found in (robust, gaps, unsure, rows):
            if found:
                return found[0].category_id
        return None

    def before_fields(self, area_code: str, category_ids: Sequence[str]) -> dict[str, object]:
        """An area's figures before the what-if as the exports' fields (:func:`before_fields`; empty without one)."""
        return {} if self.before is None else before_fields(self.before, area_code, category_ids)

    def what_if_text(self) -> str:
        """One line saying what the what-if changed, or "" without one: ``What if: + Lunch club; − Library``."""
        if self.what_if is None:
            return ""
        parts = [f"+ {a.name}" for a in self.what_if.added] + [f"− {r}" for r in self.what_if.removed]
        return "What if: " + "; ".join(parts)


def before_fields(before: "GapReport", area_code: str, category_ids: Sequence[str]) -> dict[str, object]:
    """An area's figures in ``before`` (the gaps before a what-if) as the exports' fields: for each category
    ``<id>_coverage_before`` (rounded to 4 places), ``<id>_assets_before`` and ``<id>_level_before``."""
    rows = {r.category_id: r for r in before.rows if r.area_code == area_code}
    out: dict[str, object] = {}
    for cid in category_ids:
        r = rows[cid]
        out.update({f"{cid}_coverage_before": round(r.coverage, 4), f"{cid}_assets_before": r.assets,
                    f"{cid}_level_before": r.level})
    return out


def make_view(report: "GapReport", assets: "gpd.GeoDataFrame | None", areas: "gpd.GeoDataFrame", *,
              area: str | None = None, what_if: "WhatIf | None" = None,
              small_areas: "gpd.GeoDataFrame | None" = None,
              catchments: "gpd.GeoDataFrame | None" = None) -> OutputView:
    """The view of ``report`` (the *after* figures when ``what_if`` is given) and the counted ``assets``.

    With a what-if, the assets whose ids ``what_if.removed_ids`` lists move to
    ``removed``, and each addition becomes an asset ``what-if-<k>`` (source
    ``what if``, located as it was given) assigned to the area its point is in.
    Every asset gets a ``what_if`` column: ``""``, ``"added"`` or ``"removed"``. ``catchments`` (those of
    the assets counted, the added ones included) are kept as given.
    """
    if what_if is None:
        return OutputView(report, assets, area, small_areas=small_areas, catchments=catchments)
    import pandas as pd

    gone = set(what_if.removed_ids)
    removed = None
    if assets is not None:
        hit = assets["asset_id"].astype(str).isin(gone)
        removed = assets[hit].assign(what_if="removed")
        assets = assets[~hit].assign(what_if="")
    added = _added_frame(what_if, areas)
    if added is not None:
        assets = added if assets is None or not len(assets) else pd.concat([assets, added], ignore_index=True)
    return OutputView(report, assets, area, what_if, removed, catchments=catchments)


def _added_frame(what_if: "WhatIf", areas: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame | None":
    """The what-if's additions as assets (EPSG:27700), in the area their point falls in ("" outside every area)."""
    if not what_if.added:
        return None
    import geopandas as gpd
    import numpy as np
    import shapely

    from ..analysis.assign import assign_points

    pts = shapely.points([a.x for a in what_if.added], [a.y for a in what_if.added])
    codes = assign_points(pts, np.asarray(areas.geometry, dtype=object), list(areas["area_code"]))
    n = len(what_if.added)
    return gpd.GeoDataFrame({
        "asset_id": [f"what-if-{k}" for k in range(1, n + 1)], "name": [a.name for a in what_if.added],
        "categories": [";".join(a.categories) for a in what_if.added],
        "area_code": ["" if c is None else c for c in codes], "location_status": ["inside" if c else "outside"
                                                                                  for c in codes],
        "located_by": [a.located_by for a in what_if.added], "source": ["what if"] * n, "what_if": ["added"] * n,
        **{c: [None] * n for c in ("category_text", "address", "postcode", "source_row", "merged_into")},
    }, geometry=list(pts), crs=areas.crs)


def change_lines(view: OutputView, codes: Sequence[str] | None = None) -> list[str]:
    """A line per area × category the what-if changes (in ``codes`` when given), before → after:
    ``Befriending in West: coverage 40% → 85%, 1 → 2 assets, low → ok``."""
    if view.what_if is None:
        return []
    out = []
    for ch in view.what_if.changes(areas=codes):
        b, a = ch.before, ch.after
        out.append(f"{a.category} in {a.area_name}: coverage {b.coverage:.0%} → {a.coverage:.0%}, "
                   f"{b.assets} → {a.assets} assets, {b.shown_level} → {a.shown_level}")
    return out
