"""Gap cards: one printable page per area, for the workshop table.

Each card (:func:`gap_card`) holds, for one area:

* its **top gaps**: the area's gap rows (:mod:`asset_map.analysis.gaps`) whose level
  is ``none`` or ``low``, in priority order, up to ``top``; each with its
  coverage, the target residents beyond reach, the confidence and the
  plain-English reason;
* what is **not known**: the categories whose finding is ``no data?``
  (nothing found, but no list loaded may cover them, see
  :mod:`asset_map.analysis.confidence`), named in a section of their own so
  they do not crowd out the gaps found;
* **what exists there**: per category, how many of the given assets are
  located in the area and the first :data:`NAMES_SHOWN` of their names;
* a **small map**: the area shaded and outlined among its neighbours (grey),
  the assets as dots (black inside the area, grey nearby), with a scale
  bar, drawn with matplotlib's Agg canvas into PNG bytes in memory
  (:mod:`asset_map.outputs.card_map`).

The card is written as Markdown (:func:`card_markdown`, the map as an image
link to a PNG written beside the file) or as one self-contained HTML page
(:func:`card_html`, the map embedded as a ``data:`` URI, page breaks between
cards when printed). Every text from the data is escaped: with
:func:`html.escape` in HTML, and with backslashes (``<``, ``|``, ``*``, …)
in Markdown, so a name such as ``<script>alert(1)</script>`` shows as text.

:func:`gap_cards` builds the cards from a gap report, the areas and the
assets counted (``Workspace.gap_cards`` passes a workspace's), and
:func:`write_cards` writes them (with the PNGs beside a Markdown file).
"""

from __future__ import annotations

import base64
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence
from urllib.parse import quote

from .card_map import map_png
from ..cells import cell_text, md_escape

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport, GapRow
    from ..categories.taxonomy import Category
    from .view import OutputView

#: How many gaps a card lists by default.
TOP = 5
#: How many asset names a card lists for one category before "and N more".
NAMES_SHOWN = 6
GAP_LEVELS = ("none", "low")
NO_DATA = "no data?"
FORMATS = ("markdown", "html")


@dataclass(frozen=True)
class CategoryAssets:
    """The assets of one category located in the area."""

    category_id: str
    category: str
    count: int
    #: The first :data:`NAMES_SHOWN` names, sorted as a person looks them up.
    names: tuple[str, ...]

    @property
    def more(self) -> int:
        """How many names are not listed."""
        return self.count - len(self.names)


@dataclass
class GapCard:
    """One area's page: its top gaps, what exists there, and a small map."""

    area_code: str
    area_name: str
    data_date: str
    #: The area's gap rows (level none/low, finding not "no data?"), in priority order, at most ``top``.
    gaps: list["GapRow"]
    #: How many such rows the area has in all (the card lists the first ``len(gaps)``).
    gaps_total: int
    #: How many categories were measured for the area.
    categories_measured: int
    #: Per category (taxonomy order), the assets located in the area; categories with none are left out.
    exists: list[CategoryAssets]
    #: The located assets in the area (each counted once, whatever its categories).
    assets_total: int
    coverage_method: str
    population_loaded: bool
    notes: list[str] = field(default_factory=list)
    #: The small map as PNG bytes (empty when the area has no geometry).
    map_png: bytes = b""
    #: The area's "no data?" rows (nothing found, no list may cover them), in priority order.
    unknown: list["GapRow"] = field(default_factory=list)
    #: With a what-if: the line saying what it changed, then each of the area's rows it changes, before → after.
    what_if: list[str] = field(default_factory=list)
    #: When the map shades the small areas by their residents out of reach: what the shade means (else "").
    shading: str = ""

    @property
    def title(self) -> str:
        return f"{self.area_name}: gaps and assets"


# --------------------------------------------------------------------------- building

def gap_card(report_all: "GapReport", areas: "gpd.GeoDataFrame", assets: "gpd.GeoDataFrame | None",
             taxonomy: Iterable["Category"], area_code: str, *, top: int = TOP, data_date: str,
             draw_map: bool = True) -> GapCard:
    """The card for one area.

    Parameters
    ----------
    report_all
        The gap report for every area (``Workspace.gaps()``); the area's rows
        are taken from it, keeping their overall priority.
    areas
        The areas (``Workspace.areas()``), in a projected CRS (BNG).
    assets
        The assets the report counted (``Workspace.counted_assets()``), or
        None; merged duplicates are left out again in case they are given.
    taxonomy
        Gives the category labels and order.
    area_code
        An area code or name (any case); an unknown one raises
        :class:`~asset_map.errors.UnknownAreaError` with "did you mean".
    top
        How many gaps to list.
    data_date
        The date of the data (``Workspace._data_date()``), shown in the title.
    draw_map
        Draw the small map (off: ``map_png`` is empty).
    """
    from ..analysis.gaps import find_area

    code = find_area(areas, area_code)
    position = list(areas["area_code"]).index(code)
    name = cell_text(list(areas["area_name"])[position]) or code
    rows = [r for r in report_all.rows if r.area_code == code]
    rows.sort(key=lambda r: r.priority)
    gaps = [r for r in rows if is_gap(r)]
    cats = list(taxonomy)
    exists, total = _assets_here(assets, code, cats)
    png = b""
    if draw_map:
        png = map_png(areas, code, assets)
    return GapCard(area_code=code, area_name=name, data_date=data_date, gaps=gaps[:max(top, 0)],
                   gaps_total=len(gaps), categories_measured=len(rows), exists=exists, assets_total=total,
                   coverage_method=report_all.coverage_method, population_loaded=report_all.population_loaded,
                   notes=list(report_all.notes), map_png=png, unknown=[r for r in rows if r.finding == NO_DATA])


def gap_cards(report_all: "GapReport", areas: "gpd.GeoDataFrame", assets: "gpd.GeoDataFrame | None",
              taxonomy: Iterable["Category"], area_codes: Sequence[str] | None = None, *, top: int = TOP,
              data_date: str, draw_map: bool = True) -> list[GapCard]:
    """The cards for ``area_codes`` (codes or names), or for every area in the areas' order."""
    cats = list(taxonomy)
    codes = list(areas["area_code"]) if area_codes is None else list(area_codes)
    return [gap_card(report_all, areas, assets, cats, c, top=top, data_date=data_date, draw_map=draw_map)
            for c in codes]


def view_cards(view: "OutputView", areas: "gpd.GeoDataFrame", taxonomy: Iterable["Category"], *, top: int = TOP,
               data_date: str) -> list[GapCard]:
    """The cards of an output view (:mod:`asset_map.outputs.view`): for the area in focus, or every area.

    With a what-if the cards show the figures after it; each card's
    ``what_if`` says what was added and taken away and lists the area's
    rows it changes, before → after (:func:`asset_map.outputs.view.change_lines`),
    and its map marks the assets added and taken away.
    """
    from .view import change_lines

    codes = None if view.area is None else [view.area]
    cards = gap_cards(view.report, areas, view.assets, taxonomy, codes, top=top, data_date=data_date,
                      draw_map=view.what_if is None)
    if view.what_if is not None:
        for card in cards:
            card.what_if = [view.what_if_text()] + (change_lines(view, [card.area_code])
                                                    or ["no figure of this area changes"])
            card.map_png = map_png(areas, card.area_code, view.assets, removed=view.removed)
    for card in cards if view.small_areas is not None else []:
        _shade_map(card, view, areas)
    return cards


def _shade_map(card: GapCard, view: "OutputView", areas: "gpd.GeoDataFrame") -> None:
    """Draw the card's map again with the small areas in it shaded by the share of their target residents out of
    reach of the card's first gap (else the area's opening category, :meth:`OutputView.opening_category`)."""
    from .view import UNREACHED_CLASSES, unreached_colour

    row = card.gaps[0] if card.gaps else next((r for r in view.rows() if r.category_id == view.opening_category()),
                                              None)
    shades = [(g, unreached_colour(u, t)) for _, _, g, u, t in view.unreached(row.category_id)] if row else []
    shades = [(g, c) for g, c in shades if c is not None]
    if not shades:
        return
    card.map_png = map_png(areas, card.area_code, view.assets, removed=view.removed, shades=shades)
    classes = ", ".join(text for _, _, text in UNREACHED_CLASSES)
    card.shading = (f"Small areas shaded by the share of their target residents ({row.target}) out of reach of "
                    f"{row.category}, lightest to darkest: {classes}.")


def is_gap(row: "GapRow") -> bool:
    """A row a card lists among its gaps: level none or low, and a finding ("no data?" rows are listed apart)."""
    return row.level in GAP_LEVELS and row.finding != NO_DATA


def _assets_here(assets: "gpd.GeoDataFrame | None", code: str,
                 cats: list["Category"]) -> tuple[list[CategoryAssets], int]:
    """Per category (taxonomy order, then unknown ids, then "no category"), the assets located in ``code``."""
    if assets is None or not len(assets):
        return [], 0
    from ..inputs.duplicates import active

    assets = active(assets)
    names_by: dict[str, list[str]] = {}
    total = 0
    cols = set(assets.columns)
    for area, cats_text, name in zip(assets["area_code"], assets["categories"] if "categories" in cols
                                     else [None] * len(assets), assets["name"] if "name" in cols
                                     else [None] * len(assets)):
        if cell_text(area) != code:
            continue
        total += 1
        ids = [c for c in cell_text(cats_text).split(";") if c] or [""]
        for cid in dict.fromkeys(ids):
            names_by.setdefault(cid, []).append(cell_text(name) or "(no name)")
    labels = {c.id: c.label for c in cats}
    order = [c.id for c in cats] + sorted(k for k in names_by if k and k not in labels) + [""]
    out = []
    for cid in order:
        names = names_by.get(cid)
        if not names:
            continue
        names.sort(key=str.casefold)
        out.append(CategoryAssets(cid, labels.get(cid, cid) if cid else "(no category)", len(names),
                                  tuple(names[:NAMES_SHOWN])))
    return out, total


MAP_CAPTION = ("Map: the area shaded and outlined in black, neighbouring areas grey; dots are assets "
               "(black: in the area, grey: nearby).")


# --------------------------------------------------------------------------- shared text

def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _count(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def gap_text(row: "GapRow") -> str:
    """The gap level, or "no data?" when nothing was found but the lists may be missing it."""
    return NO_DATA if row.finding == NO_DATA else row.level


def _confidence_text(row: "GapRow") -> str:
    if not row.confidence:
        return ""
    if row.confidence in ("low", "medium") and row.confidence_reason:
        return f"{row.confidence}: {row.confidence_reason}"
    return row.confidence


def how_to_read(card: GapCard) -> str:
    """The "How to read this" paragraph: what coverage means here, and the levels."""
    from ..analysis.gaps import POPULATION_METHOD

    if card.coverage_method == POPULATION_METHOD:
        cov = ("Coverage is the share of the category's target residents who live within its catchment "
               "(straight line) of at least one asset, also counting assets just over the border; it is "
               "counted from small areas whose centre point is within reach.")
    else:
        cov = ("Coverage is the share of the category's target residents within its catchment (straight line) "
               "of at least one asset, also counting assets just over the border; it is estimated assuming "
               "residents are spread evenly over the area (no population layer loaded).")
    text = (f"{cov} Unreached: target residents beyond reach. Gap: none (nothing in or within reach), low "
            "(coverage under 60% or a rate under half the study area's), no data? (nothing found, but the "
            "lists may be missing it: check before calling it a gap). Priority ranks every area and category "
            "together (1 is the most urgent). Confidence: how far the lists can be trusted for that row.")
    if not card.population_loaded:
        text += " No population loaded: unreached counts are blank."
    for note in card.notes:
        text += f" Note: {note}."
    return text


def _code_text(card: GapCard) -> str:
    """"Area code X · " unless the code is the name."""
    return "" if card.area_code == card.area_name else f"Area code {card.area_code} · "


def _gaps_heading(card: GapCard) -> str:
    if card.gaps_total > len(card.gaps):
        return f"Top {len(card.gaps)} of {card.gaps_total} gaps"
    return "Gaps" if card.gaps else "Gaps: none found"


def _no_gaps_text(card: GapCard) -> str:
    """What the card says when it lists no gap: none measured, all reasonable, or none found among the
    categories the lists cover (the others are not known: their section follows)."""
    if not card.categories_measured:
        return "No gap figures for this area."
    if card.unknown:
        known = card.categories_measured - len(card.unknown)
        return (f"No gap found: the {known} categories the lists cover have reasonable provision here; "
                f"{len(card.unknown)} {'is' if len(card.unknown) == 1 else 'are'} not known (below).")
    return f"Every one of the {card.categories_measured} categories has reasonable provision here."


#: The heading of the card's "no data?" section.
UNKNOWN_HEADING = "Not known: nothing found, and no list loaded may cover these"


def unknown_text(card: GapCard) -> str:
    """The card's "no data?" categories in one line, each with its priority: what to look for before the workshop."""
    return "; ".join(f"{r.category} (priority {r.priority})" for r in card.unknown) + (
        ". Import a list that covers them, or check the assets without a category, before calling them gaps.")


def _exists_heading(card: GapCard) -> str:
    n = card.assets_total
    return f"What exists here ({n} asset{'s' if n != 1 else ''} located in the area)"


def _names_text(c: CategoryAssets) -> str:
    text = "; ".join(c.names)
    return f"{text}; and {c.more} more" if c.more > 0 else text


#: The longest area part of a map file's name, so that long area names still make a valid file name.
SLUG_MAX = 60


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:SLUG_MAX].strip("-")


def image_names(cards: Sequence[GapCard], stem: str = "card") -> list[str]:
    """A distinct PNG file name per card: ``<stem>-<area name>.png`` (e.g. ``card-north.png``)."""
    seen: set[str] = set()
    out = []
    for card in cards:
        base = f"{stem}-{_slug(card.area_name) or _slug(card.area_code) or 'area'}"
        name, k = base, 2
        while name in seen:
            name, k = f"{base}-{k}", k + 1
        seen.add(name)
        out.append(f"{name}.png")
    return out


# --------------------------------------------------------------------------- Markdown

def card_markdown(card: GapCard, image_path: str | None = None) -> str:
    """The card as a Markdown page; ``image_path`` (relative to the Markdown file) links the map."""
    e = md_escape
    lines = [f"# {e(card.area_name)}: gaps and assets", "",
             f"{e(_code_text(card))}data as of {card.data_date}", "",
             f"**How to read this.** {e(how_to_read(card))}", ""]
    if card.what_if:
        lines += ["## What if", ""] + [f"- {e(t)}" for t in card.what_if] + [""]
    lines += [f"## {_gaps_heading(card)}", ""]
    if card.gaps:
        for i, r in enumerate(card.gaps, start=1):
            robust = " · robust" if r.robust else ""
            lines.append(f"{i}. **{e(r.category)}**: gap {e(gap_text(r))} · coverage {_pct(r.coverage)} · "
                         f"unreached {_count(r.uncovered)} · priority {r.priority} overall{robust}")
            lines.append(f"   - Why: {e(r.reason)}")
            if r.confidence:
                lines.append(f"   - Confidence: {e(_confidence_text(r))}")
    else:
        lines.append(_no_gaps_text(card))
    if card.unknown:
        lines += ["", f"## {UNKNOWN_HEADING}", "", e(unknown_text(card))]
    lines += ["", f"## {_exists_heading(card)}", ""]
    if card.exists:
        lines += ["| Category | Assets | Names |", "|---|---:|---|"]
        for c in card.exists:
            lines.append(f"| {e(c.category)} | {c.count} | {e(_names_text(c))} |")
    else:
        lines.append("No assets are located in this area.")
    lines += ["", "## Map", ""]
    if image_path and card.map_png:
        lines.append(f"![Map of {e(card.area_name)}]({quote(str(image_path).replace(os.sep, '/'))})")
        lines += ["", MAP_CAPTION] + ([card.shading] if card.shading else [])
    else:
        lines.append("(no map)")
    return "\n".join(lines) + "\n"


#: Between pages of Markdown: a page break for Markdown-to-PDF tools, and a rule for readers.
MD_PAGE_BREAK = '\n<div style="page-break-after: always;"></div>\n\n---\n\n'


def cards_markdown(cards: Sequence[GapCard], image_paths: Sequence[str | None] | None = None) -> str:
    """Several cards as one Markdown file, one page each; ``image_paths[i]`` links card i's map."""
    paths = list(image_paths) if image_paths is not None else [None] * len(cards)
    if len(paths) != len(cards):
        raise ValueError(f"{len(cards)} cards but {len(paths)} image paths")
    return MD_PAGE_BREAK.join(card_markdown(c, p) for c, p in zip(cards, paths))


# --------------------------------------------------------------------------- HTML

CSS = """
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: #111; margin: 0; background: #f4f4f4; }
.card { background: #fff; max-width: 190mm; margin: 12px auto; padding: 10mm 12mm; box-sizing: border-box; }
h1 { font-size: 20pt; margin: 0 0 2px; }
h2 { font-size: 13pt; margin: 14px 0 6px; border-bottom: 1px solid #bbb; padding-bottom: 2px; }
.meta { color: #444; margin: 0 0 8px; }
.how { font-size: 9pt; color: #333; background: #f6f6f6; padding: 6px 8px; margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
.level { display: inline-block; padding: 0 5px; border: 1px solid #333; white-space: nowrap; }
.level-none { background: #D55E00; color: #fff; }
.level-low { background: #F0E442; }
.level-nodata { background: #D9D9D9; }
.why { font-size: 9pt; color: #222; }
.map { display: flex; gap: 10px; align-items: flex-start; }
.map img { width: 95mm; height: auto; border: 1px solid #999; }
.map p { font-size: 9pt; color: #444; margin: 0; }
@page { size: A4 portrait; margin: 10mm; }
@media print {
  body { background: #fff; }
  .card { margin: 0; padding: 0; max-width: none; break-after: page; page-break-after: always; }
  .card:last-child { break-after: auto; page-break-after: auto; }
  .level, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _level_html(row: "GapRow") -> str:
    g = gap_text(row)
    cls = "nodata" if g == NO_DATA else g
    return f'<span class="level level-{cls}">{html.escape(g)}</span>'


def card_section(card: GapCard) -> str:
    """The card as one ``<section class="card">`` (a printed page)."""
    e = html.escape
    out = [f'<section class="card" id="area-{e(_slug(card.area_code) or "area")}">',
           f"<h1>{e(card.area_name)}: gaps and assets</h1>",
           f'<p class="meta">{e(_code_text(card))}data as of {e(card.data_date)}</p>',
           f'<p class="how"><strong>How to read this.</strong> {e(how_to_read(card))}</p>']
    if card.what_if:
        out.append('<h2>What if</h2><ul class="what-if">' + "".join(f"<li>{e(t)}</li>" for t in card.what_if)
                   + "</ul>")
    out.append(f"<h2>{e(_gaps_heading(card))}</h2>")
    if card.gaps:
        out.append('<table class="gaps"><thead><tr><th>#</th><th>Category</th><th>Gap</th><th>Coverage</th>'
                   "<th>Unreached</th><th>Confidence</th><th>Why</th></tr></thead><tbody>")
        for r in card.gaps:
            robust = "<br><small>robust</small>" if r.robust else ""
            out.append(f'<tr><td class="n">{r.priority}</td><td>{e(r.category)}</td>'
                       f"<td>{_level_html(r)}{robust}</td>"
                       f'<td class="n">{_pct(r.coverage)}</td><td class="n">{_count(r.uncovered)}</td>'
                       f"<td>{e(_confidence_text(r))}</td><td class=\"why\">{e(r.reason)}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append(f"<p>{e(_no_gaps_text(card))}</p>")
    if card.unknown:
        out.append(f'<h2>{e(UNKNOWN_HEADING)}</h2><p class="unknown">{e(unknown_text(card))}</p>')
    out.append(f"<h2>{e(_exists_heading(card))}</h2>")
    if card.exists:
        out.append('<table class="exists"><thead><tr><th>Category</th><th>Assets</th><th>Names</th></tr></thead>'
                   "<tbody>")
        for c in card.exists:
            out.append(f'<tr><td>{e(c.category)}</td><td class="n">{c.count}</td><td>{e(_names_text(c))}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No assets are located in this area.</p>")
    if card.map_png:
        data = base64.b64encode(card.map_png).decode("ascii")
        out.append(f'<h2>Map</h2><div class="map"><img src="data:image/png;base64,{data}" '
                   f'alt="Map of {e(card.area_name)}"><p>{e(MAP_CAPTION)}</p>'
                   + (f'<p class="shading">{e(card.shading)}</p>' if card.shading else "") + "</div>")
    out.append("</section>")
    return "\n".join(out)


def cards_html(cards: Sequence[GapCard], *, title: str | None = None) -> str:
    """Several cards as one self-contained, printable HTML page: one printed page per card."""
    if title is None:
        title = (f"{cards[0].area_name}: gaps and assets" if len(cards) == 1
                 else "Gap cards" + (f" ({cards[0].data_date})" if cards else ""))
    body = "\n".join(card_section(c) for c in cards)
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def card_html(card: GapCard) -> str:
    """One card as a self-contained, printable HTML page (the map embedded as a data: URI)."""
    return cards_html([card])


# --------------------------------------------------------------------------- writing

def write_cards(cards: Sequence[GapCard], path: str | os.PathLike, fmt: str = "html") -> list[Path]:
    """Write the cards to ``path`` as ``html`` or ``markdown``; returns the files written.

    Markdown: each map is written beside the file as ``<file stem>-<area>.png``
    and linked by its name. Every file is written beside its target and moved
    into place, so a half-written file never replaces a good one.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    written = []
    if fmt == "html":
        _replace(path, cards_html(cards).encode("utf-8"))
        return [path]
    names = image_names(cards, path.stem)
    links: list[str | None] = []
    for card, name in zip(cards, names):
        if card.map_png:
            written.append(_replace(path.parent / name, card.map_png))
            links.append(name)
        else:
            links.append(None)
    _replace(path, cards_markdown(cards, links).encode("utf-8"))
    return [path, *written]


def _replace(path: Path, data: bytes) -> Path:
    from ..files import write_atomically

    return write_atomically(path, lambda tmp: tmp.write_bytes(data))
