"""The command line: the workflow end to end, and one clear line for each kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asset_map.cli import app
from conftest import X0, Y0, asset_row, fingerprint, square, write_areas, write_csv, ws_exists

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result, *fragments: str) -> str:
    """The run failed with exit 1 and a single ``Error: ...`` line containing every fragment."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]


@pytest.fixture
def ws(tmp_path, two_areas, assets_csv) -> Path:
    path = tmp_path / "ws.gpkg"
    r = run("boundaries", "load", two_areas, "--code-field", "area_code", "--name-field", "area_name",
            "--population-field", "pop", "-w", path)
    assert r.exit_code == 0, r.stderr
    assert "Loaded 2 areas from areas.geojson, population 15,000" in r.stderr
    r = run("import", assets_csv, "-w", path)
    assert r.exit_code == 0, r.stderr
    return path


def test_help_lists_every_command_and_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "asset_map", "--help"], capture_output=True, text=True, check=True)
    for command in ("boundaries", "import", "gaps", "export", "rejects", "status", "taxonomy", "demo"):
        assert command in out.stdout


def test_import_reports_every_row(tmp_path, two_areas, assets_csv):
    path = tmp_path / "ws.gpkg"
    run("boundaries", "load", two_areas, "--population-field", "pop", "-w", path)
    r = run("import", assets_csv, "-w", path)
    assert r.exit_code == 0, r.stderr
    err = r.stderr
    assert "Rejected: assets.csv, row 6, column 'Latitude/Longitude': no coordinates (the cells are empty)" in err
    assert "unknown category 'Knitting circle' in 1 row(s) (7)" in err
    summary = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in err.splitlines()
               if line.count("│") == 3}
    assert summary["rows read"] == "6"
    assert summary["imported"] == "5"
    assert summary["of which outside every area (kept, flagged)"] == "1"
    assert summary["rejected (see `asset-map rejects`)"] == "1"


def test_import_before_boundaries_keeps_the_assets_for_later(tmp_path, two_areas, assets_csv):
    path = tmp_path / "ws.gpkg"
    r = run("import", assets_csv, "-w", path)
    assert r.exit_code == 0, r.stderr
    assert "no areas loaded yet" in r.stderr
    assert run("boundaries", "load", two_areas, "--population-field", "pop", "-w", path).exit_code == 0
    status = dict(line.split(": ", 1) for line in run("status", "-w", path).stdout.splitlines())
    assert status["assets"] == "5" and status["assets_outside"] == "1"


def test_gaps_for_one_area_in_each_format(ws):
    r = run("gaps", "--area", "west", "--format", "json", "-w", ws)
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert {g["area_name"] for g in data["gaps"]} == {"West"}
    carers = next(g for g in data["gaps"] if g["category_id"] == "carers")
    assert carers["assets"] == 1
    assert data["coverage_method"].startswith("uniform density")
    csv_out = run("gaps", "--area", "W01", "--category", "Befriending", "-f", "csv", "-w", ws).stdout
    rows = csv_out.strip().splitlines()
    assert len(rows) == 2 and rows[0].startswith("priority,area_code,area_name,category_id")
    assert ",W01,West,loneliness_isolation," in rows[1]
    md = run("gaps", "-f", "markdown", "--top", "3", "-w", ws).stdout
    assert md.count("\n| ") == 3 + 0 and md.startswith("| # | Area |")
    table = run("gaps", "--area", "East", "--explain", "-w", ws).stdout
    assert "East" in table and "spread evenly over each area" in " ".join(table.split())


def test_export_geojson_to_stdout_and_file(ws, tmp_path):
    r = run("export", "geojson", "-o", "-", "-w", ws)
    assert r.exit_code == 0, r.stderr
    fc = json.loads(r.stdout)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert sorted(f["properties"]["area_code"] for f in fc["features"]) == ["E01", "W01"]
    out = tmp_path / "assets.geojson"
    r = run("export", "geojson", "--layer", "assets", "-o", out, "-w", ws)
    assert r.exit_code == 0 and f"Wrote {out}" in r.stderr
    assert len(json.loads(out.read_text())["features"]) == 5


def test_rejects_status_and_taxonomy(ws, tmp_path):
    rejects = run("rejects", "-w", ws).stdout.splitlines()
    assert len(rejects) == 2 and "No Place Club" in rejects[1] and ",6," in rejects[1]
    assert run("rejects", "--source", "assets.csv", "-w", ws).stdout.splitlines() == rejects
    r = run("rejects", "--source", "nope.csv", "-w", ws)
    assert r.exit_code == 1 and "no import called 'nope.csv'; the imports are assets.csv" in r.stderr
    status = dict(line.split(": ", 1) for line in run("status", "-w", ws).stdout.splitlines())
    assert status["areas"] == "2" and status["assets"] == "5" and status["rejects"] == "1"
    shown = run("taxonomy", "show", "-w", ws).stdout.splitlines()
    assert shown[0] == "id,label,catchment_m,target_population,synonyms,capacity_unit,travel" and len(shown) == 22
    custom = tmp_path / "tax.csv"
    custom.write_text("id,label,catchment_m,target_population,synonyms\nsocial,Social,1000,all,befriending\n")
    r = run("taxonomy", "load", custom, "-w", ws)
    assert r.exit_code == 0 and "Loaded 1 categories from tax.csv" in r.stderr
    assert len(run("gaps", "-f", "csv", "-w", ws).stdout.strip().splitlines()) == 1 + 2


@pytest.mark.gpkg_only  # the demo's outputs; the stores are tested on both elsewhere
def test_demo_prints_the_example_gap_table_and_writes_the_workshop_outputs(tmp_path):
    out = tmp_path / "out"
    r = run("demo", "-w", tmp_path / "demo.gpkg", "--top", "5", "--outputs", out)
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["cards.html", "csv", "dementia.png", "gaps.gpkg", "gaps.xlsx",
                                                     "map.html"]
    assert all((out / n).stat().st_size > 1000 for n in ("dementia.png", "gaps.gpkg", "gaps.xlsx", "map.html"))
    assert len(list((out / "csv").glob("area-*.csv"))) == 6
    assert ("Eastbrook (synthetic example): 6 neighbourhoods, population 237,425; 298 asset rows read, "
            "294 imported (2 outside the borough, 2 uncategorised), 4 rejected.") in r.stderr
    assert "Eastbrook: top 5 gaps by priority" in r.stdout
    assert "Bereavement" in r.stdout


# ------------------------------------------------------------------ bad input: one line, nothing lost
def test_missing_file(ws, tmp_path):
    before = fingerprint(ws)
    one_line_error(run("import", tmp_path / "nope.csv", "-w", ws), "nope.csv", "no such file")
    assert fingerprint(ws) == before


def test_empty_file(ws, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    before = fingerprint(ws)
    one_line_error(run("import", empty, "-w", ws), "empty.csv", "empty")
    assert fingerprint(ws) == before


def test_wrong_columns(ws, tmp_path):
    bad = write_csv(tmp_path / "list.csv", ["Organisation", "Type", "Where"], [["A", "carers", "Town"]])
    before = fingerprint(ws)
    line = one_line_error(run("import", bad, "-w", ws), "list.csv", "--map")
    assert "Organisation" in line  # the columns it did find are named
    assert fingerprint(ws) == before


def test_bad_map_option(ws, assets_csv):
    before = fingerprint(ws)
    assert run("import", assets_csv, "--map", "Latitude", "-w", ws).exit_code in (1, 2)
    one_line_error(run("import", assets_csv, "--map", "latitude=Lat", "-w", ws), "Lat")
    assert fingerprint(ws) == before


def test_bad_encoding_is_read_not_garbled(ws, tmp_path):
    """A Windows-1252 file (pound sign, curly quotes) imports with its text intact."""
    path = write_csv(tmp_path / "win.csv", ["Name", "Category", "Latitude", "Longitude"],
                     [asset_row("St Mary’s £1 Lunch", "Lunch club", X0 + 100, Y0 + 100)], encoding="cp1252")
    r = run("import", path, "-w", ws)
    assert r.exit_code == 0, r.stderr
    out = json.loads(run("export", "geojson", "--layer", "assets", "-o", "-", "-w", ws).stdout)
    assert "St Mary’s £1 Lunch" in {f["properties"]["name"] for f in out["features"]}


def test_coordinates_outside_the_country_are_rejected_per_row(ws, tmp_path):
    path = write_csv(tmp_path / "far.csv", ["Name", "Category", "Latitude", "Longitude"],
                     [["Paris Club", "carers", "48.8566", "2.3522"], ["Null Island", "carers", "0", "0"],
                      asset_row("Good", "carers", X0 + 10, Y0 + 10)])
    r = run("import", path, "-w", ws)
    assert r.exit_code == 0, r.stderr
    assert ("Rejected: far.csv, row 2, column 'Latitude/Longitude': latitude 48.8566, longitude 2.3522 is "
            "outside Great Britain") in r.stderr
    assert ("Rejected: far.csv, row 3, column 'Latitude/Longitude': latitude 0, longitude 0 is a placeholder"
            in r.stderr)
    assert "imported                                      │ 1" in r.stderr


def test_unknown_category_is_a_warning_with_a_suggestion(ws, tmp_path):
    path = write_csv(tmp_path / "typo.csv", ["Name", "Category", "Latitude", "Longitude"],
                     [asset_row("A", "Befreinding", X0 + 10, Y0 + 10), asset_row("B", "Befreinding", X0 + 20, Y0 + 10)])
    r = run("import", path, "-w", ws)
    assert r.exit_code == 0
    assert ("unknown category 'Befreinding' in 2 row(s) (2, 3); closest category: Loneliness and social "
            "isolation (loneliness_isolation)") in r.stderr


def test_boundaries_errors_leave_the_workspace_as_it_was(ws, tmp_path):
    before = fingerprint(ws)
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A"}, "geometry": {"type": "Point", "coordinates": [-1.3, 52.4]}}]}))
    one_line_error(run("boundaries", "load", points, "-w", ws), "points.geojson", "polygon")
    overlapping = write_areas(tmp_path / "overlap.gpkg", [
        ("A", "A", 1, square(X0, Y0, 2000)), ("B", "B", 1, square(X0 + 1000, Y0, 2000))])
    one_line_error(run("boundaries", "load", overlapping, "-w", ws), "overlap.gpkg", "'A' and 'B' overlap")
    one_line_error(run("boundaries", "load", overlapping, "--code-field", "nope", "-w", ws),
                   "no field 'nope'", "area_code")
    assert fingerprint(ws) == before


def test_invalid_geometry_is_repaired_with_a_warning(tmp_path):
    from shapely.geometry import Polygon

    bowtie = Polygon([(X0, Y0), (X0 + 2000, Y0 + 2000), (X0 + 2000, Y0), (X0, Y0 + 2000)])
    path = write_areas(tmp_path / "bowtie.gpkg", [("A", "Bow", 100, bowtie), ("B", "Box", 100, square(X0 + 3000, Y0, 1000))])
    r = run("boundaries", "load", path, "--population-field", "pop", "-w", tmp_path / "ws.gpkg")
    assert r.exit_code == 0, r.stderr
    assert "Warning: " in r.stderr and "1 invalid" in r.stderr


def test_unknown_area_suggests_a_name(ws):
    one_line_error(run("gaps", "--area", "Wset", "-w", ws), "no area called 'Wset'", "did you mean 'West'?")


def test_unknown_category_option(ws):
    one_line_error(run("gaps", "--category", "astrology", "-w", ws), "astrology")


def test_no_workspace_yet(tmp_path):
    one_line_error(run("gaps", "-w", tmp_path / "none.gpkg"), "no areas loaded", "asset-map boundaries load")
    assert not ws_exists(tmp_path / "none.gpkg")


def test_bad_option_value_is_a_usage_error(ws):
    r = run("export", "geojson", "--layer", "roads", "-o", "-", "-w", ws)
    assert r.exit_code == 2
    r = run("gaps", "--format", "pdf", "-w", ws)
    assert r.exit_code == 2


def test_a_file_without_a_crs_needs_crs(tmp_path):
    """A Shapefile saved without its .prj: a clear error, then --crs reads it."""
    import geopandas as gpd
    from shapely.geometry import Point

    shp = tmp_path / "areas.shp"
    gpd.GeoDataFrame({"code": ["A"], "name": ["Alpha"], "pop": [100]}, geometry=[square(X0, Y0, 1000)]).to_file(shp)
    ws = tmp_path / "ws.gpkg"
    one_line_error(run("boundaries", "load", shp, "-w", ws), "areas.shp", "no coordinate reference system",
                   "--crs")
    assert not ws_exists(ws)
    one_line_error(run("boundaries", "load", shp, "--crs", "EPSG:99999", "-w", ws), "is not a coordinate system")
    r = run("boundaries", "load", shp, "--crs", "EPSG:27700", "--population-field", "pop", "-w", ws)
    assert r.exit_code == 0 and "Loaded 1 areas" in r.stderr
    pts = tmp_path / "pts.shp"
    gpd.GeoDataFrame({"name": ["Hall"], "category": ["carers"]}, geometry=[Point(X0 + 10, Y0 + 10)]).to_file(pts)
    one_line_error(run("import", pts, "-w", ws), "pts.shp", "--crs")
    r = run("import", pts, "--crs", "EPSG:27700", "-w", ws)
    assert r.exit_code == 0, r.stderr
    status = dict(line.split(": ", 1) for line in run("status", "-w", ws).stdout.splitlines())
    assert status["assets"] == "1" and status["assets_outside"] == "0"
