"""The export commands for the workshop: png, xlsx, csv and gpkg from the command line."""

from __future__ import annotations

import pyogrio
from openpyxl import load_workbook
from typer.testing import CliRunner

from asset_map.cli import app
from conftest import X0, Y0, asset_row, write_csv


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_workshop_exports(layered, tmp_path):
    layered.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude", "When"], [
        asset_row("=HYPERLINK(\"http://x\")", "befriending", X0 + 500, Y0 + 1000) + ["Thursday evenings"],
        asset_row("Pantry", "food bank", X0 + 1500, Y0 + 1000) + ["Tuesdays 10am-12pm"],
    ]))
    ws = layered.location
    r = run("export", "png", "--category", "befriending", "-o", tmp_path / "b.png", "-w", ws)
    assert r.exit_code == 0 and "Wrote" in r.stderr and (tmp_path / "b.png").stat().st_size > 20_000
    r = run("export", "xlsx", "-o", tmp_path / "h.xlsx", "--when", "evening", "-w", ws)
    assert r.exit_code == 0, r.stderr
    book = load_workbook(tmp_path / "h.xlsx")
    assert book.sheetnames == ["Summary", "West", "East", "Not known (no data)", "Assets", "Sources"]
    cells = [c.value for row in book["Assets"].iter_rows() for c in row if c.value]
    assert "'=HYPERLINK(\"http://x\")" in cells  # shown as text, never run
    assert all(c.data_type != "f" for ws_ in book for row in ws_.iter_rows() for c in row)
    r = run("export", "csv", "-o", tmp_path / "out", "-w", ws)
    assert r.exit_code == 0 and "Wrote 6 CSV files" in r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["area-E01.csv", "area-W01.csv", "assets.csv",
                                                                   "not-known.csv", "sources.csv", "summary.csv"]
    r = run("export", "gpkg", "-o", tmp_path / "g.gpkg", "-w", ws)
    assert r.exit_code == 0 and "areas 2, assets 2, population 4" in r.stderr
    assert {name for name, _ in pyogrio.list_layers(tmp_path / "g.gpkg")} == {"areas", "assets", "population"}
    bad = run("export", "png", "--category", "nonsense", "-o", tmp_path / "x.png", "-w", ws)
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: unknown category 'nonsense'")
    empty = run("export", "xlsx", "-o", tmp_path / "e.xlsx", "-w", tmp_path / "none.gpkg")
    assert empty.exit_code == 1 and "no areas loaded" in empty.stderr


def test_gap_cards_from_the_command_line(layered, tmp_path):
    ws = layered.location
    r = run("report", "-o", tmp_path / "cards.html", "-w", ws)
    assert r.exit_code == 0 and r.stderr.strip().endswith("cards.html")
    assert (tmp_path / "cards.html").read_text(encoding="utf-8").count("<h1") == 2  # West and East
    r = run("report", "--area", "east", "-f", "markdown", "-o", tmp_path / "east.md", "-w", ws)
    assert r.exit_code == 0 and "and 1 map image" in r.stderr
    assert (tmp_path / "east.md").read_text(encoding="utf-8").startswith("# East: gaps and assets")
    bad = run("report", "--area", "Nowhere", "-o", tmp_path / "x.html", "-w", ws)
    assert bad.exit_code == 1 and "no area called 'Nowhere'" in bad.stderr


def test_rejects_and_duplicates_csv_never_carry_a_formula(layered, tmp_path):
    layered.import_assets(write_csv(tmp_path / "bad.csv", ["Name", "Category", "Latitude", "Longitude"], [
        ["Club", "carers", "=cmd|' /C calc'!A0", "-2.3"],
        asset_row("@SUM(1+1)", "carers", X0 + 100, Y0 + 100),
        asset_row("@SUM(1+1)", "carers", X0 + 110, Y0 + 100),
    ]))
    rejects = run("rejects", "-w", layered.location).stdout
    assert "'=cmd|" in rejects and ",=cmd" not in rejects
    dups = run("duplicates", "-f", "csv", "-w", layered.location).stdout
    assert "'@SUM(1+1)" in dups and ",@SUM" not in dups
