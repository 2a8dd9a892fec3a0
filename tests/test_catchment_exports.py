"""Catchment polygons in the exports: the GeoJSON catchments layer and the GeoPackage's catchments layer.

The view is the workspace's, with catchments drawn on a street grid built in
code over the two test areas (every 200 m); 10 minutes' walk is 800 m.
"""

from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import pyogrio
import pytest
import shapely

from asset_map.errors import WorkspaceError
from asset_map.network.isochrones import WIDTH_M, catchments_frame
from asset_map.outputs.geojson import view_geojson
from asset_map.outputs.gpkg_export import write_view_gpkg
from conftest import X0, Y0, asset_row, write_csv
from streets import network, river_town

CATCHMENTS = {"loneliness_isolation": (10.0, "walk", "10 min walk"), "food_cooking": (5.0, "walk", "5 min walk")}


@pytest.fixture
def ws(layered, tmp_path):
    """West: a befriending group and a food bank; East: a befriending group in a church hall."""
    layered.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"], [
        asset_row("Friends", "befriending", X0 + 500, Y0 + 1000),
        asset_row("Pantry", "food bank", X0 + 1500, Y0 + 1000),
        asset_row("Church hall =1+1", "befriending", X0 + 3100, Y0 + 1000),
    ]))
    return layered


def with_catchments(ws, **changes):
    """The workspace's view with the catchments of its assets on a grid of streets every 200 m (no river)."""
    view = ws.output_view()
    net = network(river_town(size=4000, step=200, river_y=-50), origin=(X0, Y0))
    return dataclasses.replace(view, catchments=catchments_frame(net, view.assets, CATCHMENTS), **changes)


def features(ws, view, categories=None):
    text = view_geojson(view, ws.areas(), ws.taxonomy(), "catchments", categories)
    return json.loads(text)["features"], text


def test_geojson_catchments_layer(ws, tmp_path):
    feats, text = features(ws, with_catchments(ws))
    assert [(f["properties"]["name"], f["properties"]["category"], f["properties"]["reach"]) for f in feats] == [
        ("Friends", "loneliness_isolation", "10 min walk"), ("Pantry", "food_cooking", "5 min walk"),
        ("Church hall =1+1", "loneliness_isolation", "10 min walk")]
    p = feats[0]["properties"]
    assert p["category_label"] == "Loneliness and social isolation"
    assert (p["minutes"], p["mode"]) == (10.0, "walk")
    assert all(f["geometry"]["type"] == "Polygon" for f in feats)
    ring = feats[0]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw  # RFC 7946: exterior rings counter-clockwise
    assert -3 < ring[0][0] < 0 and 50 < ring[0][1] < 56  # WGS84 longitude, latitude
    (tmp_path / "c.geojson").write_text(text)
    back = gpd.read_file(tmp_path / "c.geojson").to_crs(27700).set_index("name")
    # Friends at x = 500 on the street y = 1,000: 800 m east along it, to x = 1,300, drawn WIDTH_M wider.
    assert back.geometry["Friends"].bounds[2] - X0 == pytest.approx(1300 + WIDTH_M, abs=0.5)
    # Pantry, 5 min = 400 m: x = 1,100 to 1,900.
    assert back.geometry["Pantry"].bounds[0] - X0 == pytest.approx(1100 - WIDTH_M, abs=0.5)
    assert back.geometry["Pantry"].bounds[2] - X0 == pytest.approx(1900 + WIDTH_M, abs=0.5)


def test_geojson_catchments_of_one_category_one_area_and_the_assets_counted(ws):
    view = with_catchments(ws)
    assert [f["properties"]["name"] for f in features(ws, view, ["food_cooking"])[0]] == ["Pantry"]
    east = dataclasses.replace(view, area="E01")
    assert [f["properties"]["name"] for f in features(ws, east)[0]] == ["Church hall =1+1"]
    # An asset a what-if takes away is no longer among those counted: its catchment goes with it.
    without = dataclasses.replace(view, assets=view.assets[view.assets["name"] != "Friends"])
    assert [f["properties"]["name"] for f in features(ws, without)[0]] == ["Pantry", "Church hall =1+1"]


def test_geojson_catchments_without_a_network_say_what_to_do(ws):
    with pytest.raises(WorkspaceError, match=r"^no street network loaded: .*load one with `asset-map network load`$"):
        view_geojson(ws.output_view(), ws.areas(), ws.taxonomy(), "catchments")


def test_gpkg_catchments_layer(ws, tmp_path):
    view = with_catchments(ws)
    out = tmp_path / "g.gpkg"
    counts = write_view_gpkg(out, view, ws.areas(), ws.taxonomy(), assets=ws.assets(),
                             population=ws.frame("population"))
    assert counts == {"areas": 2, "assets": 3, "population": 4, "catchments": 3}
    assert dict(pyogrio.list_layers(out))["catchments"] in ("Polygon", "MultiPolygon")
    layer = gpd.read_file(out, layer="catchments")
    assert layer.crs.to_epsg() == 27700
    assert list(layer.columns) == ["asset_id", "name", "category", "category_label", "reach", "minutes", "mode",
                                   "geometry"]
    assert layer["name"].tolist() == ["Friends", "Pantry", "Church hall =1+1"]
    assert layer["minutes"].tolist() == [10.0, 5.0, 10.0]
    friends = layer.geometry.iloc[0]
    assert friends.bounds[2] - X0 == pytest.approx(1300 + WIDTH_M, abs=0.01)
    assert friends.equals_exact(view.catchments.geometry.iloc[0], 1e-6)
    # With an area in focus, only its assets' catchments; without a network, no catchments layer.
    east = write_view_gpkg(tmp_path / "e.gpkg", dataclasses.replace(view, area="E01"), ws.areas(), ws.taxonomy(),
                           assets=ws.assets())
    assert east["catchments"] == 1
    plain = write_view_gpkg(tmp_path / "p.gpkg", ws.output_view(), ws.areas(), ws.taxonomy(), assets=ws.assets())
    assert "catchments" not in plain
    assert "catchments" not in dict(pyogrio.list_layers(tmp_path / "p.gpkg"))


def test_cli_gpkg_says_why_there_is_no_catchments_layer(ws, tmp_path):
    from typer.testing import CliRunner

    from asset_map.cli import app

    r = CliRunner().invoke(app, ["export", "gpkg", "-o", str(tmp_path / "g.gpkg"), "-w", str(ws.location)])
    assert r.exit_code == 0, r.stderr
    assert "areas 2, assets 3, population 4" in r.stderr
    assert "No catchments layer: it needs a street network (`asset-map network load`)" in " ".join(r.stderr.split())
