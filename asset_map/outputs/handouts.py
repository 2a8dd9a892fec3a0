"""Handouts: the gap report and the asset list as an Excel workbook or a folder of CSV files.

The tables (:func:`handout_tables`), in this order:

Summary (``summary.csv``)
    Every gap row with a finding, ranked: one row per area × category in
    priority order (:mod:`asset_map.analysis.gaps`), with the figures a
    planner checks.
one table per area (``area-<code>.csv``, the sheet named after the area)
    That area's rows with a finding in priority order, then its ``no data?``
    rows: for each category, how many assets are there and which (the first
    :data:`NAMES_SHOWN` names), how much of the target population they
    reach, and the gap.
Not known (``not-known.csv``; only when there are such rows)
    The rows whose finding is ``no data?`` (nothing found, but no list
    loaded may cover the category), in priority order, in the Summary's
    columns: what to check before calling them gaps. Summary and Not known
    together hold every row of the report once.
Assets (``assets.csv``)
    Every asset given (pass :func:`asset_map.inputs.duplicates.active` assets so
    merged duplicates are left out): its categories as labels, its area,
    address, how it was located and the list it came from.

The columns are described in :data:`COLUMN_NOTES` (also shown as a note on
each header cell of the workbook). Coverage is a fraction, shown as a
percentage; counts and rates are numbers, so a planner can sort and sum them.

Every text cell is passed through :func:`neutralise`, so a name such as
``=HYPERLINK("http://…")`` typed into an asset list is shown as text, never
run as a formula, in Excel or LibreOffice.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..cells import neutralise

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport, GapRow
    from ..categories.taxonomy import Category

#: The title of the table of "no data?" rows.
NOT_KNOWN = "Not known (no data)"

#: How many asset names an area table lists for one category before "and N more".
NAMES_SHOWN = 12

#: What each column holds, shown as the note on its header cell in the workbook.
COLUMN_NOTES: dict[str, str] = {
    "Priority": "Rank of the gap over all areas and categories: 1 is the most urgent "
                "(unreached target residents, weighted by need where a need indicator is loaded).",
    "Rank in area": "Rank of the gap among this area's rows: 1 is the area's most urgent.",
    "Overall priority": "Rank of the gap over every area and category of the study area (the Summary's "
                        "Priority): this sheet lists one area's rows, so these numbers jump.",
    "Area": "The neighbourhood (area) the row is about.",
    "Area code": "The area's code in the boundary file.",
    "Category": "The need category.",
    "Target group": "Who the category serves: all ages, or an age band.",
    "Target population": "The target group living in the area.",
    "Assets": "Assets of the category located in the area.",
    "Per 10k": "Assets per 10,000 of the target population.",
    "Reach": "How reach was measured: a travel time on the street network (\"10 min walk\"), or a straight "
             "line (\"straight-line 800 m\").",
    "Coverage": "Share of the target population within the category's catchment (its Reach) "
                "of at least one asset, including assets just over the area's border.",
    "Barrier": "Share of the target population within the straight-line equivalent of the travel time "
               "(time x speed) of an asset but not within that time by street: cut off by a river, railway, "
               "main road or missing path (and the streets' ordinary detours).",
    "Access per 10k": "Asset places within reach per 10,000 of the target population, each asset shared "
                      "among everyone in its reach (two-step floating catchment, 2SFCA).",
    "Unreached": "Target residents beyond the catchment of every asset of the category.",
    "Need index": "The area's need (1 = the study area's average).",
    "Gap": "none: nothing in or within reach of the area; low: coverage under 60% or a rate under half the "
           "study area's; ok: otherwise; \"no data?\": nothing found, but the lists may be missing it.",
    "Robust": "yes: in the top gaps under every ranking tried (catchments halved and doubled, accessibility).",
    "Confidence": "How far the data can be trusted for this row: high, medium or low.",
    "Data caveat": "What lowers the confidence: assets without a location, rejected rows, stale records.",
    "Reason": "The finding in plain words, with the study-area figure to compare.",
    "Assets here": f"The assets of the category in the area, by name (the first {NAMES_SHOWN}).",
    "Asset ID": "The asset's id in the workspace.",
    "Name": "The asset's name as imported.",
    "Categories": "The need categories the asset serves.",
    "Address": "The address as imported.",
    "Postcode": "The postcode as imported.",
    "Location": "inside: in an area; outside: located beyond every area; unassigned: not located.",
    "Located by": "How the asset was placed on the map: coordinates, postcode...",
    "Source": "The list (file or feed) the asset came from.",
    "Source row": "The row of the asset in that list.",
}

#: How numeric columns are shown: Excel number format, and the format of the CSV text.
_FORMATS: dict[str, tuple[str, str]] = {
    "Priority": ("0", "d"),
    "Rank in area": ("0", "d"),
    "Overall priority": ("0", "d"),
    "Priority before": ("0", "d"),
    "Priority after": ("0", "d"),
    "Assets before": ("0", "d"),
    "Assets after": ("0", "d"),
    "Coverage before": ("0%", ".0%"),
    "Coverage after": ("0%", ".0%"),
    "Rows read": ("#,##0", "d"),
    "Imported": ("#,##0", "d"),
    "Kept without location": ("#,##0", "d"),
    "Rejected": ("#,##0", "d"),
    "Target population": ("#,##0", ".0f"),
    "Assets": ("0", "d"),
    "Per 10k": ("0.0", ".1f"),
    "Coverage": ("0%", ".0%"),
    "Barrier": ("0%", ".0%"),
    "Access per 10k": ("0.00", ".2f"),
    "Unreached": ("#,##0", ".0f"),
    "Need index": ("0.00", ".2f"),
    "Source row": ("0", "d"),
}

#: Columns kept narrow however long their text: they wrap instead.
_WRAPPED = {"Reason": 70, "Data caveat": 45, "Assets here": 50}

#: Characters a sheet name may not hold, and its longest length.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_MAX = 31


@dataclass(frozen=True)
class HandoutTable:
    """One table of the handout: a sheet of the workbook and a CSV file.

    ``title`` is the sheet's title before it is made valid
    (:func:`sheet_names`), ``filename`` the CSV file's name, ``columns`` the
    headers in order and ``rows`` the values by header: text, whole numbers,
    floats (coverage a fraction from 0 to 1), or None for "not computed".
    Values are raw: :func:`neutralise` is applied when they are written.
    """

    title: str
    filename: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


# --------------------------------------------------------------------------- the tables

def _gap_columns(report: "GapReport") -> list[str]:
    """The summary's columns: access, need and robustness only when the report computed them."""
    cols = ["Priority", "Area", "Area code", "Category", "Target group", "Target population", "Assets",
            "Per 10k", "Reach", "Coverage", "Barrier", "Access per 10k", "Unreached", "Need index", "Gap", "Robust",
            "Confidence", "Data caveat", "Reason"]
    optional = {"Access per 10k": "access", "Need index": "need", "Robust": "robust", "Barrier": "barrier"}
    computed = report.computed()
    return [c for c in cols if c not in optional or optional[c] in computed]


def _gap_values(r: "GapRow") -> dict[str, Any]:
    return {
        "Priority": r.priority,
        "Area": r.area_name,
        "Area code": r.area_code,
        "Category": r.category,
        "Target group": r.target,
        "Target population": r.target_population,
        "Assets": r.assets,
        "Per 10k": r.rate_per_10k,
        "Reach": r.reach,
        "Coverage": r.coverage,
        "Barrier": r.barrier_share,
        "Access per 10k": r.access_per_10k,
        "Unreached": r.uncovered,
        "Need index": r.need_index,
        "Gap": r.shown_level,
        "Robust": None if r.robust is None else ("yes" if r.robust else ""),
        "Confidence": r.confidence,
        "Data caveat": r.confidence_reason if r.confidence in ("low", "medium") else "",
        "Reason": r.reason,
    }


def _file_stem(code: str) -> str:
    """An area code made safe as part of a file name on every system."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", code).strip("._") or "area"


def _names_text(names: list[str]) -> str:
    shown = "; ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown}; and {more} more" if more > 0 else shown


def handout_tables(report: "GapReport", assets: "gpd.GeoDataFrame | None",
                   taxonomy: Iterable["Category"]) -> list[HandoutTable]:
    """The handout's tables: Summary, one per area, then Assets.

    ``report`` gives the gap rows (all of them, or a selection: an area
    table is made for each area it holds, in the order of each area's most
    urgent gap). ``assets`` should be the assets the report counted:
    ``asset_map.inputs.duplicates.active(ws.assets())``, or None when there are
    none. ``taxonomy`` gives the category labels.

    The asset names in an area table are those of the given assets whose
    area and categories match the row; the count ("Assets") is the report's.
    """
    from .gap_table import split

    labels = {c.id: c.label for c in taxonomy}
    cols = _gap_columns(report)
    found, unknown = split(report)
    summary = HandoutTable("Summary", "summary.csv", tuple(cols), [_gap_values(r) for r in found.rows])

    # Assets by (area, category), names sorted as a person would look them up.
    records = _asset_records(assets)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for a in records:
        for cid in a["_ids"]:
            by_cell.setdefault((a["_area"], cid), []).append(a["Name"])
    for names in by_cell.values():
        names.sort(key=str.casefold)

    order: dict[str, str] = {}  # area code -> name, most urgent area first
    for r in report.rows:
        order.setdefault(r.area_code, r.area_name)
    area_cols = (("Rank in area", "Overall priority") + tuple(c for c in cols if c not in ("Priority", "Area", "Area code"))
                 + ("Assets here",))
    stems: set[str] = set()
    tables = [summary]
    for code, name in order.items():
        stem = base = _file_stem(code)
        k = 2
        while stem.casefold() in stems:  # codes differing only in case or punctuation
            stem, k = f"{base}-{k}", k + 1
        stems.add(stem.casefold())
        rows = []
        for r in found.rows + unknown.rows:  # the "no data?" rows after the findings
            if r.area_code == code:
                values = _gap_values(r)
                values["Rank in area"], values["Overall priority"] = len(rows) + 1, values.pop("Priority")
                values["Assets here"] = _names_text(by_cell.get((code, r.category_id), []))
                rows.append(values)
        tables.append(HandoutTable(name or code, f"area-{stem}.csv", area_cols, rows))
    if unknown.rows:
        tables.append(HandoutTable(NOT_KNOWN, "not-known.csv", tuple(cols), [_gap_values(r) for r in unknown.rows]))

    tables.append(_assets_table(records, order, labels))
    return tables


def _assets_table(records: list[dict[str, Any]], order: dict[str, str], labels: dict[str, str]) -> HandoutTable:
    """The Assets table: the assets by area (most urgent area first), then by name."""
    rank = {code: i for i, code in enumerate(order)}
    asset_rows = []
    for a in sorted(records, key=lambda a: (rank.get(a["_area"], len(rank)), a["_area"], a["Name"].casefold())):
        row = {k: v for k, v in a.items() if not k.startswith("_")}
        row["Categories"] = "; ".join(labels.get(c, c) for c in a["_ids"])
        row["Area"] = order.get(a["_area"], a["_area"])
        asset_rows.append(row)
    asset_cols = ("Asset ID", "Name", "Categories", "Area", "Area code", "Address", "Postcode", "Location",
                  "Located by", "Source", "Source row")
    return HandoutTable("Assets", "assets.csv", asset_cols, asset_rows)


def _text(v: Any) -> str:
    """A stored value as text: missing (None, NaN) is empty."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _asset_records(assets: "gpd.GeoDataFrame | None") -> list[dict[str, Any]]:
    if assets is None or len(assets) == 0:
        return []
    out = []
    cols = set(assets.columns)

    def col(name: str) -> list[Any]:
        return list(assets[name]) if name in cols else [None] * len(assets)

    for aid, name, cats, area, address, postcode, status, located, source, srow in zip(
            col("asset_id"), col("name"), col("categories"), col("area_code"), col("address"), col("postcode"),
            col("location_status"), col("located_by"), col("source"), col("source_row")):
        srow = neutralise(srow)  # a Python number, or None for a missing one
        out.append({
            "_ids": [c for c in _text(cats).split(";") if c],
            "_area": _text(area),
            "Asset ID": _text(aid),
            "Name": _text(name),
            "Area code": _text(area),
            "Address": _text(address),
            "Postcode": _text(postcode),
            "Location": _text(status),
            "Located by": _text(located),
            "Source": _text(source),
            "Source row": int(srow) if isinstance(srow, float) and srow.is_integer() else srow,
        })
    return out


# --------------------------------------------------------------------------- sheet names

def _excel_len(s: str) -> int:
    """Length as Excel counts it (UTF-16 code units: an emoji counts 2)."""
    return len(s.encode("utf-16-le")) // 2


def _cut(s: str, n: int) -> str:
    while _excel_len(s) > n:
        s = s[:-1]
    return s


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Valid, unique sheet names for ``titles``, in order.

    Excel forbids ``[ ] : * ? / \\`` in a sheet name (each becomes a space
    here, spaces then collapse), a leading or trailing apostrophe, more than
    31 characters, an empty name and the reserved name ``History``, and
    compares names ignoring case: a name already taken gets `` (2)``,
    `` (3)``... within the 31 characters.
    """
    seen: set[str] = set()
    out = []
    for title in titles:
        name = " ".join(_SHEET_BAD.sub(" ", title or "").split()).strip("'").strip()
        name = _cut(name, SHEET_MAX).rstrip().rstrip("'") or "Area"
        if name.casefold() == "history":
            name = "History (area)"
        base, k = name, 2
        while name.casefold() in seen:
            suffix = f" ({k})"
            name, k = _cut(base, SHEET_MAX - len(suffix)).rstrip() + suffix, k + 1
        seen.add(name.casefold())
        out.append(name)
    return out


# --------------------------------------------------------------------------- writing

def write_xlsx(tables: Sequence[HandoutTable], path: str | Path) -> Path:
    """Write the tables as one workbook, a sheet each in order; returns the path.

    Sheet names are made valid and unique (:func:`sheet_names`). On every
    sheet the header row is bold, frozen and filterable, and carries a note
    saying what the column holds (:data:`COLUMN_NOTES`); numbers are stored
    as numbers with a display format (coverage as a percentage); long text
    wraps in a column of bounded width. Text is neutralised
    (:func:`neutralise`) and always stored as text, never as a formula.
    The workbook is written beside ``path`` and renamed onto it.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..files import write_atomically

    wb = Workbook()
    wb.remove(wb.active)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for table, name in zip(tables, sheet_names([t.title for t in tables])):
        ws = wb.create_sheet(name)
        for j, header in enumerate(table.columns, start=1):
            cell = ws.cell(row=1, column=j, value=header)
            cell.font = bold
            if header in COLUMN_NOTES:
                cell.comment = Comment(COLUMN_NOTES[header], "asset-map", width=300, height=110)
        widths = [len(h) + 3 for h in table.columns]  # room for the filter button
        for i, row in enumerate(table.rows, start=2):
            for j, header in enumerate(table.columns, start=1):
                value = neutralise(row.get(header))
                cell = ws.cell(row=i, column=j)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # belt and braces: never a formula
                    if header in _WRAPPED:
                        cell.alignment = wrap
                    widths[j - 1] = max(widths[j - 1], min(len(value), 80))
                elif isinstance(value, (int, float)) and header in _FORMATS:
                    cell.number_format = _FORMATS[header][0]
                    widths[j - 1] = max(widths[j - 1], len(format(value, _FORMATS[header][1])) + 2)
        for j, header in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(widths[j - 1], _WRAPPED.get(header, 45)) + 1
        _level_colours(ws, table)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(1, len(table.rows) + 1)}"
    return write_atomically(Path(path), wb.save)


#: Columns holding a gap level, coloured by it in the workbook (conditional formatting).
LEVEL_COLUMNS = ("Gap", "Gap before", "Gap after")
#: Cell colour per gap level: the maps' Okabe–Ito colours, lightened so black text stays readable.
LEVEL_FILLS = {"none": "F4B183", "low": "F7EF8A", "ok": "A9D6F2", "no data?": "D9D9D9"}


def _level_colours(ws: Any, table: HandoutTable) -> None:
    """Colour the gap-level columns by level with conditional formatting (the rule stays when rows are
    sorted or filtered, and a reader can see and edit it in Excel's "Manage rules")."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    last = max(2, len(table.rows) + 1)
    for j, header in enumerate(table.columns, start=1):
        if header not in LEVEL_COLUMNS:
            continue
        col = get_column_letter(j)
        for level, colour in LEVEL_FILLS.items():
            fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
            ws.conditional_formatting.add(f"{col}2:{col}{last}",
                                          CellIsRule(operator="equal", formula=[f'"{level}"'], fill=fill))


def _csv_cell(header: str, value: Any) -> str:
    value = neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (int, float)):
        fmt = _FORMATS.get(header, (None, "g"))[1]
        if fmt == "d":
            return str(int(value)) if float(value).is_integer() else repr(value)
        return format(value, fmt)
    return value


def write_csv_folder(tables: Sequence[HandoutTable], folder: str | Path) -> list[Path]:
    """Write each table as a CSV file in ``folder`` (created if needed); returns the files written.

    The files are UTF-8 with a byte-order mark, so Excel reads names with
    accents right, and CRLF line ends. Text is neutralised as in the
    workbook (:func:`neutralise`); numbers are written as Excel shows them
    in the workbook (coverage ``42%``, populations whole). Each file is
    written under a temporary name and renamed, so an interrupted export
    leaves no half-written file. Files from an earlier export for areas no
    longer in the report are left in place.
    """
    from ..files import output_folder, write_atomically

    out = output_folder(folder)
    written = []
    for table in tables:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([neutralise(h) for h in table.columns])
        for row in table.rows:
            w.writerow([_csv_cell(h, row.get(h)) for h in table.columns])
        text = buf.getvalue()
        written.append(write_atomically(out / table.filename,
                                          lambda tmp: tmp.write_text(text, encoding="utf-8-sig", newline="")))
    return written
