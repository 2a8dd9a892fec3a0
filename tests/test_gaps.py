"""Gap measures on two 2 km squares, checked against figures worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import asset_map
from asset_map.errors import UnknownAreaError, WorkspaceError

# A disc drawn with 16 segments per quarter circle has area π r² · sin(π/32)/(π/32).
POLYGON_FACTOR = math.sin(math.pi / 32) / (math.pi / 32)


@pytest.fixture
def loaded(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas, population_field="pop")
    workspace.import_assets(assets_csv)
    return workspace


def row(report, area, category):
    (r,) = [r for r in report.rows if r.area_code == area and r.category_id == category]
    return r


def test_counts_rates_and_coverage_by_hand(loaded):
    report = loaded.gaps()
    west = row(report, "W01", "loneliness_isolation")
    # One befriending scheme 1 km inside West: its 800 m disc lies wholly in West.
    assert west.assets == 1
    assert west.target_population == 10_000
    assert west.rate_per_10k == pytest.approx(1.0)
    assert west.coverage == pytest.approx(math.pi * 800**2 * POLYGON_FACTOR / 4e6, rel=1e-6)
    assert west.level == "low"  # about 50% within reach, under the 60% threshold
    assert "50% of residents in West live more than 800 m" in west.reason
    east = row(report, "E01", "loneliness_isolation")
    assert (east.assets, east.coverage, east.level) == (0, 0.0, "none")
    assert east.reason.startswith("No loneliness and social isolation asset in East or within 800 m")
    # Study area: population-weighted coverage and the overall rate.
    assert west.study_assets == 1
    assert west.study_rate_per_10k == pytest.approx(1 / 15_000 * 10_000)
    assert west.study_coverage == pytest.approx(10_000 * west.coverage / 15_000)


def test_assets_outside_every_area_still_cover_nearby_residents(loaded):
    """The hospice 1 km beyond East is not counted in East but its 3 km catchment reaches East."""
    report = loaded.gaps()
    east = row(report, "E01", "bereavement")
    assert east.assets == 0
    assert east.study_assets == 0
    # Independent figure: the part of East (x from 2 to 4 km) farther than 3 km from (5 km, 1 km)
    # is the two corner slivers next to x = 2 km; integrate them numerically.
    u = np.linspace(2000 * math.sqrt(2), 3000, 200_001)  # distance in x from the hospice
    chord = 2 * np.sqrt(np.clip(3000**2 - u**2, 0, None))
    uncovered = np.trapezoid(2000 - chord, u)
    assert east.coverage == pytest.approx(1 - uncovered / 4e6, abs=2e-3)
    assert east.level == "ok"
    assert row(report, "W01", "bereavement").coverage == pytest.approx(0.0, abs=1e-9)


def test_priority_is_uncovered_target_population(loaded):
    report = loaded.gaps()
    scores = [r.uncovered for r in report.rows]
    assert scores == sorted(scores, reverse=True)
    assert [r.priority for r in report.rows] == list(range(1, len(report.rows) + 1))
    top = report.rows[0]
    assert top.uncovered == pytest.approx(10_000)  # nothing for West in some category: all 10,000 beyond reach
    assert top.area_code == "W01" and top.level == "none"
    # Ties go to the taxonomy's order: the first West category with nothing at all.
    taxonomy = loaded.taxonomy()
    nothing_in_west = [r.category_id for r in report.rows if r.area_code == "W01" and r.uncovered == 10_000]
    assert top.category_id == [c for c in taxonomy.ids if c in nothing_in_west][0]


def test_target_population_falls_back_to_all_ages_and_says_so(loaded):
    carers = row(loaded.gaps(), "W01", "carers")
    assert carers.target_population == 10_000
    assert carers.target == "all ages (ages 16+ not in the population data)"


def test_category_found_nowhere_says_it_may_be_missing_data(loaded):
    r = row(loaded.gaps(), "W01", "dementia")
    assert r.level == "none"
    assert "anywhere in the study area" in r.reason and "missing from the lists" in r.reason


def test_area_and_category_selection_keep_ranks(loaded):
    full = loaded.gaps()
    east = loaded.gaps(area="east")  # names match in any case
    assert {r.area_code for r in east.rows} == {"E01"}
    assert len(east.rows) == len(loaded.taxonomy())
    assert [r.priority for r in east.rows] == [r.priority for r in full.rows if r.area_code == "E01"]
    only = loaded.gaps(category="Befriending")  # a synonym names the category
    assert {r.category_id for r in only.rows} == {"loneliness_isolation"}
    assert loaded.gaps(area="W01", category="carers").rows[0].area_name == "West"


def test_unknown_area_suggests_the_nearest(loaded):
    with pytest.raises(UnknownAreaError, match=r"no area called 'Wset'; did you mean 'West'\?"):
        loaded.gaps(area="Wset")


def test_unknown_category_is_an_error(loaded):
    with pytest.raises(asset_map.TaxonomyError, match="unknown category 'Quantum physics'"):
        loaded.gaps(category="Quantum physics")


def test_without_population_rates_are_blank_and_priority_uses_area(workspace, two_areas, assets_csv):
    workspace.load_boundaries(two_areas)
    workspace.import_assets(assets_csv)
    report = workspace.gaps()
    assert report.population_loaded is False
    r = row(report, "W01", "loneliness_isolation")
    assert r.rate_per_10k is None and r.target_population is None and r.uncovered is None
    assert r.coverage > 0.5


def test_gaps_need_areas(workspace, assets_csv):
    workspace.import_assets(assets_csv)
    with pytest.raises(WorkspaceError, match="no areas loaded; run `asset-map boundaries load FILE` first"):
        workspace.gaps()
