"""Filters: --audience, --when, --free, --verified-since restrict which assets count."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from asset_map.cli import app
from asset_map.categories.filters import AssetFilter, FilterError, parse_audience, parse_date, parse_free, parse_when
from conftest import TRAFFORD, X0, Y0, asset_row, trafford_localities, write_csv

FIX = __import__("pathlib").Path(__file__).parent / "fixtures" / "oruk"

HEADER = ["Name", "Category", "Latitude", "Longitude", "Age group", "Days and times", "Cost", "Last updated"]


@pytest.mark.parametrize("text, band", [
    ("Over 65s", "65+"), ("65+", "65+"), ("18 and over", "18+"), ("11-25", "11-25"), ("11 to 25", "11-25"),
    ("under 5s", "0-4"), ("All ages", "all"), ("Older people", "65+"), ("Adults", "18+"), ("", ""),
    ("Members", ""),
])
def test_audience_cells(text, band):
    assert parse_audience(text) == band


@pytest.mark.parametrize("text, flags", [
    ("Tuesdays 10am-12pm", ("yes", "no", "no")), ("Thursday evenings", ("no", "yes", "no")),
    ("Sat 9:00-11:00", ("yes", "no", "yes")), ("Mon 18:30-20:00", ("no", "yes", "no")),
    ("Wednesday 2-4pm", ("yes", "no", "no")), ("Fri 7pm", ("no", "yes", "no")),
    ("varies", ("", "", "")), ("", ("", "", "")),
])
def test_when_cells(text, flags):
    got = parse_when(text)
    assert (got["daytime"], got["evening"], got["weekend"]) == flags


@pytest.mark.parametrize("text, free", [("Free", "yes"), ("£0", "yes"), ("No charge", "yes"), ("£2", "no"),
                                        ("£3.50 per session", "no"), ("50p", "no"), ("donations welcome", "")])
def test_cost_cells(text, free):
    assert parse_free(text) == free


@pytest.mark.parametrize("text, iso", [("2025-03-01", "2025-03-01"), ("01/03/2025", "2025-03-01"),
                                       ("1 March 2025", "2025-03-01"), ("31/02/2025", ""), ("soon", "")])
def test_date_cells(text, iso):
    assert parse_date(text) == iso


@pytest.fixture
def ws(layered, tmp_path):
    """Four befriending groups, all at S1 (West, 1,000 people), and one at S4 (East, 4,000)."""
    def r(name, x, *rest):
        return asset_row(name, "befriending", x, Y0 + 1000) + list(rest)

    layered.import_assets(write_csv(tmp_path / "groups.csv", HEADER, [
        r("Evening club", X0 + 500, "Adults", "Thursday evenings", "Free", "2026-01-10"),
        r("Coffee morning", X0 + 500, "Over 65s", "Tuesdays 10am-12pm", "£2", "01/03/2023"),
        r("Drop-in", X0 + 500, "", "", "", ""),
        r("Youth night", X0 + 3000, "11-18", "Fri 7pm", "Free", "2025-09-01"),
    ]))
    return layered


def lonely(report):
    return {r.area_code: r for r in report.rows if r.category_id == "loneliness_isolation"}


def test_imported_columns(ws):
    a = ws.assets().set_index("name")
    assert a.loc["Evening club", ["audience", "evening", "daytime", "free", "last_verified"]].tolist() == [
        "18+", "yes", "no", "yes", "2026-01-10"]
    assert a.loc["Drop-in", ["audience", "evening", "free", "last_verified"]].tolist() == ["", "", "", ""]


def test_when_evening_counts_only_evening_groups(ws):
    report = ws.gaps(filters=AssetFilter.from_options(when=["evening"]))
    rows = lonely(report)
    assert rows["W01"].assets == 1 and rows["E01"].assets == 1  # Evening club; Youth night
    assert report.notes[0] == ("counting only assets running in the evening: 2 kept, 2 left out "
                               "(1 not evening, 1 unknown times); 1 of them because their list does not say")


def test_free_and_verified_since(ws):
    rows = lonely(ws.gaps(filters=AssetFilter.from_options(free=True)))
    assert (rows["W01"].assets, rows["E01"].assets) == (1, 1)
    rows = lonely(ws.gaps(filters=AssetFilter.from_options(verified_since="2025-06-01")))
    assert (rows["W01"].assets, rows["E01"].assets) == (1, 1)  # Evening club, Youth night
    rows = lonely(ws.gaps(filters=AssetFilter.from_options(free=True, when=["daytime"])))
    assert (rows["W01"].assets, rows["E01"].assets) == (0, 0)
    assert rows["W01"].coverage == 0


def test_audience_filters_assets_and_sets_the_target(ws):
    report = ws.gaps(filters=AssetFilter.from_options(audience="65+"))
    rows = lonely(report)
    # Evening club (18+) and Coffee morning (65+) overlap 65+; Youth night (11-18) does not; Drop-in is unknown.
    assert rows["W01"].assets == 2 and rows["E01"].assets == 0
    assert rows["W01"].target == "aged 65+" and rows["W01"].target_population == 1000  # S1 100 + S2 600 + S3 300
    assert rows["W01"].coverage == pytest.approx(100 / 1000)  # only S1 is within 800 m


def test_bad_filter_options():
    with pytest.raises(FilterError, match=r"--when 'night': choose daytime, evening or weekend"):
        AssetFilter.from_options(when=["night"])
    with pytest.raises(FilterError, match=r"--audience 'pensioners': write an age band such as 65\+"):
        AssetFilter.from_options(audience="pensioners")
    with pytest.raises(FilterError, match=r"--verified-since 'last year': write a date such as 2025-04-01"):
        AssetFilter.from_options(verified_since="last year")


def test_cli_filters_in_gaps_and_exports(ws, tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["gaps", "--when", "evening", "--category", "befriending", "-f", "json",
                              "-w", ws.location])
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert {g["area_code"]: g["assets"] for g in data["gaps"]} == {"W01": 1, "E01": 1}
    assert data["notes"][0].startswith("counting only assets running in the evening: 2 kept")
    geo = runner.invoke(app, ["export", "geojson", "--layer", "assets", "--free", "-o", "-", "-w", ws.location])
    assert sorted(f["properties"]["name"] for f in json.loads(geo.stdout)["features"]) == ["Evening club",
                                                                                           "Youth night"]
    areas = runner.invoke(app, ["export", "geojson", "--free", "-o", "-", "-w", ws.location])
    props = {f["properties"]["area_code"]: f["properties"] for f in json.loads(areas.stdout)["features"]}
    assert props["W01"]["loneliness_isolation_assets"] == 1
    bad = runner.invoke(app, ["gaps", "--when", "midnight", "-w", ws.location])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: --when 'midnight'")


def test_directory_cost_options():
    from asset_map.inputs.oruk import _free

    assert _free([{"amount": 0, "option": "Standard"}], None) == "yes"
    assert _free([{"amount": 3.5, "option": "Per session"}, {"amount": 2}], None) == "no"
    assert _free([{"amount": 3.5}, {"option": "Free for carers"}], None) == "yes"
    assert _free([], "No charge") == "yes" and _free([], "Please ask") == ""


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_directory_services_filter_on_their_eligibility_and_schedules(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    ws.import_assets(FIX / "csv_v3")
    note = ws.gaps(filters=AssetFilter.from_options(audience="65+")).notes[0]
    assert note.startswith("counting only assets for 65+: 3 kept, 1 left out (1 not for 65+)")
    note = ws.gaps(filters=AssetFilter.from_options(when=["weekend"])).notes[0]
    assert note.startswith("counting only assets running at the weekend: 1 kept, 3 left out (3 not weekend)")


def test_services_without_a_location_are_filtered_on_what_their_rows_say(layered, tmp_path):
    layered.import_assets(write_csv(tmp_path / "lines.csv", ["Name", "Category", "Area served", "When", "Cost"], [
        ["Evening line", "befriending", "borough-wide", "Mon-Fri 6pm-9pm", "Free"],
        ["Day line", "befriending", "borough-wide", "Weekdays 9am-5pm", "£1"],
    ]))
    kept = layered.frame("unlocated").set_index("name")
    assert kept.loc["Evening line", ["evening", "free"]].tolist() == ["yes", "yes"]
    report = layered.gaps(filters=AssetFilter.from_options(when=["evening"]))
    assert lonely(report)["E01"].served == 1 and lonely(report)["E01"].coverage == 1.0
    assert ("services without a location: 1 kept, 1 left out (1 not evening); 0 of them because their list "
            "does not say") in report.notes
    assert lonely(layered.gaps(filters=AssetFilter.from_options(free=True, when=["daytime"])))["E01"].served == 0
