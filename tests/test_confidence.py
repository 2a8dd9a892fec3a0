"""Confidence: "no provision" versus "no data?"."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

import asset_map
from asset_map.analysis.confidence import assess, gather
from asset_map.store import Table
from conftest import TRAFFORD, X0, Y0, asset_row, bng_to_lonlat, trafford_localities, write_csv


@pytest.fixture
def ws(layered, tmp_path, monkeypatch):
    import asset_map.analysis.confidence

    monkeypatch.setattr(asset_map.analysis.confidence, "NATIONAL_LOOKUP", 20)  # this small lookup stands for a national one
    w = layered
    # Sector M32 0: 20 postcodes in West and 5 in East; sector M32 9: only 3 in the lookup (too few to place).
    rows = [[f"M32 0A{chr(65 + k)}", str(X0 + 100 + 50 * k), str(Y0 + 100)] for k in range(20)]
    rows += [[f"M32 0B{chr(65 + k)}", str(X0 + 3100 + 50 * k), str(Y0 + 100)] for k in range(5)]
    rows += [[f"M32 9A{chr(65 + k)}", str(X0 + 100 + 50 * k), str(Y0 + 300)] for k in range(3)]
    w.load_postcodes(write_csv(tmp_path / "pc.csv", ["postcode", "easting", "northing"], rows))
    return w


def test_clean_lists_give_no_provision_with_high_confidence(ws, tmp_path):
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude"],
                               [asset_row("Friends", "befriending", X0 + 200, Y0 + 1000)]))
    rows = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    lonely = rows[("E01", "loneliness_isolation")]  # Friends is in West, out of East's reach
    assert (lonely.finding, lonely.confidence, lonely.confidence_reason) == (
        "no provision", "high", "no sign of missing data")
    assert rows[("W01", "loneliness_isolation")].finding == "provision"
    # A category no list has at all is not "no provision": the lists may simply not cover it.
    dementia = rows[("E01", "dementia")]
    assert (dementia.finding, dementia.confidence, dementia.confidence_reason) == (
        "no data?", "low", "no list imported has any dementia asset anywhere in the study area")


def test_rejected_rows_and_uncategorised_assets(ws, tmp_path):
    east_lon, east_lat = bng_to_lonlat(X0 + 3000, Y0 + 1000)
    ws.import_assets(write_csv(tmp_path / "a.csv", ["Name", "Category", "Latitude", "Longitude", "Postcode"], [
        asset_row("Friends", "befriending", X0 + 200, Y0 + 1000) + [""],
        asset_row("Mystery group", "zzz things", X0 + 3100, Y0 + 1000) + [""],        # East, no category
        ["Swapped club", "carers", f"{east_lon:.6f}", f"{east_lat:.6f}", ""],          # East once put right
        ["Lost club", "carers", "", "", "M32 0ZZ"],                                     # sector M32 0: West
        ["Far club", "carers", "", "", "M32 9ZZ"],                                      # sector M32 9: too few
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
    # 1 × (1 + 1) / (1 + 21) ≈ 0.09 of a befriending asset: not enough to doubt "no provision".
    east = rows[("E01", "loneliness_isolation")]
    assert (east.finding, east.confidence) == ("no provision", "high")
    assert rows[("W01", "loneliness_isolation")].finding == "provision"
    assert any("2 rejected rows could not be placed in any area" in n for n in report.notes)
    from asset_map.outputs.render import gaps_markdown

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
    assert east["carers"].finding == "no data?"  # no list has any carers asset at all
    assert "about 0.4 would be carers" in east["carers"].confidence_reason


def test_stale_records_and_unlocated_services():
    areas = Table({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"]}, np.array([None, None], dtype=object))
    assets = Table({"area_code": ["A", "A", "A", "B"], "categories": ["carers"] * 4,
                    "last_verified": ["2020-01-01", "2026-01-01", "", "2019-05-05"]},
                   np.array([Point(0, 0)] * 4, dtype=object))
    unlocated = Table({"categories": ["carers", "carers;dementia"], "served_area": ["beta", "E08000009"]})
    from datetime import date

    ev = gather(areas, assets, unlocated, None, None, stale_days=730, today=date(2026, 11, 30))
    assert ev.stale[("A", "carers")] == 1 and ev.stale[("B", "carers")] == 1  # an empty date is not stale
    # "beta" names an area: that service counts for coverage there (served areas), not as missing data.
    assert ev.unlocated[("B", "carers")] == 0
    # Another council's code names no area here: the service may be anywhere.
    assert ev.unlocated[("", "carers")] == 1 and ev.unlocated[("", "dementia")] == 1


def test_assess_marks_mostly_stale_provision_low(two_areas, tmp_path):
    from asset_map.analysis.confidence import Evidence

    w = asset_map.Workspace(tmp_path / "s.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name", population_field="pop")
    report = w.gaps(category="carers")
    ev = Evidence()
    ev.located[("W01", "carers")] = 2
    ev.study["carers"] = 2
    ev.stale[("W01", "carers")] = 1
    out = {r.area_code: r for r in assess(report, ev).rows}
    assert out["W01"].confidence == "low"
    assert out["W01"].confidence_reason == "1 of 2 carers assets here not verified in 730 days"
    assert out["E01"].confidence == "high"


def test_services_that_serve_the_area_are_coverage_not_doubt(ws, tmp_path):
    ws.import_assets(write_csv(tmp_path / "s.csv", ["Name", "Category", "Latitude", "Longitude", "Area served"], [
        asset_row("Friends", "befriending", X0 + 200, Y0 + 1000) + [""],
        ["Bereavement line", "bereavement", "", "", "borough-wide"],
        ["Grief group", "bereavement", "", "", "Manchester"],   # names no area here: may be anywhere
    ]))
    rows = {(r.area_code, r.category_id): r for r in ws.gaps().rows}
    grief = rows[("E01", "bereavement")]
    assert grief.coverage == 1.0 and grief.served == 1
    assert grief.confidence_reason == "1 bereavement service without a location serves here or an unnamed area"


def test_assets_a_filter_cannot_judge_are_evidence(ws, tmp_path):
    ws.import_assets(write_csv(tmp_path / "f.csv", ["Name", "Category", "Latitude", "Longitude", "When"], [
        asset_row("Friends", "befriending", X0 + 3000, Y0 + 1000) + [""],            # East, times unknown
        asset_row("Late friends", "befriending", X0 + 200, Y0 + 1000) + ["Thursday evenings"],
    ]))
    from asset_map.categories.filters import AssetFilter

    rows = {(r.area_code, r.category_id): r for r in ws.gaps(filters=AssetFilter.from_options(when=["evening"])).rows}
    east = rows[("E01", "loneliness_isolation")]
    assert (east.assets, east.finding, east.confidence) == (0, "no data?", "low")
    assert east.confidence_reason == ("1 loneliness and social isolation asset here left out because its list "
                                      "does not say whether it qualifies for the filter")


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_trafford_charities_with_a_local_lookup(tmp_path):
    """A lookup of Trafford's postcodes only: a charity whose postcode is missing from it is not placed,
    but kept as operating in the study area at an unknown place."""
    ws, _ = trafford_localities(tmp_path / "t.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    # Every suggestion used, so that the figures do not depend on the default confidence.
    result = ws.import_assets(TRAFFORD / "assets" / "charities_operating_in_trafford.csv", use_inferred=True)
    assert (result.imported, len(result.outside_lookup), result.rejected) == (278, 456, 2)
    report = ws.gaps()
    assert any("2 rejected rows could not be placed in any area" in n for n in report.notes)
    assert any(n.startswith("456 rows of the lists operate in the study area at unknown places") for n in report.notes)
    # The register's charity_type is a legal form, set aside: the categories come from the activities text,
    # so a row's assets are all inferred and it says so; charities without a suggestion stay uncategorised,
    # which it says too.
    south = next(r for r in report.rows if r.area_name == "South" and r.category_id == "carers")
    assert (south.finding, south.confidence, south.assets) == ("provision", "medium", 2)
    assert "2 of 2 carers assets here categorised from their text (inferred)" in south.confidence_reason
    assert "assets here without a category: at the study area's mix about" in south.confidence_reason
    # Of South's 121 charities, 48 have no category: 29 are not services (PTAs, grant-making trusts...) and
    # cannot hide provision; the other 19 could.
    assets = ws.assets()
    here = assets[assets["area_code"] == south.area_code]
    not_services = here["category_source"].str.startswith("not a service")
    assert (len(here), int((here["categories"] == "").sum()), int(not_services.sum())) == (121, 48, 29)
    assert "19 assets here without a category" in south.confidence_reason
