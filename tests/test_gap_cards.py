"""Gap cards: one printable page per area with its top gaps, what exists there and a small map."""

from __future__ import annotations

import base64
import io
import re
import struct
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import POINTS, TRAFFORD, X0, Y0, asset_row, square, trafford_localities, write_areas, write_csv, \
    write_points

from asset_map.errors import UnknownAreaError
from asset_map.outputs.gap_cards import (
    NAMES_SHOWN, card_html, card_markdown, cards_html, cards_markdown, gap_card, image_names, is_gap, write_cards,
)
from asset_map.outputs.card_map import AREA_FILL, MAP_DPI, MAP_SIZE

HEADER = ["Name", "Category", "Latitude", "Longitude"]
HOSTILE = "<script>alert(1)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAP_PIXELS = (round(MAP_SIZE[0] * MAP_DPI), round(MAP_SIZE[1] * MAP_DPI))  # width, height


@pytest.fixture
def ws(tmp_path):
    """West & Co (W01: S1–S3, 6,000 people) and East (E01: S4, 4,000), with three assets.

    West: a befriending-and-carers group with a hostile name (800 m reaches S1 and S2) and a walking
    group. East: a food bank at x = 2.2 km, 700 m from S2 in West and 800 m from S4 in East: within
    the 1.2 km food catchment of both, so West's food coverage is S2's 3,000 of 6,000 = 50% (low)
    although it has no food asset itself.
    """
    import asset_map

    areas = write_areas(tmp_path / "areas.geojson", [
        ("W01", "West & Co", 10_000, square(X0, Y0, 2000)),
        ("E01", "East", 5_000, square(X0 + 2000, Y0, 2000)),
    ], crs="EPSG:4326")
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(areas, code_field="area_code", name_field="area_name")
    w.load_population(write_points(tmp_path / "pw.geojson", POINTS[:4]))
    w.import_assets(write_csv(tmp_path / "list.csv", HEADER, [
        asset_row(HOSTILE, "Befriending; carers", X0 + 1000, Y0 + 1000),
        asset_row("West Walkers", "Walking group", X0 + 500, Y0 + 500),
        asset_row("East Food Bank", "food bank", X0 + 2200, Y0 + 1000),
    ]))
    return w


def card_of(ws, area, **kw):
    return gap_card(ws.gaps(), ws.areas(), ws.counted_assets(), ws.taxonomy(), area,
                    data_date=ws._data_date(), **kw)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the PNG signature."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def data_uri_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(b, validate=True)
            for b in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


# --------------------------------------------------------------------------- the card's content

def test_top_gaps_are_the_areas_gap_rows_in_priority_order(ws):
    report = ws.gaps()
    for code in ("W01", "E01"):
        card = card_of(ws, code)
        mine = [r for r in report.rows if r.area_code == code
                and r.level in ("none", "low") and r.finding != "no data?"]
        assert card.gaps == mine[:5]
        # "no data?" rows are not gaps found: they are listed apart, every one of them
        assert card.unknown == [r for r in report.rows if r.area_code == code and r.finding == "no data?"]
        assert card.gaps_total == len(mine) and len(card.unknown) > 5
        assert [r.priority for r in card.gaps] == sorted(r.priority for r in card.gaps)
        assert all(r.reason and r.confidence in ("high", "medium", "low") for r in card.gaps)
        assert card.categories_measured == len([r for r in report.rows if r.area_code == code])
    everything = card_of(ws, "W01", top=100)
    assert len(everything.gaps) == everything.gaps_total
    assert all(is_gap(r) for r in everything.gaps)
    # West's befriending (S1 and S2 reached: 4,000 of 6,000) is ok, so it is not a gap on the card.
    assert "loneliness_isolation" not in {r.category_id for r in everything.gaps}
    food = next(r for r in everything.gaps if r.category_id == "food_cooking")
    assert (food.level, food.assets, round(food.coverage, 3), food.uncovered) == ("low", 0, 0.5, 3000)


def test_what_exists_counts_the_assets_located_in_the_area(ws):
    report = ws.gaps()
    assets = ws.counted_assets()
    labels = {c.id: c.label for c in ws.taxonomy()}
    for code in ("W01", "E01"):
        card = card_of(ws, code, draw_map=False)
        here = assets[assets["area_code"] == code]
        assert card.assets_total == len(here)
        for c in card.exists:
            located = [n for n, cats in zip(here["name"], here["categories"]) if c.category_id in cats.split(";")]
            assert c.count == len(located) == report.select(areas=[code], categories=[c.category_id]).rows[0].assets
            assert list(c.names) == sorted(located, key=str.casefold)[:NAMES_SHOWN]
            assert c.category == labels[c.category_id]
        with_assets = {r.category_id for r in report.rows if r.area_code == code and r.assets}
        assert {c.category_id for c in card.exists} == with_assets
    west = card_of(ws, "West & Co", draw_map=False)  # by name too
    assert west.area_code == "W01" and west.area_name == "West & Co" and west.assets_total == 2
    assert {c.category: c.names for c in west.exists} == {
        "Loneliness and social isolation": (HOSTILE,), "Physical activity": ("West Walkers",), "Carers": (HOSTILE,)}
    east = card_of(ws, "e01", draw_map=False)
    assert [(c.category, c.count) for c in east.exists] == [("Food and cooking", 1)]


def test_long_name_lists_are_cut(ws, tmp_path):
    ws.import_assets(write_csv(tmp_path / "walks.csv", HEADER, [
        asset_row(f"Walk {i}", "Walking group", X0 + 100 + 100 * i, Y0 + 300) for i in range(8)]))
    card = card_of(ws, "W01", draw_map=False)
    walks = next(c for c in card.exists if c.category_id == "physical_activity")
    assert walks.count == 9 and len(walks.names) == NAMES_SHOWN and walks.more == 9 - NAMES_SHOWN
    assert f"; and {9 - NAMES_SHOWN} more |" in card_markdown(card)


def test_unknown_area_says_did_you_mean(ws):
    with pytest.raises(UnknownAreaError, match="did you mean 'East'"):
        card_of(ws, "Eastt", draw_map=False)


def test_small_map_is_a_png_with_the_area_shaded(ws):
    card = card_of(ws, "W01")
    assert png_size(card.map_png) == MAP_PIXELS
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(card.map_png), format="png")
    img = np.rint(img[..., :3] * 255).astype(np.uint8)
    fill = np.array([int(AREA_FILL[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    share = float(np.all(img == fill, axis=-1).mean())
    assert 0.2 < share < 0.7  # the area fills much of the map, its neighbours and margin the rest


# --------------------------------------------------------------------------- Markdown

def test_markdown_page_has_the_sections_and_the_image_link(ws):
    card = card_of(ws, "W01", top=100)
    md = card_markdown(card, "card-west-co.png")
    lines = md.splitlines()
    assert lines[0] == "# West & Co: gaps and assets"
    assert f"data as of {ws._data_date()}" in lines[2]
    assert any(line.startswith("**How to read this.** Coverage is the share") for line in lines)
    assert f"## Top {card.gaps_total} of {card.gaps_total} gaps" not in md  # all listed: no "top"
    assert "## Gaps" in lines
    food = [line for line in lines if line.split(". ", 1)[-1].startswith("**Food and cooking**")]
    assert food == [f"{card.gaps.index(next(r for r in card.gaps if r.category_id == 'food_cooking')) + 1}. "
                    f"**Food and cooking**: gap low · coverage 50% · unreached 3,000 · priority "
                    f"{next(r.priority for r in card.gaps if r.category_id == 'food_cooking')} overall"]
    assert "## What exists here (2 assets located in the area)" in lines
    assert "| Physical activity | 1 | West Walkers |" in lines
    assert "![Map of West & Co](card-west-co.png)" in lines
    assert HOSTILE not in md and re.search(r"(?<!\\)<", md) is None  # every "<" from the data is backslashed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "<script" not in md
    short = card_markdown(card_of(ws, "W01"))
    assert f"## Top 5 of {card.gaps_total} gaps" not in short and "(no map)" in short  # one gap found: all shown
    # the "no data?" rows come after the gaps, in a section of their own, every one named with its priority
    head = "## Not known: nothing found, and no list loaded may cover these"
    assert short.index("## Gaps") < short.index(head) < short.index("## What exists here")
    unknown = short.split(head)[1].split("##")[0]
    assert len(card.unknown) > 5 and all(f"{r.category} (priority {r.priority})" in unknown for r in card.unknown)


def test_markdown_for_every_area(ws):
    cards = ws.gap_cards()
    assert [c.area_code for c in cards] == list(ws.areas()["area_code"])
    names = image_names(cards)
    assert sorted(names) == ["card-east.png", "card-west-co.png"]
    md = cards_markdown(cards, names)
    assert md.count(": gaps and assets\n") == 2
    assert md.count("page-break-after: always") == 1
    for name in names:
        assert f"]({name})" in md


# --------------------------------------------------------------------------- HTML

def test_html_page_per_area_escaped_with_embedded_png(ws):
    cards = ws.gap_cards()
    page = cards_html(cards)
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<section class="card"') == len(cards) == 2
    assert "@media print" in page and "page-break-after: always" in page
    assert "<script" not in page.lower()  # the hostile name is text, and the page has no script at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h1>West &amp; Co: gaps and assets</h1>" in page
    assert "West & Co" not in page
    pngs = data_uri_pngs(page)
    assert len(pngs) == 2
    assert all(png_size(p) == MAP_PIXELS for p in pngs)
    assert "http://" not in page and "https://" not in page  # self-contained
    west = next(c for c in cards if c.area_code == "W01")
    one = card_html(west)
    assert one.count('<section class="card"') == 1
    assert "<title>West &amp; Co: gaps and assets</title>" in one
    assert '<td class="n">50%</td><td class="n">3,000</td>' in card_html(card_of(ws, "W01", top=100))


def test_write_cards(ws, tmp_path):
    cards = ws.gap_cards()
    md, *pngs = write_cards(cards, tmp_path / "out" / "cards.md", "markdown")
    assert sorted(p.name for p in pngs) == ["cards-east.png", "cards-west-co.png"]
    text = md.read_text(encoding="utf-8")
    for p in pngs:
        assert f"]({p.name})" in text and png_size(p.read_bytes()) == MAP_PIXELS
    (html_path,) = write_cards(cards, tmp_path / "out" / "cards.html", "html")
    assert html_path.read_text(encoding="utf-8").count('<section class="card"') == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["cards.md", "cards.html", "cards-east.png", "cards-west-co.png"])  # no temporary left
    with pytest.raises(ValueError, match="unknown format"):
        write_cards(cards, tmp_path / "x.pdf", "pdf")


# --------------------------------------------------------------------------- real data

@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="the real Trafford data is missing")
def test_trafford_four_cards(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    ws.import_assets(TRAFFORD / "assets" / "trafford_general_practices.geojson", categories=["gp practice"])
    report = ws.gaps()
    assets = ws.counted_assets()
    cards = ws.gap_cards()
    assert len(cards) == 4
    assert {c.area_code for c in cards} == {r.area_code for r in report.rows}
    for card in cards:
        mine = [r for r in report.rows if r.area_code == card.area_code and is_gap(r)]
        assert card.gaps == mine[:5]
        counts = {r.category_id: r.assets for r in report.rows if r.area_code == card.area_code and r.assets}
        assert {c.category_id: c.count for c in card.exists} == counts
        assert card.assets_total == int((assets["area_code"] == card.area_code).sum())
        assert png_size(card.map_png) == MAP_PIXELS
    assert sum(c.assets_total for c in cards) == int(assets["area_code"].notna().sum())
    page = cards_html(cards)
    assert page.count('<section class="card"') == 4 and len(data_uri_pngs(page)) == 4
    md = cards_markdown(cards, image_names(cards))
    assert md.count(": gaps and assets\n") == 4


def test_a_card_with_no_gap_found_but_categories_not_known_says_so():
    from dataclasses import replace

    from asset_map.outputs.gap_cards import GapCard, card_markdown

    card = GapCard(area_code="W01", area_name="West", data_date="2026-12-07", gaps=[], gaps_total=0,
                   categories_measured=21, exists=[], assets_total=0, coverage_method="population-weighted",
                   population_loaded=True)
    assert "Every one of the 21 categories has reasonable provision here." in card_markdown(card)
    unknown = [SimpleNamespace(category=f"Category {n}", priority=n) for n in (3, 7)]
    page = card_markdown(replace(card, unknown=unknown))
    # Two categories are not known: the card must not say that every one is fine.
    assert "Every one of" not in page
    assert "No gap found: the 19 categories the lists cover have reasonable provision here; 2 are not known" in page
    assert "Category 3 (priority 3); Category 7 (priority 7)" in page
