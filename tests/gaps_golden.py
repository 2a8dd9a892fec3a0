"""The gap rows of fixed workspaces, for comparing the gaps before and after a change of how they are computed.

Builds the bundled example (with its streets; gaps along the streets and by
the straight line) and two Trafford workspaces from the real files beside the
project (the 4 localities with the LSOA population and the published GeoJSON
asset lists; and a planner's default imports of the charities register, the
mental-health services and the sports clubs with the postcode lookup), and
turns each ``gaps()`` report into plain JSON rows (every field of
``report.records()``).

Run as a script, it writes the golden files under ``tests/fixtures/gaps_golden``
from the code as it is; ``tests/test_gaps_identical.py`` compares today's rows
with them. Regenerate only for a deliberate, explained change of results.

    .venv/bin/python tests/gaps_golden.py
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "fixtures" / "gaps_golden"
TRAFFORD = HERE.parents[1] / "shared" / "data" / "real" / "trafford"
LOCALITIES = TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson"
LSOA = TRAFFORD / "boundaries" / "trafford_lsoa_generalised_2021.geojson"
LSOA_POP = TRAFFORD / "population" / "mid-year_2024_population_estimates_lsoa.csv"
#: The published GeoJSON lists (tests/test_real_trafford.py) and the category applied to each.
ASSET_LISTS = {
    "trafford_general_practices.geojson": "gp practice",
    "trafford_care_homes.geojson": "care homes",
    "sports_clubs.geojson": "sports club",
    "trafford_places_of_worship.geojson": "place of worship",
    "trafford_food_banks.geojson": "food bank",
    "trafford_childrens_centres.geojson": "children's centre",
    "trafford_defibrillators.geojson": "defibrillator",
    "trafford_schools_and_colleges.geojson": "schools",
    "trafford_mental_health_services.geojson": "mental health",
}
#: The day the records' "last verified" dates are judged on (confidence: stale after 730 days), fixed so
#: that the golden rows do not age.
TODAY = datetime.date(2026, 12, 7)
REGISTER = ("charities_operating_in_trafford.csv", "trafford_mental_health_services.csv", "sports_clubs.geojson")


@contextlib.contextmanager
def fixed_today(day: datetime.date = TODAY):
    """Confidence judges staleness against :data:`TODAY` instead of the clock."""
    from asset_map.analysis import confidence

    class Day(datetime.date):
        @classmethod
        def today(cls):
            return day

    saved, confidence.date = confidence.date, Day
    try:
        yield
    finally:
        confidence.date = saved


def plain(records: list[dict]) -> list[dict]:
    """The rows with JSON values only (numpy scalars to Python, tuples to lists)."""
    return json.loads(json.dumps(records, default=_default))


def _default(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def example_reports(folder: Path) -> dict[str, list[dict]]:
    """The bundled example: gaps along its streets, and by the straight line."""
    import asset_map
    from asset_map.demo import run_demo

    ws = asset_map.Workspace(folder / "example.gpkg")
    run_demo(ws)
    return {"example": plain(ws.gaps().records()),
            "example_straight_line": plain(ws.gaps(straight_line=True).records())}


def trafford_lists(folder: Path):
    """Trafford's localities (LSOA population) with every published GeoJSON asset list imported."""
    import asset_map

    ws = asset_map.Workspace(folder / "trafford_lists.gpkg")
    ws.load_boundaries(LOCALITIES, name_field="area_name", population_csv=LSOA_POP, small_areas=LSOA)
    for name, category in ASSET_LISTS.items():
        ws.import_assets(TRAFFORD / "assets" / name, categories=[category])
    return ws


def trafford_register(folder: Path):
    """Trafford's localities, its postcode lookup and a planner's default imports of three of its lists."""
    import asset_map

    ws = asset_map.Workspace(folder / "trafford_register.gpkg")
    ws.load_boundaries(LOCALITIES, name_field="area_name", population_csv=LSOA_POP, small_areas=LSOA)
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    for name in REGISTER:
        ws.import_assets(TRAFFORD / "assets" / name)
    return ws


def trafford_reports(folder: Path) -> dict[str, list[dict]]:
    return {"trafford_lists": plain(trafford_lists(folder).gaps().records()),
            "trafford_register": plain(trafford_register(folder).gaps().records())}


def same(got, want, path: str = "") -> list[str]:
    """Where ``got`` differs from ``want`` (floats to 1e-12 relative; NaN equals NaN)."""
    if isinstance(want, float) or isinstance(got, float):
        if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(want, bool):
            if math.isnan(want) and math.isnan(got):
                return []
            if math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12):
                return []
        return [f"{path}: {got!r} != {want!r}"]
    if isinstance(want, dict) and isinstance(got, dict):
        if set(got) != set(want):
            return [f"{path}: fields {sorted(set(got) ^ set(want))} differ"]
        return [d for k in want for d in same(got[k], want[k], f"{path}.{k}")]
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} rows != {len(want)}"]
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in same(g, w, f"{path}[{i}]")]
    return [] if got == want else [f"{path}: {got!r} != {want!r}"]


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, fixed_today():
        reports = example_reports(Path(tmp))
        if TRAFFORD.is_dir():
            reports.update(trafford_reports(Path(tmp)))
        else:
            print(f"{TRAFFORD}: not found; the Trafford golden files are left as they are", file=sys.stderr)
    for name, rows in reports.items():
        (GOLDEN / f"{name}.json").write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
