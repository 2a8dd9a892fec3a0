"""What-if: `asset-map gaps --add/--without` recomputes without touching the workspace."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from asset_map.cli import app
from asset_map.analysis.whatif import WhatIfError
from conftest import TRAFFORD, X0, Y0, asset_row, bng_to_lonlat, fingerprint, trafford_localities, write_csv


@pytest.fixture
def ws(layered, tmp_path):
    """West (S1 1,000, S2 3,000, S3 2,000 people) and East (S4 4,000); one befriending group near S1."""
    w = layered
    w.import_assets(write_csv(tmp_path / "a.csv", ["ID", "Name", "Category", "Latitude", "Longitude"], [
        ["G1", *asset_row("Friends", "befriending", X0 + 200, Y0 + 1000)],
    ]))
    w.load_postcodes(write_csv(tmp_path / "pc.csv", ["postcode", "easting", "northing"],
                               [["M32 0LG", str(X0 + 3000), str(Y0 + 1100)]]))
    return w


def rows(report, category="loneliness_isolation"):
    return {r.area_code: r for r in report.rows if r.category_id == category}


def test_adding_an_asset_by_lon_lat_and_by_postcode(ws):
    before_bytes = fingerprint(ws)
    lon, lat = bng_to_lonlat(X0 + 1500, Y0 + 1000)  # at S2 (3,000); S1 (1,000) is already covered by Friends
    result = ws.what_if(add=[f"Church hall;lunch club;{lon:.6f},{lat:.6f}", "Hall two;befriending;m320lg"])
    before, after = rows(result.before), rows(result.after)
    assert before["W01"].coverage == pytest.approx(1000 / 6000)
    assert after["W01"].coverage == pytest.approx(4000 / 6000) and after["W01"].assets == 2
    assert before["E01"].coverage == 0 and after["E01"].coverage == 1.0  # M32 0LG is 100 m from S4
    assert after["E01"].level == "ok" and before["E01"].level == "none"
    assert [a.located_by for a in result.added] == ["longitude,latitude", "postcode M32 0LG"]
    changed = {(c.after.area_code, c.after.category_id) for c in result.changes()}
    assert changed == {("W01", "loneliness_isolation"), ("E01", "loneliness_isolation")}
    assert fingerprint(ws) == before_bytes  # nothing written


def test_taking_an_asset_away_by_id_or_name(ws):
    for key in ("G1", "Friends"):
        after = rows(ws.what_if(without=[key]).after)
        assert after["W01"].assets == 0 and after["W01"].coverage == 0 and after["W01"].level == "none"


def test_several_categories_and_grid_references(ws):
    result = ws.what_if(add=[f"Memory and lunch;lunch club+dementia;{X0 + 3000:.0f},{Y0 + 1000:.0f}"])
    assert result.added[0].categories == ("loneliness_isolation", "dementia")
    assert result.added[0].located_by == "easting,northing"
    assert rows(result.after, "dementia")["E01"].coverage == 1.0


@pytest.mark.parametrize("spec, message", [
    ("Hall;befriending", "write it as \"name;category;postcode\" or \"name;category;lon,lat\""),
    ("Hall;befriendng;-2.3,53.4", "unknown category 'befriendng'; did you mean"),
    ("Hall;befriending;53.4,-2.3", "'53.4,-2.3' looks like latitude,longitude; give longitude first (-2.3,53.4)"),
    ("Hall;befriending;2.35,48.85", "is not in Great Britain"),
    ("Hall;befriending;SW1A 1AA", "postcode SW1A 1AA is not in the workspace's postcode lookup; give lon,lat"),
    ("Hall;befriending;the church", "'the church' is neither a postcode nor lon,lat"),
])
def test_bad_additions_say_what_to_write(ws, spec, message):
    with pytest.raises(WhatIfError) as exc:
        ws.what_if(add=[spec])
    assert message in str(exc.value) and f"--add {spec!r}" in str(exc.value)


def test_unknown_asset_to_leave_out(ws):
    with pytest.raises(WhatIfError, match=r"--without 'G2': no asset has this id or name; did you mean 'G1'\?"):
        ws.what_if(without=["G2"])


def test_cli_shows_before_and_after(ws):
    runner = CliRunner()
    r = runner.invoke(app, ["gaps", "--add", "Hall two;befriending;M32 0LG", "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "0% → 100%" in text and "none → ok" in text
    assert "Added for this calculation: Hall two (loneliness_isolation; postcode M32 0LG)" in text
    assert "the workspace is unchanged" in text
    csv_out = runner.invoke(app, ["gaps", "--without", "G1", "-f", "csv", "-w", ws.location]).stdout.splitlines()
    assert csv_out[0].startswith("area_code,area_name,category_id,category,assets_before,assets_after")
    assert csv_out[1].startswith("W01,West,loneliness_isolation,Loneliness and social isolation,1,0,")
    bad = runner.invoke(app, ["gaps", "--add", "Hall;nonsense;M32 0LG", "-w", ws.location])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: --add") and "Traceback" not in bad.stderr


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_without_west_food_bank_on_trafford(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    assets = ws.assets()
    west = assets[assets["area_code"] == "West"]["asset_id"].tolist()
    assert len(west) == 1  # West has one food bank (18.9% of its residents within 1.2 km)
    result = ws.what_if(without=west)
    food = {c.after.area_code: c for c in result.changes(categories=["food_cooking"])}
    assert food["West"].before.coverage == pytest.approx(0.189, abs=0.001)  # as FOOD_COVERAGE, test_real_trafford
    assert food["West"].after.assets == 0 and food["West"].after.coverage < food["West"].before.coverage


def test_what_if_rows_carry_findings_and_removal_by_name_counts(ws, tmp_path):
    ws.import_assets(write_csv(tmp_path / "twins.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Twin club", "dementia", X0 + 3000, Y0 + 1000),
        asset_row("Twin club", "dementia", X0 + 3100, Y0 + 1000),
    ]))
    result = ws.what_if(without=["Twin club"])
    assert result.removed == ["Twin club (2 assets of that name)"]
    after = {(r.area_code, r.category_id): r for r in result.after.rows}
    assert after[("E01", "dementia")].assets == 0
    assert after[("E01", "dementia")].finding in ("no provision", "no data?") and after[("E01", "dementia")].confidence
    from asset_map.categories.filters import AssetFilter

    with pytest.raises(WhatIfError, match="--without 'G1': this asset is already left out by the filter"):
        ws.what_if(without=["G1"], filters=AssetFilter.from_options(when=["evening"]))
