"""The small map of a gap card (:mod:`asset_map.outputs.gap_cards`): one area among its neighbours.

The area is shaded and outlined among its neighbours (grey, labelled with
their names), the assets are dots (black inside the area, grey nearby), with a
scale bar; drawn with matplotlib's Agg canvas into PNG bytes in memory
(:func:`map_png`).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from ..cells import figure_text
from ..cells import cell_text

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

#: The small map: size in inches and resolution (600 × 480 pixels).
MAP_SIZE = (5.0, 4.0)
MAP_DPI = 120
#: The map shows the area's bounding box widened by this share of its larger side on each side.
MAP_MARGIN = 0.25
AREA_FILL = "#FBE3C4"
AREA_EDGE = "#000000"
NEIGHBOUR_FILL = "#EFEFEF"
NEIGHBOUR_EDGE = "#9A9A9A"
INSIDE_DOT = "#000000"
OUTSIDE_DOT = "#8C8C8C"
#: The what-if markers on the card's small map, as a share of their size on the slide map.
CARD_MARK_SCALE = 0.76


def map_png(areas: "gpd.GeoDataFrame", area_code: str, assets: "gpd.GeoDataFrame | None" = None, *,
            size: tuple[float, float] = MAP_SIZE, dpi: float = MAP_DPI,
            removed: "gpd.GeoDataFrame | None" = None, shades: "list[tuple[Any, str]] | None" = None) -> bytes:
    """The area shaded and outlined among its neighbours, the assets as dots, as PNG bytes.

    With a what-if (:mod:`asset_map.outputs.view`), assets whose ``what_if`` is
    ``added`` are also drawn as green stars, and the ``removed`` ones as hollow
    circles struck through with a red cross.

    The view is the area's bounding box widened by :data:`MAP_MARGIN` of its
    larger side and stretched to the figure's shape (:func:`_view`); neighbours
    are the other areas in view, labelled with their names. The PNG is
    ``round(size × dpi)`` pixels. ``shades``: (polygon, colour) of the small areas inside the area, drawn over
    its fill with white edges (where its unreached residents live, :mod:`asset_map.outputs.view`).
    """
    from shapely.geometry import box

    from .slide_map import _scale_bar

    geom = list(areas.geometry)[list(areas["area_code"]).index(area_code)]
    if geom is None or geom.is_empty:
        return b""
    xmin, ymin, xmax, ymax = _view(geom.bounds, size)
    view = box(xmin, ymin, xmax, ymax)
    fig, ax = _blank_map(size, dpi, (xmin, ymin, xmax, ymax))
    others = _neighbours(areas, area_code, view)
    _draw_areas(ax, geom, others)
    if shades:
        from .slide_map import _patches

        ax.add_collection(_patches([g for g, _ in shades], [c for _, c in shades], edgecolor="white",
                                   linewidth=0.6, zorder=1.5))
    _label_neighbours(ax, others, view)
    if assets is not None and len(assets):
        _draw_assets(ax, _asset_points(areas, area_code, assets, view))
    _draw_what_if(ax, assets, removed, view)
    pad = 0.04 * (xmax - xmin)
    _scale_bar(ax, xmin + pad, xmax - pad, ymin + pad, 0.8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _view(bounds: tuple[float, float, float, float],
          size: tuple[float, float]) -> tuple[float, float, float, float]:
    """The map's view of an area's ``bounds``: widened by :data:`MAP_MARGIN` × the larger side
    (at least 1 m) on each side, then stretched to the figure's shape ``size`` (width / height), so the
    map fills it with an equal aspect (:func:`asset_map.outputs.slide_focus.framed_view`, which the slide map
    framed on an area uses too)."""
    from .slide_focus import framed_view

    return framed_view(bounds, size, MAP_MARGIN)


def _blank_map(size: tuple[float, float], dpi: float, view: tuple[float, float, float, float]):
    """A white figure on matplotlib's Agg canvas with one frameless, equal-aspect axes showing ``view``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    return fig, ax


def _neighbours(areas: "gpd.GeoDataFrame", area_code: str, view) -> list[tuple[Any, Any]]:
    """The (name, geometry) of the other areas in ``view``."""
    return [(n, g) for c, n, g in zip(areas["area_code"], areas["area_name"], areas.geometry)
            if c != area_code and g is not None and not g.is_empty and g.intersects(view)]


def _draw_areas(ax, geom, others: list[tuple[Any, Any]]) -> None:
    """The neighbours in grey, then the area shaded and outlined in black."""
    from .slide_map import _patches

    if others:
        ax.add_collection(_patches([g for _, g in others], NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE,
                                   linewidth=0.8))
    ax.add_collection(_patches([geom], AREA_FILL, edgecolor="none", linewidth=0))
    ax.add_collection(_patches([geom], "none", edgecolor=AREA_EDGE, linewidth=2.2, zorder=2))


def _label_neighbours(ax, others: list[tuple[Any, Any]], view) -> None:
    """Each neighbour's name, haloed in white, on its part in view if that is at least 2% of the view."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for name, g in others:
        part = g.intersection(view)
        if part.is_empty or part.area < 0.02 * view.area:
            continue
        p = part.representative_point()
        ax.annotate(figure_text(name), (p.x, p.y), ha="center", va="center", fontsize=7, color="#555555",
                    path_effects=halo, annotation_clip=True)


def _asset_points(areas: "gpd.GeoDataFrame", area_code: str, assets: "gpd.GeoDataFrame",
                  view) -> tuple[list[float], list[float], list[float], list[float]]:
    """The x and y of the active assets in view: those located in the area, then those nearby."""
    from ..inputs.duplicates import active

    pts = active(assets)
    if getattr(pts, "crs", None) is not None and getattr(areas, "crs", None) is not None and pts.crs != areas.crs:
        pts = pts.to_crs(areas.crs)
    inside_x, inside_y, near_x, near_y = [], [], [], []
    for a_code, pt in zip(pts["area_code"], pts.geometry):
        if pt is None or pt.is_empty or not view.contains(pt):
            continue
        xs, ys = (inside_x, inside_y) if cell_text(a_code) == area_code else (near_x, near_y)
        xs.append(pt.x)
        ys.append(pt.y)
    return inside_x, inside_y, near_x, near_y


def _draw_assets(ax, points: tuple[list[float], list[float], list[float], list[float]]) -> None:
    """The assets nearby as grey dots, those in the area as black dots above them."""
    inside_x, inside_y, near_x, near_y = points
    if near_x:
        ax.scatter(near_x, near_y, s=14, c=OUTSIDE_DOT, edgecolors="white", linewidths=0.4, zorder=3)
    if inside_x:
        ax.scatter(inside_x, inside_y, s=22, c=INSIDE_DOT, edgecolors="white", linewidths=0.5, zorder=4)


def _draw_what_if(ax, assets: "gpd.GeoDataFrame | None", removed: "gpd.GeoDataFrame | None", view) -> None:
    """The what-if's added assets in view as green stars, and the removed ones struck through in red."""
    from .slide_focus import mark_what_if

    for frame, kind in ((assets, "added"), (removed, "removed")):
        if frame is None or not len(frame) or "what_if" not in frame.columns:
            continue
        pts = [g for w, g in zip(frame["what_if"], frame.geometry)
               if w == kind and g is not None and not g.is_empty and view.contains(g)]
        if pts:
            mark_what_if(ax, [p.x for p in pts], [p.y for p in pts], kind, CARD_MARK_SCALE)
