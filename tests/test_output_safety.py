"""The one place outputs are opened (asset_map.files) and user text is made safe (asset_map.cells)."""

from __future__ import annotations

import csv
import io
import os

import pytest

from asset_map import files
from asset_map.cells import csv_text, html_text, md_escape, neutralise
from asset_map.errors import OutputPathError

pytestmark = pytest.mark.gpkg_only


@pytest.fixture
def protected(tmp_path):
    ws = tmp_path / "ws.gpkg"
    ws.write_bytes(b"workspace")
    files.protect([ws, tmp_path / "ws.gpkg-journal"], workspace=True)
    yield ws
    files._PROTECTED.clear()
    files._WORKSPACES.clear()


def test_the_workspace_and_its_journal_are_refused(protected, tmp_path):
    for target in (protected, tmp_path / "ws.gpkg-journal", tmp_path / "sub" / ".." / "ws.gpkg"):
        with pytest.raises(OutputPathError, match="that is the workspace"):
            files.write_text(target, "x")
    assert protected.read_bytes() == b"workspace"


def test_a_link_to_the_workspace_is_refused_and_a_link_elsewhere_written_through(protected, tmp_path):
    (tmp_path / "link.gpkg").symlink_to(protected)
    with pytest.raises(OutputPathError, match="that is the workspace"):
        files.write_text(tmp_path / "link.gpkg", "x")
    real = tmp_path / "real.csv"
    real.write_text("old")
    (tmp_path / "out.csv").symlink_to(real)
    files.write_text(tmp_path / "out.csv", "new")
    assert (tmp_path / "out.csv").is_symlink() and real.read_text() == "new"


def test_paths_that_cannot_be_written_say_why(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("x")
    ro = tmp_path / "ro.csv"
    ro.write_text("keep")
    ro.chmod(0o444)
    cases = {
        tmp_path / "folder": "is a folder",
        tmp_path / "afile" / "out.csv": "is a file, not a folder",
        tmp_path / ("x" * 250 + ".csv"): "too long",
        "-": "cannot go to standard output",
    }
    if os.geteuid() != 0:  # root may write anything
        cases[ro] = "is read-only"
    for path, message in cases.items():
        with pytest.raises(OutputPathError, match=message):
            files.write_text(path, "x")
    assert ro.read_text() == "keep"


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path):
    out = tmp_path / "map.png"
    out.write_bytes(b"old")

    def fail(tmp):
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        files.write_atomically(out, fail)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1"])
def test_formulas_become_text_and_numbers_stay_numbers(hostile):
    assert neutralise(hostile) == "'" + hostile
    assert neutralise(-1.5) == -1.5 and neutralise(39813) == 39813 and neutralise(float("nan")) is None
    rows = list(csv.reader(io.StringIO(csv_text(["name", "population"], [[hostile, 39813], [None, -1.5]]), newline="")))
    assert rows == [["name", "population"], ["'" + hostile, "39813"], ["", "-1.5"]]


def test_markdown_and_html_of_a_hostile_name_are_inert():
    from markdown_it import MarkdownIt

    name = "<img src=x onerror=alert(1)> a|b `code` *x*\nnext"
    table = f"| name | n |\n|---|---|\n| {md_escape(name)} | 1 |\n"
    rendered = MarkdownIt("commonmark").enable("table").render(table)
    assert "<img" not in rendered and "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert rendered.count("<td>") == 2  # the | stayed inside its cell
    assert "<code>" not in rendered and "<em>" not in rendered
    assert html_text('<b a="1">') == "&lt;b a=&quot;1&quot;&gt;"
