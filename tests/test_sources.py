"""The workbook a colleague can use: level colours, frozen filterable headers, ranks explained, the what-if
side by side, and the Sources sheet saying which lists, population, boundaries and methods fed it."""

from __future__ import annotations

import hashlib

import pytest

from conftest import TRAFFORD, X0, Y0, asset_row, bng_to_lonlat, trafford_localities, write_csv


@pytest.fixture
def ws(layered, tmp_path):
    """West: a befriending group and a food bank; East: nothing. One row has no location (rejected)."""
    layered.import_assets(write_csv(tmp_path / "groups.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Friends", "befriending", X0 + 500, Y0 + 1000),
        asset_row("Pantry", "food bank", X0 + 1500, Y0 + 1000),
        ["Nowhere Club", "befriending", "", ""],
    ]))
    return layered


def hall() -> str:
    lon, lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    return f"Church hall;befriending;{lon:.6f},{lat:.6f}"


def rows(sheet) -> list[dict]:
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    return [dict(zip(values[0], r)) for r in values[1:]]


def level_rules(sheet) -> dict[str, str]:
    """{range: colour} of the rules colouring a cell equal to "none" (one range per level column)."""
    out = {}
    for cf in sheet.conditional_formatting:
        for rule in cf.rules:
            if rule.formula == ['"none"']:
                out[str(cf.sqref)] = rule.dxf.fill.bgColor.rgb
    return out


def test_workbook_colours_levels_freezes_filters_and_explains_ranks(ws, tmp_path):
    from openpyxl import load_workbook

    report = ws.gaps()
    wb = load_workbook(ws.export_handouts(tmp_path / "h.xlsx"))
    assert wb.sheetnames == ["Summary", "West", "East", "Not known (no data)", "Assets", "Sources"]
    summary = wb["Summary"]
    header = [c.value for c in summary[1]]
    gap = chr(ord("A") + header.index("Gap"))
    n = sum(r.finding != "no data?" for r in report.rows)  # the Summary holds the rows with a finding
    assert level_rules(summary) == {f"{gap}2:{gap}{n + 1}": "00F4B183"}  # vermilion, lightened
    levels = {r.formula[0]: r.dxf.fill.bgColor.rgb for cf in summary.conditional_formatting for r in cf.rules}
    assert levels == {'"none"': "00F4B183", '"low"': "00F7EF8A", '"ok"': "00A9D6F2", '"no data?"': "00D9D9D9"}
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    # East's sheet: its rows ranked 1, 2, 3... and their ranks over both areas, which jump.
    east = rows(wb["East"])
    assert [r["Rank in area"] for r in east] == list(range(1, len(east) + 1))
    # (its rows with a finding first, then its "no data?" rows)
    found = [r.priority for r in report.rows if r.area_code == "E01" and r.finding != "no data?"]
    assert [r["Overall priority"] for r in east] == found + [
        r.priority for r in report.rows if r.area_code == "E01" and r.finding == "no data?"]
    assert "so these numbers jump" in wb["East"]["B1"].comment.text


def test_sources_sheet_lists_every_list_population_and_method(ws, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(ws.export_handouts(tmp_path / "h.xlsx"))
    src = rows(wb["Sources"])
    lists = [r for r in src if r["Kind"] == "asset list"]
    assert len(lists) == 1
    got = lists[0]
    assert got["Name"] == "groups.csv" and got["Detail"].endswith("groups.csv")
    assert got["SHA-256"] == hashlib.sha256((tmp_path / "groups.csv").read_bytes()).hexdigest()
    assert len(got["Date"]) == 10 and got["Date"] == ws._data_date()
    # 3 rows read: 2 imported, the one without a location rejected; they add up.
    assert (got["Rows read"], got["Imported"], got["Kept without location"], got["Rejected"]) == (3, 2, 0, 1)
    by_name = {(r["Kind"], r["Name"]): r["Detail"] for r in src}
    assert by_name[("boundaries", "2 areas")] == "codes E01, W01"  # as the workspace holds them
    # The population layer: S1–S3 in West (1,000 + 3,000 + 2,000), S4 in East (4,000).
    assert by_name[("population", "All ages")] == "10,000 people in the areas (each area 4,000 to 6,000)"
    assert by_name[("population", "Small areas")].startswith("4 small areas in the population layer, 4 of them")
    assert by_name[("method", "Coverage")] == ws.gaps().coverage_method
    assert by_name[("method", "Need indicator")].startswith("none loaded")
    befriending = ws.taxonomy().get("befriending")
    assert by_name[("catchment", befriending.label)] == (f"{befriending.catchment_text} straight line; target "
                                                          f"population: {befriending.target.phrase} (all)")
    assert not any(r["Kind"] in ("what if", "focus") for r in src)


def test_workbook_of_one_area_with_a_what_if(ws, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(ws.export_handouts(tmp_path / "h.xlsx", area="East", add=[hall()], without=["Pantry"]))
    assert wb.sheetnames == ["Summary", "What if", "East", "Not known (no data)", "Assets", "Sources"]
    summary = rows(wb["Summary"])
    # East's rows: those with a finding in the Summary, the "no data?" ones in Not known; one per category.
    unknown = rows(wb["Not known (no data)"])
    assert {r["Area"] for r in summary + unknown} == {"East"}
    assert len(summary) + len(unknown) == len(list(ws.taxonomy()))
    # East before → after: the hall brings befriending from none to ok, reaching East's 4,000 people.
    what_if = rows(wb["What if"])
    assert [(r["Category"], r["Assets before"], r["Assets after"], r["Coverage before"], r["Coverage after"],
             r["Gap before"], r["Gap after"]) for r in what_if] == [
        ("Loneliness and social isolation", 0, 1, 0, 1, "none", "ok")]
    header = [c.value for c in wb["What if"][1]]
    assert set(level_rules(wb["What if"])) == {f"{chr(ord('A') + header.index(h))}2"  # one row: "G2:G2" is "G2"
                                               for h in ("Gap before", "Gap after")}
    assets = rows(wb["Assets"])
    assert [(r["Name"], r["Source"]) for r in assets] == [("Church hall", "what if")]
    src = {(r["Kind"], r["Name"]): r["Detail"] for r in rows(wb["Sources"])}
    assert src[("what if", "Church hall")] == "added for this what-if: loneliness_isolation; located by " \
                                              "longitude,latitude"
    assert src[("what if", "Pantry")] == "taken away for this what-if"
    assert src[("focus", "East")].startswith("only area E01's rows and assets")


def test_cli_xlsx_and_csv_take_area_and_what_if(ws, tmp_path):
    from typer.testing import CliRunner

    from asset_map.cli import app

    r = CliRunner().invoke(app, ["export", "csv", "-o", str(tmp_path / "c"), "--area", "west", "--without",
                                 "Pantry", "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["area-W01.csv", "assets.csv", "not-known.csv", "sources.csv",
                                                                 "summary.csv", "what-if.csv"]
    what_if = (tmp_path / "c" / "what-if.csv").read_text(encoding="utf-8-sig").splitlines()
    assert what_if[1].startswith("West,Food and cooking,1,0,100%,0%,ok,none,")
    bad = CliRunner().invoke(app, ["export", "xlsx", "-o", str(tmp_path / "x.xlsx"), "--area", "Westt",
                                   "-w", ws.location])
    assert bad.exit_code == 1 and "did you mean 'West'" in bad.stderr and not (tmp_path / "x.xlsx").exists()


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_north_workbook(tmp_path):
    from openpyxl import load_workbook

    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    food = ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    gps = ws.import_assets(TRAFFORD / "assets" / "trafford_general_practices.geojson", categories=["gp practice"])
    wb = load_workbook(ws.export_handouts(tmp_path / "north.xlsx", area="North"))
    assert wb.sheetnames == ["Summary", "North", "Not known (no data)", "Assets", "Sources"]
    summary = rows(wb["Summary"])
    assert {r["Area"] for r in summary} == {"North"}
    report = ws.gaps(area="North")
    assert [r["Priority"] for r in summary] == [r.priority for r in report.rows if r.finding != "no data?"]
    lists = {r["Name"]: r for r in rows(wb["Sources"]) if r["Kind"] == "asset list"}
    for name, result in (("trafford_food_banks.geojson", food), ("trafford_general_practices.geojson", gps)):
        got = lists[name]
        assert (got["Rows read"], got["Imported"], got["Kept without location"], got["Rejected"]) == (
            result.rows_read, result.imported, result.kept_unlocated, result.rejected)
        assert got["Rows read"] == got["Imported"] + got["Kept without location"] + got["Rejected"]
        assert got["SHA-256"] == hashlib.sha256((TRAFFORD / "assets" / name).read_bytes()).hexdigest()
    # The handout test's 7 food banks and 26 practices.
    assert (lists["trafford_food_banks.geojson"]["Imported"], lists["trafford_general_practices.geojson"]["Imported"]) \
        == (7, 26)
    src = {(r["Kind"], r["Name"]): r["Detail"] for r in rows(wb["Sources"])}
    # Trafford's 4 localities, their mid-2024 population: the sum over the areas the workspace holds.
    total = float(ws.areas()["all_ages"].sum())
    assert src[("boundaries", "4 areas")].startswith("codes ")
    assert src[("population", "All ages")].startswith(f"{total:,.0f} people in the areas")
    # Trafford's 139 LSOAs of 2021, all inside the borough; shared by area share (no postcode lookup loaded).
    assert src[("population", "Small areas")].startswith("139 small areas in the population layer, 139 of them")
    assert src[("population", "Small areas shared")].startswith("area share; ")
    north = [r for r in rows(wb["Assets"])]
    assert north and {r["Area"] for r in north} == {"North"}


def test_what_if_names_are_text_in_the_workbook(ws, tmp_path):
    from openpyxl import load_workbook

    lon, lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    evil = '=HYPERLINK("http://x","hall")'
    wb = load_workbook(ws.export_handouts(tmp_path / "h.xlsx", add=[f"{evil};befriending;{lon:.6f},{lat:.6f}"]))
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + evil in [c.value for c in cells if c.parent.title == "Sources"]
    assert "'" + evil in [c.value for c in cells if c.parent.title == "Assets"]
