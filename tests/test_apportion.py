"""Apportioning small areas that straddle areas, and the people beyond the border (`population load`)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from asset_map.errors import ColumnError
from conftest import TRAFFORD, X0, Y0, asset_row, fingerprint, square, write_areas, write_csv

runner = CliRunner()


def small_areas(path, rows):
    """(code, all_ages, aged_65_and_over, polygon in BNG) rows as a GeoJSON of small areas."""
    gdf = gpd.GeoDataFrame({"code": [r[0] for r in rows], "all_ages": [r[1] for r in rows],
                            "aged_65_and_over": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs=27700)
    gdf.to_file(path)
    return path


#: S1 lies wholly in West; S2 (1,000 people) is cut by the line x = 2 km: 600 m of its 2 km in West (30%),
#: 1,400 m in East (70%).
S1 = box(X0, Y0, X0 + 1000, Y0 + 1000)
S2 = box(X0 + 1400, Y0, X0 + 3400, Y0 + 1000)


@pytest.fixture
def ws(tmp_path):
    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(write_areas(tmp_path / "areas.geojson", [("W01", "West", 0, square(X0, Y0, 2000)),
                                                              ("E01", "East", 0, square(X0 + 2000, Y0, 2000))]),
                      code_field="area_code", name_field="area_name")
    return w


@pytest.fixture
def split_file(tmp_path):
    return small_areas(tmp_path / "sa.geojson", [("S1", 500, 100, S1), ("S2", 1000, 200, S2)])


def brute_force(polygons, people, areas, assets, catchment):
    """Written apart from asset-map: each small area cut by each area by shapely, people by area share,
    each part at its centroid; coverage and 2SFCA (capacity 1) per area from the full distance matrix."""
    parts = []  # (area, people, x, y)
    for poly, p in zip(polygons, people):
        for code, a in areas.items():
            piece = poly.intersection(a)
            if piece.area > 0:
                parts.append((code, p * piece.area / poly.area, piece.centroid.x, piece.centroid.y))
    xy = np.array([(x, y) for _, _, x, y in parts])
    pop = np.array([p for _, p, _, _ in parts])
    d = np.hypot(xy[:, None, 0] - assets[None, :, 0], xy[:, None, 1] - assets[None, :, 1])
    reach = d <= catchment
    ratio = 1 / (reach.T @ pop)
    access = reach @ ratio
    out = {}
    for code in areas:
        here = np.array([a == code for a, _, _, _ in parts])
        out[code] = (pop[here].sum(), (pop[here] * reach[here].any(axis=1)).sum() / pop[here].sum(),
                     (pop[here] * access[here]).sum() / pop[here].sum() * 10_000)
    return out


def test_a_small_area_cut_30_70_is_shared_by_area_and_measured_per_part(ws, split_file, tmp_path):
    result = ws.load_population(split_file)
    assert result.method == "area" and len(result.small_areas) == 3
    areas = ws.areas().set_index("area_code")
    assert areas.loc["W01", "all_ages"] == pytest.approx(500 + 300)
    assert areas.loc["E01", "all_ages"] == pytest.approx(700)
    assert areas.loc["W01", "aged_65_and_over"] == pytest.approx(100 + 60)
    assert areas.loc["W01", "split_population"] == pytest.approx(300)
    assert areas.loc["E01", "split_population"] == pytest.approx(700)
    assert any("1 of 2 small areas straddle areas" in w for w in result.warnings)
    # A befriending group (800 m) at x = 1 km: S1's centroid (500 m away) and S2's West part (centroid x = 1.7 km,
    # 700 m away) are in reach; S2's East part (x = 2.7 km) is not. Whole, S2 would stand at x = 2.4 km, in East.
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Friends", "befriending", X0 + 1000, Y0 + 500)]))
    report = ws.gaps(category="loneliness_isolation")
    rows = {r.area_code: r for r in report.rows}
    assert rows["W01"].coverage == pytest.approx(1.0) and rows["E01"].coverage == 0
    assert rows["W01"].access_per_10k == pytest.approx(10_000 / 800)  # the group shared by 500 + 300 people
    expected = brute_force([S1, S2], [500, 1000], {"W01": square(X0, Y0, 2000), "E01": square(X0 + 2000, Y0, 2000)},
                           np.array([[X0 + 1000, Y0 + 500]]), 800)
    for code, (people, coverage, access) in expected.items():
        assert rows[code].target_population == pytest.approx(people)
        assert rows[code].coverage == pytest.approx(coverage)
        assert rows[code].access_per_10k == pytest.approx(access)
    assert any("split between areas (1,000 people in split parts)" in n and "area share" in n for n in report.notes)


def test_the_whole_rule_stays_available(ws, split_file):
    result = ws.load_population(split_file, method="whole")
    areas = ws.areas().set_index("area_code")
    assert areas.loc["W01", "all_ages"] == 500 and areas.loc["E01", "all_ages"] == 1000  # S2's point is in East
    assert set(result.small_areas["method"]) == {"whole"} and (areas["split_population"] == 0).all()


def test_postcodes_weight_the_parts(ws, split_file, tmp_path):
    # Three live postcodes in S2's West part, one in its East part, one terminated in East.
    pcs = write_csv(tmp_path / "pc.csv", ["pcds", "oseast1m", "osnrth1m", "doterm"], [
        ["AB1 1AA", X0 + 1500, Y0 + 100, ""], ["AB1 1AB", X0 + 1600, Y0 + 200, ""],
        ["AB1 1AD", X0 + 1900, Y0 + 300, ""], ["AB1 1AE", X0 + 3000, Y0 + 500, ""],
        ["AB1 1AF", X0 + 3100, Y0 + 500, "202001"]])
    ws.load_postcodes(pcs)
    result = ws.load_population(split_file)  # auto: by postcode count, as a lookup is loaded
    assert result.method == "postcodes"
    areas = ws.areas().set_index("area_code")
    assert areas.loc["W01", "all_ages"] == pytest.approx(500 + 750)
    assert areas.loc["E01", "all_ages"] == pytest.approx(250)
    parts = result.small_areas.set_index(["code", "area_code"])
    # The West part stands at the mean of its postcodes; S1 (no postcode) falls back to area share.
    assert (parts.loc[("S2", "W01"), "x"], parts.loc[("S2", "W01"), "y"]) == pytest.approx((X0 + 5000 / 3, Y0 + 200))
    assert parts.loc[("S1", "W01"), "method"] == "area" and parts.loc[("S2", "E01"), "method"] == "postcodes"
    r = runner.invoke(app, ["population", "load", str(split_file), "--method", "area", "-w", ws.location])
    assert r.exit_code == 0 and "shared by area share" in r.stderr
    assert ws.areas().set_index("area_code").loc["E01", "all_ages"] == pytest.approx(700)


def test_a_best_fit_lookup_gives_each_small_area_one_area(ws, split_file, tmp_path):
    # The lookup's word is final, even against the geometry: S1 to East, S2 (mostly East) to West.
    lookup = write_csv(tmp_path / "lookup.csv", ["lsoa21cd", "wd22cd"], [["S1", "E01"], ["S2", "W01"]])
    result = ws.load_population(split_file, lookup=lookup)
    assert result.method == "lookup" and set(result.small_areas["method"]) == {"lookup"}
    assert ws.areas().set_index("area_code")["all_ages"].to_dict() == {"W01": 1000, "E01": 500}
    before = fingerprint(ws)
    wrong = write_csv(tmp_path / "wrong.csv", ["lsoa21cd", "wd22cd"], [["S1", "X99"]])
    with pytest.raises(ColumnError, match=r"wrong.csv: no column holds the areas' codes"):
        ws.load_population(split_file, lookup=wrong)
    assert fingerprint(ws) == before


def test_reloaded_boundaries_share_the_kept_layer_again(ws, split_file, tmp_path):
    ws.load_population(split_file)
    one = write_areas(tmp_path / "one.geojson", [("ALL", "Everywhere", 0, square(X0, Y0, 4000))])
    ws.load_boundaries(one, code_field="area_code", name_field="area_name")
    layer = ws.frame("population")
    assert sorted(layer["code"]) == ["S1", "S2"] and (layer["share"] == 1).all()
    assert ws.areas()["all_ages"].tolist() == [pytest.approx(1500)]


def test_people_beyond_the_border_share_the_assets(tmp_path):
    """West is the whole study area; 9,000 people live in B1 just beyond its east edge, 2 more far away."""
    ws = asset_map.Workspace(tmp_path / "b.gpkg")
    ws.load_boundaries(write_areas(tmp_path / "w.geojson", [("W01", "West", 0, square(X0, Y0, 2000))]),
                       code_field="area_code", name_field="area_name")
    inside = box(X0, Y0, X0 + 2000, Y0 + 2000)
    beyond = box(X0 + 2000, Y0 + 500, X0 + 3000, Y0 + 1500)  # centroid (2.5 km, 1 km)
    far = box(X0 + 200_000, Y0, X0 + 201_000, Y0 + 1000)
    result = ws.load_population(small_areas(tmp_path / "sa.geojson", [
        ("S1", 1000, 0, inside), ("B1", 9000, 0, beyond), ("F1", 2, 0, far)]))
    assert set(result.small_areas["code"]) == {"S1", "B1"} and result.outside == 1
    assert any("their 9,000 people are kept as demand from beyond the border" in w for w in result.warnings)
    assert any("beyond every catchment (e.g. F1): their 2 people are not kept" in w for w in result.warnings)
    assert ws.areas()["all_ages"].tolist() == [1000]  # the people beyond count in no area
    # A group at (1.75 km, 1 km): S1's centroid and B1's are 750 m away, within 800 m.
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Friends", "befriending", X0 + 1750, Y0 + 1000)]))
    row = ws.gaps(category="loneliness_isolation").rows[0]
    assert row.coverage == 1 and row.target_population == 1000
    assert row.access_per_10k == pytest.approx(10_000 / (1000 + 9000))  # not 10,000 / 1,000


ONS_WARDS = TRAFFORD / "population" / "mid-year_2024_population_estimates_ward.csv"
WARDS = TRAFFORD / "boundaries" / "trafford_ward_generalised_2023.geojson"
LOCALITIES = TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson"


def trafford_population(ws, level, method):
    """Load Trafford's LSOAs or OAs into ``ws`` shared by ``method`` (``finer``: LSOAs by their OAs)."""
    if method == "postcodes":
        ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    finer = {}
    if method == "finer":
        finer = {"finer": TRAFFORD / "boundaries" / "trafford_oa_generalised_2021.geojson",
                 "finer_population": TRAFFORD / "population" / "mid-year_2024_population_estimates_oa.csv"}
    ws.load_population(TRAFFORD / "boundaries" / f"trafford_{level}_generalised_2021.geojson",
                       method="area" if method == "finer" else method,
                       population_csv=TRAFFORD / "population" / f"mid-year_2024_population_estimates_{level}.csv",
                       **finer)
    return ws.areas()


def ons_wards():
    est = pd.read_csv(ONS_WARDS)
    return est[est["sex"] == "Persons"].set_index("area_code")["all_ages"]


@pytest.mark.gpkg_only  # figures of the apportioning, the same on either store
@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
@pytest.mark.parametrize("level", ["lsoa", "oa"])
def test_trafford_wards_against_ons_ward_estimates(tmp_path, level):
    """Each method's ward populations beside ONS's own mid-2024 ward estimates: mean and worst |error| in %."""
    est = ons_wards()
    methods = ("whole", "area", "postcodes", "finer") if level == "lsoa" else ("whole", "area", "postcodes")
    errors = {}
    for method in methods:
        ws = asset_map.Workspace(tmp_path / f"{method}.gpkg")
        ws.load_boundaries(WARDS)
        got = trafford_population(ws, level, method).set_index("area_code")["all_ages"]
        assert got.sum() == pytest.approx(241_025)  # nothing lost, whatever the method
        e = ((got - est.loc[got.index]) / est.loc[got.index] * 100).abs()
        errors[method] = (round(e.mean(), 1), round(e.max(), 1))
    expected = {"lsoa": {"whole": (11.2, 41.4), "area": (7.3, 24.9), "postcodes": (5.3, 20.0), "finer": (4.0, 11.0)},
                "oa": {"whole": (4.0, 11.0), "area": (3.1, 8.4), "postcodes": (2.2, 8.0)}}[level]
    assert errors == expected
    target = {"lsoa": (6, 20), "oa": (3, 9)}[level]
    for method in [m for m in ("postcodes", "finer") if m in methods]:
        assert errors[method][0] <= target[0] and errors[method][1] <= target[1], method
    assert errors["postcodes"] < errors["area"] < errors["whole"]


@pytest.mark.gpkg_only  # figures of the apportioning, the same on either store
@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_localities_against_their_wards_estimates(tmp_path):
    """The 4 localities are unions of 2023 wards (each ward's postcodes lie in one locality), so ONS's ward
    estimates add up to theirs; 12 LSOAs straddle them."""
    postcodes = pd.read_csv(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    assert postcodes.groupby("ward_code")["locality"].nunique().max() == 1
    locality = postcodes.groupby("ward_code")["locality"].first()
    est = ons_wards()
    truth = est.groupby(locality.loc[est.index].to_numpy()).sum()
    assert truth.to_dict() == {"Central": 55_425, "North": 61_147, "South": 79_780, "West": 44_673}
    got = {}
    for method in ("whole", "area", "postcodes", "finer"):
        ws = asset_map.Workspace(tmp_path / f"{method}.gpkg")
        ws.load_boundaries(LOCALITIES, name_field="area_name")
        areas = trafford_population(ws, "lsoa", method).set_index("area_name")["all_ages"]
        got[method] = round(((areas - truth) / truth * 100).abs().max(), 1)
    # Worst locality |error| in %: sharing by the output areas inside the LSOAs is best.
    assert got == {"whole": 1.2, "area": 3.7, "postcodes": 2.3, "finer": 0.7}


def test_an_area_whose_catchment_crosses_into_unloaded_ground_is_flagged(tmp_path):
    ws = asset_map.Workspace(tmp_path / "e.gpkg")
    ws.load_boundaries(write_areas(tmp_path / "w.geojson", [("W01", "West", 0, square(X0, Y0, 2000))]),
                       code_field="area_code", name_field="area_name")
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Friends", "befriending", X0 + 1750, Y0 + 1000)]))
    ws.load_population(small_areas(tmp_path / "s.geojson", [("S1", 1000, 0, box(X0, Y0, X0 + 2000, Y0 + 2000))]))
    row = ws.gaps(category="loneliness_isolation").rows[0]
    # Nothing beyond West is loaded: all of its 800 m ring lies outside the loaded population.
    assert row.confidence == "medium"
    assert row.confidence_reason == ("edge: 100% of this area's 800 m catchment lies outside the loaded population, "
                                     "so its accessibility may be overstated")
    # B1 (1 km × 1 km beside the east edge) covers 800 m × 1 km of the ring: the rest, by hand.
    ws.load_population(small_areas(tmp_path / "b.geojson", [
        ("S1", 1000, 0, box(X0, Y0, X0 + 2000, Y0 + 2000)), ("B1", 9000, 0, box(X0 + 2000, Y0 + 500, X0 + 3000,
                                                                                 Y0 + 1500))]))
    ring = square(X0, Y0, 2000).buffer(800, quad_segs=64).difference(square(X0, Y0, 2000)).area
    share = 1 - 800 * 1000 / ring
    row = ws.gaps(category="loneliness_isolation").rows[0]
    assert round(share, 2) == 0.90 and f"edge: {share:.0%} of this area's 800 m" in row.confidence_reason


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_border_wards_are_flagged(tmp_path):
    """Only Trafford's LSOAs are loaded: the wards whose 1.2 km ring lies more than 20% beyond the borough."""
    wards = TRAFFORD / "boundaries" / "trafford_ward_generalised_2023.geojson"
    ws = asset_map.Workspace(tmp_path / "t.gpkg")
    ws.load_boundaries(wards)
    ws.load_population(TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson",
                       population_csv=TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    rows = {r.area_name: r for r in ws.gaps(category="food_cooking").rows}
    w = gpd.read_file(wards).to_crs(27700)
    borough = w.union_all()
    ring = w.buffer(1200, quad_segs=64).difference(w.geometry)
    share = dict(zip(w["area_name"], ring.difference(borough).area / ring.area))
    flagged = {n for n, r in rows.items() if "edge:" in r.confidence_reason}
    assert flagged == {n for n, e in share.items() if e > 0.2}
    assert share["Old Trafford"] == pytest.approx(0.72, abs=0.01) and "Old Trafford" in flagged
    assert "Altrincham" not in flagged and share["Altrincham"] == 0  # wholly inside the borough


def test_a_finer_layer_weighs_the_parts(ws, split_file, tmp_path):
    # Three output areas inside S2: two in its West part (100 and 300 people), one in its East part (600).
    oas = small_areas(tmp_path / "oa.geojson", [
        ("O1", 100, 0, box(X0 + 1400, Y0, X0 + 1700, Y0 + 500)), ("O2", 300, 0, box(X0 + 1700, Y0, X0 + 2000, Y0 + 500)),
        ("O3", 600, 0, box(X0 + 2000, Y0, X0 + 3400, Y0 + 1000))])
    result = ws.load_population(split_file, finer=oas)
    assert result.method == "finer"
    areas = ws.areas().set_index("area_code")
    assert areas.loc["W01", "all_ages"] == pytest.approx(500 + 400) and areas.loc["E01", "all_ages"] == pytest.approx(600)
    part = result.small_areas.set_index(["code", "area_code"]).loc[("S2", "W01")]
    assert part["method"] == "finer" and part["share"] == pytest.approx(0.4)
    assert (part["x"], part["y"]) == pytest.approx((X0 + (100 * 1550 + 300 * 1850) / 400, Y0 + 250))
    assert result.small_areas.set_index("code").loc["S1", "method"] == "area"  # no output area inside: by area


def test_postcodes_asked_for_without_a_lookup_fall_back_to_area_share(ws, split_file):
    result = ws.load_population(split_file, method="postcodes")
    assert result.method == "area" and set(result.small_areas["method"]) == {"area"}
    assert "no postcode of the loaded lookup lies in these small areas: they are shared by area share" in result.warnings
    assert ws.areas().set_index("area_code").loc["E01", "all_ages"] == pytest.approx(700)


def test_a_lookup_that_gives_a_small_area_two_areas_is_refused_in_one_line(ws, split_file, tmp_path):
    before = fingerprint(ws)
    twice = write_csv(tmp_path / "twice.csv", ["LSOA code", "Ward code"], [["S1", "W01"], ["S2", "W01"], ["S2", "E01"]])
    r = runner.invoke(app, ["population", "load", str(split_file), "--lookup", str(twice), "-w", ws.location])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "twice.csv, row 4, column 'Ward code': small area 'S2' is given two areas ('W01' and 'E01')" in r.stderr
    assert fingerprint(ws) == before
