"""Slide maps: one category's gaps as a PNG choropleth for a workshop slide.

What is drawn, for one need category of a :class:`~asset_map.analysis.gaps.GapReport`:

* each area shaded by its gap level (see :mod:`asset_map.analysis.gaps`): ``none``
  vermilion, ``low`` yellow, ``ok`` sky blue (Okabe–Ito colours, told apart
  with every common colour-vision deficiency and in greyscale by
  lightness); an area whose finding is ``no data?`` (nothing found, but the
  lists may be missing it, see :mod:`asset_map.analysis.confidence`) is grey with
  purple hatching instead, whatever its level;
* each area labelled with its name and coverage (the share of the target
  population within the category's catchment);
* optionally the category's located assets as dots;
* a legend of the levels with how many areas are at each, a title with the
  category's label, its catchment and target population, a scale bar, and a
  footnote saying how coverage was counted (``report.coverage_method``) and
  the study-area figures.

The default size is a 16:9 slide, 13⅓ × 7.5 inches at 150 dpi (2000 × 1125
pixels). Drawing uses matplotlib's Agg canvas directly (no display, no
pyplot state), and the file is written beside the target and then moved
into place, so a half-written PNG never replaces a good one.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..categories.taxonomy import Category, Taxonomy
from ..cells import figure_text

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from matplotlib.figure import Figure

    from ..analysis.gaps import GapReport, GapRow
    from .view import OutputView

#: A 16:9 slide (PowerPoint's widescreen default), in inches.
DEFAULT_SIZE = (40 / 3, 7.5)
DEFAULT_DPI = 150

#: Okabe–Ito colours for the gap levels.
LEVEL_COLOURS = {"none": "#D55E00", "low": "#F0E442", "ok": "#56B4E9"}
LEVEL_TEXT = {
    "none": "none: no asset, under 1% within reach",
    "low": "low: coverage under 60% or rate under half the study area's",
    "ok": "ok",
}
NO_DATA_COLOUR = "#D9D9D9"
NO_DATA_HATCH_COLOUR = "#CC79A7"
NO_DATA_HATCH = "///"
NO_DATA_TEXT = "no data?: nothing found, but the lists may be missing it"
#: Areas the report has no row for (it was narrowed to other areas).
MISSING_COLOUR = "#FFFFFF"
BORDER_COLOUR = "#333333"
#: Where the map goes on the figure (left, bottom, width, height, as fractions); the legend is to its right.
MAP_BOX = (0.02, 0.13, 0.66, 0.74)
#: Footnote lines that fit under the map.
FOOTNOTE_LINES = 5
ASSET_COLOUR = "#000000"


def draw_png(
    report: "GapReport",
    areas: "gpd.GeoDataFrame",
    taxonomy: Taxonomy,
    category: "str | Category",
    path: str | os.PathLike,
    *,
    assets: "gpd.GeoDataFrame | None" = None,
    title: str | None = None,
    size: tuple[float, float] = DEFAULT_SIZE,
    dpi: float = DEFAULT_DPI,
    labels: bool = True,
    view: "OutputView | None" = None,
) -> Path:
    """Draw ``category``'s gaps by area as a PNG at ``path``; returns the path.

    Parameters
    ----------
    report
        Gap rows (``Workspace.gaps()``, narrowed to the category or not);
        the category's rows are used.
    areas
        The areas (``Workspace.areas()``), in any projected CRS (BNG).
    taxonomy, category
        ``category`` is a :class:`Category` or an id, label or synonym
        resolved with ``taxonomy`` (an unknown one raises
        :class:`~asset_map.errors.TaxonomyError`).
    assets
        If given (``Workspace.assets()``), the located, active assets of the
        category are drawn as dots.
    title
        Replaces the default title (the category's label).
    size, dpi
        Figure size in inches and resolution: the PNG is
        ``round(size × dpi)`` pixels.
    labels
        Label each area with its name and coverage.
    view
        The output view (:mod:`asset_map.outputs.view`): with an area in focus
        the map is framed on it, its neighbours faded
        (:mod:`asset_map.outputs.slide_focus`); with a what-if the assets added
        and taken away are marked and the footnote says what changed.
    """
    fig = slide_figure(report, areas, taxonomy, category, assets=assets, title=title, size=size, dpi=dpi,
                       labels=labels, view=view)
    return _save(fig, Path(path), dpi)


def slide_figure(
    report: "GapReport",
    areas: "gpd.GeoDataFrame",
    taxonomy: Taxonomy,
    category: "str | Category",
    *,
    assets: "gpd.GeoDataFrame | None" = None,
    title: str | None = None,
    size: tuple[float, float] = DEFAULT_SIZE,
    dpi: float = DEFAULT_DPI,
    labels: bool = True,
    view: "OutputView | None" = None,
) -> "Figure":
    """The slide map as a matplotlib :class:`~matplotlib.figure.Figure` (on an Agg canvas).

    The parameters are those of :func:`draw_png`; a notebook shows the
    figure as it is, or saves it in another format.
    """
    cat = category if isinstance(category, Category) else taxonomy.get(category)
    rows = {r.area_code: r for r in report.rows if r.category_id == cat.id}
    if not rows:
        raise ValueError(f"the gap report has no rows for category {cat.id!r}")
    return _figure(report, areas, cat, rows, assets=assets, title=title, size=size, dpi=dpi, labels=labels,
                   view=view)


# --------------------------------------------------------------------------- drawing
def _figure(report: "GapReport", areas: "gpd.GeoDataFrame", cat: Category, rows: dict[str, "GapRow"], *,
            assets: "gpd.GeoDataFrame | None", title: str | None, size: tuple[float, float], dpi: float,
            labels: bool, view: "OutputView | None" = None):
    """The slide: titles, footnote, the shaded map with its labels, dots and scale bar, and the legend.

    Text sizes in points follow the figure's height (``scale = height / 7.5 in``),
    so a smaller figure keeps its layout.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .slide_focus import draw_what_if, focus_extent, in_view, what_if_note

    fig = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    scale = size[1] / DEFAULT_SIZE[1]
    focus = None if view is None else view.area
    ax = fig.add_axes(MAP_BOX)
    ax.set_axis_off()
    ax.set_aspect("equal")
    found = [rows.get(c) for c in areas["area_code"]]
    kinds = [_kind(r) for r in found]
    _shade(ax, areas.geometry, kinds, scale)
    xmin, ymin, xmax, ymax = areas.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin)
    if focus is not None:
        xmin, ymin, xmax, ymax = focus_extent(areas, focus, (size[0] * MAP_BOX[2], size[1] * MAP_BOX[3]))
        pad = 0.0
        _fade_others(ax, areas, focus, scale)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    n_assets = _draw_assets(ax, assets, cat, scale) if assets is not None else None
    added, removed = draw_what_if(ax, view, cat, scale) if view is not None else (0, 0)
    if labels:
        shown = areas if focus is None else in_view(areas, (xmin, ymin, xmax, ymax))
        _label(ax, shown, [rows.get(c) for c in shown["area_code"]], scale,
               points_per_metre=_points_per_metre(fig, ax))
    _scale_bar(ax, xmin, xmax, ymin - pad * 0.5 if focus is None else ymin + 0.03 * (ymax - ymin), scale)
    row = rows.get(focus) if focus is not None else None
    _titles(fig, title or (cat.label + (f": {row.area_name}" if row else "")), cat, row or next(iter(rows.values())),
            scale)
    note = what_if_note(view, added, removed) if view is not None else ""
    _footnote_text(fig, (note.strip() + " " if note else "") + _footnote(report, cat, rows), size[0], scale)
    _legend(fig, kinds if focus is None else [_kind(rows.get(focus))], cat, n_assets, scale, (added, removed))
    return fig


def _fade_others(ax: Any, areas: "gpd.GeoDataFrame", code: str, scale: float) -> None:
    """Wash out every area but ``code`` with white (:data:`asset_map.outputs.slide_focus.FADE` opaque), then
    outline ``code`` thickly."""
    from .slide_focus import FADE

    others = [g for c, g in zip(areas["area_code"], areas.geometry) if c != code]
    if others:
        ax.add_collection(_patches(others, "white", edgecolor="none", linewidth=0, alpha=FADE, zorder=1.5))
    mine = [g for c, g in zip(areas["area_code"], areas.geometry) if c == code]
    ax.add_collection(_patches(mine, "none", edgecolor="#000000", linewidth=3.0 * scale, zorder=2))


def _titles(fig: Any, title: str, cat: Category, row: "GapRow", scale: float) -> None:
    """The title (the category's label unless given) and the subtitle saying what is shaded."""
    fig.text(0.02, 0.965, figure_text(title), ha="left", va="top", fontsize=26 * scale, fontweight="bold")
    subtitle = f"Gaps by area: the share of {_who(row)} within {cat.catchment_text} (straight line) of an asset"
    fig.text(0.02, 0.895, figure_text(subtitle), ha="left", va="top", fontsize=14 * scale, color="#333333")


def _footnote_text(fig: Any, footnote: str, width_in: float, scale: float) -> None:
    """The footnote under the map, wrapped, cut to :data:`FOOTNOTE_LINES` lines ending "…" when longer.

    A line holds ``max(40, width × 72 / (9.5 × scale × 0.55))`` characters:
    the figure's width in points over the width of a character (about 0.55 em
    at 9.5 pt × scale).
    """
    chars = max(40, int(width_in * 72 / (9.5 * scale * 0.55)))
    lines = textwrap.wrap(footnote, chars)
    if len(lines) > FOOTNOTE_LINES:  # long filter notes: keep what fits under the map
        lines = lines[:FOOTNOTE_LINES]
        lines[-1] = lines[-1].rstrip(" .") + " …"
    fig.text(0.02, 0.015, figure_text("\n".join(lines)), ha="left", va="bottom",
             fontsize=9.5 * scale, color="#444444", linespacing=1.3)


#: Fill colour per kind of area (:func:`_kind`).
_KIND_COLOURS = {**LEVEL_COLOURS, "no data?": NO_DATA_COLOUR, "missing": MISSING_COLOUR}


def _shade(ax: Any, geoms: Any, kinds: list[str], scale: float) -> None:
    """Fill each area with its kind's colour, hatch the "no data?" ones, then draw every border."""
    ax.add_collection(_patches(geoms, [_KIND_COLOURS[k] for k in kinds], edgecolor="none", linewidth=0))
    nodata = [g for g, k in zip(geoms, kinds) if k == "no data?"]
    if nodata:
        ax.add_collection(_patches(nodata, "none", edgecolor=NO_DATA_HATCH_COLOUR, linewidth=0,
                                   hatch=NO_DATA_HATCH))
    ax.add_collection(_patches(geoms, "none", edgecolor=BORDER_COLOUR, linewidth=1.0 * scale))


def _legend(fig: Any, kinds: list[str], cat: Category, n_assets: int | None, scale: float,
            what_if: tuple[int, int] = (0, 0)) -> None:
    """The legend right of the map: each level with its number of areas; "no data?", areas not in the
    report and the asset dots only when there are any (dots: when assets were drawn); the what-if's
    added and removed assets (``what_if``: how many of each were drawn) when there are any."""
    from matplotlib.patches import Patch

    counts = {k: kinds.count(k) for k in _KIND_COLOURS}
    handles, texts = [], []
    for level in ("none", "low", "ok"):
        handles.append(Patch(facecolor=LEVEL_COLOURS[level], edgecolor=BORDER_COLOUR, linewidth=0.8))
        texts.append(f"{LEVEL_TEXT[level]} ({counts[level]})")
    if counts["no data?"]:
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor=NO_DATA_HATCH_COLOUR, hatch=NO_DATA_HATCH,
                             linewidth=0.8))
        texts.append(f"{NO_DATA_TEXT} ({counts['no data?']})")
    if counts["missing"]:
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor=BORDER_COLOUR, linewidth=0.8))
        texts.append(f"not in this report ({counts['missing']})")
    if n_assets is not None:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=6 * scale,
                              markerfacecolor=ASSET_COLOUR, markeredgecolor="white"))
        texts.append(f"{cat.label} asset ({n_assets})")
    _what_if_handles(handles, texts, what_if, scale)
    wrapped = [figure_text("\n".join(textwrap.wrap(t, 34))) for t in texts]
    legend = fig.legend(handles, wrapped, loc="upper left", bbox_to_anchor=(0.70, 0.84), frameon=False,
                        fontsize=12 * scale, title="Gap level (areas)", title_fontsize=13 * scale,
                        handlelength=2.2, handleheight=1.6, labelspacing=0.9, borderaxespad=0,
                        alignment="left")
    legend.set_in_layout(False)


def _what_if_handles(handles: list, texts: list, what_if: tuple[int, int], scale: float) -> None:
    """Legend entries for the what-if's added (green star) and removed (red cross) assets drawn."""
    from matplotlib.lines import Line2D

    from .slide_focus import ADDED_COLOUR, REMOVED_COLOUR

    added, removed = what_if
    if added:
        handles.append(Line2D([], [], marker="*", linestyle="none", markersize=14 * scale,
                              markerfacecolor=ADDED_COLOUR, markeredgecolor="black"))
        texts.append(f"added for this what-if ({added})")
    if removed:
        handles.append(Line2D([], [], marker="x", linestyle="none", markersize=10 * scale,
                              markeredgecolor=REMOVED_COLOUR, markeredgewidth=2.5 * scale))
        texts.append(f"taken away in this what-if ({removed})")


def _kind(row: "GapRow | None") -> str:
    if row is None:
        return "missing"
    return row.shown_level


def _patches(geoms: Any, facecolor: Any, **kwargs: Any):
    """A PatchCollection of (multi)polygons, holes included."""
    import numpy as np
    import shapely
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches = []
    for geom in geoms:
        parts = [] if geom is None or geom.is_empty else (
            list(geom.geoms) if geom.geom_type.startswith("Multi") or geom.geom_type == "GeometryCollection"
            else [geom])
        verts, codes = [], []
        for poly in parts:
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(shapely.get_coordinates(ring))
                verts.append(xy)
                c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
                c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                codes.append(c)
        if verts:
            patches.append(PathPatch(MplPath(np.concatenate(verts), np.concatenate(codes))))
        else:
            patches.append(PathPatch(MplPath(np.zeros((1, 2)))))
    return PatchCollection(patches, facecolor=facecolor, match_original=False, **kwargs)


def _label(ax: Any, areas: "gpd.GeoDataFrame", found: list["GapRow | None"], scale: float, *,
           points_per_metre: float) -> None:
    """Name and coverage at the middle of each area, on a white halo.

    The middle is the centre of the largest circle inside the area; the text
    is made smaller (down to a floor) to fit that circle, and long names are
    wrapped, so neighbouring labels overlap as little as possible.
    """
    from matplotlib import patheffects

    from ..geo import label_circle

    largest = 13 * scale
    smallest = 6.5 * scale
    halo = [patheffects.withStroke(linewidth=3 * scale, foreground="white")]
    for (_, a), row in zip(areas.iterrows(), found):
        geom = a.geometry
        if geom is None or geom.is_empty:
            continue
        centre, radius = label_circle(geom)
        name = "\n".join(textwrap.wrap(str(a["area_name"]), 16)) or str(a["area_name"])
        text = name
        if row is not None:
            text += f"\n{row.coverage:.0%}" + (" · no data?" if row.finding == "no data?" else "")
        lines = text.split("\n")
        # The widest line (about 0.6 em per character) and the lines' height should fit the circle.
        fit = 2 * radius * points_per_metre / max(0.6 * max(len(t) for t in lines), 1.2 * len(lines))
        size = max(smallest, min(largest, fit))
        ax.annotate(figure_text(text), (centre.x, centre.y), ha="center", va="center", fontsize=size,
                    fontweight="bold", color="#111111", path_effects=halo, annotation_clip=False, linespacing=1.1)


def _points_per_metre(fig: Any, ax: Any) -> float:
    """Typographic points per map metre (the axes keep an equal aspect, so the tighter side sets it)."""
    width_in, height_in = fig.get_size_inches()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    metres_per_inch = max((x1 - x0) / (width_in * MAP_BOX[2]), (y1 - y0) / (height_in * MAP_BOX[3]))
    return 72 / metres_per_inch if metres_per_inch > 0 else 1.0


def _who(row: "GapRow") -> str:
    """The target population in a sentence: ``residents``, ``residents aged 65+``."""
    from ..categories.taxonomy import AgeBand

    target = row.target
    if target.startswith("aged "):
        return f"residents {target}"
    if target.startswith("all ages ("):
        return f"residents of all ages {target[len('all ages '):]}"
    try:
        return AgeBand.parse(target).phrase
    except ValueError:
        return "residents"


def _draw_assets(ax: Any, assets: "gpd.GeoDataFrame", cat: Category, scale: float) -> int:
    """The category's located, active assets as dots; returns how many were drawn."""
    from ..inputs.duplicates import active

    assets = active(assets)
    keep = [cat.id in (c or "").split(";") for c in assets["categories"]]
    pts = assets[keep]
    pts = pts[~(pts.geometry.isna() | pts.geometry.is_empty)]
    if len(pts):
        ax.scatter(pts.geometry.x, pts.geometry.y, s=36 * scale ** 2, c=ASSET_COLOUR, edgecolors="white",
                   linewidths=0.6 * scale, zorder=3)
    return len(pts)


def _scale_bar(ax: Any, xmin: float, xmax: float, y: float, scale: float) -> None:
    """A bar of a round length, about a fifth of the map's width, at its bottom left."""
    import math

    target = (xmax - xmin) / 5
    if target <= 0:
        return
    step = 10 ** math.floor(math.log10(target))
    length = max(m * step for m in (1, 2, 5) if m * step <= target)
    ax.plot([xmin, xmin + length], [y, y], color="#222222", linewidth=3 * scale, solid_capstyle="butt",
            clip_on=False)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.annotate(text, (xmin + length / 2, y), xytext=(0, 4 * scale), textcoords="offset points",
                ha="center", va="bottom", fontsize=10 * scale, color="#222222", annotation_clip=False)


def _footnote(report: "GapReport", cat: Category, rows: dict[str, "GapRow"]) -> str:
    one = next(iter(rows.values()))
    study = report.study.get(cat.id)
    from ..analysis.gaps import POPULATION_METHOD

    text = (f"Coverage: the share of {_who(one)} within {cat.catchment_text} (straight line) of at least one "
            f"asset. How it was counted: {report.coverage_method}")
    if report.coverage_method != POPULATION_METHOD:
        text += " (residents assumed spread evenly; load a population layer to count where they live)"
    text += "."
    if study is not None:
        rate = "" if study.rate_per_10k is None else f", {study.rate_per_10k:.1f} per 10,000"
        text += (f" Study area: {study.assets} asset{'s' if study.assets != 1 else ''}{rate}, "
                 f"{study.coverage:.0%} coverage.")
    if not report.population_loaded:
        text += " No population loaded: rates are blank."
    for note in report.notes:
        text += f" Note: {note}."
    return text


# --------------------------------------------------------------------------- writing
def _save(fig: Any, path: Path, dpi: float) -> Path:
    """Write the PNG beside ``path`` and move it into place."""
    from ..files import write_atomically

    return write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi,
                                                            facecolor=fig.get_facecolor()))
