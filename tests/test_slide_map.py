"""Slide maps: a PNG choropleth of one category's gap levels, drawn without a display."""

from __future__ import annotations

import numpy as np
import pytest

from asset_map.errors import OutputPathError

from conftest import TRAFFORD, X0, Y0, asset_row, trafford_localities, write_csv

from asset_map.errors import TaxonomyError
from asset_map.outputs.slide_map import (
    DEFAULT_DPI, DEFAULT_SIZE, LEVEL_COLOURS, NO_DATA_COLOUR, NO_DATA_HATCH_COLOUR, draw_png, slide_figure,
)

HEADER = ["Name", "Category", "Latitude", "Longitude"]


def pixels(path) -> np.ndarray:
    """The PNG as an (height, width, 3) array of 0–255 integers."""
    import matplotlib.image as mpimg

    img = mpimg.imread(path)
    if img.dtype != np.uint8:
        img = np.rint(img * 255).astype(np.uint8)
    return img[..., :3]


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def share_of(img: np.ndarray, colour: str) -> float:
    """The share of the image's pixels that are exactly ``colour``."""
    return float(np.all(img == np.array(hex_rgb(colour), dtype=np.uint8), axis=-1).mean())


def distinct_colours(img: np.ndarray) -> int:
    return len(np.unique(img.reshape(-1, 3), axis=0))


#: The slide is drawn from what a workspace reads; the stores themselves are tested elsewhere on both.
pytestmark = pytest.mark.gpkg_only


@pytest.fixture
def ws(layered, tmp_path):
    """West has a befriending group (S1 and S2 within 800 m: ok), East has none (none)."""
    layered.import_assets(write_csv(tmp_path / "list.csv", HEADER, [
        asset_row("West Befriending", "Befriending", X0 + 1000, Y0 + 1000),
    ]))
    return layered


def test_default_png_is_a_readable_slide_with_both_levels(ws, tmp_path):
    report = ws.gaps()
    levels = {r.area_code: r.level for r in report.rows if r.category_id == "loneliness_isolation"}
    assert levels == {"W01": "ok", "E01": "none"}
    out = draw_png(report, ws.areas(), ws.taxonomy(), "befriending", tmp_path / "slide.png")
    assert out == tmp_path / "slide.png"
    img = pixels(out)
    assert img.shape[:2] == (round(DEFAULT_SIZE[1] * DEFAULT_DPI), round(DEFAULT_SIZE[0] * DEFAULT_DPI))
    assert img.shape[:2] == (1125, 2000)  # a 16:9 slide
    assert distinct_colours(img) > 50  # text, antialiasing, fills: not blank
    assert share_of(img, "#FFFFFF") < 0.9
    # Both areas are large patches of their level's colour; no area is low.
    assert share_of(img, LEVEL_COLOURS["ok"]) > 0.05
    assert share_of(img, LEVEL_COLOURS["none"]) > 0.05
    assert share_of(img, LEVEL_COLOURS["low"]) < share_of(img, LEVEL_COLOURS["none"]) / 20  # its legend swatch
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".slide.png")] == []  # no temporary left


def test_size_and_dpi_give_the_pixel_size(ws, tmp_path):
    out = draw_png(ws.gaps(category="befriending"), ws.areas(), ws.taxonomy(), "loneliness_isolation",
                   tmp_path / "small.png", size=(8, 4.5), dpi=100)
    img = pixels(out)
    assert img.shape[:2] == (450, 800)
    assert share_of(img, LEVEL_COLOURS["ok"]) > 0.05 and share_of(img, LEVEL_COLOURS["none"]) > 0.05


def test_figure_has_title_labels_legend_and_coverage_footnote(ws):
    report = ws.gaps()
    fig = slide_figure(report, ws.areas(), ws.taxonomy(), "Befriending")
    texts = [t.get_text() for t in fig.texts]
    assert texts[0] == "Loneliness and social isolation"
    assert "the share of residents within 800 m" in texts[1]
    footnote = texts[-1].replace("\n", " ")
    assert report.coverage_method in footnote
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert "West\n67%" in labels and "East\n0%" in labels
    legend = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    assert legend[0].startswith("none") and legend[0].endswith("(1)")
    assert legend[1].startswith("low") and legend[1].endswith("(0)")
    assert legend[2] == "ok (1)"
    assert fig.legends[0].get_title().get_text().startswith("Gap level")
    assert slide_figure(report, ws.areas(), ws.taxonomy(), "befriending", title="Workshop 2").texts[0].get_text() \
        == "Workshop 2"
    older = ws.taxonomy().get("older_people_independence")
    subtitle = slide_figure(report, ws.areas(), ws.taxonomy(), older).texts[1].get_text()
    assert f"the share of residents aged {older.target.code} within" in subtitle


def test_dollars_in_a_title_are_drawn_as_typed_not_as_mathtext(ws):
    """matplotlib reads ``$...$`` as mathtext; the title is drawn as plain text, exactly as typed."""
    title = "Costs $5 and $ex^2$, \\$ kept, $\\frac{a$"
    fig = slide_figure(ws.gaps(), ws.areas(), ws.taxonomy(), "befriending", title=title)
    fig.canvas.draw()  # a mathtext parse error would raise here
    drawn = fig.texts[0]
    assert drawn._preprocess_math(drawn.get_text()) == (title, False)


def test_no_data_areas_are_hatched_and_in_the_legend(layered, tmp_path):
    """East holds only uncategorised groups: any could be befriending, so nothing found there is "no data?"."""
    layered.import_assets(write_csv(tmp_path / "list.csv", HEADER, [
        asset_row("West Befriending", "Befriending", X0 + 1000, Y0 + 1000),
        *[asset_row(f"Club {i}", "Knitting circle", X0 + 2200 + 150 * i, Y0 + 300) for i in range(8)],
    ]))
    report = layered.gaps()
    east = next(r for r in report.rows if r.area_code == "E01" and r.category_id == "loneliness_isolation")
    assert east.finding == "no data?"
    out = draw_png(report, layered.areas(), layered.taxonomy(), "befriending", tmp_path / "nodata.png",
                   assets=layered.assets())
    img = pixels(out)
    assert share_of(img, NO_DATA_COLOUR) > 0.03 and share_of(img, NO_DATA_HATCH_COLOUR) > 0.002
    assert share_of(img, LEVEL_COLOURS["none"]) < 0.001  # East is not painted as a plain "none"
    fig = slide_figure(report, layered.areas(), layered.taxonomy(), "befriending", assets=layered.assets())
    legend = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    assert any(t.startswith("no data?") and t.endswith("(1)") for t in legend)
    assert legend[-1] == "Loneliness and social isolation asset (1)"  # the dot for the one befriending group
    assert "East\n0% · no data?" in [t.get_text() for t in fig.axes[0].texts]


def test_unknown_category_is_the_taxonomy_error_and_nothing_is_written(ws, tmp_path):
    with pytest.raises(TaxonomyError, match=r"unknown category 'befriendng'; did you mean"):
        draw_png(ws.gaps(), ws.areas(), ws.taxonomy(), "befriendng", tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_a_failed_drawing_leaves_the_previous_png(ws, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    out = draw_png(ws.gaps(), ws.areas(), ws.taxonomy(), "befriending", tmp_path / "slide.png")
    before = out.read_bytes()

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OutputPathError, match="slide.png: cannot be written .disk full."):
        draw_png(ws.gaps(), ws.areas(), ws.taxonomy(), "carers", out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "slide" in p.name) == ["slide.png"]


def test_the_library_import_stays_light():
    import subprocess
    import sys

    code = ("import sys, asset_map.outputs.slide_map, asset_map.outputs.gpkg_export; "
            "print(any(m.split('.')[0] in ('matplotlib', 'geopandas', 'pandas') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_real_trafford_localities(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    report = ws.gaps()
    rows = [r for r in report.rows if r.category_id == "food_cooking"]
    assert len(rows) == 4
    out = draw_png(report, ws.areas(), ws.taxonomy(), "food bank", tmp_path / "trafford.png",
                   assets=ws.assets())
    img = pixels(out)
    assert img.shape[:2] == (1125, 2000)
    assert distinct_colours(img) > 100
    for level in {r.level for r in rows if r.finding != "no data?"}:
        assert share_of(img, LEVEL_COLOURS[level]) > 0.01, level
    fig = slide_figure(report, ws.areas(), ws.taxonomy(), "food_cooking")
    labels = {t.get_text().split("\n")[0] for t in fig.axes[0].texts} - {t for t in ("1 km", "2 km", "5 km")}
    assert {r.area_name for r in rows} <= labels


# --------------------------------------------------------------------------- framed on an area, what-if

def test_png_framed_on_an_area_with_its_neighbour_faded(ws, tmp_path):
    from asset_map.outputs.slide_map import MAP_BOX

    view = ws.output_view(area="east")
    fig = slide_figure(view.report, ws.areas(), ws.taxonomy(), "befriending", view=view)
    ax = fig.axes[0]
    # East is x 2–4 km, y 0–2 km. Widened by a quarter of its 2 km side: x 1.5–4.5, y −0.5–2.5 (3 km square),
    # then stretched to the map's shape (8.8 × 5.55 in): 3 km high, 3 × 8.8 / 5.55 = 4.757 km wide.
    width = 3000 * (DEFAULT_SIZE[0] * MAP_BOX[2]) / (DEFAULT_SIZE[1] * MAP_BOX[3])
    assert width == pytest.approx(4756.76, abs=0.01)
    assert ax.get_xlim() == pytest.approx((X0 + 3000 - width / 2, X0 + 3000 + width / 2))
    assert ax.get_ylim() == pytest.approx((Y0 - 500, Y0 + 2500))
    assert fig.texts[0].get_text() == "Loneliness and social isolation: East"
    assert sorted(t.get_text() for t in ax.texts if t.get_text().startswith(("West", "East"))) == ["East\n0%",
                                                                                                   "West\n67%"]
    # East's vermilion is drawn as it is; West's sky blue ("ok") only washed out with white.
    focused = pixels(draw_png(view.report, ws.areas(), ws.taxonomy(), "befriending", tmp_path / "e.png", view=view))
    whole = pixels(draw_png(ws.gaps(), ws.areas(), ws.taxonomy(), "befriending", tmp_path / "w.png"))
    assert share_of(focused, LEVEL_COLOURS["none"]) > 0.05 and share_of(whole, LEVEL_COLOURS["none"]) > 0.05
    assert share_of(whole, LEVEL_COLOURS["ok"]) > 0.1 and share_of(focused, LEVEL_COLOURS["ok"]) < 0.001  # legend
    # The CLI frames the same way, and takes the area's top gap when no category is given.
    from typer.testing import CliRunner

    from asset_map.cli import app

    r = CliRunner().invoke(app, ["export", "png", "--area", "East", "-o", str(tmp_path / "c.png"), "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "c.png").stat().st_size > 20_000


def test_png_marks_the_what_if(ws, tmp_path):
    from asset_map.outputs.slide_focus import ADDED_COLOUR, REMOVED_COLOUR
    from conftest import bng_to_lonlat

    lon, lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    view = ws.output_view(add=[f"Church hall;befriending;{lon:.6f},{lat:.6f}"], without=["West Befriending"])
    fig = slide_figure(view.report, ws.areas(), ws.taxonomy(), "befriending", view=view)
    footnote = fig.texts[-1].get_text().replace("\n", " ")
    assert footnote.startswith("What if: + Church hall; − West Befriending")  # first: never cut for length
    assert "1 added shown as green stars, 1 taken away struck through in red" in footnote
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-2:] == ["added for this what-if (1)", "taken away in this what-if (1)"]
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "West\n0%" in labels and "East\n100%" in labels  # the figures after: the hall reaches all of East
    img = pixels(draw_png(view.report, ws.areas(), ws.taxonomy(), "befriending", tmp_path / "w.png", view=view))
    assert share_of(img, ADDED_COLOUR) > 0 and share_of(img, REMOVED_COLOUR) > 0
