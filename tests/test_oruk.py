"""Open Referral UK feeds: v1 and v3 JSON, HSDS CSV packages, mapping to assets, the counts that add up.

The fixtures in tests/fixtures/oruk are written from the published schemas
(see their README.md, which also lists the results expected here).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.categories.crosswalk import load_crosswalk
from asset_map.errors import FeedError
from asset_map.inputs.feed_import import feed_rows
from asset_map.inputs.oruk import feed_from_pages, html_to_text, looks_like_feed, read_csv_package, read_feed
from conftest import TRAFFORD, local_server, ws_exists

FIX = Path(__file__).parent / "fixtures" / "oruk"
TODAY = date(2026, 11, 22)


def pages(*names):
    return feed_from_pages([json.loads((FIX / n).read_text("utf-8")) for n in names], source="feed")


def rows(feed, **options):
    return feed_rows(feed, load_crosswalk(), today=TODAY, **options)


# ------------------------------------------------------------------ reading each form
@pytest.mark.parametrize("feed,form,counts", [
    # services read, with places, without location, inactive, unusable, service-at-location rows, stale
    (lambda: pages("v1_page1.json", "v1_page2.json"), "v1 JSON", (7, 4, 1, 2, 0, 6, 2)),
    (lambda: pages("v3_page1.json", "v3_page2.json"), "v3 JSON", (7, 3, 2, 2, 0, 5, 1)),
    (lambda: read_feed(FIX / "v1_bare_array.json"), "v1 JSON", (2, 2, 0, 0, 0, 2, 1)),
    (lambda: read_feed(FIX / "v3_single_service.json"), "v3 JSON", (1, 1, 0, 0, 0, 1, 0)),
    (lambda: read_feed(FIX / "csv_v1"), "v1 CSV", (5, 3, 1, 1, 0, 5, 2)),
    (lambda: read_feed(FIX / "csv_v3"), "v3 CSV", (5, 2, 2, 1, 0, 4, 1)),
])
def test_every_service_is_accounted_for(feed, form, counts):
    f = feed()
    assert f.form == form
    r = rows(f).report
    assert (r.services_read, r.with_places, r.without_location, r.inactive, r.unusable, r.service_rows,
            r.stale) == counts
    assert r.reconciles()


def test_a_service_at_three_venues_is_three_rows_sharing_its_id():
    r = rows(pages("v1_page1.json", "v1_page2.json"))
    frame = r.table.frame
    befriending = frame[frame["id"].str.startswith("1001@")]
    assert befriending["id"].tolist() == ["1001@2001", "1001@2002", "1001@2003"]
    # Coordinates as numbers, as strings, and a postcode only (located later through the lookup).
    assert befriending[["latitude", "longitude", "postcode"]].values.tolist() == [
        ["53.458999", "-2.287483", "M32 0TH"], ["53.425111", "-2.32", "M33 7ZF"], [None, None, "M41 0TZ"]]
    assert set(r.details["1001@2001"]) == {"service_id", "last_verified", "stale", "served_area", "served_extent", "details"}
    assert r.details["1001@2001"]["details"]["audience"] == "65+"  # 65 to 120: no upper limit in practice


def test_v1_record_without_id_is_reported_and_still_imported():
    f = pages("v1_page1.json", "v1_page2.json")
    assert [str(p) for p in f.problems] == [
        "service #7, field 'id': missing: every service needs an id; read with a made-up one"]
    assert "record-7@2008" in rows(f).table.frame["id"].tolist()


def test_v3_latitude_that_is_not_a_number_falls_back_to_the_postcode():
    f = pages("v3_page1.json", "v3_page2.json")
    assert len(f.problems) == 1
    assert "field 'latitude': 'abc' is not a number; the postcode is used instead" in str(f.problems[0])
    frame = rows(f).table.frame.set_index("name")
    assert frame.loc["Sale Men's Shed", ["latitude", "longitude", "postcode"]].tolist() == [None, None, "M33 7SR"]


def test_broken_joins_in_csv_packages_are_reported():
    for name, missing in (("csv_v1", "'2099'"), ("csv_v3", "'f9d12b5a-006a-579d-82d7-a4bec495a2af'")):
        f = read_feed(FIX / name)
        assert [p.field for p in f.problems] == ["service_at_location.location_id"]
        assert missing in f.problems[0].message


def test_terms_map_through_the_crosswalk_and_unmapped_ones_are_counted():
    r = rows(pages("v3_page1.json", "v3_page2.json"))
    cats = dict(zip(r.table.frame["name"], r.table.frame["category"]))
    assert cats["Befriending at the Church Halls"] == "loneliness_isolation;community_spaces"  # esd needs 69, 71
    assert dict(r.report.unmapped_terms) == {("localCategories", "Bingo"): 1}
    single = rows(read_feed(FIX / "v3_single_service.json"))  # vocabularies given as list URIs
    assert single.table.frame["category"].tolist() == ["carers;loneliness_isolation"]


def test_inactive_services_are_left_out_unless_asked_for():
    f = pages("v1_page1.json", "v1_page2.json")
    assert rows(f, include_inactive=True).report.inactive == 0
    assert rows(f, include_inactive=True).report.service_rows == 8  # + 1004 and 1005, one place each


def test_stale_age_is_configurable():
    f = pages("v1_page1.json", "v1_page2.json")
    # 1003 assured 2022-03-14 and 1006 never: stale at two years; at ten years only the never-assured one.
    assert rows(f).report.stale == 2
    assert rows(f, stale_days=3650).report.stale == 1


def test_audience_times_capacity_and_served_area():
    f = read_feed(FIX / "v3_single_service.json")
    s = f.services[0]
    assert s.audience == "all"
    assert s.times() == {"daytime": True, "evening": False, "weekend": False}
    assert s.capacity == "12 of 30 Places"
    details = rows(f).details
    (d,) = details.values()
    assert d["details"]["served_area"] == "E05015249"
    v1 = {s.id: s for s in pages("v1_page1.json", "v1_page2.json").services}
    assert v1["1003"].times() == {"daytime": True, "evening": False, "weekend": True}
    assert v1["1004"].times() == {"daytime": False, "evening": True, "weekend": False}
    assert (v1["1003"].audience, v1["1002"].audience) == ("0-5", "18+")


def test_html_descriptions_become_plain_text():
    assert html_to_text("<p>Songs, stories &amp; messy play.</p><p>Drop&nbsp;in,<br>no need to book.</p>") == (
        "Songs, stories & messy play.\nDrop in,\nno need to book.")
    v1 = {s.id: s for s in pages("v1_page1.json", "v1_page2.json").services}
    assert v1["1003"].description.splitlines() == [
        "Songs, stories & messy play for babies and toddlers.", "Drop in, no need to book.",
        "Parents & carers stay with their children."]


def test_what_is_a_feed():
    assert looks_like_feed(FIX / "v1_page1.json") and looks_like_feed(FIX / "csv_v3")
    assert not looks_like_feed(Path(__file__).parent.parent / "examples" / "eastbrook_assets.csv")
    boundaries = Path(__file__).parent.parent / "data" / "boundaries"
    assert not any(looks_like_feed(p) for p in boundaries.glob("*.geojson"))


@pytest.mark.parametrize("content,message", [
    ('{"type": "Topology"}', "not an Open Referral feed"),
    ('{"content": {"a": 1}}', "'content' is not a list of services"),
    ('{"contents": []}', "the feed holds no services"),
    ('{"contents": [', "line 1: not valid JSON"),
])
def test_files_that_are_not_feeds(tmp_path, content, message):
    path = tmp_path / "feed.json"
    path.write_text(content)
    with pytest.raises(FeedError, match=message):
        read_feed(path)


def test_a_csv_package_without_services(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "locations.csv").write_text("id,name\n1,Hall\n")
    with pytest.raises(FeedError, match="no services.csv"):
        read_csv_package(tmp_path / "pkg")


# ------------------------------------------------------------------ through the workspace and the CLI
@pytest.fixture
def trafford_ws(tmp_path):
    if not TRAFFORD.is_dir():
        pytest.skip("real Trafford data not beside the project")
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                       name_field="area_name")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    return ws


def test_a_zipped_v3_package_imports_with_counts_that_add_up(trafford_ws, tmp_path):
    zipped = shutil.make_archive(str(tmp_path / "directory"), "zip", FIX / "csv_v3")
    result = trafford_ws.import_assets(zipped)
    feed = result.feed
    assert (feed.services_read, feed.with_places, feed.without_location, feed.inactive) == (5, 2, 2, 1)
    assert feed.reconciles()
    assert (result.rows_read, result.imported, result.rejected) == (4, 4, 0)
    assets = trafford_ws.assets().set_index("asset_id")
    assert set(assets["service_id"]) == {"c934a8cf-10b8-575e-ab80-78d12134811b",
                                         "aa989753-9080-5f8e-98a2-660c6a170381"}
    assert (assets["located_by"] == "coordinates").sum() == 3 and (assets["located_by"] == "postcode").sum() == 1
    stay = assets[assets["name"] == "Stay and Play, Old Trafford"].iloc[0]
    assert stay["stale"] == "yes" and stay["last_verified"] == "2022-03-14"
    assert json.loads(stay["details"])["capacity"] == "0 of 15 Children"
    # Places for the accessibility measures: the maximum, shared among a service's venues (20 over 3 halls).
    assert stay["capacity"] == 15 and stay["capacity_unit"] == "children"  # the feed's unit, in standard form
    halls = assets[assets["service_id"] == "c934a8cf-10b8-575e-ab80-78d12134811b"]["capacity"]
    assert len(halls) == 3 and halls.tolist() == pytest.approx([20 / 3] * 3)
    assert set(assets[assets["service_id"] == "c934a8cf-10b8-575e-ab80-78d12134811b"]["capacity_unit"]) == {"places"}
    unlocated = trafford_ws.frame("unlocated")
    assert sorted(unlocated["name"]) == ["Flixton Bingo and Chat", "Home from Hospital Telephone Friends"]
    assert trafford_ws.status()["unlocated"] == 2


def test_cli_import_of_a_feed_reports_services(trafford_ws):
    r = CliRunner().invoke(app, ["import", str(FIX / "csv_v1"), "-w", trafford_ws.location])
    assert r.exit_code == 0, r.stderr
    assert "Problem: csv_v1, service '1004', field 'service_at_location.location_id'" in r.stderr
    assert "taxonomy term 'Bingo' (localCategories) is not in the crosswalk (1 service(s))" in r.stderr
    table = " ".join(r.stderr.split())
    for label, n in [("services read", 5), ("with a place: made into assets (one per place)", 3),
                     ("without location (virtual or postal only; kept, see status)", 1),
                     ("inactive or defunct (left out; --include-inactive)", 1), ("unusable records", 0)]:
        assert f"{label}" in table and f"│ {n} │" in table.split(label, 1)[1][:140], label


def test_hand_added_assets_go_back_as_oruk_v3_csv_and_read_again(tmp_path, trafford_ws):
    from conftest import write_csv

    trafford_ws.import_assets(FIX / "csv_v3")
    sheet = write_csv(tmp_path / "workshop.csv", ["Name", "Category", "Postcode", "Address", "Last checked"], [
        ["Partington Men's Shed", "Men's shed; older people", "M31 3HU", "Community centre", "03/11/2026"],
        ["Old Trafford Foodbank", "Food bank", "M15 4AN", "Church hall", ""],
    ])
    trafford_ws.import_assets(sheet)
    out = tmp_path / "back"
    assert trafford_ws.export_oruk(out) == 2  # the feed's own services are not sent back
    again = read_csv_package(out)
    assert again.form == "v3 CSV" and again.problems == []
    got = rows(again)
    frame = got.table.frame.set_index("name")
    assert frame.loc["Old Trafford Foodbank", "category"] == "food_cooking"
    assert frame.loc["Partington Men's Shed", "category"] == "older_people_independence"
    assert frame.loc["Old Trafford Foodbank", "postcode"] == "M15 4AN"
    # The workshop's check date goes back as the assured date; none is invented for the other.
    services = {s.name: s.last_verified for s in again.services}
    assert services == {"Partington Men's Shed": "2026-11-03", "Old Trafford Foodbank": None}
    # The same ids every time.
    first = (out / "services.csv").read_text()
    trafford_ws.export_oruk(out)
    assert (out / "services.csv").read_text() == first


# ------------------------------------------------------------------ a live API (--url), served locally
@pytest.fixture
def directory_api():
    from http.server import BaseHTTPRequestHandler
    from urllib.parse import parse_qs, urlparse

    state = {"fail_page": None, "asked": []}
    bodies = {1: (FIX / "v3_page1.json").read_bytes(), 2: (FIX / "v3_page2.json").read_bytes()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlparse(self.path)
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            state["asked"].append(page)
            status, body = (500, b'{"error": "down"}') if page == state["fail_page"] else (200, bodies[page])
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with local_server(Handler) as url:
        state["url"] = url + "/api"
        yield state


def test_import_from_a_paged_api_resumes_after_a_failing_page(tmp_path, directory_api):
    ws = tmp_path / "ws.gpkg"
    runner = CliRunner()
    directory_api["fail_page"] = 2
    r = runner.invoke(app, ["import", "--url", directory_api["url"], "-w", str(ws)])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Page 2 of 2 of the feed at ")
    assert "run the same command again to resume" in lines[0]
    assert not ws_exists(ws)  # nothing written
    directory_api["fail_page"] = None
    directory_api["asked"].clear()
    r = runner.invoke(app, ["import", "--url", directory_api["url"], "-w", str(ws)])
    assert r.exit_code == 0, r.stderr
    assert directory_api["asked"] == [2]  # page 1 came from the cache
    status = asset_map.Workspace(ws).status()
    assert (status["unlocated"], status["imports"]) == (2, 1)
    assert not (tmp_path / "ws.gpkg.feed-cache").exists()  # cleared once the import is written
    assert asset_map.Workspace(ws).imports()["path"].tolist() == [directory_api["url"]]


def test_inspect_a_feed_shows_its_problems_and_service_counts(tmp_path):
    r = CliRunner().invoke(app, ["inspect", str(FIX / "v1_page2.json"), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 0, r.stderr
    assert "Problem: v1_page2.json, service #3, field 'id': missing" in r.stderr
    assert "services read" in r.stderr and "Services in the v1 JSON feed" in r.stderr
    assert not ws_exists(tmp_path / "ws.gpkg")


def test_a_json_list_of_records_is_a_table_not_a_feed(tmp_path):
    """A feed is told by its structure: a page, or services with a feed's nested fields."""
    records = tmp_path / "practices.json"
    records.write_text(json.dumps([{"id": "P1", "name": "Practice A", "latitude": 53.4, "longitude": -2.3}]))
    assert not looks_like_feed(records)
    assert looks_like_feed(FIX / "v1_bare_array.json") and looks_like_feed(FIX / "v3_single_service.json")
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    assert looks_like_feed(broken)  # read_feed then says where the JSON breaks
