"""Loading boundaries: formats and CRSs, fields, population, dissolving, and every bad file."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon

import asset_map
from asset_map.inputs.boundaries import load_boundaries
from asset_map.errors import AssetMapError, BoundaryError, ColumnError, InputFileError
from conftest import REAL, X0, Y0, fingerprint, square, write_areas

SQUARES = [("W01", "West", 10_000, square(X0, Y0, 2000)), ("E01", "East", 5_000, square(X0 + 2000, Y0, 2000))]


def ons_population(path: Path, totals: dict[str, int]) -> Path:
    """An ONS wide-format CSV: Persons/Females/Males rows, bands and single years 0..89, 90+."""
    header = ["period", "area_code", "area_name", "geography", "sex", "all_ages", "aged_0_to_15",
              "aged_16_to_64", "aged_65_and_over", *map(str, range(90)), "90+"]
    lines = [",".join(header)]
    for code, total in totals.items():
        per_year = total // 91
        ages = [per_year] * 91
        ages[30] += total - per_year * 91
        for sex, share in (("Persons", 1.0), ("Females", 0.5), ("Males", 0.5)):
            a = [round(v * share) for v in ages]
            row = ["2024-06-30", code, f"Name {code}", "LSOA", sex, sum(a), sum(a[:16]), sum(a[16:65]), sum(a[65:]), *a]
            lines.append(",".join(map(str, row)))
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------ formats and CRSs
@pytest.mark.parametrize("suffix,crs", [(".geojson", "EPSG:4326"), (".gpkg", "EPSG:3857"), (".shp", "EPSG:4326"),
                                        (".gpkg", "EPSG:27700")])
def test_any_format_in_any_crs_ends_up_in_british_national_grid(tmp_path, suffix, crs):
    path = write_areas(tmp_path / f"areas{suffix}", SQUARES, crs=crs)
    result = load_boundaries(path, population_field="pop")
    areas = result.areas
    assert areas.crs.to_epsg() == 27700
    assert list(areas["area_code"]) == ["E01", "W01"]
    assert areas.geometry.area.tolist() == pytest.approx([4_000_000, 4_000_000], rel=1e-4)
    assert areas["area_km2"].tolist() == pytest.approx([4.0, 4.0], rel=1e-4)
    assert areas["all_ages"].tolist() == [5_000, 10_000]
    assert areas.geometry.iloc[1].centroid.distance(Point(X0 + 1000, Y0 + 1000)) < 1.0


def test_topojson_without_a_crs_is_wgs84_and_its_invalid_polygons_are_repaired():
    """The real ONS local-authority TopoJSON: 361 areas, a few invalid from quantisation."""
    path = REAL / "national_msoa" / "LAD_UK_2024_05.topojson.json"
    if not path.exists():
        pytest.skip("real national boundaries not beside the project")
    raw = gpd.read_file(path)
    invalid = int((~shapely.is_valid(raw.geometry.to_numpy())).sum())
    assert invalid == 4
    result = load_boundaries(path)
    assert len(result.areas) == 361
    assert result.warnings == [f"{path.name}: repaired 4 invalid geometries"]
    assert shapely.is_valid(result.areas.geometry.to_numpy()).all()
    # Read as WGS84: Trafford (E08000009) lands where Trafford is, about 106 km².
    trafford = result.areas.set_index("area_code").loc["E08000009"]
    assert trafford["area_name"] == "Trafford"
    assert 95 < trafford["area_km2"] < 115
    c = trafford.geometry.centroid
    assert 370_000 < c.x < 385_000 and 388_000 < c.y < 398_000


# ------------------------------------------------------------------ fields
def test_fields_are_detected_or_chosen(tmp_path):
    gdf = gpd.GeoDataFrame({"LOC22CD": ["A1", "B1"], "LOC22NM": ["Alpha", "Beta"], "other": [1, 2]},
                           geometry=[square(X0, Y0, 1000), square(X0 + 1000, Y0, 1000)], crs=27700)
    gdf.to_file(tmp_path / "loc.gpkg")
    detected = load_boundaries(tmp_path / "loc.gpkg").areas
    assert list(detected["area_code"]) == ["A1", "B1"] and list(detected["area_name"]) == ["Alpha", "Beta"]
    chosen = load_boundaries(tmp_path / "loc.gpkg", code_field="LOC22NM", name_field="LOC22CD").areas
    assert list(chosen["area_code"]) == ["Alpha", "Beta"]
    with pytest.raises(ColumnError, match=r"loc.gpkg: no field 'LOC_CODE' for --code-field; the fields are "
                                          r"LOC22CD, LOC22NM, other"):
        load_boundaries(tmp_path / "loc.gpkg", code_field="LOC_CODE")


def test_names_only_are_used_as_codes_with_a_warning(tmp_path):
    gdf = gpd.GeoDataFrame({"area_name": ["North", "South"]},
                           geometry=[square(X0, Y0, 1000), square(X0, Y0 + 1000, 1000)], crs=27700)
    gdf.to_file(tmp_path / "names.geojson")
    result = load_boundaries(tmp_path / "names.geojson")
    assert list(result.areas["area_code"]) == ["North", "South"]
    assert "no code field; using the names in 'area_name' as codes" in result.warnings[0]


# ------------------------------------------------------------------ population
def test_population_from_an_ons_wide_csv(tmp_path):
    path = write_areas(tmp_path / "areas.gpkg", SQUARES)
    pop = ons_population(tmp_path / "pop.csv", {"W01": 9_100, "E01": 4_550, "X99": 1})
    areas = load_boundaries(path, population_csv=pop).areas.set_index("area_code")
    assert areas.loc["W01", "all_ages"] == 9_100  # the Persons row, not Persons + Females + Males
    assert areas.loc["E01", "aged_65_and_over"] == 26 * 50
    assert areas.loc["W01", "age_90"] == 100
    assert (areas["aged_0_to_15"] + areas["aged_16_to_64"] + areas["aged_65_and_over"]
            == areas["all_ages"]).all()


def test_population_csv_missing_an_area(tmp_path):
    path = write_areas(tmp_path / "areas.gpkg", SQUARES)
    pop = ons_population(tmp_path / "pop.csv", {"W01": 9_100})
    with pytest.raises(InputFileError, match=r"pop.csv: no population for 1 area\(s\): E01; the population file "
                                             r"must have a row for every area code"):
        load_boundaries(path, population_csv=pop)


def test_population_csv_with_text_in_a_count(tmp_path):
    path = write_areas(tmp_path / "areas.gpkg", SQUARES)
    pop = tmp_path / "pop.csv"
    pop.write_text("area_code,all_ages\nW01,9100\nE01,about 5k\n")
    with pytest.raises(InputFileError, match=r"pop.csv, row 3, column 'all_ages'"):
        load_boundaries(path, population_csv=pop)


def test_population_field_with_text(tmp_path):
    path = write_areas(tmp_path / "areas.gpkg", [("W01", "West", "lots", square(X0, Y0, 1000))])
    with pytest.raises(InputFileError, match=r"areas.gpkg, feature 1, field 'pop': 'lots' is not a population"):
        load_boundaries(path, population_field="pop")


@pytest.mark.parametrize("cell, message", [("inf", r"'inf' cannot be a population count"),
                                           ("-3", r"'-3' is out of range for a population count \(at least 0\)")])
def test_population_csv_counts_must_be_finite_and_not_negative(tmp_path, cell, message):
    path = write_areas(tmp_path / "areas.gpkg", SQUARES)
    pop = tmp_path / "pop.csv"
    pop.write_text(f"area_code,all_ages\nW01,\"9,100\"\nE01,{cell}\n")
    with pytest.raises(InputFileError, match=r"pop.csv, row 3, column 'all_ages': " + message):
        load_boundaries(path, population_csv=pop)


def test_a_geometry_collection_without_a_polygon_is_refused_by_feature(tmp_path):
    line = {"type": "GeometryCollection", "geometries": [
        {"type": "LineString", "coordinates": [[-1.2, 52.6], [-1.1, 52.6]]}]}
    square_ll = {"type": "Polygon", "coordinates": [[[-1.27, 52.60], [-1.27, 52.61], [-1.25, 52.61], [-1.27, 52.60]]]}
    features = [{"type": "Feature", "properties": {"area_code": c}, "geometry": g}
                for c, g in (("A", square_ll), ("B", line))]
    path = tmp_path / "gc.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(BoundaryError, match=r"gc.geojson, feature 2: a GeometryCollection with no polygon in it "
                                            r"\(LineString\)"):
        load_boundaries(path)


def small_grid(tmp_path: Path) -> Path:
    """Eight 1 km small areas S1..S8: S1-S4 are in the west 2 km square, S5-S8 in the east one."""
    cells = []
    k = 0
    for ix in range(4):
        for iy in range(2):
            k += 1
            cells.append((f"S{k}", f"Small {k}", 1000 * k, square(X0 + 1000 * ix, Y0 + 1000 * iy, 1000)))
    return write_areas(tmp_path / "small.geojson", cells, crs="EPSG:4326")


def test_small_area_population_summed_into_areas(tmp_path):
    path = write_areas(tmp_path / "areas.gpkg", SQUARES)
    pop = ons_population(tmp_path / "pop.csv", {f"S{k}": 1000 * k for k in range(1, 9)})
    result = load_boundaries(path, population_csv=pop, small_areas=small_grid(tmp_path))
    totals = dict(zip(result.areas["area_code"], result.areas["all_ages"]))
    assert totals == {"W01": 1000 + 2000 + 3000 + 4000, "E01": 5000 + 6000 + 7000 + 8000}
    assert len(result.small_areas) == 8
    assert dict(zip(result.small_areas["code"], result.small_areas["area_code"]))["S6"] == "E01"


def test_neighbourhoods_dissolved_from_small_areas_through_a_lookup(tmp_path):
    pop = ons_population(tmp_path / "pop.csv", {f"S{k}": 1000 * k for k in range(1, 9)})
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("small,nbhd,nbhd_name\n" + "".join(
        f"S{k},{'N1' if k <= 3 else 'N2'},{'Northside' if k <= 3 else 'Southside'}\n" for k in range(1, 9)))
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    result = ws.load_boundaries(small_grid(tmp_path), population_csv=pop, dissolve=lookup,
                                into="nbhd", into_name="nbhd_name")
    areas = result.areas.set_index("area_code")
    assert list(areas.index) == ["N1", "N2"]
    assert areas["area_name"].to_dict() == {"N1": "Northside", "N2": "Southside"}
    assert areas["all_ages"].to_dict() == {"N1": 6_000, "N2": 30_000}
    assert areas["area_km2"].to_dict() == pytest.approx({"N1": 3.0, "N2": 5.0}, rel=1e-3)
    assert (areas.geometry.geom_type == "Polygon").all()  # dissolved into one shape each
    assert len(ws.frame("population")) == 8


def test_lookup_missing_a_small_area(tmp_path):
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("small,nbhd\n" + "".join(f"S{k},N1\n" for k in range(1, 8)))
    with pytest.raises(InputFileError, match=r"lookup.csv: 1 small area\(s\) are not in the lookup, e.g. 'S8'"):
        load_boundaries(small_grid(tmp_path), dissolve=lookup, into="nbhd")


# ------------------------------------------------------------------ bad files: a clear error, workspace unchanged
@pytest.fixture
def loaded(tmp_path):
    ws = asset_map.Workspace(tmp_path / "ws.gpkg")
    ws.load_boundaries(write_areas(tmp_path / "good.gpkg", SQUARES), population_field="pop")
    return ws


def feature_collection(path: Path, features: list[tuple[dict, dict | None]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}))
    return path


LONLAT_SQUARE = {"type": "Polygon", "coordinates": [[[-1.3, 52.4], [-1.29, 52.4], [-1.29, 52.41], [-1.3, 52.41],
                                                     [-1.3, 52.4]]]}


@pytest.mark.parametrize("name,make,error,message", [
    ("empty.geojson", lambda p: p.write_text(""), InputFileError, "empty.geojson: the file is empty"),
    ("nofeatures.geojson", lambda p: feature_collection(p, []), InputFileError, "has no features"),
    ("emptygeom.geojson", lambda p: feature_collection(p, [({"code": "A"}, LONLAT_SQUARE), ({"code": "B"}, None)]),
     BoundaryError, "emptygeom.geojson, feature 2: empty geometry"),
    ("dupes.geojson", lambda p: feature_collection(p, [({"code": "A"}, LONLAT_SQUARE), ({"code": "A"}, LONLAT_SQUARE)]),
     BoundaryError, "dupes.geojson: area code 'A' is used by features 1, 2; codes must be unique"),
    ("points.geojson", lambda p: feature_collection(p, [({"code": "A"}, {"type": "Point", "coordinates": [-1.3, 52.4]})]),
     BoundaryError, "points.geojson: boundaries must be polygons, but this file has Point features"),
    ("paris.geojson", lambda p: feature_collection(p, [({"code": "A"}, {"type": "Polygon", "coordinates": [
        [[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.9], [2.3, 48.8]]]})]),
     BoundaryError, "paris.geojson: the features fall outside Great Britain"),
    ("overlap.geojson", None, BoundaryError, "areas 'A' and 'B' overlap by 200.00 ha (50.0% of the smaller)"),
    ("list.csv", lambda p: p.write_text("code,name\nA,Alpha\n"), InputFileError, "list.csv: boundaries must be polygons"),
])
def test_bad_boundary_files(loaded, tmp_path, name, make, error, message):
    path = tmp_path / name
    if make is None:
        write_areas(path, [("A", "A", 1, square(X0, Y0, 2000)), ("B", "B", 1, square(X0 + 1000, Y0, 2000))],
                    crs="EPSG:4326")
    else:
        make(path)
    before = fingerprint(loaded)
    with pytest.raises(error) as info:
        loaded.load_boundaries(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, AssetMapError)
    assert fingerprint(loaded) == before
    assert list(loaded.areas()["area_code"]) == ["E01", "W01"]


def test_touching_areas_and_slivers_are_not_overlaps(tmp_path):
    """Neighbours share edges; digitising slivers under 0.1% of an area are tolerated."""
    a = square(X0, Y0, 2000)
    b = Polygon([(X0 + 1999.5, Y0), (X0 + 4000, Y0), (X0 + 4000, Y0 + 2000), (X0 + 1999.5, Y0 + 2000)])
    result = load_boundaries(write_areas(tmp_path / "sliver.gpkg", [("A", "A", 1, a), ("B", "B", 1, b)]))
    assert len(result.areas) == 2


def test_invalid_polygon_is_repaired_and_counted(tmp_path):
    bowtie = Polygon([(X0, Y0), (X0 + 2000, Y0 + 2000), (X0 + 2000, Y0), (X0, Y0 + 2000)])
    result = load_boundaries(write_areas(tmp_path / "bow.gpkg", [("A", "Bow", 1, bowtie),
                                                                 ("B", "Box", 1, square(X0 + 3000, Y0, 1000))]))
    assert result.warnings == ["bow.gpkg: repaired 1 invalid geometry"]
    repaired = result.areas.set_index("area_code").loc["A"].geometry
    assert repaired.is_valid and repaired.area == pytest.approx(2_000_000)  # two triangles of 1 km² each
