"""The gap table at any width: 80 columns keep the important columns whole, pipes get plain text, the
"no data?" rows come apart from the gaps found, and the method text comes last or with --explain."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from asset_map.analysis.reasons import Wording, article
from asset_map.analysis.rows import StudyFigures
from asset_map.cli import app
from asset_map.outputs.gap_table import short_label
from asset_map.outputs.render import gaps_rich_table
from conftest import X0, Y0, asset_row, write_csv

BOX = re.compile(r"[─━│┃┏┓┗┛╭╮╰╯┡┩]")


@pytest.fixture
def ws(layered, tmp_path):
    """West and East (population layer S1–S4) with five groups; most categories have nothing anywhere."""
    layered.import_assets(write_csv(tmp_path / "groups.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Friends", "Befriending", X0 + 500, Y0 + 500),
        asset_row("Pantry", "food bank", X0 + 3000, Y0 + 1000),
        asset_row("Walkers", "walking group", X0 + 1000, Y0 + 1000),
        asset_row("Carers Hub", "befriending; carers", X0 + 2500, Y0 + 1500),
        asset_row("Painters", "arts", X0 + 1500, Y0 + 500),
        asset_row("Mystery", "", X0 + 1500, Y0 + 1500),
    ]))
    return layered


def render(report, width):
    """What a terminal ``width`` columns wide shows (as a terminal: box drawing, no colour codes)."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=True, color_system=None).print(
        gaps_rich_table(report, title="Gaps by priority", width=width, explain=False))
    return buf.getvalue()


def test_at_80_columns_the_important_columns_are_whole(ws):
    report = ws.gaps()
    found = [r for r in report.rows if r.finding != "no data?"]
    nodata = [r for r in report.rows if r.finding == "no data?"]
    assert found and nodata
    text = render(report, 80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "[magenta]" not in text and "[/]" not in text  # the Gap cell is styled, never raw markup
    header = next(line for line in lines if line.lstrip().startswith("#"))
    # target, rate and accessibility are left out (least important first) so that the rest fit whole
    assert header.split() == ["#", "Area", "Category", "Assets", "Cover", "Unreached", "Gap", "Robust"]
    # each row on one line, with its area, short category, unreached residents and gap whole
    for r in report.rows:
        row = next(line for line in lines if re.match(rf"\s*{r.priority}\s+{r.area_name}\s", line))
        assert short_label(r.category) in row and f"{r.uncovered:,.0f}" in row and r.shown_level in row
    # the gaps found, then what is not known, then why
    title = next(i for i, line in enumerate(lines) if line.startswith("Not known: no list found anything (no data?)"))
    first_nodata = next(i for i, line in enumerate(lines) if "no data?" in line and i > title)
    last_found = max(i for i, line in enumerate(lines) for r in found
                     if re.match(rf"\s*{r.priority}\s+{r.area_name}\s", line))
    assert last_found < title < first_nodata < lines.index("Why:")
    assert "How these figures are computed: add --explain." in text and "Coverage: share" not in text


def test_long_labels_are_shortened_at_80_columns_and_whole_when_wide(ws):
    assert short_label("Loneliness and social isolation") == "Loneliness"
    assert short_label("Older people's independence") == "Older people"
    assert short_label("Carers") == "Carers"
    assert short_label("Volunteering, time banks and mutual aid") == "Volunteering"
    assert short_label("Extraordinarily long single word") == "Extraordinarily…"
    report = ws.gaps()
    wide = render(report, 200)
    assert "Loneliness and social isolation" in wide and "Reason (with the study-area figure)" in wide
    assert "Why:" not in wide  # the reasons are a column


def run(*args):
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.stderr
    return r


def test_piped_output_is_plain_one_line_per_row(ws):
    report = ws.gaps()
    out = run("gaps", "-w", ws.location).stdout  # CliRunner's stdout is not a terminal
    assert not BOX.search(out) and "\t" not in out and "\x1b" not in out
    lines = out.splitlines()
    for r in report.rows:  # full labels, one line per row; one line per reason, unwrapped
        assert sum(1 for line in lines if re.match(rf"\s*{r.priority}\s+{r.area_name}\s+{re.escape(r.category)}\s",
                                                   line)) == 1
        assert sum(1 for line in lines if line == f"{r.priority:>3}. {r.reason}"
                   or line.startswith(f"{r.priority:>3}. {r.reason} Data:")) == 1
    assert lines[-1] == "How these figures are computed: add --explain."
    explained = run("gaps", "--explain", "-w", ws.location).stdout
    assert explained.index("Why:") < explained.index("Coverage: share of the target population")
    assert explained.count("Coverage: share of the target population") == 1


def test_hide_no_data_says_how_many(ws):
    report = ws.gaps()
    n = sum(r.finding == "no data?" for r in report.rows)
    out = run("gaps", "--hide-no-data", "-w", ws.location).stdout
    assert "no data?  " not in out and "Not known" not in out
    assert f'{n} rows "no data?" hidden (--hide-no-data)' in out
    r = run("gaps", "--hide-no-data", "-f", "csv", "-w", ws.location)
    assert len(r.stdout.strip().splitlines()) == 1 + len(report.rows) - n
    assert f'{n} rows "no data?" left out (--hide-no-data).' in r.stderr


def test_top_counts_the_gaps_found_and_lists_the_unknown_apart(ws):
    report = ws.gaps()
    found = [r for r in report.rows if r.finding != "no data?"]
    nodata = [r for r in report.rows if r.finding == "no data?"]
    out = run("gaps", "--top", "2", "-w", ws.location).stdout
    shown = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+(?:West|East)\s", out, re.M)]
    assert shown == [r.priority for r in found[:2]] + [r.priority for r in nodata[:2]]
    assert run("gaps", "--top", "2", "-f", "csv", "-w", ws.location).stdout.count("\n") == 3  # csv: unchanged


def test_reasons_use_an_before_a_vowel():
    assert [article(w) for w in ("older people's independence", "arts and culture", "carers", "employment",
                                 "user-led groups", "one-to-one support")] == ["an", "an", "a", "an", "a", "a"]
    study = StudyFigures("arts_culture", 10, 100_000.0, 1.0, 0.9)
    w = Wording("arts and culture", "residents", "1.6 km", "1.0 per 10,000", study)
    assert w.reason("ok", "North", 3, 0.9, 1.5) == ("90% of residents within 1.6 km of an arts and culture asset; "
                                                    "1.5 per 10,000 residents (study area 1.0 per 10,000).")


def test_what_if_at_80_columns_keeps_area_category_unreached_and_gap_whole(ws):
    import io

    from rich.console import Console

    from asset_map.outputs.render import whatif_table

    result = ws.what_if(without=["friends"], add=["Hall;befriending;" + ",".join(
        f"{v:.0f}" for v in (X0 + 3500, Y0 + 500))])
    changes = result.changes()
    assert changes
    for width in (80, 200):
        buf = io.StringIO()
        Console(file=buf, width=width, force_terminal=True, color_system=None).print(
            whatif_table(result, changes, width=width))
        lines = buf.getvalue().splitlines()
        assert max(len(line) for line in lines) <= width and not any("…" in line for line in lines)
        for c in changes:
            before, after = f"{c.before.uncovered:,.0f}", f"{c.after.uncovered:,.0f}"
            unreached = after if before == after else f"{before} → {after}"
            label = short_label(c.after.category) if width < 150 else c.after.category
            assert sum(1 for line in lines if c.after.area_name in line and label in line and unreached in line
                       and c.after.level in line) == 1
