"""The slide map framed on one area, and the what-if drawn on it (:mod:`asset_map.outputs.slide_map`).

With an area in focus (``--area``) the slide shows the area as the gap card's
small map does (:func:`framed_view`: its bounding box
widened by a quarter of its larger side, stretched to the map's shape); the
areas around it are washed out in white so the area stands out, and are
labelled only where they are in view. With a what-if, the assets added are
green stars and those taken away hollow circles struck through with a red
cross; the footnote says what the what-if changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.taxonomy import Category
    from .view import OutputView

#: How much the areas around the one in focus are washed out (white over them, this opaque).
FADE = 0.6
#: The view is the area's bounding box widened by this share of its larger side on each side.
MARGIN = 0.25
ADDED_COLOUR = "#009E73"
REMOVED_COLOUR = "#B00000"


def framed_view(bounds: tuple[float, float, float, float], size: tuple[float, float],
                margin: float = MARGIN) -> tuple[float, float, float, float]:
    """The view framing ``bounds``: widened by ``margin`` × the larger side (at least 1 m) on each side, then
    stretched to the shape ``size`` (width, height), so a map of that shape is filled with an equal aspect."""
    xmin, ymin, xmax, ymax = bounds
    side = max(xmax - xmin, ymax - ymin, 1.0)
    xmin, ymin, xmax, ymax = xmin - margin * side, ymin - margin * side, xmax + margin * side, ymax + margin * side
    aspect = size[0] / size[1]
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        extra = (h * aspect - w) / 2
        return xmin - extra, ymin, xmax + extra, ymax
    extra = (w / aspect - h) / 2
    return xmin, ymin - extra, xmax, ymax + extra


def focus_extent(areas: "gpd.GeoDataFrame", code: str, box_in: tuple[float, float]) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the view framing the area ``code`` in a map ``box_in`` inches wide and high."""
    geom = list(areas.geometry)[list(areas["area_code"]).index(code)]
    return framed_view(geom.bounds, box_in)


def in_view(areas: "gpd.GeoDataFrame", extent: tuple[float, float, float, float]) -> "gpd.GeoDataFrame":
    """The areas that reach into ``extent``."""
    from shapely.geometry import box

    return areas[areas.intersects(box(*extent))]


def draw_what_if(ax: Any, view: "OutputView", cat: "Category", scale: float) -> tuple[int, int]:
    """The category's added assets as green stars and removed ones struck through; returns (added, removed)."""
    counts = []
    for frame, kind in ((view.assets, "added"), (view.removed, "removed")):
        pts = _points(frame, cat, kind)
        counts.append(len(pts))
        if not len(pts):
            continue
        mark_what_if(ax, pts.geometry.x, pts.geometry.y, kind, scale)
    return counts[0], counts[1]


def mark_what_if(ax: Any, xs: Any, ys: Any, kind: str, scale: float) -> None:
    """Assets the what-if ``added`` as green stars, or ``removed`` ones as white dots struck through in red
    (the slide map at ``scale``; the card's map at about 0.76 of the slide's)."""
    if kind == "added":
        ax.scatter(xs, ys, s=260 * scale ** 2, marker="*", c=ADDED_COLOUR, edgecolors="black",
                   linewidths=0.8 * scale, zorder=5)
    else:
        ax.scatter(xs, ys, s=70 * scale ** 2, facecolors="white", edgecolors="black", linewidths=1 * scale,
                   zorder=5)
        ax.scatter(xs, ys, s=160 * scale ** 2, marker="x", c=REMOVED_COLOUR, linewidths=2.5 * scale, zorder=6)


def _points(frame: "gpd.GeoDataFrame | None", cat: "Category", kind: str) -> "gpd.GeoDataFrame":
    """The located assets of ``frame`` marked ``kind`` (``what_if``) that serve ``cat``."""
    if frame is None or not len(frame) or "what_if" not in frame.columns:
        return frame.iloc[:0] if frame is not None else _empty()
    serves = [cat.id in (c or "").split(";") for c in frame["categories"]]
    keep = (frame["what_if"] == kind).to_numpy() & serves
    pts = frame[keep]
    return pts[~(pts.geometry.isna() | pts.geometry.is_empty)]


def _empty() -> "gpd.GeoDataFrame":
    import geopandas as gpd

    return gpd.GeoDataFrame({"geometry": []}, geometry="geometry")


def what_if_note(view: "OutputView", added: int, removed: int) -> str:
    """The footnote's sentence about the what-if ("" without one); it comes first, so that a footnote cut
    for length keeps it."""
    if view.what_if is None:
        return ""
    return (f" {view.what_if_text()} (figures after it; {added} added shown as green stars, {removed} taken away "
            "struck through in red).")
