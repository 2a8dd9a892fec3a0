"""GeoPackage export: areas with their measures, assets and the population layer, in BNG, for QGIS."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest

from conftest import TRAFFORD, X0, Y0, asset_row, trafford_localities, write_csv

from asset_map.outputs.gpkg_export import write_gpkg

HEADER = ["Name", "Category", "Latitude", "Longitude"]


@pytest.fixture
def ws(layered, tmp_path):
    """West and East with their population layer, 3 assets, one of them merged into another."""
    layered.import_assets(write_csv(tmp_path / "list.csv", HEADER, [
        asset_row("West Befriending", "Befriending; carers", X0 + 1000, Y0 + 1000),
        asset_row("West Befriending Group", "Befriending", X0 + 1010, Y0 + 1000),
        asset_row("East Food Bank", "food bank", X0 + 3000, Y0 + 1000),
    ]))
    assets = layered.assets().set_index("name")
    layered.merge(assets.loc["West Befriending", "asset_id"], [assets.loc["West Befriending Group", "asset_id"]])
    return layered


def layers(path) -> dict[str, str]:
    """Layer name -> geometry type, polygons and multipolygons alike as "Polygon"."""
    return {name: kind.removeprefix("Multi") for name, kind in pyogrio.list_layers(path)}


def test_layers_counts_and_crs(ws, tmp_path):
    out = tmp_path / "export.gpkg"
    counts = ws.export_gpkg(out)
    assert counts == {"areas": 2, "assets": 2, "population": 4}
    assert layers(out) == {"areas": "Polygon", "assets": "Point", "population": "Point"}
    for layer, n in counts.items():
        info = pyogrio.read_info(out, layer=layer)
        assert info["crs"] == "EPSG:27700"
        assert info["features"] == n
        assert info["layer_metadata"]["DESCRIPTION"]  # QGIS shows it in the layer's properties
    areas = gpd.read_file(out, layer="areas")
    assert areas.crs.to_epsg() == 27700
    west = areas.set_index("area_code").loc["W01"]
    assert west.geometry.bounds == pytest.approx((X0, Y0, X0 + 2000, Y0 + 2000), abs=0.01)  # metres, not degrees
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []  # no temporary left


def test_areas_carry_the_reports_measures(ws, tmp_path):
    out = tmp_path / "export.gpkg"
    ws.export_gpkg(out)
    areas = gpd.read_file(out, layer="areas").set_index("area_code")
    rows = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    west = rows[("W01", "loneliness_isolation")]
    assert areas.loc["W01", "area_name"] == "West"
    assert areas.loc["W01", "all_ages"] == 6000  # the population layer's sum
    assert areas.loc["W01", "loneliness_isolation_coverage"] == pytest.approx(west.coverage, abs=1e-4)
    assert areas.loc["W01", "loneliness_isolation_coverage"] == pytest.approx(2 / 3, abs=1e-4)
    assert areas.loc["W01", "loneliness_isolation_assets"] == west.assets == 1  # the merged duplicate is gone
    assert areas.loc["W01", "loneliness_isolation_rate_per_10k"] == pytest.approx(west.rate_per_10k, abs=1e-3)
    assert areas.loc["W01", "loneliness_isolation_access_per_10k"] == pytest.approx(west.access_per_10k, abs=1e-4)
    assert areas.loc["W01", "loneliness_isolation_level"] == west.level
    assert areas.loc["W01", "loneliness_isolation_priority"] == west.priority
    east = rows[("E01", "food_cooking")]
    assert areas.loc["E01", "food_cooking_level"] == east.level
    assert areas.loc["E01", "food_cooking_assets"] == 1


def test_areas_have_the_geojson_property_names(ws, tmp_path):
    for category in (None, "befriending"):
        out = tmp_path / f"export_{category}.gpkg"
        ws.export_gpkg(out, category=category)
        columns = [c for c in gpd.read_file(out, layer="areas").columns if c != "geometry"]
        feature = json.loads(ws.export_geojson("areas", category=category))["features"][0]
        assert columns == list(feature["properties"])
    only = [c for c in columns if c.endswith("_level")]
    assert only == ["loneliness_isolation_level"]


def test_assets_are_active_points_with_category_labels(ws, tmp_path):
    out = tmp_path / "export.gpkg"
    ws.export_gpkg(out)
    assets = gpd.read_file(out, layer="assets").set_index("name")
    assert sorted(assets.index) == ["East Food Bank", "West Befriending"]
    west = assets.loc["West Befriending"]
    assert west["categories"] == "loneliness_isolation;carers"
    assert west["category_labels"] == "Loneliness and social isolation; Carers"
    assert west["area_code"] == "W01" and west["area_name"] == "West"
    assert (west.geometry.x, west.geometry.y) == pytest.approx((X0 + 1000, Y0 + 1000), abs=0.05)
    assert "merged_into" not in assets.columns
    population = gpd.read_file(out, layer="population").set_index("code")
    assert population.loc["S4", "area_code"] == "E01" and population.loc["S4", "area_name"] == "East"
    assert population.loc["S4", "all_ages"] == 4000


def test_without_population_or_assets_those_layers_are_left_out(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas)
    out = tmp_path / "bare.gpkg"
    assert workspace.export_gpkg(out) == {"areas": 2}
    assert layers(out) == {"areas": "Polygon"}
    areas = gpd.read_file(out, layer="areas")
    # No population: the rates are empty but the column stays numeric for QGIS's symbology.
    assert areas["carers_rate_per_10k"].isna().all()
    assert pyogrio.read_info(out, layer="areas")["dtypes"][list(areas.columns).index("carers_rate_per_10k")] \
        == "float64"


def test_writing_again_replaces_the_file(ws, tmp_path):
    out = tmp_path / "export.gpkg"
    ws.export_gpkg(out)
    write_gpkg(out, ws.areas(), ws.gaps(), ws.taxonomy())
    assert layers(out) == {"areas": "Polygon"}
    assert pyogrio.read_info(out, layer="areas")["features"] == 2


def test_unknown_category_is_the_taxonomy_error(ws, tmp_path):
    from asset_map.errors import TaxonomyError

    with pytest.raises(TaxonomyError, match="unknown category 'befriendng'"):
        ws.export_gpkg(tmp_path / "x.gpkg", category="befriendng")
    assert not (tmp_path / "x.gpkg").exists()


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_real_trafford_localities(tmp_path):
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.import_assets(TRAFFORD / "assets" / "trafford_food_banks.geojson", categories=["food bank"])
    out = tmp_path / "trafford.gpkg"
    counts = ws.export_gpkg(out)
    n_lsoa = len(ws.frame("population"))
    assert counts == {"areas": 4, "assets": 7, "population": n_lsoa}
    assert n_lsoa > 100
    kinds = layers(out)
    assert kinds["areas"] == "Polygon" and kinds["assets"] == "Point"
    assert all(pyogrio.read_info(out, layer=name)["crs"] == "EPSG:27700" for name in kinds)
    areas = gpd.read_file(out, layer="areas").set_index("area_code")
    for r in ws.gaps(category="food bank").rows:
        assert areas.loc[r.area_code, "food_cooking_coverage"] == pytest.approx(r.coverage, abs=1e-4)
        assert areas.loc[r.area_code, "food_cooking_assets"] == r.assets
    assert areas["all_ages"].sum() == pytest.approx(ws.areas()["all_ages"].sum())
