"""Categories on import: category maps (saved decisions) and categories inferred from free text."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.categories.taxonomy import load_taxonomy
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
    # Two unknown words, then the one row without a category in its cell, its suggestion pre-filled.
    assert f"Wrote 3 rows (the unknown category words, then 1 rows of the list" in r.stderr
    with open(map_path, encoding="utf-8-sig", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert {w["word"]: w["category"] for w in written if w["word"]} == {"Crafternoon": "", "Bingo": ""}
    assert [(w["row"], w["name"], w["category"]) for w in written if not w["word"]] == [
        ("4", "Sale Carers Drop-in", "Carers")]
    # The planner decides: crafts are arts; bingo is not a need category.
    for w in written:
        if w["word"]:
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


def test_inferred_categories_are_used_by_default_and_can_be_turned_off(tmp_path, workspace, two_areas):
    workspace.load_boundaries(two_areas, population_field="pop")
    path = rows_csv(tmp_path)
    off = workspace.import_assets(path, use_inferred=False)
    assets = off.assets.set_index("name")
    # The drop-in has an empty category cell: its text suggests carers, but --no-inferred uses none.
    assert assets.loc["Sale Carers Drop-in", "categories"] == ""
    assert assets.loc["Sale Carers Drop-in", "inferred"] == "carers (unpaid carers)"
    assert assets.loc["Lunch Club", "inferred"] == ""  # categorised from its cell: no guessing
    carers = {r.area_code: r.assets for r in workspace.gaps(category="carers").rows}
    assert carers == {"W01": 0, "E01": 0}
    # By default a suggestion of enough confidence is used (one trigger: 0.7, the default threshold).
    used = workspace.import_assets(path)
    assert used.categorised_by_inference == used.with_inferred == 1
    row = used.assets.set_index("name").loc["Sale Carers Drop-in"]
    assert row["category_source"] == "inferred" and row["categories"] == "carers"
    assert {r.area_code: r.assets for r in workspace.gaps(category="carers").rows} == {"W01": 1, "E01": 0}
    exported = workspace.export_geojson("assets")
    assert '"category_source": "inferred"' in exported
    # The one carers asset in W01 is inferred: the row says so and is not of high confidence.
    w01 = next(r for r in workspace.gaps(category="carers").rows if r.area_code == "W01")
    assert w01.confidence != "high"
    assert "1 of 1 carers asset here categorised from its text (inferred), not by its list" in w01.confidence_reason


def test_use_inferred_takes_suggestions_below_the_default_confidence(tmp_path, workspace, monkeypatch):
    from asset_map.categories import inference

    # "unpaid carers" is one trigger: a threshold just above its confidence leaves it a suggestion.
    (carers,) = inference.infer_categories(["Sale Carers Drop-in", "Support for unpaid carers and their families"],
                                           load_taxonomy())
    assert carers.triggers == ("unpaid carers",)
    above = carers.confidence + 0.01
    monkeypatch.setattr(inference, "DEFAULT_USE_CONFIDENCE", above)
    monkeypatch.setattr("asset_map.inputs.categorising.DEFAULT_USE_CONFIDENCE", above)
    path = rows_csv(tmp_path)
    default = workspace.import_assets(path, dry_run=True).assets.set_index("name")
    assert default.loc["Sale Carers Drop-in", "categories"] == ""
    every = workspace.import_assets(path, use_inferred=True, dry_run=True).assets.set_index("name")
    assert every.loc["Sale Carers Drop-in", "categories"] == "carers"


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_real_charities_legal_forms_set_aside_and_activities_inferred(tmp_path):
    from asset_map.categories.inference import DEFAULT_USE_CONFIDENCE

    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    charities = TRAFFORD / "assets" / "charities_operating_in_trafford.csv"
    first = ws.import_assets(charities, dry_run=True)
    # The charity_type column holds legal forms, not needs: it is not the category column.
    assert first.not_category == "charity_type" and "category" not in first.columns
    assert first.columns["description"] == "charity_activities"
    assert first.unknown_words == {}
    # 736 read: 278 located, 456 kept (their postcode lies outside Trafford's lookup), 2 rejected.
    assert (first.imported, len(first.outside_lookup), first.rejected) == (278, 456, 2)
    result = ws.import_assets(charities, use_inferred=True, dry_run=True)
    # 58 are not services to the public (PTAs, school and hospital fundraising, grant-making and property trusts):
    # kept, with no category, and neither inferred nor uncategorised. Since "-ches" plurals are read and
    # "christian fellowship" is evidence, a Methodist circuit ("Churches") and a Christian fellowship get
    # suggestions; since "physical and mental health" is a general aim, a community partnership loses its one.
    # Since the third round's words, 4 more: a community association that hires rooms, a Christian fellowship
    # ("religion"), a school hall's trust for "boys and girls", a Catholic college's charity ("religion": wrong).
    assert (result.imported, result.categorised_by_inference, result.uncategorised) == (278, 173, 47)
    assert result.not_services == {"a school's parent-teacher or friends' association": 32,
                                   "a fundraising group": 16, "a grant-making trust": 8, "a property-holding trust": 2}
    # Independently: the 25 located charities whose name says PTA or parent(s) (teachers/staff/friends) association
    # are all among the 32 (the others say so in their activities, or with apostrophes: "PARENTS', FRIENDS' AND").
    pta = result.assets["name"].str.contains(r"\bP\.?T\.?A\b|PARENTS?\W+(?:TEACHERS?|STAFF|FRIENDS)?\W*ASSOCIATION",
                                             case=False, regex=True)
    assert pta.sum() == 25 and result.assets.loc[pta, "category_source"].value_counts().to_dict() == {
        "not a service: a school's parent-teacher or friends' association": 24,
        "not a service: a fundraising group": 1}  # "TYNTESFIELD PTA" names no school: "Raising funds which go ..."
    # By default, the rows whose suggestions reach the default confidence.
    confident = sum(1 for g in first.guesses if any(s.confidence >= DEFAULT_USE_CONFIDENCE for s in g))
    assert first.categorised_by_inference == confident
    assets = result.assets.set_index("source_row")
    # Read by hand: row 382 "Provision of information, advice and support to carers living in Trafford."
    assert assets.loc[382, "categories"] == "carers;information_signposting"
    # Row 430, Urmston Musical Theatre: "Stages Musicals and Pantomimes ... Involves Adults and Young People."
    assert assets.loc[430, "inferred"] == "young_people (Young People); arts_culture (THEATRE)"
    # Asked for, the legal forms are read as category words again (all unknown: 278 located, 456 kept).
    forced = ws.import_assets(charities, columns={"category": "charity_type"}, dry_run=True)
    assert sum(len(r) for r in forced.unknown_words.values()) == 278 + 456


def not_services_csv(tmp_path):
    """West: a coffee morning and a choir run by a PTA (its category cell wins over its text). East: a PTA, a
    grant-making trust and a group with no category."""
    return write_csv(tmp_path / "bodies.csv", HEADER, [
        asset_row("Coffee Morning", "Coffee morning", X0 + 100, Y0 + 1000) + ["Tea and chat on Mondays"],
        asset_row("Hillside Primary PTA", "", X0 + 3500, Y0 + 1000)
        + ["Raising funds for Hillside Primary School through summer fairs"],
        asset_row("Smith Charitable Trust", "", X0 + 3600, Y0 + 1000) + ["Makes grants to local organisations"],
        asset_row("Mystery group", "", X0 + 3700, Y0 + 1000) + ["Meets on Tuesdays"],
        asset_row("Oak School PTA Choir", "Choir", X0 + 300, Y0 + 1000)
        + ["Run by the school's parent teacher association"],
    ])


def test_bodies_that_are_not_services_are_kept_counted_and_not_provision(tmp_path, workspace, two_areas):
    workspace.load_boundaries(two_areas, population_field="pop")
    result = workspace.import_assets(not_services_csv(tmp_path), use_inferred=True)
    # Nothing lost: 5 read, 5 imported; 2 not services, 1 uncategorised, 2 categorised by their cells.
    assert (result.rows_read, result.imported, result.rejected) == (5, 5, 0)
    assert result.not_services == {"a school's parent-teacher or friends' association": 1, "a grant-making trust": 1}
    assert result.uncategorised == 1
    assets = result.assets.set_index("name")
    pta = assets.loc["Hillside Primary PTA"]
    assert (pta["categories"], pta["inferred"], pta["category_source"]) == (
        "", "", "not a service: a school's parent-teacher or friends' association")  # no suggestion, even used
    assert assets.loc["Smith Charitable Trust", "category_source"] == "not a service: a grant-making trust"
    choir = assets.loc["Oak School PTA Choir"]
    assert (choir["categories"], choir["category_source"]) == ("arts_culture", "category column")
    assert assets.loc["Mystery group", "category_source"] == ""
    # East has 1 asset without a category, not 3: at the study mix (1 befriending asset of 2 categorised, 21
    # categories) that is 1 × (1 + 1) / (2 + 21) ≈ 0.09 expected befriending assets, under the 0.1 that lowers
    # confidence; counting the PTA and the trust it would be 3 × 2 / 23 ≈ 0.26 ("medium").
    east = {(r.area_code, r.category_id): r for r in workspace.gaps().rows}[("E01", "loneliness_isolation")]
    assert (east.assets, east.finding, east.confidence, east.confidence_reason) == (
        0, "no provision", "high", "no sign of missing data")
    status = workspace.status()
    assert (status["assets"], status["assets_uncategorised"], status["assets_not_services"]) == (5, 1, 2)


def test_the_import_summary_counts_bodies_that_are_not_services(tmp_path):
    r = CliRunner().invoke(app, ["import", str(not_services_csv(tmp_path)), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    summary = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in r.stderr.splitlines()
               if line.count("│") == 3}
    assert (summary["rows read"], summary["imported"], summary["of which without a known category"]) == ("5", "5", "1")
    assert summary["of which not services to the public (kept, not provision)"] == "2"
    assert summary["a school's parent-teacher or friends' association"] == summary["a grant-making trust"] == "1"
    out = " ".join(r.stderr.split())
    assert "Note: bodies.csv: 2 rows without a known category are not services to the public" in out
    assert "(a school's parent-teacher or friends' association 1, a grant-making trust 1)" in out
