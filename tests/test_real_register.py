"""A planner's first run on Trafford's own lists: one default import of each gives usable gaps.

The localities with the LSOA population, the borough's postcode lookup, then the Charity Commission
register of charities operating in Trafford, the mental-health services list and the sports clubs, each
imported with no option, as a newcomer would; then ``gaps --area North``.
"""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from conftest import TRAFFORD

pytestmark = pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")

ASSETS = TRAFFORD / "assets"


def run(*args: str) -> str:
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.stderr
    return r.stderr + r.stdout


@pytest.fixture
def north(tmp_path):
    """The workspace after the default imports, and what each import and ``gaps --area North`` said."""
    ws = str(tmp_path / "trafford.gpkg")
    run("boundaries", "load", str(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson"),
        "--name-field", "area_name", "--population",
        str(TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv"),
        "--small-areas", str(TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson"), "-w", ws)
    run("postcodes", "load", str(TRAFFORD / "lookups" / "trafford_postcodes.csv"), "-w", ws)
    said = {name: run("import", str(ASSETS / name), "-w", ws) for name in (
        "charities_operating_in_trafford.csv", "trafford_mental_health_services.csv", "sports_clubs.geojson")}
    gaps = CliRunner().invoke(app, ["gaps", "--area", "North", "--format", "csv", "-w", ws])
    assert gaps.exit_code == 0, gaps.stderr
    return ws, said, list(csv.DictReader(io.StringIO(gaps.stdout)))


def test_the_register_category_evidence_is_its_activities(north):
    ws, said, _ = north
    out = said["charities_operating_in_trafford.csv"]
    assert "column 'charity_type' is not used for categories: its values are legal forms ('Other' 336, " \
           "'Charitable company' 180, 'CIO' 128, 'Trust' 72 ...)" in out
    assert "description='charity_activities'" in out and "category=" not in out.split("Columns: ")[1].split("\n")[0]
    assert "unknown category" not in out  # no legal form to map
    charities = asset_map.Workspace(ws).assets()
    charities = charities[charities["source"] == "charities_operating_in_trafford.csv"]
    assert len(charities) == 278
    # 173 of them have suggestions from their name and activities, 156 at or above the default confidence (the
    # figures the README gives); 58 more are recognised as bodies that are not services (PTAs, fundraising
    # groups, grant-making and property trusts).
    assert int((charities["inferred"] != "").sum()) == 173
    assert int((charities["category_source"] == "inferred").sum()) == 156
    not_services = charities["category_source"].str.startswith("not a service: ")
    assert int(not_services.sum()) == 58
    used = charities[charities["category_source"] == "inferred"]
    assert len(used) > 0 and set(charities.loc[~not_services, "category_source"]) <= {"inferred", ""}
    # Read by hand: row 382, "Provision of information, advice and support to carers living in Trafford."
    # By default carers only: information and signposting ("information, advice") is suggested below the
    # default confidence, so it stays a suggestion.
    row = charities.set_index("source_row").loc[382]
    assert (row["categories"], row["inferred"].split(" (")[0]) == ("carers", "carers")
    assert "information_signposting (information, advice)" in row["inferred"]
    # The mental-health list has no category column: its descriptions are the evidence.
    assert "no category column found: the categories are suggested from the text of 'name' and 'description'" \
        in said["trafford_mental_health_services.csv"]
    services = asset_map.Workspace(ws).assets()
    services = services[services["source"] == "trafford_mental_health_services.csv"]
    assert (len(services), int((services["inferred"] != "").sum())) == (44, 40)
    # Row 10, Relate Greater Manchester South: "One to one counselling and relationship service."
    assert "mental_wellbeing" in services.set_index("source_row").loc[10, "categories"].split(";")


def test_north_has_at_most_three_no_data_rows_and_the_run_says_what_to_do_next(north):
    _, said, rows = north
    assert len(rows) == 21
    no_data = [r["category"] for r in rows if r["finding"] == "no data?"]
    assert len(no_data) <= 3, no_data
    # Rows whose assets are mostly inferred say so, and are not of high confidence.
    young = next(r for r in rows if r["category_id"] == "young_people")
    assert int(young["assets"]) > 0 and young["confidence"] == "medium"
    assert "young people assets here categorised from their text (inferred)" in young["confidence_reason"]
    # 456 of the register's 736 rows have a valid postcode outside Trafford's lookup: kept, location unknown,
    # and the run ends with the command that places them.
    last = said["charities_operating_in_trafford.csv"].strip().splitlines()[-1]
    assert last.startswith("Next step: 456 of 736 rows have a valid postcode outside the postcode lookup's "
                           "coverage (kept, location unknown): locate them with the online postcode service: "
                           "`asset-map import ")
    assert "charities_operating_in_trafford.csv --online`" in last
    # No valid postcode is said to need a check: only the malformed one is rejected for its postcode.
    for out in said.values():
        assert "check it" not in out
    assert "Next step" not in said["sports_clubs.geojson"]  # 130 of 137 categorised by their sport, none rejected


def test_every_row_of_the_three_lists_is_imported_kept_or_rejected(north):
    ws, _, _ = north
    log = asset_map.Workspace(ws).imports().set_index("source")
    counts = {name: tuple(int(log.loc[name, c]) for c in ("rows_read", "imported", "kept_unlocated", "rejected"))
              for name in log.index}
    # Charities: 278 placed in Trafford, 456 registered beyond its postcode lookup, 1 malformed postcode
    # (WA15 OHF) and 1 with none. Mental health: 44 placed, 15 beyond the lookup (Manchester), 1 rejected.
    assert counts["charities_operating_in_trafford.csv"] == (736, 278, 456, 2)
    assert counts["trafford_mental_health_services.csv"] == (60, 44, 15, 1)
    assert counts["sports_clubs.geojson"][:2] == (137, 137)
    for read, imported, kept, rejected in counts.values():
        assert read == imported + kept + rejected


def test_the_workshop_what_if_on_north_reaches_the_map_and_the_handout(north, tmp_path):
    """The README's walk-through: in the room, a church hall lunch club (M32 0TH, in North) is added and
    Stretford's food bank, North's only food asset, is taken away."""
    from openpyxl import load_workbook

    ws, _, _ = north
    add, without = "Church hall lunch club;lunch club;M32 0TH", "STRETFORD FOODBANK"
    run("export", "xlsx", "--area", "North", "--add", add, "--without", without, "-o", str(tmp_path / "n.xlsx"),
        "-w", ws)
    book = load_workbook(tmp_path / "n.xlsx")
    assert book.sheetnames == ["Summary", "What if", "North", "Not known (no data)", "Assets", "Sources"]
    values = [[c.value for c in r] for r in book["What if"].iter_rows()]
    changes = {r[1]: dict(zip(values[0], r)) for r in values[1:]}
    assert set(changes) == {"Food and cooking", "Loneliness and social isolation"}
    food, lonely = changes["Food and cooking"], changes["Loneliness and social isolation"]
    # Without its only food asset nobody in North is within reach of one: 0%, whatever the population layer.
    assert (food["Assets before"], food["Assets after"], food["Gap before"]) == (1, 0, "low")
    assert round(food["Coverage before"], 2) == 0.18 and food["Coverage after"] == 0
    # Ranks over every area and category: it climbs from 12th to 6th.
    assert (food["Priority before"], food["Priority after"]) == (12, 6)
    assert (lonely["Assets before"], lonely["Assets after"]) == (1, 2)
    assert (round(lonely["Coverage before"], 2), round(lonely["Coverage after"], 2)) == (0.25, 0.29)
    assert ("Church hall lunch club", "what if") in [(r[1].value, r[9].value) for r in book["Assets"].iter_rows()]
    sources = [[c.value for c in r] for r in book["Sources"].iter_rows()]
    lists = {r[1]: r[4:8] for r in sources if r[0] == "asset list"}
    assert lists["charities_operating_in_trafford.csv"] == [736, 278, 456, 2]  # read, imported, kept, rejected
    assert ["what if", "STRETFORD FOODBANK", "taken away for this what-if"] in [r[:3] for r in sources]
