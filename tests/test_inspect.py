"""asset-map inspect: a dry run that shows columns, sample rows, the category mapping and every problem."""

from __future__ import annotations


from typer.testing import CliRunner

from asset_map.cli import app
from conftest import X0, Y0, asset_row, fingerprint, write_csv, ws_exists

runner = CliRunner()


def messy(tmp_path):
    rows = [asset_row(f"Club {i}", "Lunch club; Befriending", X0 + i, Y0) for i in range(3)]
    rows += [asset_row(f"Walkers {i}", "walking group", X0, Y0 + i) for i in range(2)]
    rows += [asset_row("Knit and Natter", "Knitting circle", X0, Y0)]
    rows += [[f"Nowhere {i}", "carers", "", ""] for i in range(12)]          # 12 problems, all to be listed
    rows += [["Swapped", "carers", "-1.3", "52.4"]]
    return write_csv(tmp_path / "messy.csv", ["Organisation Name", "Type of support", "Lat", "Lon"], rows)


def test_inspect_shows_everything_and_writes_nothing(tmp_path):
    path = messy(tmp_path)
    ws = tmp_path / "ws.gpkg"
    r = runner.invoke(app, ["inspect", str(path), "--map", "category=Type of support", "-w", str(ws)])
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "19 rows read; 6 would be imported and 13 rejected (19 = 6 + 13)." in out
    # Columns with the field each is used as.
    assert [ln.split()[:3] for ln in out.splitlines() if ln.strip().startswith(("Lat ", "Lon "))] == [
        ["Lat", "latitude", "7/19"], ["Lon", "longitude", "7/19"]]
    # The category mapping, most common cell first, with the unknown word and its closest category.
    mapping = out.split("Category words in 'Type of support' (4 different)")[1].split("Problems")[0]
    cat_lines = [ln for ln in mapping.splitlines() if "Lunch club; Befriending" in ln or "Knitting circle" in ln]
    assert cat_lines[0].split()[0] == "3" and "Loneliness and social isolation" in cat_lines[0]
    knit = mapping.split("Knitting circle", 1)[1]
    assert "unknown 'Knitting circle'" in knit and "(closest: Arts and" in knit
    # Every problem, not the first ten.
    problem_rows = [ln.split()[0] for ln in out.split("Problems (13 rows would be rejected)")[1].splitlines()
                    if ln.strip()[:1].isdigit()]
    assert problem_rows == [str(n) for n in range(8, 21)]
    assert "looks swapped" in out
    assert "nothing was written" in r.stderr
    assert not ws_exists(ws)


def test_inspect_leaves_an_existing_workspace_byte_for_byte(tmp_path, two_areas):
    ws = tmp_path / "ws.gpkg"
    assert runner.invoke(app, ["boundaries", "load", str(two_areas), "--population-field", "pop",
                               "-w", str(ws)]).exit_code == 0
    before = fingerprint(ws)
    r = runner.invoke(app, ["inspect", str(messy(tmp_path)), "-w", str(ws)])
    assert r.exit_code == 0, r.stderr
    assert fingerprint(ws) == before


def test_inspect_of_a_bad_file_is_one_error_line(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    r = runner.invoke(app, ["inspect", str(path), "-w", str(tmp_path / "ws.gpkg")])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "empty.csv" in lines[0]
