"""The interactive map: a self-contained page, tested as text and in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from asset_map.outputs.html_map import map_html
from conftest import X0, Y0, asset_row, write_csv

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
    text = map_html(ws.areas(), ws.gaps(), ws.assets(), ws.taxonomy(), title="T", data_date="2026-11-30")
    assert "data as of 2026-11-30" in text
