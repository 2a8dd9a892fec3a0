"""The interactive map: one self-contained HTML file for the workshop screen.

The page holds everything it needs: Leaflet 1.9.4 (BSD-2-Clause, shipped in
``asset_map/data/leaflet``) and its stylesheet inlined, the areas and assets as
GeoJSON (WGS84) inside the page. Only the background tiles come from the
internet (OpenStreetMap); when they cannot load, the areas and assets still
show on a plain background.

What is on the page:

- the areas, shaded by the gap level of the chosen category (``none``
  vermilion, ``low`` yellow, ``ok`` sky blue, ``no data?`` grey: the
  colour-blind-safe Okabe–Ito colours of the slide maps),
  with a tooltip giving the area's name, level, coverage and priority;
- a drop-down to switch category: the shading, the legend and the markers
  follow it; the categories with nothing found anywhere ("no data?" in
  every area) are listed apart, after the others, under "Not known";
- the assets as circle markers, those of the chosen category larger and
  outlined; a popup gives name, categories, address, postcode, contact and
  how the asset was located;
- a legend and a title with the date of the data.

Every text from the data is put on the page with ``textContent``, never as
HTML, and the JSON is embedded with ``<`` escaped, so a name such as
``<script>alert(1)</script>`` shows as text.

Leaflet is used directly rather than through folium: folium links its scripts
from CDNs, and switching the shading of one layer by a drop-down needs a
page script of our own anyway.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from .slide_map import LEVEL_COLOURS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport
    from ..categories.taxonomy import Taxonomy

#: Fill colour per gap level and for "no data?": the slide maps' Okabe–Ito colours (colour-blind safe);
#: "no data?" a darker grey than the slide's, as the page has no hatching.
COLOURS = {**LEVEL_COLOURS, "no data?": "#BDBDBD"}
LEVEL_TEXT = {"none": "no provision within reach", "low": "low coverage or rate", "ok": "reasonable provision",
              "no data?": "none found — lists may be missing it"}


def _asset(name: str) -> str:
    return resources.files("asset_map").joinpath("data", "leaflet", name).read_text(encoding="utf-8")


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside a <script> element: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


def unknown_categories(report: "GapReport", taxonomy: "Taxonomy") -> list[str]:
    """The categories whose finding is "no data?" in every area: listed apart in the drop-down, after the others."""
    rows: dict[str, list[str]] = {}
    for r in report.rows:
        rows.setdefault(r.category_id, []).append(r.finding)
    return [c.id for c in taxonomy if rows.get(c.id) and all(f == "no data?" for f in rows[c.id])]


def map_html(areas: "gpd.GeoDataFrame", report: "GapReport", assets: "gpd.GeoDataFrame | None",
             taxonomy: "Taxonomy", *, title: str, data_date: str, category: str | None = None) -> str:
    """The page as text (see the module docstring).

    Parameters
    ----------
    areas, assets
        The workspace's areas and active assets (EPSG:27700).
    report
        The gaps for every area × category.
    category
        The category shown first (default: the category of the top-priority gap).
    """
    from .geojson import areas_geojson, assets_geojson

    areas_fc = json.loads(areas_geojson(areas, report, taxonomy))
    by_key = {(r.area_code, r.category_id): r for r in report.rows}
    for f in areas_fc["features"]:
        p = f["properties"]
        for c in taxonomy:
            r = by_key[(p["area_code"], c.id)]
            p[f"{c.id}_shade"] = r.shown_level
    assets_fc = {"type": "FeatureCollection", "features": []}
    if assets is not None and len(assets):
        assets_fc = json.loads(assets_geojson(assets, areas, taxonomy))
        keep = ("asset_id", "name", "categories", "category_labels", "area_name", "located_by", "address",
                "postcode", "description")
        for f in assets_fc["features"]:
            f["properties"] = {k: f["properties"].get(k) for k in keep}
    first = category or (report.rows[0].category_id if report.rows else taxonomy.ids[0])
    data = {
        "areas": areas_fc, "assets": assets_fc,
        "categories": [{"id": c.id, "label": c.label} for c in taxonomy],
        "first": first, "colours": COLOURS, "levels": LEVEL_TEXT, "method": report.coverage_method,
        "unknown": unknown_categories(report, taxonomy),
    }
    return _PAGE.format(
        title=html.escape(title), date=html.escape(data_date), leaflet_css=_asset("leaflet.css"),
        leaflet_js=_asset("leaflet.js"), data=_json_for_script(data),
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{leaflet_css}</style>
<style>
html, body {{ height: 100%; margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }}
#map {{ position: absolute; top: 3.2em; bottom: 0; left: 0; right: 0; background: #eef1f4; }}
header {{ height: 3.2em; display: flex; align-items: center; gap: 1em; padding: 0 1em; box-sizing: border-box;
  background: #243447; color: #fff; }}
header h1 {{ font-size: 1.15em; margin: 0; font-weight: 600; }}
header .date {{ opacity: .8; font-size: .9em; }}
header label {{ margin-left: auto; }}
header select {{ font-size: 1em; }}
.legend {{ background: #fff; padding: .6em .8em; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  line-height: 1.5; max-width: 18em; }}
.legend h2 {{ font-size: 1em; margin: 0 0 .3em; }}
.legend i {{ display: inline-block; width: 1em; height: 1em; margin-right: .4em; vertical-align: -.15em;
  border: 1px solid #555; }}
.legend .note {{ font-size: .8em; color: #444; margin-top: .4em; }}
.popup b {{ display: block; margin-bottom: .2em; }}
</style>
</head>
<body>
<header><h1>{title}</h1><span class="date">data as of {date}</span>
<label for="category">Category</label><select id="category" aria-label="Category"></select></header>
<div id="map"></div>
<script>{leaflet_js}</script>
<script id="asset-map-data" type="application/json">{data}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("asset-map-data").textContent);
  var map = L.map("map", {{ preferCanvas: false }});
  L.tileLayer("https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png", {{
    maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"
  }}).addTo(map);
  var current = data.first;
  var select = document.getElementById("category");
  var unknownGroup = document.createElement("optgroup");
  unknownGroup.label = "Not known: no list found anything (no data?)";
  data.categories.forEach(function (c) {{
    var o = document.createElement("option");
    o.value = c.id; o.textContent = c.label;
    (data.unknown.indexOf(c.id) >= 0 ? unknownGroup : select).appendChild(o);
  }});
  if (unknownGroup.children.length) select.appendChild(unknownGroup);
  select.value = current;

  function label(id) {{
    for (var i = 0; i < data.categories.length; i++) {{ if (data.categories[i].id === id) return data.categories[i].label; }}
    return id;
  }}
  function areaStyle(feature) {{
    var shade = feature.properties[current + "_shade"];
    return {{ color: "#333", weight: 1.2, fillColor: data.colours[shade] || "#ffffff", fillOpacity: 0.55 }};
  }}
  function areaTip(feature) {{
    var p = feature.properties, div = document.createElement("div");
    var b = document.createElement("b"); b.textContent = p.area_name; div.appendChild(b);
    var lines = [
      label(current) + ": " + data.levels[p[current + "_shade"]],
      "coverage " + Math.round(100 * p[current + "_coverage"]) + "%, " + p[current + "_assets"] + " assets",
      "priority " + p[current + "_priority"]
    ];
    lines.forEach(function (t) {{ var s = document.createElement("div"); s.textContent = t; div.appendChild(s); }});
    return div;
  }}
  var areas = L.geoJSON(data.areas, {{
    style: areaStyle,
    onEachFeature: function (f, layer) {{
      layer.bindTooltip(function () {{ return areaTip(f); }}, {{ sticky: true }});
    }}
  }}).addTo(map);

  function inCategory(f) {{ return (f.properties.categories || []).indexOf(current) >= 0; }}
  function markerStyle(f) {{
    return inCategory(f)
      ? {{ radius: 7, color: "#000", weight: 2, fillColor: "#ffffff", fillOpacity: 1 }}
      : {{ radius: 4, color: "#555", weight: 1, fillColor: "#bbbbbb", fillOpacity: 0.8 }};
  }}
  function popup(f) {{
    var p = f.properties, div = document.createElement("div"); div.className = "popup";
    var b = document.createElement("b"); b.textContent = p.name; div.appendChild(b);
    [["Categories", (p.category_labels || []).join(", ") || "none recorded"], ["Area", p.area_name || "outside the areas"],
     ["Address", p.address], ["Postcode", p.postcode], ["About", p.description], ["Located by", p.located_by]]
      .forEach(function (kv) {{
        if (!kv[1]) return;
        var d = document.createElement("div"); d.textContent = kv[0] + ": " + kv[1]; div.appendChild(d);
      }});
    return div;
  }}
  var markers = L.geoJSON(data.assets, {{
    pointToLayer: function (f, latlng) {{ return L.circleMarker(latlng, markerStyle(f)); }},
    onEachFeature: function (f, layer) {{ layer.bindPopup(function () {{ return popup(f); }}); }}
  }}).addTo(map);

  var legend = L.control({{ position: "bottomright" }});
  legend.onAdd = function () {{ this._div = L.DomUtil.create("div", "legend"); return this._div; }};
  legend.addTo(map);
  function drawLegend() {{
    var div = legend._div; div.textContent = "";
    var h = document.createElement("h2"); h.textContent = label(current); div.appendChild(h);
    ["none", "low", "ok", "no data?"].forEach(function (k) {{
      var row = document.createElement("div"), sw = document.createElement("i");
      sw.style.background = data.colours[k]; row.appendChild(sw);
      row.appendChild(document.createTextNode(k + ": " + data.levels[k])); div.appendChild(row);
    }});
    var row = document.createElement("div"), sw = document.createElement("i");
    sw.style.background = "#fff"; sw.style.borderRadius = "50%"; sw.style.borderWidth = "2px"; row.appendChild(sw);
    row.appendChild(document.createTextNode("asset of this category")); div.appendChild(row);
    var note = document.createElement("div"); note.className = "note";
    note.textContent = "Coverage: " + data.method + "."; div.appendChild(note);
  }}
  function restyle() {{
    areas.setStyle(areaStyle);
    markers.eachLayer(function (m) {{ m.setStyle(markerStyle(m.feature)); if (inCategory(m.feature)) m.bringToFront(); }});
    drawLegend();
    document.body.setAttribute("data-category", current);
  }}
  select.addEventListener("change", function () {{ current = select.value; restyle(); }});
  map.fitBounds(areas.getBounds(), {{ padding: [20, 20] }});
  restyle();
  window.assetMap = {{ map: map, areas: areas, markers: markers,
    show: function (id) {{ select.value = id; current = id; restyle(); }} }};
}})();
</script>
</body>
</html>
"""
