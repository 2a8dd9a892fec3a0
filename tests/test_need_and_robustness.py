"""Need indicators in the priority, and robust gaps."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import ColumnError, InputFileError
from asset_map.analysis.gaps import compute_gaps
from asset_map.inputs.need import read_need_csv
from asset_map.categories.taxonomy import Taxonomy
from conftest import TRAFFORD, X0, Y0, area_share_parts, asset_row, trafford_localities, write_csv

IMD_HEADER = ["LSOA code (2011)", "LSOA name (2011)", "Index of Multiple Deprivation (IMD) Score",
              "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
              "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"]


def imd_file(path, rows):
    """(code, score, rank, decile) rows in the layout of the English Indices of Deprivation 2019 file 7."""
    return write_csv(path, IMD_HEADER, [[c, f"Place {c}", s, r, d] for c, s, r, d in rows])


@pytest.fixture
def ws(layered):
    return layered


def test_reads_the_imd_file_layout(tmp_path):
    path = imd_file(tmp_path / "imd.csv", [("S1", "10.5", "30000", "9"), ("S2", "42.0", "1200", "1")])
    score = read_need_csv(path)
    assert score.name == "Index of Multiple Deprivation (IMD) Score" and score.higher_is_more_need
    assert score.values == {"S1": 10.5, "S2": 42.0}
    decile = read_need_csv(path, column=IMD_HEADER[4])
    assert not decile.higher_is_more_need and decile.values["S2"] == 1
    assert not read_need_csv(path, column=IMD_HEADER[3]).higher_is_more_need
    assert read_need_csv(path, column=IMD_HEADER[4], higher_is_more_need=True).higher_is_more_need


def test_need_index_by_hand(tmp_path):
    import numpy as np

    ind = read_need_csv(write_csv(tmp_path / "n.csv", ["code", "prevalence"], [["A", "10"], ["B", "30"]]))
    n, missing = ind.index(["A", "B", "C"], np.array([1000.0, 3000.0, 500.0]))
    # Weighted mean over the known values: (10·1000 + 30·3000) / 4000 = 25; C has no value: average.
    assert n.tolist() == pytest.approx([0.4, 1.2, 1.0]) and missing == ["C"]
    dec = read_need_csv(write_csv(tmp_path / "d.csv", ["code", "IMD decile"], [["A", "1"], ["B", "10"]]))
    n, _ = dec.index(["A", "B"], np.array([1.0, 1.0]))
    # Lower is more need: v' = 10 + 1 − v → A 10, B 1; mean 5.5.
    assert n.tolist() == pytest.approx([10 / 5.5, 1 / 5.5])


def test_need_reorders_the_priority(ws, tmp_path):
    # East's one small area (S4, 4,000 people) is the most deprived; West's are average or better.
    imd = imd_file(tmp_path / "imd.csv", [("S1", "10", "", ""), ("S2", "10", "", ""), ("S3", "10", "", ""),
                                         ("S4", "40", "", "")])
    before = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    assert before[("W01", "carers")].priority < before[("E01", "carers")].priority  # 6,000 v 4,000 unreached
    indicator = ws.load_need(imd)
    assert indicator.notes[0] == "4 of 4 small areas of the population layer have a value"
    after = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    # Mean score weighted by population: (10·6000 + 40·4000) / 10000 = 22; n = 10/22 in West, 40/22 in East.
    assert after[("W01", "carers")].need_index == pytest.approx(10 / 22)
    assert after[("E01", "carers")].need_index == pytest.approx(40 / 22)
    assert after[("E01", "carers")].priority_score == pytest.approx(4000 * 40 / 22)
    assert after[("W01", "carers")].priority_score == pytest.approx(6000 * 10 / 22)
    assert after[("E01", "carers")].priority < after[("W01", "carers")].priority
    from asset_map.outputs.render import gaps_caption

    assert "Need: need index from 'Index of Multiple Deprivation (IMD) Score'" in gaps_caption(ws.gaps())


def test_need_errors(ws, tmp_path):
    with pytest.raises(ColumnError, match=r"two.csv: cannot tell which column is the need indicator; pass --column, "
                                          r"one of: a, b"):
        read_need_csv(write_csv(tmp_path / "two.csv", ["code", "a", "b"], [["S1", "1", "2"]]))
    with pytest.raises(InputFileError, match=r"bad.csv, row 3, column 'score': 'high' is not a need value; correct it"):
        read_need_csv(write_csv(tmp_path / "bad.csv", ["code", "score"], [["S1", "1"], ["S2", "high"]] +
                                [[f"S{i}", "1"] for i in range(3, 30)]))
    with pytest.raises(InputFileError, match=r"dup.csv, row 3, column 'code': code 'S1' appears more than once"):
        read_need_csv(write_csv(tmp_path / "dup.csv", ["code", "score"], [["S1", "1"], ["S1", "2"]]))
    with pytest.raises(InputFileError, match=r"none of its 1 codes \(e.g. 'E01000001'\) is one of the 4 small areas"):
        ws.load_need(write_csv(tmp_path / "other.csv", ["code", "score"], [["E01000001", "5"]]))
    r = CliRunner().invoke(app, ["need", "load", str(tmp_path / "two.csv"), "-w", ws.location])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_cli_need_load_reports_matches(ws, tmp_path):
    imd = imd_file(tmp_path / "imd.csv", [("S1", "5", "", ""), ("S2", "50", "", ""), ("X9", "7", "", "")])
    r = CliRunner().invoke(app, ["need", "load", str(imd), "-w", ws.location])
    assert r.exit_code == 0, r.stderr
    assert "Loaded need indicator 'Index of Multiple Deprivation (IMD) Score' from imd.csv: 3 values" in r.stderr
    assert "2 of 4 small areas of the population layer have a value; the others count as average need" in r.stderr
    out = CliRunner().invoke(app, ["gaps", "--format", "json", "-w", ws.location]).stdout
    assert '"need_indicator": "Index of Multiple Deprivation (IMD) Score"' in out
    assert "no value for 2 of 4 small areas (e.g. S3); counted as average need" in out


# --------------------------------------------------------------------------- robustness
def two_category_taxonomy() -> Taxonomy:
    rows = [{"id": c, "label": c.title(), "catchment_m": "1000", "target_population": "all", "synonyms": ""}
            for c in ("alpha", "beta")]
    return Taxonomy.from_rows(rows)


def test_robust_gaps_stay_on_top_under_every_ranking(ws, tmp_path):
    # One alpha asset 900 m east of S4 (East): in reach of S4 at 1 km and 2 km, of nobody at 500 m.
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("A", "alpha", X0 + 3900, Y0 + 1000)]), categories=None)
    tax = two_category_taxonomy()
    assets = ws.table("assets")
    assets.columns["categories"] = ["alpha"]
    report = compute_gaps(ws.table("areas"), assets, tax, ws.table("population"), top=3)
    got = [(r.area_code, r.category_id, r.priority_score, r.robust, r.ranks) for r in report.rows]
    # Count at 1 km: West unreached 6,000 for both; East beta 4,000, East alpha 0.
    # At 500 m East alpha is unreached too (4,000) but ranks after East beta: same score, 'none' before 'low'.
    assert got == [
        ("W01", "alpha", 6000, True, "1"),
        ("W01", "beta", 6000, True, "2"),
        ("E01", "beta", 4000, True, "3"),
        ("E01", "alpha", 0, False, "4"),
    ]
    assert report.robustness.startswith("in the top 3 of 4 under all 6 rankings: count; count, half catchment")
    assert "access, double catchment" in report.robustness


def test_robustness_without_a_population_layer_uses_the_count_rankings(tmp_path, two_areas):
    w = asset_map.Workspace(tmp_path / "p.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name", population_field="pop")
    report = w.gaps()
    assert "under all 3 rankings: count; count, half catchment; count, double catchment" in report.robustness
    assert sum(r.robust for r in report.rows) == 5  # the top 5 of 42: nothing there, so every ranking agrees


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_robust_gaps_on_trafford_match_rankings_with_scaled_catchments(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    for name, cat in (("trafford_food_banks.geojson", "food bank"), ("sports_clubs.geojson", "sports club"),
                      ("trafford_general_practices.geojson", "gp practice"),
                      ("trafford_care_homes.geojson", "care homes")):
        ws.import_assets(TRAFFORD / "assets" / name, categories=[cat])
    report = ws.gaps()
    top = {(r.area_code, r.category_id) for r in report.rows[:9]}
    # Independent: rank with the taxonomy's catchments halved and doubled, without robustness.
    for factor in (0.5, 2.0):
        rows = [dict(r, catchment_m=str(float(r["catchment_m"]) * factor)) for r in _taxonomy_rows(ws)]
        alt = compute_gaps(ws.table("areas"), ws.table("assets"), Taxonomy.from_rows(rows),
                           ws.table("population"), robust=False)
        alt_top = {(r.area_code, r.category_id) for r in alt.rows[:9]}
        for r in report.rows:
            if r.robust:
                assert (r.area_code, r.category_id) in top & alt_top
    assert 0 < sum(r.robust for r in report.rows) <= 9
    assert all(not r.robust for r in report.rows[9:])


def _taxonomy_rows(ws):
    return ws.frame("categories").astype(str).to_dict("records")


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_need_weighted_priority_on_trafford_by_brute_force(tmp_path):
    """An indicator built from real data (the share aged 65+ in each LSOA) against a full distance matrix."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    pop = pd.read_csv(TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv")
    pop = pop[pop["sex"] == "Persons"].set_index("area_code")
    share = pop["aged_65_and_over"] / pop["all_ages"]
    indicator = write_csv(tmp_path / "older.csv", ["LSOA21CD", "share_65_plus"],
                          [[c, f"{v:.6f}"] for c, v in share.items()])
    assert ws.load_need(indicator).notes[0] == "139 of 139 small areas of the population layer have a value"
    rows = {r.area_name: r for r in ws.gaps(category="food_cooking").rows}

    lsoa = gpd.read_file(TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson").to_crs(27700)
    localities = gpd.read_file(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson")
    where = area_share_parts(lsoa, localities.to_crs(27700), "area_name")  # LSOAs split between localities: parts
    pts = gpd.GeoSeries(where["point"], crs=27700)
    people = pop.loc[where["area_code"], "all_ages"].to_numpy(dtype=float) * where["w"].to_numpy()
    v = np.array([round(x, 6) for x in share.loc[where["area_code"]]])
    n = v / ((people * v).sum() / people.sum())
    banks = gpd.read_file(TRAFFORD / "assets" / "trafford_food_banks.geojson").to_crs(27700)
    d = np.hypot(pts.x.to_numpy()[:, None] - banks.geometry.x.to_numpy()[None, :],
                 pts.y.to_numpy()[:, None] - banks.geometry.y.to_numpy()[None, :])
    unreached = ~(d <= 1200).any(axis=1)
    for name, row in rows.items():
        here = (where["area_name"] == name).to_numpy()
        assert row.need_index == pytest.approx((people[here] * n[here]).sum() / people[here].sum(), rel=1e-9)
        assert row.priority_score == pytest.approx((people[here] * unreached[here] * n[here]).sum(), rel=1e-9)
    # South is the oldest locality: its need index is above average.
    assert rows["South"].need_index > 1 > rows["North"].need_index
