"""The category column chosen by its content; suggestions reviewed in one step; the next step after an import."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from asset_map.categories.inference import infer_categories
from asset_map.categories.taxonomy import load_taxonomy
from asset_map.cli import app
from conftest import X0, Y0, asset_row, write_csv

HEADER = ["Name", "Type", "Latitude", "Longitude", "Activities"]


def legal_forms_csv(tmp_path):
    """A register whose "Type" is a legal form; what each does is in "Activities"."""
    return write_csv(tmp_path / "register.csv", HEADER, [
        asset_row("Sale Carers Centre", "Charitable company", X0 + 100, Y0 + 100)
        + ["Information and support for unpaid carers"],
        asset_row("Altrincham Singers", "CIO", X0 + 200, Y0 + 100) + ["A community choir singing music of all kinds"],
        asset_row("Friends of Stamford Park", "Other", X0 + 300, Y0 + 100) + ["Volunteers caring for the park"],
        asset_row("Urmston Tuesday Group", "Trust", X0 + 400, Y0 + 100) + ["A hot lunch club for older people"],
        asset_row("Davyhulme Fund", "Other", X0 + 500, Y0 + 100) + [""],
    ])


def test_a_legal_form_column_is_set_aside_and_the_activities_are_the_evidence(tmp_path, workspace):
    # Every suggestion used (--use-inferred), so that what is checked is the evidence, not the calibrated threshold.
    result = workspace.import_assets(legal_forms_csv(tmp_path), use_inferred=True, dry_run=True)
    assert result.not_category == "Type"
    assert "category" not in result.columns and result.columns["description"] == "Activities"
    assert result.unknown_words == {}  # the planner is not asked to map legal forms to needs
    assert ("column 'Type' is not used for categories: its values are legal forms ('Other' 2, "
            "'Charitable company' 1, 'CIO' 1, 'Trust' 1), none a need category; the categories are suggested "
            "from the text of 'Name' and 'Activities' instead (to use 'Type' anyway, pass --map "
            "category='Type')") in result.notes
    got = dict(zip(result.assets["name"], result.assets["categories"]))
    # Read by hand: "unpaid carers"; "choir, singing, music"; the friends of a park look after a green space;
    # "lunch club", "older people"; nothing.
    assert got == {"Sale Carers Centre": "carers", "Altrincham Singers": "arts_culture",
                   "Friends of Stamford Park": "nature_green_space", "Urmston Tuesday Group":
                   "loneliness_isolation;older_people_independence", "Davyhulme Fund": ""}
    assert set(result.assets["category_source"]) == {"inferred", ""}
    forced = workspace.import_assets(legal_forms_csv(tmp_path), columns={"category": "Type"}, dry_run=True)
    assert forced.not_category is None and set(forced.unknown_words) == {"Other", "Charitable company", "CIO",
                                                                        "Trust"}


@pytest.mark.parametrize("values,kind", [
    (["Active", "Active", "Closed", "Removed"], "statuses"),  # "Active" is also a physical-activity synonym
    (["A12", "B3", "C07", "A12"], "codes"),
])
def test_status_and_code_columns_are_not_categories(tmp_path, workspace, values, kind):
    rows = [asset_row(f"Group {i}", v, X0 + 100 * i, Y0) + ["A walking group"] for i, v in enumerate(values)]
    result = workspace.import_assets(write_csv(tmp_path / "l.csv", ["Name", "Category", "Latitude", "Longitude",
                                                                   "Description"], rows),
                                     use_inferred=True, dry_run=True)
    assert result.not_category == "Category"
    assert any(n.startswith(f"column 'Category' is not used for categories: its values are {kind} (")
               for n in result.notes)
    assert list(result.assets["categories"]) == ["physical_activity"] * 4  # "walking", from the description


def test_a_real_category_column_still_wins(tmp_path, workspace):
    rows = [asset_row("Lunch Club", "Lunch club", X0, Y0) + ["Tuesdays"],
            asset_row("Befrienders", "Befriending", X0 + 100, Y0) + [""],
            asset_row("Misc", "Other", X0 + 200, Y0) + ["A choir"],
            asset_row("Bingo Night", "Bingo", X0 + 300, Y0) + [""]]
    result = workspace.import_assets(write_csv(tmp_path / "l.csv", HEADER, rows), dry_run=True)
    assert result.columns["category"] == "Type" and result.not_category is None
    assert ("categories are read from column 'Type': 2 of the 4 filled cells name a need category; to use "
            "another column, pass --map category=COLUMN") in result.notes
    assert set(result.unknown_words) == {"Other", "Bingo"}


def test_unknown_words_that_may_be_needs_stay_for_the_planner(tmp_path, workspace):
    rows = [asset_row(n, w, X0 + 100 * i, Y0) + [""] for i, (n, w) in
            enumerate([("Crafty Fridays", "Crafternoon"), ("Bingo", "Bingo"), ("Knit", "Knit and natter")])]
    result = workspace.import_assets(write_csv(tmp_path / "l.csv", HEADER, rows), dry_run=True)
    assert result.columns["category"] == "Type" and result.not_category is None
    assert set(result.unknown_words) == {"Crafternoon", "Bingo", "Knit and natter"}


def test_a_column_of_sentences_becomes_the_description(tmp_path, workspace):
    rows = [asset_row("Group A", "We run a weekly walking group for anyone in the area", X0, Y0),
            asset_row("Group B", "Our volunteers offer befriending to people living alone", X0 + 100, Y0)]
    path = write_csv(tmp_path / "l.csv", ["Name", "Activities", "Latitude", "Longitude"], rows)
    # "Activities" is taken as the category column by its header when there is no other.
    result = workspace.import_assets(path, use_inferred=True, dry_run=True)
    assert result.not_category == "Activities" and result.columns["description"] == "Activities"
    assert "its values are sentences, none a need category" in next(n for n in result.notes if "Activities" in n)
    assert list(result.assets["categories"]) == ["physical_activity", "loneliness_isolation"]


def test_inspect_shows_the_same_choice_and_reason(tmp_path):
    path = legal_forms_csv(tmp_path)
    r = CliRunner().invoke(app, ["inspect", str(path), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    assert "column 'Type' is not used for categories: its values are legal forms" in r.stdout
    assert "to use 'Type' anyway, pass --map category='Type'" in r.stdout.replace("\n", " ")


def test_an_import_in_chunks_keeps_the_first_chunks_choice(tmp_path, workspace):
    result = workspace.import_assets(legal_forms_csv(tmp_path), chunk_rows=2, use_inferred=True, dry_run=True)
    assert result.not_category == "Type" and result.unknown_words == {}
    # One account of the category column: the first chunk's refusal, not "no category column" from the others.
    assert sum("is not used for categories" in n for n in result.notes) == 1
    assert not any(n.startswith("no category column found") for n in result.notes)
    assert list(result.assets["categories"]) == ["carers", "arts_culture", "nature_green_space",
                                                 "loneliness_isolation;older_people_independence", ""]


# ------------------------------------------------------------ suggestions reviewed in one step
def test_the_summary_shows_suggestions_with_examples_and_no_inferred_turns_them_off(tmp_path):
    path, ws = legal_forms_csv(tmp_path), str(tmp_path / "ws.gpkg")
    r = CliRunner().invoke(app, ["import", str(path), "-w", ws])
    assert r.exit_code == 0, r.stderr
    assert "4 rows without a category in their category cell have categories suggested" in r.stderr
    assert "  Carers: 1 rows, e.g. row 2 'Sale Carers Centre' (unpaid carers)" in r.stderr
    assert "  Arts and culture: 1 rows, e.g. row 3 'Altrincham Singers' (choir, singing, music)" in r.stderr
    assert "of which categorised from their text (inferred)" in r.stderr
    off = CliRunner().invoke(app, ["import", str(path), "--no-inferred", "-w", ws])
    assert off.exit_code == 0, off.stderr
    assert "3 use them" not in off.stderr and "--no-inferred: none is used" in off.stderr
    assert "with suggestions from their text not used (--use-inferred uses them)" in off.stderr


def test_category_map_round_trip_makes_suggestions_the_planners_decisions(tmp_path, workspace, monkeypatch):
    # Every suggestion is used by default here, whatever the calibrated threshold.
    monkeypatch.setattr("asset_map.inputs.categorising.DEFAULT_USE_CONFIDENCE", 0.0)
    path, saved = legal_forms_csv(tmp_path), tmp_path / "decide.csv"
    r = CliRunner().invoke(app, ["import", str(path), "--save-category-map", str(saved),
                                 "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    with open(saved, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Every row without a category cell, its suggestions pre-filled with their evidence and the confidence of
    # the first (the inference's own figure: it is calibrated on labelled rows, so it is read, not written here).
    def confidence(name, text):
        return f"{infer_categories([name, text], load_taxonomy())[0].confidence:.2f}"

    assert [(w["row"], w["name"], w["suggestion"], w["confidence"], w["evidence"]) for w in rows] == [
        ("2", "Sale Carers Centre", "Carers", confidence("Sale Carers Centre", "unpaid carers"),
         "Carers: unpaid carers"),
        ("3", "Altrincham Singers", "Arts and culture",
         confidence("Altrincham Singers", "A community choir singing music of all kinds"),
         "Arts and culture: choir, singing, music"),
        ("4", "Friends of Stamford Park", "Nature and green space",
         confidence("Friends of Stamford Park", "Volunteers caring for the park"),
         "Nature and green space: Friends of Stamford Park"),
        ("5", "Urmston Tuesday Group", "Loneliness and social isolation; Older people's independence",
         confidence("Urmston Tuesday Group", "A hot lunch club for older people"),
         "Loneliness and social isolation: lunch club; Older people's independence: older people"),
        ("6", "Davyhulme Fund", "", "", ""),
    ]
    # The category column is pre-filled with the suggestions the import used (here all of them).
    assert [w["category"] for w in rows] == [w["suggestion"] for w in rows]
    assert rows[0]["text"] == "Sale Carers Centre \u2014 Information and support for unpaid carers"
    # The planner accepts two, turns one down, writes in one (the suggestion it had) and leaves one.
    decided = {"Altrincham Singers": "ignore", "Friends of Stamford Park": "nature_green_space"}
    for w in rows:
        w["category"] = decided.get(w["name"], w["category"])
    with open(saved, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again = workspace.import_assets(path, category_map=saved).assets.set_index("name")
    assert dict(again["categories"]) == {
        "Sale Carers Centre": "carers", "Altrincham Singers": "", "Friends of Stamford Park": "nature_green_space",
        "Urmston Tuesday Group": "loneliness_isolation;older_people_independence", "Davyhulme Fund": ""}
    assert dict(again["category_source"]) == {
        "Sale Carers Centre": "category map", "Altrincham Singers": "category map",
        "Friends of Stamford Park": "category map", "Urmston Tuesday Group": "category map", "Davyhulme Fund": ""}
    # Saving again keeps every decision, with the evidence beside it.
    resaved = tmp_path / "again.csv"
    r = CliRunner().invoke(app, ["inspect", str(path), "--category-map", str(saved), "--save-category-map",
                                 str(resaved), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    with open(resaved, encoding="utf-8-sig", newline="") as fh:
        kept = {w["name"]: (w["category"], w["evidence"]) for w in csv.DictReader(fh)}
    assert kept["Altrincham Singers"] == ("ignore", "Arts and culture: choir, singing, music")
    assert kept["Friends of Stamford Park"] == ("nature_green_space", "Nature and green space: Friends of Stamford Park")
    assert len(kept) == 5


def test_a_row_decision_is_not_applied_to_a_row_whose_name_changed(tmp_path, workspace):
    path = legal_forms_csv(tmp_path)
    saved = tmp_path / "m.csv"
    saved.write_text("word,row,name,category\n,4,Friends of Stamford Park,Nature and green space\n"
                     ",5,Someone Else,Carers\n", encoding="utf-8")
    got = workspace.import_assets(path, category_map=saved, dry_run=True).assets.set_index("name")
    assert got.loc["Friends of Stamford Park", "categories"] == "nature_green_space"
    # Row 5 is "Urmston Tuesday Group" now: the decision is not applied, its suggestions are, and the import
    # says so.
    result = workspace.import_assets(path, category_map=saved, dry_run=True)
    assert result.assets.set_index("name").loc["Urmston Tuesday Group", "category_source"] == "inferred"
    assert ("1 row decision of the category map was not applied because the row has another name in this list: "
            "row 5 ('Someone Else' in the map, 'Urmston Tuesday Group' here); save the map again from this list "
            "(--save-category-map) and decide those rows") in result.notes


def test_a_row_decision_without_a_name_is_one_line_naming_row_and_column(tmp_path):
    path = legal_forms_csv(tmp_path)
    bad = tmp_path / "m.csv"
    bad.write_text("word,row,name,category\n,4,,Carers\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["import", str(path), "--category-map", str(bad), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == [
        "Error: m.csv, row 2, column 'name': empty; give the name of the asset on row 4 of the list (so the "
        "decision is not applied to another row if the list changes)"]


# ------------------------------------------------------------ the next step
def test_most_rows_rejected_for_one_reason_ends_with_the_fix(tmp_path):
    rows = [[f"Club {i}", "carers", "", "", f"M32 0T{c}"] for i, c in enumerate("ABC")]
    rows.append(["Club 9", "carers", "", "", "not a postcode"])
    path = write_csv(tmp_path / "clubs.csv", ["Name", "Category", "Latitude", "Longitude", "Postcode"], rows)
    ws = str(tmp_path / "ws.gpkg")
    r = CliRunner().invoke(app, ["import", str(path), "-w", ws])
    assert r.exit_code == 0, r.stderr
    # No lookup loaded: 3 of 4 rows rejected for it (the fourth for its malformed postcode).
    assert r.stderr.strip().splitlines()[-1] == (
        "Next step: 3 of 4 rows were rejected (no postcode lookup loaded): load a postcode lookup: "
        f"`asset-map postcodes load FILE`, then import {path} again.")


def test_most_rows_without_a_category_ends_with_the_category_map(tmp_path):
    rows = [asset_row(f"Group {i}", "", X0 + 10 * i, Y0) + ["Meets on Tuesdays"] for i in range(3)]
    path = write_csv(tmp_path / "l.csv", HEADER, rows)
    r = CliRunner().invoke(app, ["import", str(path), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        f"Next step: 3 of 3 rows imported have no category: `asset-map inspect {path} --save-category-map "
        "categories.csv` lists them (and the unknown category words) with their suggestions; fill in the category "
        "column in Excel and import with --category-map categories.csv.")


def test_no_next_step_when_most_rows_are_fine(tmp_path):
    path = legal_forms_csv(tmp_path)  # 3 of 5 categorised, none rejected
    r = CliRunner().invoke(app, ["import", str(path), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    assert "Next step" not in r.stderr
    off = CliRunner().invoke(app, ["import", str(path), "--no-inferred", "-w", str(tmp_path / "ws.gpkg")])
    assert off.stderr.strip().splitlines()[-1] == (
        f"Next step: 5 of 5 rows imported have no category, 4 of them with suggestions that were not used: "
        f"`asset-map import {path} --use-inferred` uses every suggestion (marked inferred).")


@pytest.mark.parametrize("body,message", [
    (",four,Sale Carers Centre,Carers\n",
     "m.csv, row 2, column 'row': 'four' is not a row number; give the list's row number (as the import reports "
     "it) or leave 'row' empty and give a word"),
    (",2,Sale Carers Centre,Carers\n,2,Sale Carers Centre,Dementia\n",
     "m.csv, row 3, column 'category': row 2 of the list is decided twice, as 'Carers' and 'Dementia'; keep one"),
    (",2,Sale Carers Centre,Gambling den\n",
     "m.csv, row 2, column 'category': 'Gambling den' is not a category"),
])
def test_bad_row_decisions_are_one_line_naming_row_and_column(tmp_path, body, message):
    bad = tmp_path / "m.csv"
    bad.write_text("word,row,name,category\n" + body, encoding="utf-8")
    ws = tmp_path / "ws.gpkg"
    r = CliRunner().invoke(app, ["import", str(legal_forms_csv(tmp_path)), "--category-map", str(bad), "-w", str(ws)])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: " + message)
    assert not ws.exists()


def test_another_reject_reason_is_named_with_its_first_row(tmp_path):
    rows = [[f"Club {i}", "carers", "", "", "not a postcode"] for i in range(3)]
    path = write_csv(tmp_path / "clubs.csv", ["Name", "Category", "Latitude", "Longitude", "Postcode"], rows)
    r = CliRunner().invoke(app, ["import", str(path), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        "Next step: 3 of 3 rows were rejected (malformed postcode); row 2: 'not a postcode' is not a valid UK "
        "postcode; correct it or give coordinates.")
