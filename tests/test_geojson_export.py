"""GeoJSON export: RFC 7946, the gap measures on the areas, and a round trip through geopandas."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from asset_map.errors import TaxonomyError
from conftest import X0, Y0, bng_to_lonlat


@pytest.fixture
def filled(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas, population_field="pop")
    workspace.import_assets(assets_csv)
    return workspace


def rings(geometry: dict):
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for poly in polys for ring in poly], polys


def test_areas_are_rfc_7946(filled):
    fc = json.loads(filled.export_geojson("areas"))
    assert set(fc) == {"type", "features"}  # no "crs" member
    assert len(fc["features"]) == 2
    for f in fc["features"]:
        all_rings, polys = rings(f["geometry"])
        for lon, lat in (pt for ring in all_rings for pt in ring):
            assert -8.75 < lon < 1.9 and 49.75 < lat < 61  # lon/lat order, WGS84, in GB
        for poly in polys:  # exterior counter-clockwise, holes clockwise
            assert shapely.LinearRing(poly[0]).is_ccw
    west = next(f for f in fc["features"] if f["properties"]["area_code"] == "W01")
    lon, lat = bng_to_lonlat(X0, Y0)  # the south-west corner, within a few centimetres
    corner = min(rings(west["geometry"])[0][0], key=lambda pt: (pt[0] - lon) ** 2 + (pt[1] - lat) ** 2)
    assert corner == pytest.approx([lon, lat], abs=1e-6)


def test_areas_carry_their_measures_per_category(filled):
    fc = json.loads(filled.export_geojson("areas"))
    props = {f["properties"]["area_code"]: f["properties"] for f in fc["features"]}
    west = props["W01"]
    gaps = {(r.area_code, r.category_id): r for r in filled.gaps().rows}
    assert west["area_name"] == "West" and west["all_ages"] == 10_000
    assert west["area_km2"] == pytest.approx(4.0, rel=1e-4)
    assert west["carers_assets"] == 1
    assert west["carers_rate_per_10k"] == pytest.approx(gaps[("W01", "carers")].rate_per_10k, abs=1e-3)
    assert west["carers_coverage"] == pytest.approx(gaps[("W01", "carers")].coverage, abs=1e-4)
    assert west["carers_level"] == gaps[("W01", "carers")].level
    assert west["carers_priority"] == gaps[("W01", "carers")].priority
    n_categories = len(filled.taxonomy())
    assert sum(k.endswith("_level") for k in west) == n_categories
    only = json.loads(filled.export_geojson("areas", category="Befriending"))["features"][0]["properties"]
    assert [k for k in only if k.endswith("_level")] == ["loneliness_isolation_level"]


def test_assets_carry_their_area_and_categories(filled):
    fc = json.loads(filled.export_geojson("assets"))
    props = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    assert len(props) == 5
    west = props["West Befriending"]
    assert west["categories"] == ["loneliness_isolation", "carers"]
    assert west["category_labels"] == ["Loneliness and social isolation", "Carers"]
    assert west["area_code"] == "W01" and west["area_name"] == "West"
    assert west["source_row"] == 2
    over = props["Hospice over the border"]
    assert over["area_code"] is None and over["location_status"] == "outside"
    knit = props["Knit and Natter"]
    assert knit["categories"] == [] and knit["category_text"] == "Knitting circle"
    geom = next(f["geometry"] for f in fc["features"] if f["properties"]["name"] == "West Befriending")
    lon, lat = bng_to_lonlat(X0 + 1000, Y0 + 1000)
    assert geom["type"] == "Point"
    assert geom["coordinates"] == pytest.approx([lon, lat], abs=2e-7)


def test_assets_of_one_category(filled):
    fc = json.loads(filled.export_geojson("assets", category="Carers"))
    assert [f["properties"]["name"] for f in fc["features"]] == ["West Befriending"]
    with pytest.raises(TaxonomyError, match=r"unknown category 'nonsense'"):
        filled.export_geojson("assets", category="nonsense")


def test_round_trip_through_geopandas(filled, tmp_path):
    path = tmp_path / "areas.geojson"
    path.write_text(filled.export_geojson("areas"))
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326
    assert sorted(back["area_code"]) == ["E01", "W01"]
    stored = filled.areas().set_index("area_code")
    back = back.to_crs(27700).set_index("area_code")
    for code in ("E01", "W01"):
        assert back.loc[code].geometry.area == pytest.approx(stored.loc[code].geometry.area, rel=1e-3)
        # Coordinates rounded to 7 decimals move edges by at most about 1 cm: 8 km of edge × 1 cm = 80 m².
        assert back.loc[code].geometry.symmetric_difference(stored.loc[code].geometry).area < 80
    assert back.loc["W01", "carers_assets"] == 1
    pts = tmp_path / "assets.geojson"
    pts.write_text(filled.export_geojson("assets"))
    assets = gpd.read_file(pts).to_crs(27700)
    assert len(assets) == 5
    moved = assets.set_index("name").geometry.distance(filled.assets().set_index("name").geometry)
    assert (moved < 0.05).all()  # 7 decimal places: centimetres


def test_export_of_an_empty_or_missing_layer(workspace, two_areas, tmp_path):
    from asset_map.errors import WorkspaceError

    with pytest.raises(WorkspaceError, match="no areas loaded"):
        workspace.export_geojson("areas")
    workspace.load_boundaries(two_areas)
    with pytest.raises(WorkspaceError, match=r"no assets imported yet; run `asset-map import FILE`"):
        workspace.export_geojson("assets")
    fc = json.loads(workspace.export_geojson("areas"))
    assert [shape(f["geometry"]).is_valid for f in fc["features"]] == [True, True]
