"""The interactive map: a self-contained page, tested as text and in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import shapely

from asset_map.outputs.html_map import map_html
from conftest import TRAFFORD, X0, Y0, asset_row, trafford_localities, write_csv

EVIL = "<script>window.pwned = 1</script>"


@pytest.fixture
def ws(layered, tmp_path):
    """West has a befriending group and a food bank; East has nothing; one asset has a hostile name."""
    layered.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Friends", "befriending", X0 + 500, Y0 + 1000),
        asset_row("Pantry", "food bank", X0 + 1500, Y0 + 1000),
        asset_row(EVIL, "befriending", X0 + 1000, Y0 + 1800),
    ]))
    return layered


def page_data(text: str) -> dict:
    m = re.search(r'<script id="asset-map-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def test_page_is_self_contained_and_escapes_names(ws):
    text = ws.export_html(category="befriending", title="Eastbrook & friends <draft>")
    assert "<title>Eastbrook &amp; friends &lt;draft&gt;</title>" in text
    assert "window.pwned" not in text.split('id="asset-map-data"')[0]  # the hostile name is only in the data
    assert "<script>window.pwned" not in text and "\\u003cscript\\u003ewindow.pwned" in text
    data = page_data(text)
    assert EVIL in [f["properties"]["name"] for f in data["assets"]["features"]]
    assert data["first"] == "loneliness_isolation" and len(data["areas"]["features"]) == 2
    # categories with "no data?" in every area go in the drop-down's own "Not known" group, after the others
    report = ws.gaps()
    nodata_everywhere = {c for c in {r.category_id for r in report.rows}
                         if all(r.finding == "no data?" for r in report.rows if r.category_id == c)}
    assert nodata_everywhere and set(data["unknown"]) == nodata_everywhere
    assert "loneliness_isolation" not in data["unknown"] and 'unknownGroup.label = "Not known' in text
    # Leaflet is inlined: no script or stylesheet is fetched; only tiles come from the internet.
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|url\(['\"]?https?:", text)
    assert "Leaflet 1.9.4" in text
    shades = {f["properties"]["area_code"]: f["properties"]["loneliness_isolation_shade"]
              for f in data["areas"]["features"]}
    assert shades == {"W01": "low", "E01": "none"}


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed "
                                                     "(.ci/run installs them)")
@pytest.mark.gpkg_only  # the page in a browser; the stores are tested on both elsewhere
def test_map_in_headless_chromium(ws, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import Select

    page = tmp_path / "map.html"
    page.write_text(ws.export_html(category="befriending"), encoding="utf-8")
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        driver.get(page.as_uri())
        counts = driver.execute_script(
            "return [assetMap.areas.getLayers().length, assetMap.markers.getLayers().length,"
            " document.querySelectorAll('path.leaflet-interactive').length]")
        assert counts == [2, 3, 5]  # 2 area shapes and 3 markers drawn
        fills = "return assetMap.areas.getLayers().map(function (l) { return l.options.fillColor; })"
        before = driver.execute_script(fills)
        assert sorted(before) == ["#D55E00", "#F0E442"]  # befriending: East none (vermilion), West low (yellow)
        Select(driver.find_element("id", "category")).select_by_value("food_cooking")
        after = driver.execute_script(fills)
        assert after != before and driver.execute_script("return document.body.dataset.category") == "food_cooking"
        assert driver.execute_script("return window.pwned === undefined")
        # The hostile name shows as text in its popup.
        driver.execute_script("assetMap.markers.getLayers().forEach(function (m) {"
                              " if (m.feature.properties.name.indexOf('pwned') >= 0) m.openPopup(); })")
        from selenium.webdriver.support.ui import WebDriverWait

        # Shown once the popup has faded in (slow on a busy machine).
        WebDriverWait(driver, 20).until(
            lambda d: EVIL in d.find_element("css selector", ".leaflet-popup-content").text)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "tile.openstreetmap.org" not in e["message"]]  # no internet here: tiles fail, nothing else
        assert errors == []
        shot = tmp_path / "map.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()


def test_cli_export_html(ws, tmp_path):
    from typer.testing import CliRunner

    from asset_map.cli import app

    out = tmp_path / "m.html"
    r = CliRunner().invoke(app, ["export", "html", "-o", str(out), "--category", "food", "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    assert page_data(out.read_text(encoding="utf-8"))["first"] == "food_cooking"
    bad = CliRunner().invoke(app, ["export", "html", "-o", str(out), "--category", "fod", "-w", ws.location])
    assert bad.exit_code == 1 and "unknown category 'fod'" in bad.stderr


def test_map_html_is_a_library_function(ws):
    text = map_html(ws.areas(), ws.output_view(), ws.taxonomy(), title="T", data_date="2026-11-30")
    assert "data as of 2026-11-30" in text


# --------------------------------------------------------------------------- focus and what-if

def hall_add() -> str:
    """A what-if befriending group in East (x 2–4 km), 1 km from its western edge: "name;category;lon,lat"."""
    from conftest import bng_to_lonlat

    lon, lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    return f"Church hall;befriending;{lon:.6f},{lat:.6f}"


def east_opening(rows):
    """East's first gap by priority that is robust, or its first gap when none is (the fixture's case: East's
    gaps all fall outside the study area's robust top, which West's fill)."""
    gaps = [r for r in rows if r.area_code == "E01" and r.level in ("none", "low") and r.finding != "no data?"]
    assert gaps and not any(r.robust for r in gaps)
    return gaps[0]


def test_focus_opens_on_the_areas_top_robust_gap_and_labels_every_area(ws):
    import geopandas as gpd
    from shapely.geometry import Point

    top_robust = east_opening(ws.gaps().rows)
    data = page_data(ws.export_html(area="east"))  # any case
    assert data["focus"] == "E01" and data["first"] == top_robust.category_id
    # Every area carries the point its name is written at, inside the area.
    areas = ws.areas().set_index("area_code")
    for f in data["areas"]["features"]:
        lat, lon = f["properties"]["label"]
        pt = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(areas.crs).iloc[0]
        assert areas.geometry[f["properties"]["area_code"]].contains(pt)


def test_what_if_page_holds_before_and_after(ws):
    data = page_data(ws.export_html(add=[hall_add()], without=["Pantry"]))
    assert data["whatIf"] == "What if: + Church hall; − Pantry"
    east = next(f["properties"] for f in data["areas"]["features"] if f["properties"]["area_code"] == "E01")
    west = next(f["properties"] for f in data["areas"]["features"] if f["properties"]["area_code"] == "W01")
    # East had no befriending group: none before, and the hall reaches all of East's 4,000 people after.
    assert (east["loneliness_isolation_shade_before"], east["loneliness_isolation_shade"]) == ("none", "ok")
    assert (east["loneliness_isolation_assets_before"], east["loneliness_isolation_assets"]) == (0, 1)
    assert east["loneliness_isolation_coverage"] == 1.0
    # West's only food bank is taken away: all of West reached before, nobody after.
    assert (west["food_cooking_coverage_before"], west["food_cooking_coverage"]) == (1.0, 0.0)
    marks = {f["properties"]["name"]: f["properties"]["what_if"] for f in data["assets"]["features"]}
    assert marks == {"Friends": "", EVIL: "", "Pantry": "removed", "Church hall": "added"}


def chromium(size: str = "1280,800"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={size}"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed "
                                                     "(.ci/run installs them)")
@pytest.mark.gpkg_only  # the page in a browser; the stores are tested on both elsewhere
def test_focus_labels_and_what_if_switch_in_headless_chromium(ws, tmp_path):
    from selenium.webdriver.support.ui import Select

    after = ws.what_if(add=[hall_add()], without=["Pantry"], robust=True).after.rows
    top_robust = east_opening(after)
    assert top_robust.category_id == "food_cooking"  # East's top gap before, befriending, is filled by the hall
    page = tmp_path / "map.html"
    page.write_text(ws.export_html(area="East", add=[hall_add()], without=["Pantry"]), encoding="utf-8")
    whole = tmp_path / "whole.html"
    whole.write_text(ws.export_html(), encoding="utf-8")
    driver = chromium("900,900")  # square: the 4 × 2 km study area is framed by its width, East by its height
    try:
        driver.get(whole.as_uri())
        whole_zoom = driver.execute_script("return assetMap.map.getZoom()")
        driver.get(page.as_uri())
        # Focus: the map is zoomed in further than the whole study area, centred in East (x 2–4 km).
        zoom, centre_in_east, west_shown = driver.execute_script(
            "var e = assetMap.framed.getBounds(), m = assetMap.map.getBounds();"
            "var west = assetMap.areas.getLayers().filter(function (l) {"
            "  return l.feature.properties.area_code === 'W01'; })[0].getBounds();"
            "return [assetMap.map.getZoom(), e.contains(assetMap.map.getCenter()), m.contains(west)]")
        assert zoom > whole_zoom and centre_in_east and not west_shown
        styles = driver.execute_script(
            "var o = {}; assetMap.areas.getLayers().forEach(function (l) {"
            " o[l.feature.properties.area_code] = [l.options.fillOpacity, l.options.weight]; }); return o;")
        assert styles == {"E01": [0.55, 3], "W01": [0.15, 0.8]}  # West faded, East outlined
        # Every area's name is written on the map, always (not only on hover); the neighbour's fainter.
        labels = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('.area-label'),"
            " function (d) { return [d.textContent, d.classList.contains('faded')]; })")
        assert sorted(labels) == [["East", False], ["West", True]]
        # It opens on East's top robust gap, after the what-if.
        assert driver.execute_script("return document.body.dataset.category") == top_robust.category_id
        assert driver.execute_script("return document.body.dataset.phase") == "after"
        driver.execute_script("assetMap.show('loneliness_isolation')")
        fills = ("var o = {}; assetMap.areas.getLayers().forEach(function (l) {"
                 " o[l.feature.properties.area_code] = l.options.fillColor; }); return o;")
        assert driver.execute_script(fills)["E01"] == "#56B4E9"  # ok after: the hall reaches all of East
        assert len(driver.find_elements("css selector", ".struck")) == 1  # Pantry struck through
        Select(driver.find_element("id", "scenario")).select_by_value("before")
        assert driver.execute_script("return document.body.dataset.phase") == "before"
        assert driver.execute_script(fills)["E01"] == "#D55E00"  # none before
        assert len(driver.find_elements("css selector", ".struck")) == 0
        hall = ("return assetMap.markers.getLayers().filter(function (m) {"
                " return m.feature.properties.what_if === 'added'; })[0].options")
        assert driver.execute_script(hall)["opacity"] == 0  # the added hall is not there before
        assert "Before the what-if" in driver.find_element("css selector", ".legend").text
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "tile.openstreetmap.org" not in e["message"]]
        assert errors == []
    finally:
        driver.quit()


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
@pytest.mark.gpkg_only  # the page in a browser; the stores are tested on both elsewhere
def test_trafford_north_page(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    ws.import_assets(TRAFFORD / "assets" / "trafford_general_practices.geojson", categories=["gp practice"])
    data = page_data(ws.export_html(area="North"))
    assert data["focus"] == "North" and len(data["areas"]["features"]) == 4
    assert all(f["properties"]["label"] for f in data["areas"]["features"])  # every locality is labelled
    rows = ws.gaps(area="North").rows
    found = [r for r in rows if r.level in ("none", "low") and r.finding != "no data?"]
    expected = next((r for r in found if r.robust), found[0])
    assert data["first"] == expected.category_id
    # Trafford's whole-borough page opens on the borough's top real gap, not on the taxonomy's first category.
    whole = page_data(ws.export_html())
    borough = [r for r in ws.gaps().rows if r.level in ("none", "low") and r.finding != "no data?"]
    assert whole["first"] == next((r for r in borough if r.robust), borough[0]).category_id


def catchment_view(ws):
    """The workspace's view with catchments on a grid of streets every 200 m, and four small areas (two per
    area, 1 km × 2 km) over the whole study area, 0%, 20%, 60% and 100% of their befriending target unreached."""
    import dataclasses

    import geopandas as gpd
    import shapely

    from asset_map.network.isochrones import catchments_frame
    from streets import network, river_town

    view = ws.output_view()
    net = network(river_town(size=4000, step=200, river_y=-50), origin=(X0, Y0))
    frame = catchments_frame(net, view.assets, {"loneliness_isolation": (10.0, "walk", "10 min walk"),
                                                "food_cooking": (5.0, "walk", "5 min walk")})
    small = gpd.GeoDataFrame({
        "area_code": ["S1", "S2", "S3", "S4"], "area_name": ["One", "Two", "Three", "Four"],
        "loneliness_isolation_target": [1000.0] * 4, "loneliness_isolation_unreached": [0.0, 200.0, 600.0, 1000.0],
    }, geometry=[shapely.box(X0 + k * 1000, Y0, X0 + (k + 1) * 1000, Y0 + 2000) for k in range(4)], crs="EPSG:27700")
    return dataclasses.replace(view, catchments=frame, small_areas=small)


def test_page_holds_the_catchments_and_their_reach(ws):
    from shapely.geometry import shape

    from conftest import bng_to_lonlat

    view = catchment_view(ws)
    data = page_data(map_html(ws.areas(), view, ws.taxonomy(), title="t", data_date="2026-01-01"))
    # One shape per category: the union of its assets' catchments (the page stays light with many assets).
    feats = {f["properties"]["category"]: f for f in data["catchments"]["features"]}
    assert {c: (f["properties"]["reach"], f["properties"]["assets"]) for c, f in feats.items()} == {
        "loneliness_isolation": ("10 min walk", 2), "food_cooking": ("5 min walk", 1)}
    lonely = shape(feats["loneliness_isolation"]["geometry"])
    assert lonely.geom_type == "Polygon"  # Friends' and the other group's catchments overlap: one shape
    assert all(lonely.contains(shapely.Point(bng_to_lonlat(X0 + x, Y0 + y))) for x, y in ((500, 1000), (1000, 1800)))
    # Friends' 800 m reach east along y = 1,000 ends at x = 1,300 (+ 40 m), drawn to within the page's 20 m.
    from asset_map.outputs.html_map import SIMPLIFY_M

    assert lonely.contains(shapely.Point(bng_to_lonlat(X0 + 1340 - SIMPLIFY_M, Y0 + 1000)))
    assert not lonely.contains(shapely.Point(bng_to_lonlat(X0 + 1340 + SIMPLIFY_M, Y0 + 1000)))
    assert [f["properties"]["code"] for f in data["small"]["features"]] == ["S1", "S2", "S3", "S4"]
    plain = page_data(map_html(ws.areas(), ws.output_view(), ws.taxonomy(), title="t", data_date="2026-01-01"))
    assert plain["catchments"] is None and plain["small"] is None


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed "
                                                     "(.ci/run installs them)")
@pytest.mark.gpkg_only  # the page in a browser; the stores are tested on both elsewhere
def test_catchments_layer_toggles_in_headless_chromium(ws, tmp_path):
    from selenium.webdriver.support.ui import Select

    page = tmp_path / "map.html"
    page.write_text(map_html(ws.areas(), catchment_view(ws), ws.taxonomy(), title="t", data_date="2026-01-01",
                             category="loneliness_isolation"), encoding="utf-8")
    driver = chromium()
    try:
        driver.get(page.as_uri())
        shown = ("return [assetMap.map.hasLayer(assetMap.catchments), assetMap.catchments.getLayers().map("
                 "function (l) { return l.feature.properties.category; })]")
        assert driver.execute_script(shown) == [True, ["loneliness_isolation"]]
        legend = driver.find_element("css selector", ".legend")
        assert "10 min walk catchments of 2 assets" in legend.text
        # The whole study area's small areas, shaded by the share unreached: 0%, 20%, 60%, 100%.
        fills = "return assetMap.small.getLayers().map(function (l) { return l.options.fillColor; })"
        assert driver.execute_script(fills) == ["#F2F0F7", "#CBC9E2", "#756BB1", "#54278F"]
        switch = driver.find_element("id", "show-catchments")
        assert switch.is_displayed()
        switch.click()
        assert driver.execute_script(shown)[0] is False
        assert "catchments" not in driver.find_element("css selector", ".legend").text
        switch.click()
        Select(driver.find_element("id", "category")).select_by_value("food_cooking")
        assert driver.execute_script(shown) == [True, ["food_cooking"]]
        assert "5 min walk catchments of 1 asset" in driver.find_element("css selector", ".legend").text
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "tile.openstreetmap.org" not in e["message"]]
        assert errors == []
        assert driver.execute_script("return window.pwned === undefined")
    finally:
        driver.quit()
