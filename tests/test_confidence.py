"""Confidence: "no provision" versus "no data?"."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

import asset_map
from asset_map.confidence import assess, gather
from asset_map.store import Table
from conftest import X0, Y0, asset_row, bng_to_lonlat, write_csv


@pytest.fixture
def ws(layered, tmp_path):
    w = layered
    w.load_postcodes(write_csv(tmp_path / "pc.csv", ["postcode", "easting", "northing"], [
        ["M32 0LG", str(X0 + 100), str(Y0 + 100)], ["M32 0AB", str(X0 + 900), str(Y0 + 900)],
        ["M32 0AC", str(X0 + 3500), str(Y0 + 100)],  # two of the district's three postcodes are in West
    ]))
    return w


def test_clean_lists_give_no_provision_with_high_confidence(ws, tmp_path):
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Friends", "befriending", X0 + 200, Y0 + 1000)]))
    rows = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    dementia = rows[("E01", "dementia")]
    assert (dementia.finding, dementia.confidence, dementia.confidence_reason) == (
        "no provision", "high", "no sign of missing data")
    assert rows[("W01", "loneliness_isolation")].finding == "provision"


def test_rejected_rows_and_uncategorised_assets(ws, tmp_path):
    east_lon, east_lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude", "Postcode"], [
        asset_row("Friends", "befriending", X0 + 200, Y0 + 1000) + [""],
        asset_row("Mystery group", "zzz things", X0 + 3100, Y0 + 1000) + [""],        # East, no category
        ["Swapped club", "carers", f"{east_lon:.6f}", f"{east_lat:.6f}", ""],          # East once put right
        ["Lost club", "carers", "", "", "M32 9ZZ"],                                     # district M32: West
        ["Nowhere club", "carers", "", "", ""],                                         # cannot be placed
    ]))
    report = ws.gaps()
    rows = {(r.area_code, r.category_id): r for r in report.rows}
    # A rejected carers row placed in each area: direct evidence, so "no data?" rather than "no provision".
    for code in ("E01", "W01"):
        carers = rows[(code, "carers")]
        assert (carers.finding, carers.confidence) == ("no data?", "low")
        assert carers.confidence_reason.startswith("1 rejected carers row would probably have fallen here")
    # One uncategorised asset in East: at the study mix (1 categorised asset, 21 categories) it is
    # 1 × (0 + 1) / (1 + 21) ≈ 0.05 of a dementia asset: not enough to doubt "no provision".
    assert (rows[("E01", "dementia")].finding, rows[("E01", "dementia")].confidence) == ("no provision", "high")
    # ... but it may well be befriending, the only category seen so far: 1 × (1 + 1) / 22 ≈ 0.09.
    assert rows[("W01", "loneliness_isolation")].finding == "provision"
    assert any("1 rejected rows could not be placed in any area" in n for n in report.notes)
    from asset_map.render import gaps_markdown

    md = gaps_markdown(ws.gaps(category="carers"))
    assert "| no data? |" in md and "Data: low confidence — 1 rejected carers row" in md


def test_many_uncategorised_assets_make_it_no_data(ws, tmp_path):
    rows = [asset_row(f"Group {k}", "befriending", X0 + 100 + k, Y0 + 100) for k in range(8)]
    rows += [asset_row(f"Unknown {k}", "zzz", X0 + 3100 + k, Y0 + 1000) for k in range(12)]
    ws.import_assets(write_csv(tmp_path / "many.csv", ["Name", "Category", "Latitude", "Longitude"], rows))
    east = {r.category_id: r for r in ws.gaps(area="East").rows}
    # 12 uncategorised in East; study mix 8 befriending of 8 categorised, 21 categories:
    # befriending 12 × 9/29 ≈ 3.7 expected; carers 12 × 1/29 ≈ 0.41 (medium, not "no data?").
    assert east["loneliness_isolation"].finding == "no data?"
    assert "12 assets here without a category: at the study area's mix about 3.7 would be loneliness" in \
        east["loneliness_isolation"].confidence_reason
    assert (east["carers"].finding, east["carers"].confidence) == ("no provision", "medium")


def test_stale_records_and_unlocated_services():
    areas = Table({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"]}, np.array([None, None], dtype=object))
    assets = Table({"area_code": ["A", "A", "A", "B"], "categories": ["carers"] * 4,
                    "last_verified": ["2020-01-01", "2026-01-01", "", "2019-05-05"]},
                   np.array([Point(0, 0)] * 4, dtype=object))
    unlocated = Table({"categories": ["carers", "carers;dementia"], "served_area": ["beta", "E08000009"]})
    from datetime import date

    ev = gather(areas, assets, unlocated, None, None, stale_days=730, today=date(2026, 11, 30))
    assert ev.stale[("A", "carers")] == 1 and ev.stale[("B", "carers")] == 1  # an empty date is not stale
    assert ev.unlocated[("B", "carers")] == 1 and ev.unlocated[("", "carers")] == 1
    assert ev.unlocated[("", "dementia")] == 1


def test_assess_marks_mostly_stale_provision_low(two_areas, tmp_path):
    from asset_map.confidence import Evidence

    w = asset_map.Workspace(tmp_path / "s.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name", population_field="pop")
    report = w.gaps(category="carers")
    ev = Evidence()
    ev.located[("W01", "carers")] = 2
    ev.stale[("W01", "carers")] = 1
    out = {r.area_code: r for r in assess(report, ev).rows}
    assert out["W01"].confidence == "low"
    assert out["W01"].confidence_reason == "1 of 2 carers assets here not verified in 730 days"
    assert out["E01"].confidence == "high"
