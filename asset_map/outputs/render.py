"""Rendering gap reports and import summaries as tables, CSV, JSON and Markdown.

Rich tables are for the terminal; :func:`as_text` turns one into the text a file
receives. Every other function returns the text of its format.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Callable

from ..cells import cell_text, csv_records, csv_text, md_escape, neutralise, plain_value

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from rich.console import RenderableType
    from rich.table import Table as RichTable

    from ..analysis.gaps import GapReport, GapRow
    from ..categories.taxonomy import Taxonomy
    from ..inputs.duplicates import DuplicateGroup
    from ..inputs.feed_import import FeedReport
    from ..inputs.importer import ImportResult

FORMATS = ("table", "csv", "json", "markdown")


def _markdown_row(cells: list[str]) -> str:
    """A Markdown table row, each ``|`` in a cell escaped."""
    return "| " + " | ".join(md_escape(c) for c in cells) + " |"


def as_text(renderable: "RenderableType", *, width: int = 200) -> str:
    """The text a console ``width`` columns wide, not a terminal, prints for ``renderable`` (no colour)."""
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, markup=False).print(renderable)
    return buf.getvalue()


def _headers(report: "GapReport") -> list[str]:
    """The columns this report fills (see :mod:`asset_map.outputs.gap_table`)."""
    from .gap_table import headers

    return headers(report)


def _cells(r: "GapRow", headers: list[str]) -> list[str]:
    from .gap_table import cells

    return cells(r, headers)


def gaps_caption(report: "GapReport") -> str:
    from ..analysis.gaps import POPULATION_METHOD

    if report.coverage_method == POPULATION_METHOD:
        text = ("Coverage: share of the target population living in small areas (or their parts, where split "
                "between areas) whose point is within the "
                "category's catchment (its Reach: a travel time on the street network, or a straight line) of at "
                "least one asset. Access /10k: asset capacity (1 per "
                "asset where unknown) within reach per 10,000 of the target population, each asset shared among "
                "everyone in its reach (two-step floating catchment, 2SFCA). Unreached: the target population "
                "beyond reach.")
        if "barrier" in report.computed():
            text += (" Barrier: share of the target population within the straight-line equivalent of a travel "
                     "time (time x speed) of an asset but not within that time by street.")
    else:
        pop = ("" if report.population_loaded else
               " No population loaded: rates are blank and priority uses area.")
        text = ("Coverage: share of the target population within the category's catchment (straight line) of at "
                "least one asset, estimated assuming residents are spread evenly over each area (load a population "
                "layer with `asset-map population load` to count where they live); Unreached: the target "
                f"population beyond it.{pop}")
    if report.need_indicator:
        text += (f" Need: need index from {report.need_indicator!r} (1 = the study area's average); "
                 "priority ranks unreached residents weighted by their need.")
    if any(r.finding == "no data?" for r in report.rows):
        text += (" Gap \"no data?\": nothing found, but assets without a category or a location, or rejected "
                 "rows, may belong here: check them before calling it a gap.")
    if report.robustness:
        text += f" Robust: {report.robustness}."
    for note in report.notes:
        text += f" Note: {note}."
    return text


def gaps_rich_table(report: "GapReport", *, title: str | None = None, width: int | None = 200,
                    hide_no_data: bool = False, explain: bool = True) -> "RenderableType":
    """The gap table, its "no data?" section, the reasons and the method text
    (:func:`asset_map.outputs.gap_table.gaps_rich_table`)."""
    from . import gap_table

    return gap_table.gaps_rich_table(report, title=title, width=width, hide_no_data=hide_no_data, explain=explain,
                                     caption=gaps_caption)


def gaps_csv(report: "GapReport") -> str:
    from ..analysis.gaps import GapRow

    return csv_records(list(GapRow.__dataclass_fields__), report.records())


def gaps_json(report: "GapReport") -> str:
    return json.dumps(
        {
            "coverage_method": report.coverage_method,
            "population_loaded": report.population_loaded,
            "need_indicator": report.need_indicator,
            "robustness": report.robustness,
            "notes": report.notes,
            "gaps": report.records(),
        },
        indent=2,
        ensure_ascii=False,
    ) + "\n"


def gaps_markdown(report: "GapReport") -> str:
    headers = _headers(report)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in report.rows:
        lines.append(_markdown_row(_cells(r, headers)))
    lines.append("")
    lines.append(gaps_caption(report))
    return "\n".join(lines) + "\n"


def import_summary(result: "ImportResult") -> "RichTable":
    """The counts of an import, which add up: read = imported + kept without a location (serving an area, or
    with a postcode outside the lookup's coverage) + rejected."""
    from rich.table import Table

    t = Table(title=f"Import of {result.source}", show_header=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("rows read", str(result.rows_read))
    t.add_row("imported", str(result.imported))
    located = result.assets["located_by"].value_counts() if len(result.assets) else {}
    for how, label in (("coordinates", "coordinates"), ("postcode", "postcode centroid"),
                       ("geometry", "the file's points"), ("inside polygon", "a point inside a shape")):
        if located.get(how, 0):
            t.add_row(f"  located by {label}", str(int(located[how])))
    t.add_row("  of which outside every area (kept, flagged)", str(result.outside))
    if result.categorised_by_inference:
        t.add_row("  of which categorised from their text (inferred)", str(result.categorised_by_inference))
    by_map = int((result.assets["category_source"] == "category map").sum()) if len(result.assets) else 0
    if by_map:
        t.add_row("  of which categorised by the category map", str(by_map))
    t.add_row("  of which without a known category", str(result.uncategorised))
    from ..inputs.import_review import unused_suggestions

    unused = unused_suggestions(result)
    if unused:
        t.add_row("    with suggestions from their text not used (--use-inferred uses them)", str(unused))
    if result.not_services:
        t.add_row("  of which not services to the public (kept, not provision)", str(sum(result.not_services.values())))
        for reason, count in result.not_services.items():
            t.add_row(f"    {reason}", str(count))
    if result.served_only:
        t.add_row("kept without a location, serving an area (helplines, borough-wide)", str(len(result.served_only)))
    if result.outside_lookup:
        areas = ", ".join(result.lookup_coverage.areas) if result.lookup_coverage is not None else ""
        t.add_row(f"kept: location unknown, postcode outside the lookup's coverage ({areas})",
                  str(len(result.outside_lookup)))
    t.add_row("rejected (see `asset-map rejects`)", str(result.rejected))
    for kind, count in result.rejected_by_kind().items():
        t.add_row(f"  {kind}", str(count))
    if result.replaced:
        t.add_row("replaced from an earlier import of this file", str(result.replaced))
    if result.merged_again:
        t.add_row("merged into other assets again (earlier decision)", str(result.merged_again))
    if result.duplicates:
        t.add_row("groups of likely duplicates (see `asset-map duplicates`)", str(len(result.duplicates)))
    return t


def duplicates_table(groups: "list[DuplicateGroup]") -> "RichTable":
    """One line per asset, grouped: the first asset of each group is the one a merge keeps (for shared venues,
    the first listed); Score is each name's similarity to the first's (0–100)."""
    venues = bool(groups) and groups[0].kind == "shared venue"
    t = _section_table("Shared venues (hubs): different assets at one place; for information, never merged"
                       if venues else "Likely duplicates (same or similar name, same postcode or close together); "
                       "* = kept by a merge")
    for h in ("Group", "Asset id", "Name", "Source", "Row", "Postcode", "Score", "Why"):
        t.add_column(h, justify="right" if h in ("Group", "Row", "Score") else "left",
                     no_wrap=h in ("Group", "Asset id", "Row", "Postcode", "Score"), ratio=2 if h == "Name" else None)
    for n, g in enumerate(groups, start=1):
        scores = g.scores or (100.0,) * len(g.asset_ids)
        for k, (aid, name, src, row, pc, sc) in enumerate(zip(g.asset_ids, g.names, g.sources, g.rows, g.postcodes,
                                                               scores)):
            first = k == 0
            mark = "  " if venues or not first else "* "
            t.add_row(str(n) if first else "", mark + aid, name, src, str(row), pc, f"{sc:.0f}",
                      g.basis if first else "", end_section=k == len(g.asset_ids) - 1)
    return t


def duplicates_csv(groups: "list[DuplicateGroup]") -> str:
    """The groups as CSV (``kind``: likely duplicates or shared venue; ``score``: the name's similarity to the
    group's first, 0–100); names that a spreadsheet would run as a formula get an apostrophe."""
    return csv_text(["group", "asset_id", "name", "source", "row", "postcode", "basis", "distance_m", "score", "kind"],
                    ([n, aid, name, src, row, pc, g.basis, g.distance_m, sc, g.kind]
                     for n, g in enumerate(groups, start=1)
                     for aid, name, src, row, pc, sc in zip(g.asset_ids, g.names, g.sources, g.rows, g.postcodes,
                                                            g.scores or (100.0,) * len(g.asset_ids))))


def rejects_csv(frame: "pd.DataFrame", *, source: str | None = None) -> str:
    """The rejected rows (of one import ``source`` if given) as CSV.

    The cells hold what the lists held: text that a spreadsheet would run as a
    formula gets an apostrophe.
    """
    if source is not None:
        frame = frame[frame["source"] == source]
    frame = frame.map(neutralise) if hasattr(frame, "map") else frame.applymap(neutralise)
    return frame.to_csv(index=False)


def taxonomy_csv(taxonomy: "Taxonomy") -> str:
    """The need categories as CSV, in the columns a taxonomy file has (id, label, catchment_m, ...)."""
    from ..categories.taxonomy import TAXONOMY_COLUMNS

    return csv_records(list(TAXONOMY_COLUMNS), taxonomy.to_rows())


def _section_table(title: str) -> "RichTable":
    """A titled table in the plain style of the inspection and duplicates listings."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)


def inspect_report(result: "ImportResult", taxonomy: "Taxonomy", *, sample: int = 5) -> "RenderableType":
    """What an import of a file would do: columns, sample rows, category mapping, every problem.

    Built from a dry-run :class:`ImportResult` (its ``table`` holds the rows read).
    """
    from rich.console import Group
    from rich.text import Text

    parts: list = [_inspect_head(result), *(Text(f"Note: {note}") for note in result.notes), _inspect_columns(result)]
    parts += _inspect_sample(result, sample)
    parts += _inspect_categories(result, taxonomy)
    parts += _inspect_inferred(result, taxonomy, sample)
    parts += _inspect_problems(result)
    return Group(*parts)


def _inspect_head(result: "ImportResult") -> "RenderableType":
    """The file, and how its rows split: read = imported + kept without a location + rejected."""
    from rich.text import Text

    head = Text()
    head.append(f"{result.path}\n", style="bold")
    if not result.kept_unlocated:
        head.append(f"{result.rows_read} rows read; {result.imported} would be imported and {result.rejected} "
                    f"rejected ({result.rows_read} = {result.imported} + {result.rejected}).")
        return head
    kept = result.kept_unlocated
    head.append(f"{result.rows_read} rows read; {result.imported} would be imported, {kept} kept without a "
                f"location and {result.rejected} rejected ({result.rows_read} = {result.imported} + {kept} + "
                f"{result.rejected}).")
    note = result.outside_lookup_note()
    if note:
        head.append(f"\n{note}.")
    return head


def _inspect_columns(result: "ImportResult") -> "RichTable":
    """Each column: the field it is used as, how many cells are filled, its first value (cut to 40 characters)."""
    table = result.table
    field_of = {col: fld for fld, col in result.columns.items()}
    cols = _section_table("Columns")
    cols.add_column("Column")
    cols.add_column("Used as")
    cols.add_column("Filled", justify="right")
    cols.add_column("First value")
    for col in table.columns:
        values = [v for v in table.frame[col] if v is not None]
        first = str(values[0]) if values else ""
        cols.add_row(col, field_of.get(col, "-"), f"{len(values)}/{len(table.frame)}",
                     first if len(first) <= 40 else first[:39] + "…")
    return cols


def _inspect_sample(result: "ImportResult", sample: int) -> "list[RichTable]":
    """The first ``sample`` rows in the columns that place and categorise them (none for a spatial file)."""
    table = result.table
    shown = [c for c in (result.columns.get(f) for f in ("name", "category", "postcode", "latitude", "longitude",
                                                            "easting", "northing")) if c]
    if not shown or table.is_spatial:
        return []
    n = min(sample, len(table.frame))
    rows = _section_table(f"First {n} rows")
    rows.add_column("Row", justify="right")
    for c in shown:
        rows.add_column(c, overflow="fold")
    for i in range(n):
        rows.add_row(str(table.row_numbers[i]), *("" if table.frame[c].iloc[i] is None else str(table.frame[c].iloc[i])
                                                  for c in shown))
    return [rows]


def _inspect_categories(result: "ImportResult", taxonomy: "Taxonomy") -> "list[RichTable]":
    """Each different cell of the category column, most rows first, with the categories it maps to."""
    from collections import Counter

    from rich.text import Text

    cat_col = result.columns.get("category")
    if not cat_col:
        return []
    counts = Counter(v for v in result.table.frame[cat_col] if v is not None)
    cats = _section_table(f"Category words in {cat_col!r} ({len(counts)} different)")
    cats.add_column("Rows", justify="right")
    cats.add_column("Cell")
    cats.add_column("Maps to")
    for text, n in counts.most_common():
        mapping = taxonomy.map_cell(text)
        to = [Text(taxonomy.get(c).label) for c in mapping.ids]
        for word in mapping.unknown:
            hint = result.suggestions.get(word)
            to.append(Text.assemble((f"unknown {word!r}", "yellow"),
                                    f" (closest: {taxonomy.get(hint).label})" if hint else ""))
        cats.add_row(str(n), Text(text), Text("; ").join(to) if to else "-")
    return [cats]


def _inspect_inferred(result: "ImportResult", taxonomy: "Taxonomy", sample: int) -> list:
    """Rows without a known category whose text suggests one (at least ten), and the suggestions' totals."""
    from rich.text import Text

    if not result.with_inferred:
        return []
    inf = _section_table(f"Categories suggested by the name or description of {result.with_inferred} rows without "
                         f"a known category ({result.categorised_by_inference} use them, marked inferred)")
    inf.add_column("Row", justify="right")
    inf.add_column("Name")
    inf.add_column("Suggested (words that suggested it)", overflow="fold")
    with_guess = result.assets[result.assets["inferred"] != ""]
    for _, a in with_guess.head(max(sample, 10)).iterrows():
        inf.add_row(str(a["source_row"]), str(a["name"]), a["inferred"])
    counts = ", ".join(f"{taxonomy.get(c).label} {n}" for c, n in result.inferred.items())
    return [inf, Text(f"Suggested categories over all rows: {counts}.")]


def _inspect_problems(result: "ImportResult") -> list:
    """Every row that would be rejected and why (or that none would), then the likely duplicates (first ten)."""
    from rich.text import Text

    if result.rejects:
        probs = _section_table(f"Problems ({result.rejected} rows would be rejected)")
        probs.add_column("Row", justify="right")
        probs.add_column("Column")
        probs.add_column("Problem", overflow="fold")
        for r in result.rejects:
            probs.add_row(str(r.row), r.column or "", r.reason)
        parts: list = [probs]
    else:
        parts = [Text("No problems: every row can be imported.")]
    if result.duplicates:
        parts.append(Text(f"{len(result.duplicates)} groups of likely duplicates: "
                          + "; ".join(f"{g.names[0]} (rows {', '.join(map(str, g.rows))})"
                                      for g in result.duplicates[:10])))
    return parts


def feed_summary(report: "FeedReport") -> "RichTable":
    """What became of a feed's services; the first four rows after "services read" add up to it."""
    from rich.table import Table

    t = Table(title=f"Services in the {report.form} feed", show_header=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("services read", str(report.services_read))
    t.add_row("  with a place: made into assets (one per place)", str(report.with_places))
    t.add_row("  without location (virtual or postal only; kept, see status)", str(report.without_location))
    t.add_row("  inactive or defunct (left out; --include-inactive)", str(report.inactive))
    t.add_row("  unusable records (see the problems above)", str(report.unusable))
    t.add_row("service-at-location rows made", str(report.service_rows))
    t.add_row("stale (not verified within the age given; imported, flagged)", str(report.stale))
    t.add_row("taxonomy terms not in the crosswalk (uses)", str(sum(report.unmapped_terms.values())))
    return t


#: The figures a what-if compares: field, header, format.
WHATIF_FIELDS = (("assets", "Assets", "d"), ("coverage", "Coverage", ".0%"), ("access_per_10k", "Access /10k", ".2f"),
                 ("uncovered", "Unreached", ",.0f"), ("level", "Gap", ""), ("priority", "#", "d"))


def _whatif_fields(changes) -> list[tuple[str, str, str]]:
    has_access = any(c.after.access_per_10k is not None for c in changes)
    return [f for f in WHATIF_FIELDS if f[0] != "access_per_10k" or has_access]


def _whatif_cells(change, fields) -> list[str]:
    """Area, category, then each figure as ``before → after`` (or once, if it does not change)."""
    from .gap_table import num_text

    cells = [change.after.area_name, change.after.category]
    for name, _, spec in fields:
        b, a = num_text(getattr(change.before, name), spec), num_text(getattr(change.after, name), spec)
        cells.append(a if a == b else f"{b} → {a}")
    return cells


def whatif_lines(result) -> list[str]:
    """One line per asset added or taken away."""
    lines = [f"Added for this calculation: {a.name} ({', '.join(a.categories)}; {a.located_by})" for a in result.added]
    lines += [f"Taken away for this calculation: {r}" for r in result.removed]
    return lines


def whatif_table(result, changes, *, title: str = "What if", width: int | None = 200) -> "RenderableType":
    """Before → after for each area × category that changes (accessibility only on a wide console; short
    category labels on a narrow one); plain text (no box, no wrapping) when ``width`` is None."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .gap_table import WIDE_CONSOLE, short_label

    fields = _whatif_fit(changes, width)
    table = Table(title=title, box=box.SIMPLE_HEAD if width is not None else None, title_justify="left",
                  pad_edge=False, collapse_padding=True)
    table.add_column("Area", no_wrap=True)
    table.add_column("Category", no_wrap=True)
    for _, header, _ in fields:
        table.add_column(header, justify="right" if header != "Gap" else "left", no_wrap=True)
    for c in changes:
        cells = [Text(t) for t in _whatif_cells(c, fields)]
        if width is not None and width < WIDE_CONSOLE:
            cells[1] = Text(short_label(c.after.category))
        table.add_row(*cells)
    notes = Text("\n".join(whatif_lines(result)) + ("\n" if result.added or result.removed else "")
                 + (f"{len(changes)} area × category rows change; the workspace is unchanged." if changes
                    else "No gap figure changes; the workspace is unchanged."), style="dim")
    return Group(table, notes)


#: The what-if figures a narrow console leaves out first (the area, category, unreached and gap stay).
WHATIF_DROPS = ("access_per_10k", "priority", "assets", "coverage")


def _whatif_fit(changes, width: int | None) -> list[tuple[str, str, str]]:
    """The figures that fit ``width`` whole beside the area and the short category (all of them when None)."""
    from .gap_table import short_label

    fields = _whatif_fields(changes)
    if width is None:
        return fields

    def need(cells: list[str]) -> int:
        return max(len(c) for c in cells) + 2

    base = need(["Area"] + [c.after.area_name for c in changes]) + need(
        ["Category"] + [short_label(c.after.category) for c in changes])
    widths = {f[0]: need([f[1]] + [_whatif_cells(c, [f])[2] for c in changes]) for f in fields}
    for drop in WHATIF_DROPS:
        if base + sum(widths[f[0]] for f in fields) <= width:
            break
        fields = [f for f in fields if f[0] != drop]
    return fields


def whatif_csv(changes) -> str:
    names = [f[0] for f in WHATIF_FIELDS]
    header = ["area_code", "area_name", "category_id", "category"] + [f"{n}_{w}" for n in names
                                                                      for w in ("before", "after")]
    return csv_text(header, ([c.after.area_code, c.after.area_name, c.after.category_id, c.after.category]
                             + [getattr(r, n) for n in names for r in (c.before, c.after)] for c in changes))


def whatif_json(result, changes) -> str:
    from dataclasses import asdict

    return json.dumps({
        "added": [asdict(a) for a in result.added], "removed": result.removed,
        "changes": [{"before": asdict(c.before), "after": asdict(c.after)} for c in changes],
    }, indent=2, ensure_ascii=False) + "\n"


def whatif_markdown(result, changes) -> str:
    fields = _whatif_fields(changes)
    lines = [f"- {md_escape(line)}" for line in whatif_lines(result)] + [""]
    lines.append("| Area | Category | " + " | ".join(h for _, h, _ in fields) + " |")
    lines.append("|" + "---|" * (2 + len(fields)))
    for c in changes:
        lines.append(_markdown_row(_whatif_cells(c, fields)))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- population beside published estimates
def population_check_lines(s) -> list[str]:
    """What a population check comes to, in sentences (``s``: a
    :class:`~asset_map.inputs.population_check.CheckSummary`)."""
    lines = [f"{s.compared} areas compared; mean absolute difference {s.mean_abs_pct:.1f}%; worst "
             f"{s.worst_name} ({s.worst_pct:+.1f}%)." if s.compared else "No area matched an estimate."]
    if s.no_estimate:
        lines.append(f"No estimate for {len(s.no_estimate)} areas: {', '.join(s.no_estimate[:10])}"
                     + (" ..." if len(s.no_estimate) > 10 else "") + ".")
    if s.no_area:
        lines.append(f"{len(s.no_area)} estimates match no area: {', '.join(s.no_area[:10])}"
                     + (" ..." if len(s.no_area) > 10 else "") + ".")
    return lines


def _check_cells(row) -> list[str]:
    ours, pub = cell_text(row.ours), cell_text(row.published)
    return [str(row.area_name), str(row.area_code), f"{row.ours:,.0f}" if ours else "–",
            f"{row.published:,.0f}" if pub else "–", f"{row.difference:+,.0f}" if ours and pub else "–",
            f"{row.pct_difference:+.1f}%" if cell_text(row.pct_difference) and ours else "–", str(row.matched_by)]


_CHECK_HEADERS = ("Area", "Code", "Ours", "Published", "Difference", "% difference", "Matched by")


def population_check_table(check: "pd.DataFrame") -> "RichTable":
    """The areas' population beside the estimates, one line per area (estimates with no area left out)."""
    t = _section_table("Population beside the published estimates (difference = ours − published)")
    for h in _CHECK_HEADERS:
        t.add_column(h, justify="left" if h in ("Area", "Code", "Matched by") else "right")
    for row in check[check["matched_by"] != "no area"].itertuples(index=False):
        t.add_row(*_check_cells(row))
    return t


def population_check_csv(check: "pd.DataFrame") -> str:
    """Every row of the comparison, estimates with no area included, as CSV."""
    return csv_text(list(check.columns), check.itertuples(index=False))


def population_check_json(check: "pd.DataFrame", s) -> str:
    """The comparison and its summary as JSON (missing numbers as null)."""
    rows = [{k: plain_value(v) for k, v in r.items()} for r in check.to_dict("records")]
    return json.dumps({"compared": s.compared, "mean_abs_pct_difference": s.mean_abs_pct,
                       "worst": {"area_name": s.worst_name, "pct_difference": s.worst_pct} if s.compared else None,
                       "areas": rows}, indent=2, ensure_ascii=False) + "\n"


def population_check_markdown(check: "pd.DataFrame", s) -> str:
    """The areas' lines as a Markdown table, after the summary."""
    lines = [f"- {md_escape(line)}" for line in population_check_lines(s)] + [""]
    lines += ["| " + " | ".join(_CHECK_HEADERS) + " |", "|" + "---|" * len(_CHECK_HEADERS)]
    lines += [_markdown_row(_check_cells(r)) for r in check[check["matched_by"] != "no area"].itertuples(index=False)]
    return "\n".join(lines) + "\n"
