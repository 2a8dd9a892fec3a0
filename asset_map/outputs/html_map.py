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
- a legend and a title with the date of the data;
- every area's name written on the map (permanent labels at the centre of
  the largest circle inside it), not only on hover;
- with an area in focus and a population layer, **where the unreached
  live**: the small areas (parts) inside the area shaded by the share of
  their target residents out of reach of the chosen category
  (``unreached / target``, in the classes of :data:`asset_map.outputs.view.UNREACHED_CLASSES`), with
  a tooltip giving both numbers and a legend section saying what the shade
  means (:meth:`~asset_map.outputs.view.OutputView.unreached`); the same
  shading over the whole study area when the view holds every small area;
- with a street network, **the catchments** of the chosen category's
  assets (:meth:`~asset_map.outputs.view.OutputView.shown_catchments`): the
  streets from which at least one of them is reached within the category's
  time (the union of their catchments, one shape per category, so the page
  stays light with thousands of assets), outlined with a light fill, with a
  switch in the header to show or hide them, and the reach and the number of
  assets in the legend ("10 min walk catchments of 3 assets").
  They are simplified to :data:`SIMPLIFY_M` for the page; the measures use
  the exact travel times.

From an output view (:mod:`asset_map.outputs.view`): with an area in focus
the map is zoomed to it, outlined, its neighbours faded (and their names
fainter), and it opens on the area's top robust gap
(:meth:`~asset_map.outputs.view.OutputView.opening_category`); with a
what-if a switch in the header shows the figures after it (the default) or
before it: the shading, tooltips and legend follow; the assets added are
green, those taken away dashed and struck through with a red cross (after)
or as they were (before).

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
from .view import UNREACHED_CLASSES

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.gaps import GapReport
    from ..categories.taxonomy import Taxonomy
    from .view import OutputView

#: Fill colour per gap level and for "no data?": the slide maps' Okabe–Ito colours (colour-blind safe);
#: "no data?" a darker grey than the slide's, as the page has no hatching.
COLOURS = {**LEVEL_COLOURS, "no data?": "#BDBDBD"}
#: Catchment outlines on the page are simplified to this many metres (they are drawn 40 m either side of streets).
SIMPLIFY_M = 20.0
#: The catchments' outline and fill: Okabe–Ito blue, apart from the level colours.
CATCHMENT_COLOUR = "#0072B2"
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


def map_html(areas: "gpd.GeoDataFrame", view: "OutputView", taxonomy: "Taxonomy", *, title: str, data_date: str,
             category: str | None = None) -> str:
    """The page as text (see the module docstring).

    Parameters
    ----------
    areas
        The workspace's areas (EPSG:27700).
    view
        What to show (:mod:`asset_map.outputs.view`): the gaps for every area ×
        category, the assets counted, the area in focus and the what-if.
    category
        The category shown first (default: that of the top robust gap of the
        area in focus, or of the study area, :meth:`OutputView.opening_category`).
    """
    import pandas as pd

    from .geojson import areas_geojson, assets_geojson

    report = view.report
    areas_fc = json.loads(areas_geojson(areas, report, taxonomy))
    _add_shades(areas_fc, report, view.before, taxonomy)
    for f, point in zip(areas_fc["features"], _label_points(areas)):
        f["properties"]["label"] = point
    assets = view.assets
    if view.removed is not None and len(view.removed):
        assets = pd.concat([assets, view.removed], ignore_index=True)
    assets_fc = {"type": "FeatureCollection", "features": []}
    if assets is not None and len(assets):
        assets_fc = json.loads(assets_geojson(assets, areas, taxonomy))
        keep = ("asset_id", "name", "categories", "category_labels", "area_name", "located_by", "address",
                "postcode", "description", "what_if")
        for f in assets_fc["features"]:
            f["properties"] = {k: f["properties"].get(k) for k in keep}
    first = category or view.opening_category() or taxonomy.ids[0]
    data = {
        "areas": areas_fc, "assets": assets_fc,
        "categories": [{"id": c.id, "label": c.label} for c in taxonomy],
        "first": first, "colours": COLOURS, "levels": LEVEL_TEXT, "method": report.coverage_method,
        "unknown": unknown_categories(report, taxonomy),
        "focus": view.area, "whatIf": view.what_if_text(),
        "small": _small_areas(view, taxonomy), "unreachedClasses": UNREACHED_CLASSES,
        **_catchments(view),
    }
    return _PAGE.format(
        title=html.escape(title), date=html.escape(data_date), leaflet_css=_asset("leaflet.css"),
        leaflet_js=_asset("leaflet.js"), data=_json_for_script(data),
    )


def _add_shades(areas_fc: dict, report: "GapReport", before: "GapReport | None", taxonomy: "Taxonomy") -> None:
    """Each area's ``<id>_shade`` (the level shown), and with a what-if ``<id>_shade_before``,
    ``<id>_coverage_before``, ``<id>_assets_before`` and ``<id>_priority_before``."""
    by_key = {(r.area_code, r.category_id): r for r in report.rows}
    old = {} if before is None else {(r.area_code, r.category_id): r for r in before.rows}
    for f in areas_fc["features"]:
        p = f["properties"]
        for c in taxonomy:
            key = (p["area_code"], c.id)
            p[f"{c.id}_shade"] = by_key[key].shown_level
            if key in old:
                b = old[key]
                p[f"{c.id}_shade_before"], p[f"{c.id}_coverage_before"] = b.shown_level, round(b.coverage, 4)
                p[f"{c.id}_assets_before"], p[f"{c.id}_priority_before"] = b.assets, b.priority


def _small_areas(view: "OutputView", taxonomy: "Taxonomy") -> dict | None:
    """The small areas in focus as GeoJSON (WGS84), each with ``<c>_unreached`` and ``<c>_target`` of every
    category *c* (:meth:`OutputView.unreached`); None without them."""
    if view.small_areas is None or not len(view.small_areas):
        return None
    from ..geo import WGS84

    frame = view.small_areas.to_crs(WGS84)
    features = []
    for k, geom in enumerate(frame.geometry):
        props: dict[str, Any] = {"code": str(frame["area_code"].iloc[k]), "name": str(frame["area_name"].iloc[k])}
        for c in taxonomy:
            for part in ("unreached", "target"):
                col = f"{c.id}_{part}"
                props[col] = round(float(frame[col].iloc[k]), 1) if col in frame.columns else None
        features.append({"type": "Feature", "properties": props, "geometry": geom.__geo_interface__})
    return {"type": "FeatureCollection", "features": features}


def _catchments(view: "OutputView") -> dict[str, Any]:
    """``catchments``: for each category, the union of its assets' catchments as GeoJSON (WGS84, simplified to
    :data:`SIMPLIFY_M`) with ``category``, ``reach`` and ``assets`` (how many), or None without catchments;
    ``catchmentColour``."""
    shown = view.shown_catchments()
    if shown is None:
        return {"catchments": None, "catchmentColour": CATCHMENT_COLOUR}
    import geopandas as gpd
    import shapely

    from .geojson import feature_collection

    groups = list(shown.groupby("category", sort=False))
    union = [shapely.simplify(shapely.union_all(g.geometry.to_numpy()), SIMPLIFY_M) for _, g in groups]
    props = [{"category": str(c), "reach": str(g["reach"].iloc[0]), "assets": int(g["asset_id"].nunique())}
             for c, g in groups]
    fc = json.loads(feature_collection(gpd.GeoDataFrame(geometry=union, crs=shown.crs), props))
    return {"catchments": fc, "catchmentColour": CATCHMENT_COLOUR}


def _label_points(areas: "gpd.GeoDataFrame") -> list[list[float] | None]:
    """Where each area's name is written: [latitude, longitude] of the centre of the largest circle inside it
    (a point inside it when that fails), or None for an empty area."""
    import geopandas as gpd

    from ..geo import WGS84, label_circle

    centres = [None if geom is None or geom.is_empty else label_circle(geom)[0] for geom in areas.geometry]
    points = gpd.GeoSeries(centres, crs=areas.crs).to_crs(WGS84)
    return [None if p is None or p.is_empty else [round(p.y, 7), round(p.x, 7)] for p in points]


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
header label[for="category"] {{ margin-left: auto; }}
#catchments-switch {{ white-space: nowrap; }}
header select {{ font-size: 1em; }}
.legend {{ background: #fff; padding: .6em .8em; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  line-height: 1.5; max-width: 18em; }}
.legend h2 {{ font-size: 1em; margin: 0 0 .3em; }}
.legend i {{ display: inline-block; width: 1em; height: 1em; margin-right: .4em; vertical-align: -.15em;
  border: 1px solid #555; }}
.legend .note {{ font-size: .8em; color: #444; margin-top: .4em; }}
.popup b {{ display: block; margin-bottom: .2em; }}
.area-label span {{ position: absolute; transform: translate(-50%, -50%); white-space: nowrap; font-weight: 600;
  font-size: 13px; color: #111; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }}
.area-label.faded span {{ font-weight: 400; color: #555; font-size: 11px; }}
.struck {{ color: #B00000; font-size: 18px; font-weight: 700; line-height: 16px; text-align: center; }}
header .whatif {{ font-size: .85em; opacity: .9; min-width: 0; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }}
header h1, header .date {{ white-space: nowrap; }}
</style>
</head>
<body>
<header><h1>{title}</h1><span class="date">data as of {date}</span>
<span class="whatif" id="whatif"></span>
<select id="scenario" aria-label="Before or after the what-if" hidden>
<option value="after">after the what-if</option><option value="before">before</option></select>
<label id="catchments-switch" hidden><input type="checkbox" id="show-catchments" checked> catchments</label>
<label for="category">Category</label><select id="category" aria-label="Category"></select></header>
<div id="map"></div>
<script>{leaflet_js}</script>
<script id="asset-map-data" type="application/json">{data}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("asset-map-data").textContent);
  var map = L.map("map", {{ preferCanvas: false, zoomSnap: 0.25 }});
  L.tileLayer("https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png", {{
    maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"
  }}).addTo(map);
  var current = data.first;
  var phase = data.whatIf ? "after" : "now";
  var scenario = document.getElementById("scenario");
  if (data.whatIf) {{
    scenario.hidden = false;
    var w = document.getElementById("whatif"); w.textContent = data.whatIf; w.title = data.whatIf;
  }}
  function sfx() {{ return phase === "before" ? "_before" : ""; }}
  function focused(feature) {{ return !data.focus || feature.properties.area_code === data.focus; }}
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
    var shade = feature.properties[current + "_shade" + sfx()];
    if (!focused(feature)) return {{ color: "#999", weight: 0.8, fillColor: data.colours[shade] || "#ffffff",
                                    fillOpacity: 0.15 }};
    return {{ color: data.focus ? "#000" : "#333", weight: data.focus ? 3 : 1.2,
             fillColor: data.colours[shade] || "#ffffff", fillOpacity: 0.55 }};
  }}
  function areaTip(feature) {{
    var p = feature.properties, div = document.createElement("div");
    var b = document.createElement("b"); b.textContent = p.area_name; div.appendChild(b);
    var k = current + "_", s = sfx();
    var lines = [
      label(current) + ": " + data.levels[p[k + "shade" + s]],
      "coverage " + Math.round(100 * p[k + "coverage" + s]) + "%, " + p[k + "assets" + s] + " assets",
      "priority " + p[k + "priority" + s]
    ];
    if (data.whatIf) lines.push(phase === "before" ? "before the what-if" : "after the what-if (before: coverage "
      + Math.round(100 * p[k + "coverage_before"]) + "%, " + p[k + "assets_before"] + " assets)");
    lines.forEach(function (t) {{ var s = document.createElement("div"); s.textContent = t; div.appendChild(s); }});
    return div;
  }}
  var areas = L.geoJSON(data.areas, {{
    style: areaStyle,
    onEachFeature: function (f, layer) {{
      layer.bindTooltip(function () {{ return areaTip(f); }}, {{ sticky: true }});
    }}
  }}).addTo(map);
  function unreachedClass(p) {{
    var t = p[current + "_target"], u = p[current + "_unreached"];
    if (!(t > 0)) return null;
    for (var i = 0; i < data.unreachedClasses.length; i++) {{
      if (u / t < data.unreachedClasses[i][0]) return data.unreachedClasses[i];
    }}
    return data.unreachedClasses[data.unreachedClasses.length - 1];
  }}
  function smallStyle(f) {{
    var k = unreachedClass(f.properties);
    return {{ color: "#ffffff", weight: 0.8, fillColor: k ? k[1] : "#ffffff", fillOpacity: k ? 0.85 : 0 }};
  }}
  function smallTip(f) {{
    var p = f.properties, div = document.createElement("div"), t = p[current + "_target"], u = p[current + "_unreached"];
    var b = document.createElement("b"); b.textContent = p.name + " (" + p.code + ")"; div.appendChild(b);
    var d = document.createElement("div");
    d.textContent = label(current) + ": " + Math.round(u).toLocaleString("en-GB") + " of "
      + Math.round(t).toLocaleString("en-GB") + " residents out of reach" + (t > 0 ? " (" + Math.round(100 * u / t) + "%)" : "");
    div.appendChild(d); return div;
  }}
  var small = data.small ? L.geoJSON(data.small, {{
    style: smallStyle,
    onEachFeature: function (f, layer) {{ layer.bindTooltip(function () {{ return smallTip(f); }}, {{ sticky: true }}); }}
  }}).addTo(map) : null;
  if (small) L.geoJSON({{ type: "FeatureCollection", features: data.areas.features.filter(focused) }}, {{
    interactive: false, style: {{ fill: false, color: "#000", weight: 3 }} }}).addTo(map);
  function catchmentFeatures() {{
    return {{ type: "FeatureCollection",
             features: data.catchments.features.filter(function (f) {{ return f.properties.category === current; }}) }};
  }}
  var catchments = data.catchments ? L.geoJSON(null, {{ interactive: false, style: {{
    color: data.catchmentColour, weight: 1.5, fillColor: data.catchmentColour, fillOpacity: 0.12 }} }}) : null;
  var showCatchments = document.getElementById("show-catchments");
  if (catchments) {{
    document.getElementById("catchments-switch").hidden = false;
    showCatchments.addEventListener("change", function () {{ restyle(); }});
  }}
  var labels = L.layerGroup().addTo(map);
  data.areas.features.forEach(function (f) {{
    if (!f.properties.label) return;
    var span = document.createElement("span"); span.textContent = f.properties.area_name;
    L.marker(f.properties.label, {{ interactive: false, keyboard: false, icon: L.divIcon({{
      className: "area-label" + (focused(f) ? "" : " faded"), html: span, iconSize: null }}) }}).addTo(labels);
  }});

  function inCategory(f) {{ return (f.properties.categories || []).indexOf(current) >= 0; }}
  function markerStyle(f) {{
    var w = f.properties.what_if;
    if (w === "added") return phase === "before" ? {{ opacity: 0, fillOpacity: 0, radius: 0 }}
      : {{ radius: 9, color: "#006D4F", weight: 3, fillColor: "#009E73", fillOpacity: 1 }};
    if (w === "removed" && phase === "after")
      return {{ radius: 7, color: "#B00000", weight: 2, dashArray: "3 3", fillColor: "#ffffff", fillOpacity: 0.4 }};
    return inCategory(f)
      ? {{ radius: 7, color: "#000", weight: 2, fillColor: "#ffffff", fillOpacity: 1 }}
      : {{ radius: 4, color: "#555", weight: 1, fillColor: "#bbbbbb", fillOpacity: 0.8 }};
  }}
  function popup(f) {{
    var p = f.properties, div = document.createElement("div"); div.className = "popup";
    var b = document.createElement("b"); b.textContent = p.name; div.appendChild(b);
    [["What if", {{ added: "added for this what-if", removed: "taken away in this what-if" }}[p.what_if]],
     ["Categories", (p.category_labels || []).join(", ") || "none recorded"], ["Area", p.area_name || "outside the areas"],
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
  var struck = L.layerGroup();
  data.assets.features.forEach(function (f) {{
    if (f.properties.what_if !== "removed" || !f.geometry) return;
    var c = f.geometry.coordinates;
    L.marker([c[1], c[0]], {{ interactive: false, icon: L.divIcon({{ className: "struck", html: "\u2715",
      iconSize: [16, 16] }}) }}).addTo(struck);
  }});

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
    if (data.whatIf && phase === "after") {{
      [["#009E73", "added for this what-if"], ["#B00000", "taken away (struck through)"]].forEach(function (kv) {{
        var r = document.createElement("div"), i = document.createElement("i");
        i.style.background = kv[0]; i.style.borderRadius = "50%"; r.appendChild(i);
        r.appendChild(document.createTextNode(kv[1])); div.appendChild(r);
      }});
    }}
    if (data.whatIf) {{
      var w = document.createElement("div"); w.className = "note";
      w.textContent = (phase === "before" ? "Before the what-if. " : "After the what-if. ") + data.whatIf;
      div.appendChild(w);
    }}
    if (catchments && showCatchments.checked) {{
      var cr = document.createElement("div"), ci = document.createElement("i");
      ci.style.background = "rgba(0, 114, 178, 0.12)"; ci.style.borderColor = data.catchmentColour; cr.appendChild(ci);
      var cf = data.catchments.features.filter(function (f) {{ return f.properties.category === current; }})[0];
      cr.appendChild(document.createTextNode(cf ? cf.properties.reach + " catchments of " + cf.properties.assets
        + (cf.properties.assets === 1 ? " asset" : " assets") : "no catchment: no located asset of this category"));
      div.appendChild(cr);
      var cn = document.createElement("div"); cn.className = "note";
      cn.textContent = "Catchments follow the streets (a drawing: the figures use exact travel times).";
      div.appendChild(cn);
    }}
    if (small) {{
      var sh = document.createElement("h2"); sh.textContent = "Out of reach, by small area"; div.appendChild(sh);
      data.unreachedClasses.forEach(function (k) {{
        var r = document.createElement("div"), i = document.createElement("i");
        i.style.background = k[1]; r.appendChild(i); r.appendChild(document.createTextNode(k[2])); div.appendChild(r);
      }});
      var sn = document.createElement("div"); sn.className = "note";
      sn.textContent = "Share of each small area's target residents beyond every " + label(current)
        + " asset's catchment: where the unreached live."; div.appendChild(sn);
    }}
    var note = document.createElement("div"); note.className = "note";
    note.textContent = "Coverage: " + data.method + "."; div.appendChild(note);
  }}
  function restyle() {{
    areas.setStyle(areaStyle);
    if (small) small.setStyle(smallStyle);
    if (catchments) {{
      catchments.clearLayers();
      if (showCatchments.checked) {{ catchments.addData(catchmentFeatures()); catchments.addTo(map); }}
      else catchments.remove();
      markers.bringToFront();
    }}
    markers.eachLayer(function (m) {{
      m.setStyle(markerStyle(m.feature));
      if (inCategory(m.feature) || m.feature.properties.what_if) m.bringToFront();
    }});
    if (phase === "after") struck.addTo(map); else struck.remove();
    drawLegend();
    document.body.setAttribute("data-category", current);
    document.body.setAttribute("data-phase", phase);
  }}
  select.addEventListener("change", function () {{ current = select.value; restyle(); }});
  scenario.addEventListener("change", function () {{ phase = scenario.value; restyle(); }});
  var framed = L.featureGroup(areas.getLayers().filter(function (l) {{ return focused(l.feature); }}));
  map.fitBounds(framed.getBounds(), {{ padding: [20, 20] }});
  restyle();
  window.assetMap = {{ map: map, areas: areas, small: small, catchments: catchments, markers: markers, labels: labels, struck: struck, framed: framed,
    show: function (id) {{ select.value = id; current = id; restyle(); }},
    phase: function (p) {{ scenario.value = p; phase = p; restyle(); }} }};
}})();
</script>
</body>
</html>
"""
