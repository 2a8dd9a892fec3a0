"""`asset-map population check`: each area's population beside a published estimate."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import ColumnError, InputFileError, WorkspaceError
from asset_map.inputs.population_check import summary
from conftest import TRAFFORD, fingerprint, write_csv

runner = CliRunner()
WARDS = TRAFFORD / "boundaries" / "trafford_ward_generalised_2023.geojson"
LSOA = TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson"
LSOA_POP = TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv"
WARD_POP = TRAFFORD / "population" / "mid-year_2024_population_estimates_ward.csv"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def ws(tmp_path, two_areas):
    """West (W01, 10,000 people) and East (E01, 5,000)."""
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name", population_field="pop")
    return w


def estimates(tmp_path, rows):
    """An ONS wide-format file: a Persons and a Females row per (code, name, all ages)."""
    body = []
    for code, name, people in rows:
        body.append(["2024-06-30", code, name, "Ward", "Persons", people])
        body.append(["2024-06-30", code, name, "Ward", "Females", people // 2])
    return write_csv(tmp_path / "est.csv", ["period", "area_code", "area_name", "geography", "sex", "all_ages"], body)


def test_areas_beside_estimates_by_code_then_by_name(ws, tmp_path):
    # West by code; East by name (another code, other case); Z99 matches no area.
    path = estimates(tmp_path, [("W01", "West", 9_500), ("X77", " EAST ", 5_500), ("Z99", "Elsewhere", 100)])
    check = ws.check_population(path)
    rows = {r["area_name"]: r for r in check.to_dict("records")}
    west, east, other = rows["West"], rows["East"], rows["Elsewhere"]
    assert (west["ours"], west["published"], west["difference"], west["matched_by"]) == (10_000, 9_500, 500, "code")
    assert west["pct_difference"] == pytest.approx(500 / 9_500 * 100)
    assert (east["ours"], east["published"], east["difference"], east["matched_by"]) == (5_000, 5_500, -500, "name")
    assert east["pct_difference"] == pytest.approx(-500 / 5_500 * 100)
    assert other["matched_by"] == "no area" and other["area_code"] == "Z99" and other["ours"] != other["ours"]
    s = summary(check)
    assert s.compared == 2
    assert s.mean_abs_pct == pytest.approx((500 / 9_500 + 500 / 5_500) * 100 / 2)
    assert (s.worst_name, round(s.worst_pct, 2)) == ("East", -9.09)
    assert s.no_estimate == [] and s.no_area == ["Elsewhere (Z99)"]


def test_an_area_without_an_estimate_is_listed(ws, tmp_path):
    check = ws.check_population(estimates(tmp_path, [("W01", "West", 10_000)]))
    s = summary(check)
    assert s.no_estimate == ["East"] and s.compared == 1 and s.mean_abs_pct == 0
    east = check[check["area_name"] == "East"].iloc[0]
    assert east["matched_by"] == "no estimate" and pd.isna(east["published"])


def test_cli_table_csv_and_json(ws, tmp_path):
    path = estimates(tmp_path, [("W01", "West", 9_500), ("E01", "East", 5_500), ("Z99", "Elsewhere", 100)])
    before = fingerprint(ws)
    r = run("population", "check", path, "-w", ws.location)
    assert r.exit_code == 0, r.output
    assert "+500" in r.stdout and "+5.3%" in r.stdout and "-9.1%" in r.stdout and "Elsewhere" not in r.stdout
    assert "2 areas compared; mean absolute difference 7.2%; worst East (-9.1%)." in r.stderr
    assert "1 estimates match no area: Elsewhere (Z99)." in r.stderr
    r = run("population", "check", path, "--format", "csv", "-w", ws.location)
    lines = r.stdout.splitlines()
    assert lines[0] == "area_code,area_name,ours,published,difference,pct_difference,matched_by"
    assert sorted(line.rsplit(",", 2)[0] for line in lines[1:3]) == ["E01,East,5000.0,5500.0,-500.0",
                                                                     "W01,West,10000.0,9500.0,500.0"]
    assert lines[3] == "Z99,Elsewhere,,100.0,,,no area"
    r = run("population", "check", path, "--format", "json", "-w", ws.location)
    data = json.loads(r.stdout)
    assert data["compared"] == 2 and data["worst"]["area_name"] == "East"
    assert data["areas"][2] == {"area_code": "Z99", "area_name": "Elsewhere", "ours": None, "published": 100.0,
                                "difference": None, "pct_difference": None, "matched_by": "no area"}
    assert fingerprint(ws) == before  # a check changes nothing


def test_bad_estimates_are_one_line(ws, tmp_path):
    dup = write_csv(tmp_path / "dup.csv", ["area_code", "area_name", "all_ages"],
                    [["W01", "West", 1], ["W01", "West", 2]])
    with pytest.raises(InputFileError, match=r"dup.csv, row 3, column 'area_code': area code 'W01' appears more "
                                             r"than once \(also row 2\)"):
        ws.check_population(dup)
    bad = write_csv(tmp_path / "bad.csv", ["area_code", "all_ages"], [["W01", "lots"]])
    with pytest.raises(InputFileError, match=r"bad.csv, row 2, column 'all_ages': 'lots' is not a population count"):
        ws.check_population(bad)
    nototal = write_csv(tmp_path / "nototal.csv", ["area_code", "area_name"], [["W01", "West"]])
    with pytest.raises(ColumnError, match="no total population column"):
        ws.check_population(nototal)
    r = run("population", "check", bad, "-w", ws.location)
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_areas_without_population_cannot_be_checked(tmp_path, two_areas):
    w = asset_map.Workspace(tmp_path / "nopop.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name")
    with pytest.raises(WorkspaceError, match="the areas have no population to check"):
        w.check_population(estimates(tmp_path, [("W01", "West", 1)]))


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_wards_summed_from_lsoas_beside_the_ons_ward_estimates(tmp_path):
    ws = asset_map.Workspace(tmp_path / "wards.gpkg")
    ws.load_boundaries(WARDS, population_csv=LSOA_POP, small_areas=LSOA)
    check = ws.check_population(WARD_POP)
    # Independent: the ONS ward estimates (Persons) beside the workspace's ward populations.
    ons = pd.read_csv(WARD_POP)
    ons = ons[ons["sex"] == "Persons"].set_index("area_code")["all_ages"]
    ours = ws.areas().set_index("area_code")["all_ages"]
    assert len(check) == 21 and set(check["matched_by"]) == {"code"}
    for row in check.itertuples():
        assert row.published == ons[row.area_code] and row.ours == ours[row.area_code]
        assert row.difference == ours[row.area_code] - ons[row.area_code]
        assert row.pct_difference == pytest.approx((ours[row.area_code] / ons[row.area_code] - 1) * 100)
    assert check.set_index("area_name").loc["Altrincham", "published"] == 11_278
    assert check["ours"].sum() == check["published"].sum() == 241_025  # Trafford, ONS mid-2024, both ways
    s = summary(check)
    expected = (ours / ons - 1).abs().mean() * 100
    assert s.mean_abs_pct == pytest.approx(expected) and s.mean_abs_pct > 1  # LSOAs straddle wards
    # Loaded from the ward estimates themselves, every ward agrees exactly.
    ws.load_boundaries(WARDS, population_csv=WARD_POP)
    exact = summary(ws.check_population(WARD_POP))
    assert exact.compared == 21 and exact.mean_abs_pct == 0 and exact.worst_pct == 0
