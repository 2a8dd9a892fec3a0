"""The gap table for a terminal, a pipe or a file: what was found first, then what is not known.

:func:`gaps_rich_table` lays the rows out for a console of a given width. The
columns are kept in order of importance (:data:`KEEP_ORDER`: area, category,
unreached, gap, robust first) and the least important are left out until the
rest fit whole, so at 80 columns nothing is cut; long category labels are
shortened (:func:`short_label`). Rows whose finding is ``no data?`` (nothing
found, but no list may cover the category) come in their own section after the
gaps, or are left out with a line saying how many. Without a width the table
is *plain*: no box drawing, no colour, one line per row, for a pipe or a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType

    from ..analysis.gaps import GapReport, GapRow

NO_DATA = "no data?"
LEVEL_STYLE = {"none": "bold red", "low": "yellow", "ok": "green", NO_DATA: "magenta"}


def num_text(v: float | None, fmt: str) -> str:
    """``v`` formatted as ``fmt``, or a dash when it is unknown."""
    return "–" if v is None else format(v, fmt)


def reason_text(r: "GapRow") -> str:
    """The reason, and what lowers confidence in it."""
    if r.confidence in ("low", "medium"):
        return f"{r.reason} Data: {r.confidence} confidence — {r.confidence_reason}."
    return r.reason


#: The gap table's columns: header, narrow header, numeric, cell.
COLUMNS: dict[str, tuple[str, bool, Callable[["GapRow"], str]]] = {
    "#": ("#", True, lambda r: str(r.priority)),
    "Area": ("Area", False, lambda r: r.area_name),
    "Category": ("Category", False, lambda r: r.category),
    "Reach": ("Reach", False, lambda r: r.reach),
    "Target pop.": ("Target", True, lambda r: num_text(r.target_population, ",.0f")),
    "Assets": ("Assets", True, lambda r: str(r.assets)),
    "Per 10k": ("/10k", True, lambda r: num_text(r.rate_per_10k, ".1f")),
    "Coverage": ("Cover", True, lambda r: f"{r.coverage:.0%}"),
    "Access /10k": ("Access", True, lambda r: num_text(r.access_per_10k, ".2f")),
    "Unreached": ("Unreached", True, lambda r: num_text(r.uncovered, ",.0f")),
    "Need": ("Need", True, lambda r: num_text(r.need_index, ".2f")),
    "Barrier": ("Barrier", True, lambda r: "" if r.barrier_share is None else f"{r.barrier_share:.0%}"),
    "Gap": ("Gap", False, lambda r: r.shown_level),
    "Robust": ("Robust", False, lambda r: "yes" if r.robust else ""),
    "Reason (with the study-area figure)": ("Reason", False, reason_text),
}
REASON = "Reason (with the study-area figure)"

#: Which columns a narrow console keeps, most important first: it leaves out the last until the rest fit.
KEEP_ORDER = ("Area", "Category", "Unreached", "Gap", "Robust", "#", "Coverage", "Barrier", "Assets", "Access /10k",
              "Need", "Per 10k", "Reach", "Target pop.")

#: Below this console width the reasons go under the table as numbered notes.
WIDE_CONSOLE = 150

#: Short labels of the default taxonomy's long category labels, for narrow consoles.
SHORT_LABELS = {
    "Loneliness and social isolation": "Loneliness", "Mental health and wellbeing": "Mental health",
    "Older people's independence": "Older people", "Money, debt and benefits advice": "Money advice",
    "Housing and homelessness": "Housing", "Employment and skills": "Employment",
    "Children and families": "Children", "Learning disability and autism": "Learning disab.",
    "Long-term conditions": "Long-term cond.", "Nature and green space": "Green space",
    "Information and signposting": "Signposting", "Community spaces and faith groups": "Community spaces",
    "Digital inclusion": "Digital", "Food and cooking": "Food", "Arts and culture": "Arts",
}
#: A label longer than this is shortened in a narrow table.
SHORT = 17


def short_label(label: str) -> str:
    """A category label of at most :data:`SHORT` characters: the default taxonomy's short form, else the words
    before the first " and " or comma, else the label cut with an ellipsis."""
    if len(label) <= SHORT:
        return label
    if label in SHORT_LABELS:
        return SHORT_LABELS[label]
    head = label.replace(",", " and ").split(" and ")[0].strip()
    return head if 3 <= len(head) <= SHORT else label[:SHORT - 1].rstrip() + "…"


def headers(report: "GapReport") -> list[str]:
    """The columns this report fills: access, need, robustness and the barrier effect only when computed."""
    optional = {"Access /10k": "access", "Need": "need", "Robust": "robust", "Barrier": "barrier"}
    computed = report.computed()
    return [h for h in COLUMNS if h not in optional or optional[h] in computed]


def cells(r: "GapRow", cols: list[str]) -> list[str]:
    """The row's cells in the columns ``cols``."""
    return [COLUMNS[h][2](r) for h in cols]


def split(report: "GapReport") -> tuple["GapReport", "GapReport"]:
    """The rows with a finding (gaps and provision), and the ``no data?`` rows; ranks are kept (on the
    report's arrays while it has them: no row object is made)."""
    view = report.arrays()
    if view is not None:
        unknown_rows, found_rows = view.partition(NO_DATA)
        return report.with_rows(found_rows), report.with_rows(unknown_rows)
    found = [r for r in report.rows if r.finding != NO_DATA]
    unknown = [r for r in report.rows if r.finding == NO_DATA]
    return report.with_rows(found), report.with_rows(unknown)


def _need(report: "GapReport", h: str, short: bool) -> int:
    """The width column ``h`` needs to show its header and every cell whole, with a space either side."""
    head = COLUMNS[h][0]
    cell = (lambda r: short_label(r.category)) if short and h == "Category" else COLUMNS[h][2]
    return max([len(head)] + [len(cell(r)) for r in report.rows]) + 2


def _fit(report: "GapReport", cols: list[str], width: int, short: bool) -> list[str]:
    """The columns of ``cols`` that fit ``width`` whole, leaving out the least important (:data:`KEEP_ORDER`)."""
    def need(h: str) -> int:
        return _need(report, h, short)

    kept = list(cols)
    for h in reversed(KEEP_ORDER):
        if sum(need(c) for c in kept) <= width or h in KEEP_ORDER[:5]:
            break
        if h in kept:
            kept.remove(h)
    return kept


def _table(report: "GapReport", cols: list[str], title: str, width: int | None, short: bool,
           widths: dict[str, int] | None = None):
    """A rich table of the rows in ``cols``: plain (no box, no colour) when ``width`` is None; ``widths``
    gives narrow columns their width (the same in both sections)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    wide = width is not None and width >= WIDE_CONSOLE
    table = Table(title=title, box=box.SIMPLE_HEAD if width is not None else None, title_justify="left",
                  pad_edge=False, collapse_padding=True, show_edge=False)
    for h in cols:
        narrow, numeric, _ = COLUMNS[h]
        reason = h == REASON
        table.add_column(h if wide else narrow, justify="right" if numeric else "left",
                         no_wrap=not reason or width is None, ratio=3 if reason and width is not None else None,
                         overflow="fold" if reason else "ellipsis",
                         min_width=None if reason or widths is None else widths[h] - 2)
    for r in report.rows:
        row = cells(r, cols)
        if short and "Category" in cols:
            row[cols.index("Category")] = short_label(r.category)
        out = [Text(c) for c in row]
        if "Gap" in cols and width is not None:
            out[cols.index("Gap")].stylize(LEVEL_STYLE[r.shown_level])
        table.add_row(*out)
    return table


def gaps_rich_table(report: "GapReport", *, title: str | None = None, width: int | None = 200,
                    hide_no_data: bool = False, explain: bool = True,
                    caption: Callable[["GapReport"], str] | None = None) -> "RenderableType":
    """The gap table for a console ``width`` columns wide (``None``: plain text for a pipe or a file).

    The rows found come first, then the ``no data?`` rows in a section of
    their own (or a line saying how many were hidden when ``hide_no_data``).
    Under 150 columns (and in plain text) each reason follows the tables as a
    note numbered by the row's priority. The method text (``caption`` of the
    report, with its notes) comes once, last, when ``explain``; otherwise the
    report's notes (what is particular to these inputs: assets left out by a
    filter, mixed capacity units...) and a line saying how to get it.
    """
    from rich.console import Group
    from rich.text import Text

    found, unknown = split(report)
    wide = width is not None and width >= WIDE_CONSOLE
    cols = headers(report) if wide else [h for h in headers(report) if h != REASON]
    short = width is not None and width < WIDE_CONSOLE
    shown = report.with_rows(found.rows + ([] if hide_no_data else unknown.rows))
    kept = _fit(shown, cols, width, short) if width is not None and not wide else cols  # one set for both
    widths = {h: _need(shown, h, short) for h in kept if h != REASON}
    parts: list = []
    for part, name in ((found, title or "Gaps by priority"),
                       (None if hide_no_data else unknown, "Not known: no list found anything (no data?)")):
        if part is None or (not part.rows and part is unknown):
            continue
        parts.append(_table(part, kept, name, width, short, widths))
    if hide_no_data and unknown.rows:
        n = len(unknown.rows)
        parts.append(Text(f"{n} {'row' if n == 1 else 'rows'} \"no data?\" hidden (--hide-no-data): nothing found, "
                          "but no list loaded may cover them."))
    if not wide and shown.rows:
        parts += [Text("Why:", style="bold"),
                  Text("\n".join(f"{r.priority:>3}. {reason_text(r)}" for r in shown.rows))]
    if explain and caption is not None:
        parts.append(Text(caption(report), style="dim"))
    elif caption is not None:  # what is particular to these inputs stays; the method is one option away
        parts += [Text(f"Note: {note}.") for note in report.notes]
        parts.append(Text("How these figures are computed: add --explain.", style="dim"))
    return Group(*parts)


def plain_text(renderable: "RenderableType") -> str:
    """What ``renderable`` prints as plain text: no colour, no wrapping, no tabs, no trailing spaces."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=100_000, markup=False, color_system=None, tab_size=4, force_terminal=False,
            legacy_windows=False).print(renderable, soft_wrap=False)
    return "\n".join(line.rstrip() for line in buf.getvalue().expandtabs(4).splitlines()) + "\n"
