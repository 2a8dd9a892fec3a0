"""Real data: Trafford's localities, ONS population and published asset lists.

Every figure asset-map produces here is checked against an independent
computation written with plain geopandas/pandas in this file, and against the
literal numbers a planner would look up.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import asset_map
from conftest import TRAFFORD, area_share_parts

pytestmark = pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")

LOCALITIES = TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson"
LSOA = TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson"
MSOA = TRAFFORD / "boundaries" / "trafford_msoa_generalised_2021.geojson"
LSOA_POP = TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv"
MSOA_POP = TRAFFORD / "population" / "mid-year_2024_population_estimates_msoa.csv"
LOOKUP = TRAFFORD / "lookups" / "statistical_lookup_2021.csv"

#: Asset list -> (category applied to every row, rows in the file).
ASSET_LISTS = {
    "trafford_general_practices.geojson": ("gp practice", 26),
    "trafford_care_homes.geojson": ("care homes", 56),
    "sports_clubs.geojson": ("sports club", 137),
    "trafford_places_of_worship.geojson": ("place of worship", 118),
    "trafford_food_banks.geojson": ("food bank", 7),
    "trafford_childrens_centres.geojson": ("children's centre", 2),
    "trafford_defibrillators.geojson": ("defibrillator", 185),
    "trafford_schools_and_colleges.geojson": ("schools", 103),
    "trafford_mental_health_services.geojson": ("mental health", 60),
}


def persons(path):
    pop = pd.read_csv(path)
    return pop[pop["sex"] == "Persons"].set_index("area_code")


def lsoa_points(lsoa):
    """Each LSOA's centroid, or a point inside it for the 5 whose centroid falls outside."""
    inside = lsoa.contains(lsoa.centroid)
    assert (~inside).sum() == 5
    return lsoa.centroid.where(inside, lsoa.representative_point())


@pytest.fixture(scope="module")
def localities():
    """The 4 localities, their name in a column called ``locality`` (the asset files have ``area_name`` too)."""
    return gpd.read_file(LOCALITIES).to_crs(27700).rename(columns={"area_name": "locality"})[["locality", "geometry"]]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A workspace with the 4 localities (LSOA population) and every GeoJSON asset list imported."""
    ws = asset_map.Workspace(tmp_path_factory.mktemp("trafford") / "trafford.gpkg")
    boundaries = ws.load_boundaries(LOCALITIES, name_field="area_name", population_csv=LSOA_POP, small_areas=LSOA)
    results = {name: ws.import_assets(TRAFFORD / "assets" / name, categories=[cat])
               for name, (cat, _) in ASSET_LISTS.items()}
    return ws, boundaries, results


def test_locality_population_is_the_sum_of_its_lsoas(loaded, localities):
    ws, boundaries, _ = loaded
    # Independent: the LSOAs cut by the localities, their people shared by area.
    parts = area_share_parts(gpd.read_file(LSOA).to_crs(27700), localities, "locality")
    assert parts["locality"].notna().all() and parts["area_code"].nunique() == 139
    pop = persons(LSOA_POP)
    people = parts["w"] * pop.loc[parts["area_code"], "all_ages"].to_numpy()
    expected = people.groupby(parts["locality"]).sum()
    got = dict(zip(boundaries.areas["area_name"], boundaries.areas["all_ages"]))
    assert got == pytest.approx(expected.to_dict(), rel=1e-9)
    # Whole LSOAs by their point gave Central 54,742, North 60,798, South 80,642, West 44,843.
    assert {k: round(v) for k, v in got.items()} == {"Central": 54_172, "North": 60_625, "South": 79_903,
                                                     "West": 46_325}
    assert sum(got.values()) == pytest.approx(241_025)  # Trafford, ONS mid-2024: nothing lost
    old = dict(zip(boundaries.areas["area_name"], boundaries.areas["aged_65_and_over"]))
    assert sum(old.values()) == pytest.approx(pop["aged_65_and_over"].sum())
    assert len(ws.frame("population")) == len(parts)


def test_every_row_of_every_list_is_accounted_for(loaded):
    _, _, results = loaded
    for name, (_, rows) in ASSET_LISTS.items():
        r = results[name]
        assert r.rows_read == rows, name
        assert r.rows_read == r.imported + r.rejected, name
        assert r.rejected == 0, (name, r.rejects[:3])


def test_per_locality_counts_match_an_independent_spatial_join(loaded, localities):
    ws, _, results = loaded
    assets = ws.assets()
    for name in ASSET_LISTS:
        raw = gpd.read_file(TRAFFORD / "assets" / name).to_crs(27700)
        if (raw.geom_type != "Point").any():  # buildings: a point inside each footprint
            raw = raw.set_geometry(raw.representative_point())
        joined = gpd.sjoin(raw, localities, predicate="within", how="left")
        expected = joined["locality"].fillna("(outside)").value_counts().to_dict()
        mine = assets[assets["source"] == name]
        got = mine["area_code"].fillna("(outside)").replace("", "(outside)").value_counts().to_dict()
        assert got == expected, name
        assert results[name].outside == expected.get("(outside)", 0), name
    gp = assets[assets["source"] == "trafford_general_practices.geojson"]["area_code"].value_counts().to_dict()
    assert gp == {"Central": 4, "North": 4, "South": 11, "West": 7}
    mh = results["trafford_mental_health_services.geojson"]
    assert mh.outside == 15  # services listed by Trafford but based in Manchester


def test_gaps_on_real_data_agree_with_a_brute_force_computation(loaded, localities):
    """Population-weighted coverage and (E)2SFCA for every category, from a full distance matrix."""
    ws, boundaries, _ = loaded
    report = ws.gaps()
    assert len(report.rows) == 4 * len(ws.taxonomy())
    assert {r.coverage_method for r in report.rows} == {"population-weighted: small areas whose point is within reach"}
    parts = area_share_parts(gpd.read_file(LSOA).to_crs(27700), localities, "locality")
    xy = np.column_stack([parts["point"].x, parts["point"].y])  # each part of a split LSOA at its own point
    locality = parts["locality"].to_numpy()
    pop = persons(LSOA_POP).loc[parts["area_code"]].select_dtypes("number").mul(parts["w"].to_numpy(), axis=0)
    ages = {"all": pop["all_ages"], "65+": pop["aged_65_and_over"], "0-15": pop["aged_0_to_15"],
            "16+": pop["aged_16_to_64"] + pop["aged_65_and_over"], "16-64": pop["aged_16_to_64"],
            "11-25": pop[[str(a) for a in range(11, 26)]].sum(axis=1)}
    assets = ws.assets()
    checked = 0
    for cat in ws.taxonomy():
        mine = {r.area_name: r for r in report.rows if r.category_id == cat.id}
        members = assets[assets["categories"].str.split(";").map(lambda cs, c=cat.id: c in cs)]
        people = ages[cat.target.code].to_numpy(dtype=float)
        if not len(members):
            assert all(r.coverage == 0 and r.access_per_10k == 0 for r in mine.values())
            continue
        axy = np.column_stack([members.geometry.x, members.geometry.y])
        # Capacities weigh only when every asset has one, all in one unit (the list's, else the taxonomy's).
        units = {u or cat.capacity_unit for u in members["capacity_unit"].fillna("")}
        same = bool((members["capacity"] > 0).all()) and len(units) == 1 and "" not in units
        supply = members["capacity"].to_numpy() if same else np.ones(len(members))
        dist = np.sqrt(((xy[:, None, :] - axy[None, :, :]) ** 2).sum(axis=2))  # LSOA × asset, metres
        d0 = cat.catchment_m
        inside = dist <= d0
        weight = np.where(dist <= d0 / 3, 1.0, np.where(dist <= 2 * d0 / 3, 0.68, 0.22)) * inside
        for w, field in ((inside * 1.0, "access_per_10k"), (weight, "access_e2sfca_per_10k")):
            demand = w.T @ people
            ratio = np.where(demand > 0, supply / np.where(demand > 0, demand, 1), 0.0)
            a = w @ ratio * 10_000
            for name in mine:
                here = locality == name
                expected = (a[here] * people[here]).sum() / people[here].sum()
                assert getattr(mine[name], field) == pytest.approx(expected, rel=1e-9, abs=1e-12), (cat.id, name)
        for name in mine:
            here = locality == name
            covered = inside[here].any(axis=1)
            assert mine[name].target_population == pytest.approx(people[here].sum())
            assert mine[name].coverage == pytest.approx((people[here] * covered).sum() / people[here].sum(),
                                                         abs=1e-12)
        checked += 1
    assert checked == 7  # categories with assets in these lists
    # The schools list states each school's capacity (pupils); the other lists have none.
    schools = gpd.read_file(TRAFFORD / "assets" / "trafford_schools_and_colleges.geojson")
    mine = assets[assets["source"] == "trafford_schools_and_colleges.geojson"]
    assert mine["capacity"].sum() == schools["capacity"].sum() > 0
    assert mine["capacity"].notna().sum() == schools["capacity"].notna().sum()
    assert assets[assets["source"] != "trafford_schools_and_colleges.geojson"]["capacity"].isna().all()
    # Schools' capacities (pupil places) beside the 2 children's centres, which state none: each counted once.
    with_capacity = int(schools["capacity"].notna().sum())
    assert f"Children and families: capacities in mixed units (places {with_capacity}, no capacity " \
           f"{105 - with_capacity}): each asset counted once for accessibility" in report.notes
    # The figures a planner reads: the 7 food banks, 1.2 km catchment, all ages.
    food = {r.area_name: r for r in report.rows if r.category_id == "food_cooking"}
    banks = gpd.read_file(TRAFFORD / "assets" / "trafford_food_banks.geojson").to_crs(27700)
    counts = gpd.sjoin(banks, localities, predicate="within")["locality"].value_counts()
    for name, row in food.items():
        assert row.assets == counts.get(name, 0)
        assert row.rate_per_10k == pytest.approx(counts.get(name, 0) / row.target_population * 10_000)
    assert {n: round(r.coverage, 3) for n, r in food.items()} == FOOD_COVERAGE
    assert report.study["food_cooking"].assets == 7


#: Share of each locality's residents whose LSOA part's point is within 1.2 km of one of the 7 food banks
#: (whole LSOAs by their point gave Central 0.422, North 0.534, South 0.489, West 0.196).
FOOD_COVERAGE = {"Central": 0.44, "North": 0.533, "South": 0.484, "West": 0.189}


def test_uniform_coverage_without_a_population_layer(tmp_path, localities):
    """Areas with no population: coverage is the share of the area within reach, by hand."""
    ws = asset_map.Workspace(tmp_path / "uniform.gpkg")
    ws.load_boundaries(LOCALITIES, name_field="area_name")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    report = ws.gaps(category="food_cooking")
    banks = gpd.read_file(TRAFFORD / "assets" / "trafford_food_banks.geojson").to_crs(27700)
    reach = banks.buffer(1200, quad_segs=64).union_all()
    food = {r.area_name: r for r in report.rows}
    for _, loc in localities.iterrows():
        share = loc.geometry.intersection(reach).area / loc.geometry.area
        assert food[loc["locality"]].coverage == pytest.approx(share, abs=0.002)
        assert food[loc["locality"]].coverage_method == "uniform density within each area"
        assert food[loc["locality"]].access_per_10k is None


def test_lsoas_dissolved_into_msoas_through_the_ons_lookup(tmp_path):
    ws = asset_map.Workspace(tmp_path / "msoa.gpkg")
    result = ws.load_boundaries(LSOA, population_csv=LSOA_POP, dissolve=LOOKUP,
                                into="msoa21cd", into_name="msoa21nm")
    areas = result.areas.set_index("area_code")
    assert len(areas) == 28
    # Population: the LSOA sums equal ONS's own MSOA estimates, exactly.
    msoa_pop = persons(MSOA_POP)
    assert areas["all_ages"].to_dict() == msoa_pop.loc[areas.index, "all_ages"].astype(float).to_dict()
    assert areas["all_ages"].sum() == 241_025
    # Shape: each dissolved MSOA against the published generalised MSOA boundary. Both are
    # generalised separately (LSOA vs MSOA), so edges differ by metres: 1.5% of the area
    # covers that, while a missing or extra LSOA (about 1/5 of an MSOA) would fail.
    msoa = gpd.read_file(MSOA).to_crs(27700).set_index("area_code")
    ratio = areas.geometry.area / msoa.loc[areas.index].geometry.area
    assert ratio.between(0.985, 1.015).all(), ratio.describe()
    names = dict(zip(areas.index, areas["area_name"]))
    assert names["E02001259"] == "Trafford 001"  # the lookup's msoa21nm
