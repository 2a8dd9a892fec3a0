"""Categories on import: category maps (saved decisions) and categories inferred from free text."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from conftest import TRAFFORD, X0, Y0, asset_row, write_csv, ws_exists

HEADER = ["Name", "Type", "Latitude", "Longitude", "Description"]


def rows_csv(tmp_path):
    return write_csv(tmp_path / "list.csv", HEADER, [
        asset_row("Crafty Fridays", "Crafternoon", X0 + 100, Y0 + 100) + ["Making things together"],
        asset_row("Bingo Night", "Bingo", X0 + 200, Y0 + 100) + ["Fun for everyone"],
        asset_row("Sale Carers Drop-in", "", X0 + 300, Y0 + 100) + ["Support for unpaid carers and their families"],
        asset_row("Lunch Club", "Lunch club", X0 + 400, Y0 + 100) + ["A hot meal and company for older people"],
    ])


def test_unknown_words_saved_decided_and_reused(tmp_path, workspace):
    path = rows_csv(tmp_path)
    first = workspace.import_assets(path, dry_run=True)
    assert set(first.unknown_words) == {"Crafternoon", "Bingo"}
    map_path = tmp_path / "decisions.csv"
    runner = CliRunner()
    r = runner.invoke(app, ["inspect", str(path), "--save-category-map", str(map_path),
                            "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    assert f"Wrote 2 category words to {map_path}" in r.stderr
    with open(map_path, encoding="utf-8-sig", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert {w["word"]: w["category"] for w in written} == {"Crafternoon": "", "Bingo": ""}
    # The planner decides: crafts are arts; bingo is not a need category.
    for w in written:
        w["category"] = {"Crafternoon": "Arts and culture", "Bingo": "ignore"}[w["word"]]
    with open(map_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(written[0]))
        writer.writeheader()
        writer.writerows(written)
    result = workspace.import_assets(path, category_map=map_path)
    assert result.unknown_words == {}
    assert result.ignored_words == {"Bingo": 1}
    assets = workspace.assets().set_index("name")
    assert assets.loc["Crafty Fridays", "categories"] == "arts_culture"
    assert assets.loc["Crafty Fridays", "category_source"] == "category map"
    assert assets.loc["Lunch Club", "category_source"] == "category column"
    # Replacing the taxonomy keeps what the map decided (the map is not stored in the workspace).
    tax = tmp_path / "tax.csv"
    with open(tax, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(asset_map.load_taxonomy().to_rows()[0]))
        w.writeheader()
        w.writerows(asset_map.load_taxonomy().to_rows())
    workspace.load_taxonomy(tax)
    assert workspace.assets().set_index("name").loc["Crafty Fridays", "categories"] == "arts_culture"


def test_a_bad_category_map_is_one_line_naming_row_and_column(tmp_path):
    path = rows_csv(tmp_path)
    bad = tmp_path / "map.csv"
    bad.write_text("word,category\nCrafternoon,Arts and culture\nBingo,Gambling den\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["import", str(path), "--category-map", str(bad), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "map.csv, row 3, column 'category'" in lines[0]
    assert not ws_exists(tmp_path / "ws.gpkg")


def test_inferred_categories_are_suggestions_until_asked_for(tmp_path, workspace, two_areas):
    workspace.load_boundaries(two_areas, population_field="pop")
    path = rows_csv(tmp_path)
    plain = workspace.import_assets(path)
    assets = plain.assets.set_index("name")
    # The drop-in has an empty category cell: its text suggests carers, but nothing is used yet.
    assert assets.loc["Sale Carers Drop-in", "categories"] == ""
    assert assets.loc["Sale Carers Drop-in", "inferred"] == "carers (unpaid carers)"
    assert assets.loc["Lunch Club", "inferred"] == ""  # categorised from its cell: no guessing
    carers = {r.area_code: r.assets for r in workspace.gaps(category="carers").rows}
    assert carers == {"W01": 0, "E01": 0}
    used = workspace.import_assets(path, use_inferred=True)
    assert used.categorised_by_inference == used.with_inferred >= 1
    row = used.assets.set_index("name").loc["Sale Carers Drop-in"]
    assert row["category_source"] == "inferred" and row["categories"] == "carers"
    assert {r.area_code: r.assets for r in workspace.gaps(category="carers").rows} == {"W01": 1, "E01": 0}
    exported = workspace.export_geojson("assets")
    assert '"category_source": "inferred"' in exported


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_real_charities_legal_forms_ignored_and_activities_inferred(tmp_path):
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    charities = TRAFFORD / "assets" / "charities_operating_in_trafford.csv"
    first = ws.import_assets(charities, dry_run=True)
    # The charity_type column holds legal forms, not needs: the word of every row kept is unknown, the 278
    # located and the 456 whose postcode lies outside Trafford's lookup (736 read, 2 rejected).
    assert (first.imported, len(first.outside_lookup), first.rejected) == (278, 456, 2)
    assert sum(len(r) for r in first.unknown_words.values()) == 278 + 456
    decisions = tmp_path / "legal-forms.csv"
    decisions.write_text("word,category\n" + "".join(f"{w},ignore\n" for w in first.unknown_words), "utf-8")
    result = ws.import_assets(charities, category_map=decisions, use_inferred=True, dry_run=True)
    assert result.unknown_words == {}
    assert sum(result.ignored_words.values()) == 278 + 456
    assert (result.imported, result.categorised_by_inference, result.uncategorised) == (278, 188, 90)
    assets = result.assets.set_index("source_row")
    # Read by hand: row 382 "Provision of information, advice and support to carers living in Trafford."
    assert assets.loc[382, "categories"] == "carers;information_signposting"
    # Row 430, Urmston Musical Theatre: "Stages Musicals and Pantomimes ... Involves Adults and Young People."
    assert assets.loc[430, "inferred"] == "young_people (Young People); arts_culture (THEATRE)"
