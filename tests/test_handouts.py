"""Handouts: the workbook and the CSV folder, their tables, and cells that must never run as formulas."""

from __future__ import annotations

import csv

import pytest

from asset_map.inputs.duplicates import active
from asset_map.cells import neutralise
from asset_map.errors import OutputPathError
from asset_map.outputs.handouts import HandoutTable, handout_tables, sheet_names, write_csv_folder, write_xlsx
from conftest import TRAFFORD, X0, Y0, asset_row, square, trafford_localities, write_areas, write_csv

DANGEROUS = ['=HYPERLINK("http://x","click")', "+44 161 000", "-5 club", "@home", " =1+1", "\t=2+2"]


@pytest.fixture
def ws(layered, tmp_path):
    """West and East with five assets whose names (and addresses) a spreadsheet would run as formulas."""
    layered.import_assets(write_csv(tmp_path / "groups.csv", ["Name", "Category", "Latitude", "Longitude", "Address"], [
        asset_row(DANGEROUS[0], "Befriending", X0 + 500, Y0 + 500) + ["=1+1"],
        asset_row(DANGEROUS[1], "food bank", X0 + 3000, Y0 + 1000) + ["-2"],
        asset_row(DANGEROUS[2], "walking group", X0 + 1000, Y0 + 1000) + ["@SUM(A1:A9)"],
        asset_row(DANGEROUS[3], "befriending; carers", X0 + 2500, Y0 + 1500) + [""],
        asset_row("Normal Club", "arts", X0 + 1500, Y0 + 500) + ["1 High Street"],
    ]))
    return layered


def tables_of(ws):
    return handout_tables(ws.gaps(), active(ws.assets()), ws.taxonomy())


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def sheet_rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


# --------------------------------------------------------------------------- neutralise

@pytest.mark.parametrize("text", ["=1+1", "+44", "-5 club", "@home", "  =cmd|'/c calc'!A1", "\tx", "\r=1"])
def test_neutralise_puts_an_apostrophe_before_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Normal Club", "", "'=already safe", "a=b", "50+ club",
                                   3, -5, -0.25, 0.0, None, True])
def test_neutralise_leaves_text_and_numbers_alone(value):
    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_neutralise_makes_numpy_numbers_python_and_nan_missing():
    import numpy as np

    assert neutralise(np.float64(-1.5)) == -1.5 and type(neutralise(np.float64(-1.5))) is float
    assert neutralise(np.int64(-3)) == -3 and type(neutralise(np.int64(-3))) is int
    assert neutralise(float("nan")) is None


# --------------------------------------------------------------------------- the tables

def test_tables_are_summary_areas_by_urgency_then_assets(ws):
    report = ws.gaps()
    tables = tables_of(ws)
    assert [t.title for t in tables] == ["Summary", "West", "East", "Not known (no data)", "Assets"]
    assert [t.filename for t in tables] == ["summary.csv", "area-W01.csv", "area-E01.csv", "not-known.csv",
                                            "assets.csv"]
    assert report.rows[0].area_code == "W01"  # West holds the most urgent gap, so its sheet comes first
    summary, west, east, unknown, assets = tables
    # What was found, then what is not known: the "no data?" rows in a table of their own; together all rows once
    found = [r for r in report.rows if r.finding != "no data?"]
    nodata = [r for r in report.rows if r.finding == "no data?"]
    assert found and nodata and len(found) + len(nodata) == len(report.rows)
    assert [r["Priority"] for r in summary.rows] == [r.priority for r in found]
    assert [r["Priority"] for r in unknown.rows] == [r.priority for r in nodata]
    assert {r["Gap"] for r in unknown.rows} == {"no data?"} and "no data?" not in {r["Gap"] for r in summary.rows}
    # An area's sheet: its findings in priority order, then its "no data?" rows; its ranks are over the whole
    # study area, and it numbers its rows 1, 2, 3... too.
    assert [r["Overall priority"] for r in west.rows] == [r.priority for r in found + nodata if r.area_code == "W01"]
    assert [r["Rank in area"] for r in west.rows] == list(range(1, len(west.rows) + 1))
    assert west.columns[:2] == ("Rank in area", "Overall priority") and "Priority" not in west.columns
    assert len(west.rows) == len(east.rows) == len(list(ws.taxonomy()))
    # What exists in an area, by category: the count and the names.
    befriending = next(r for r in east.rows if r["Category"] == "Loneliness and social isolation")
    assert befriending["Assets"] == 1 and befriending["Assets here"] == "@home"
    carers = next(r for r in east.rows if r["Category"] == "Carers")
    assert carers["Assets here"] == "@home"
    assert len(assets.rows) == 5
    home = next(r for r in assets.rows if r["Name"] == "@home")
    assert home["Categories"] == "Loneliness and social isolation; Carers"
    assert home["Area"] == "East" and home["Area code"] == "E01"


def test_area_table_lists_names_up_to_a_limit():
    from asset_map.outputs.handouts import NAMES_SHOWN, _names_text

    names = [f"Club {k:02d}" for k in range(NAMES_SHOWN + 3)]
    assert _names_text(names).endswith(f"Club {NAMES_SHOWN - 1:02d}; and 3 more")
    assert _names_text(names[:2]) == "Club 00; Club 01"


# --------------------------------------------------------------------------- the workbook

def test_workbook_sheets_rows_and_neutralised_cells(ws, tmp_path):
    from openpyxl import load_workbook

    report = ws.gaps()
    path = write_xlsx(tables_of(ws), tmp_path / "handout.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "West", "East", "Not known (no data)", "Assets"]
    report = report.with_rows([r for r in report.rows if r.finding != "no data?"])  # the Summary's rows

    summary = wb["Summary"]
    header = [c.value for c in summary[1]]
    assert header[:4] == ["Priority", "Area", "Area code", "Category"]
    assert all(c.font.bold for c in summary[1]) and summary.freeze_panes == "A2"
    rows = sheet_rows(summary)[1:]
    assert len(rows) == len(report.rows)
    col = {h: k for k, h in enumerate(header)}
    for got, want in zip(rows, report.rows):
        assert got[col["Priority"]] == want.priority
        assert (got[col["Area"]], got[col["Category"]]) == (want.area_name, want.category)
        assert got[col["Coverage"]] == pytest.approx(want.coverage)
        assert got[col["Assets"]] == want.assets
        assert got[col["Target population"]] == pytest.approx(want.target_population)
    # East's food bank row: the +44 group reaches S4, all of East's 4,000 people.
    food = next(r for r in rows if r[col["Area"]] == "East" and r[col["Category"]] == "Food and cooking")
    assert food[col["Coverage"]] == pytest.approx(1.0) and food[col["Assets"]] == 1
    cov = summary.cell(row=2, column=col["Coverage"] + 1)
    assert cov.data_type == "n" and cov.number_format == "0%"

    names = [r[1] for r in sheet_rows(wb["Assets"])[1:]]
    assert sorted(names) == sorted(["'" + n for n in DANGEROUS[:4]] + ["Normal Club"])
    addresses = {r[1]: r[5] for r in sheet_rows(wb["Assets"])[1:]}
    assert addresses["'-5 club"] == "'@SUM(A1:A9)" and addresses["'+44 161 000"] == "'-2"
    assert addresses["Normal Club"] == "1 High Street"
    east_here = [r[-1] for r in sheet_rows(wb["East"])[1:] if r[-1]]
    assert "'@home" in east_here

    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell.value


def test_workbook_formats_numbers_and_widths(ws, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(write_xlsx(tables_of(ws), tmp_path / "h.xlsx"))
    sheet = wb["West"]
    header = [c.value for c in sheet[1]]
    assert "Area" not in header and header[-1] == "Assets here"
    pop = sheet.cell(row=2, column=header.index("Target population") + 1)
    assert isinstance(pop.value, (int, float)) and pop.data_type == "n" and pop.number_format == "#,##0"
    reason = header.index("Reason") + 1
    assert sheet.cell(row=2, column=reason).alignment.wrap_text
    from openpyxl.utils import get_column_letter

    assert 20 <= sheet.column_dimensions[get_column_letter(reason)].width <= 72
    assert sheet[1][0].comment is not None  # each header says what the column holds


def test_failed_write_leaves_no_file_and_keeps_the_old_one(ws, tmp_path, monkeypatch):
    target = tmp_path / "handout.xlsx"
    target.write_bytes(b"old")

    def boom(self, filename):
        open(filename, "wb").write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.Workbook.save", boom)
    with pytest.raises(OutputPathError, match="handout.xlsx: cannot be written .disk full."):
        write_xlsx(tables_of(ws), target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if "handout" in p.name) == ["handout.xlsx"]


# --------------------------------------------------------------------------- the CSV folder

def test_csv_folder_has_the_same_tables_neutralised(ws, tmp_path):
    from openpyxl import load_workbook

    tables = tables_of(ws)
    out = tmp_path / "handout"
    files = write_csv_folder(tables, out)
    assert [f.name for f in files] == ["summary.csv", "area-W01.csv", "area-E01.csv", "not-known.csv", "assets.csv"]
    assert (out / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbfPriority,")
    assert sorted(p.name for p in out.iterdir()) == sorted(f.name for f in files)  # no temporary files left

    wb = load_workbook(write_xlsx(tables, tmp_path / "h.xlsx"))
    for f, sheet in zip(files, wb.worksheets):
        rows, xlsx = read_csv(f), sheet_rows(sheet)
        assert rows[0] == xlsx[0] and len(rows) == len(xlsx)
        for got, want in zip(rows[1:], xlsx[1:]):  # text cells identical, neutralised the same way
            assert [g for g, w in zip(got, want) if isinstance(w, str)] == [w for w in want if isinstance(w, str)]
        for row in rows:
            for cell in row:
                assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), (f.name, cell)

    summary = read_csv(out / "summary.csv")
    col = {h: k for k, h in enumerate(summary[0])}
    found = [r for r in ws.gaps().rows if r.finding != "no data?"]
    assert [int(r[col["Priority"]]) for r in summary[1:]] == [r.priority for r in found]
    assert summary[1][col["Coverage"]] == f"{found[0].coverage:.0%}"
    assets = read_csv(out / "assets.csv")
    assert {r[1] for r in assets[1:]} == {"'" + n for n in DANGEROUS[:4]} | {"Normal Club"}


# --------------------------------------------------------------------------- sheet names

def test_sheet_names_are_valid_and_unique():
    long = "North/South [A]: Test area with a very long name"
    names = sheet_names(["Summary", long, long, "north south A test area with a very long name", "summary",
                         "History", "'Quoted'", "???", "Assets"])
    assert len(set(n.casefold() for n in names)) == len(names)
    for n in names:
        assert 1 <= len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'") and not n.endswith("'")
    assert names[0] == "Summary" and names[1] == "North South A Test area with a"
    assert names[2].endswith(" (2)") and names[3].endswith(" (3)") and names[4] == "summary (2)"
    assert names[5] != "History" and names[6] == "Quoted" and names[-1] == "Assets"


def test_workbook_with_an_awkward_area_name(tmp_path):
    import asset_map
    from openpyxl import load_workbook

    long = "North/South [A]: Test area with a very long name"
    areas = write_areas(tmp_path / "areas.geojson", [
        ("N/1", long, 1000, square(X0, Y0, 2000)), ("N2", "Summary", 1000, square(X0 + 2000, Y0, 2000))])
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(areas, code_field="area_code", name_field="area_name", population_field="pop")
    w.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                              [asset_row("Club", "befriending", X0 + 500, Y0 + 500)]))
    tables = tables_of(w)
    wb = load_workbook(write_xlsx(tables, tmp_path / "h.xlsx"))
    assert len(wb.sheetnames) == 5 and len({n.casefold() for n in wb.sheetnames}) == 5
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "Assets"
    assert "North South A Test area with a" in wb.sheetnames and "Summary (2)" in wb.sheetnames
    files = write_csv_folder(tables, tmp_path / "csv")
    assert {f.name for f in files} == {"summary.csv", "area-N_1.csv", "area-N2.csv", "not-known.csv", "assets.csv"}


def test_empty_workspace_tables_still_write(tmp_path):
    from openpyxl import load_workbook

    tables = [HandoutTable("Summary", "summary.csv", ("Priority", "Area"), []),
              HandoutTable("Assets", "assets.csv", ("Name",), [])]
    wb = load_workbook(write_xlsx(tables, tmp_path / "h.xlsx"))
    assert wb.sheetnames == ["Summary", "Assets"] and sheet_rows(wb["Assets"]) == [["Name"]]
    assert read_csv(write_csv_folder(tables, tmp_path / "c")[0]) == [["Priority", "Area"]]


# --------------------------------------------------------------------------- real data

@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_handout(tmp_path):
    from openpyxl import load_workbook

    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    ws.import_assets(TRAFFORD / "assets" / "trafford_general_practices.geojson", categories=["gp practice"])
    assets = active(ws.assets())
    report = ws.gaps()
    tables = handout_tables(report, assets, ws.taxonomy())
    wb = load_workbook(write_xlsx(tables, tmp_path / "trafford.xlsx"))
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "Assets"
    areas = [n for n in wb.sheetnames[1:-1] if n != "Not known (no data)"]
    assert len(areas) == 4 and set(areas) == {r.area_name[:31] for r in report.rows}
    assert wb["Assets"].max_row - 1 == len(assets) == 26 + 7
    nodata = sum(r.finding == "no data?" for r in report.rows)
    assert wb["Summary"].max_row - 1 + (wb["Not known (no data)"].max_row - 1 if nodata else 0) == len(report.rows)
    counts = {(r.area_name, r.category): r.assets for r in report.rows}
    for name in areas:
        header = [c.value for c in wb[name][1]]
        for row in sheet_rows(wb[name])[1:]:
            cat, n, here = row[header.index("Category")], row[header.index("Assets")], row[-1]
            assert n == counts[(name, cat)]
            assert (n == 0) == (here is None)  # the names listed exist exactly where the count does
    files = write_csv_folder(tables, tmp_path / "csv")
    assert len(files) == 6 + (nodata > 0) and len(read_csv(tmp_path / "csv" / "assets.csv")) == len(assets) + 1
