"""How long a directory feed takes to import: a generated ORUK v3 feed of 10,000 services.

Each service has one to three places (coordinates around Trafford), two
taxonomy terms (esd needs and an OpenActive activity), ages, a schedule and
an HTML description; one in twenty is inactive and one in twenty virtual.
Prints the time to read the feed and the time of a dry-run import.

    .venv/bin/python bench/feed_speed.py [--services 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from pathlib import Path

import asset_map


def service(i: int, rng: random.Random) -> dict:
    places = [] if i % 20 == 7 else [
        {"id": f"sal-{i}-{k}", "location": {
            "id": f"loc-{i}-{k}", "name": f"Hall {k}", "location_type": "physical",
            "latitude": round(53.36 + rng.random() * 0.11, 6), "longitude": round(-2.47 + rng.random() * 0.2, 6),
            "addresses": [{"address_1": f"{k} High Street", "postal_code": "M32 0TH", "address_type": "physical"}]}}
        for k in range(1 + i % 3)]
    return {
        "id": f"svc-{i}", "name": f"Service {i}", "status": "inactive" if i % 20 == 3 else "active",
        "description": f"<p>Weekly group number {i}&nbsp;for older people.</p>",
        "assured_date": "2025-06-01", "minimum_age": 65,
        "schedules": [{"byday": "TU", "opens_at": "10:00", "closes_at": "12:00"}],
        "attributes": [{"taxonomy_term": {"code": "69", "name": "Social inclusion", "taxonomy": "esdNeeds"}},
                       {"taxonomy_term": {"code": "Walking", "name": "Walking", "taxonomy": "openActiveActivity"}}],
        "service_at_locations": places,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.json"
        items = [service(i, rng) for i in range(args.services)]
        path.write_text(json.dumps({"total_items": len(items), "total_pages": 1, "page_number": 1,
                                    "contents": items}), encoding="utf-8")
        from asset_map.inputs.oruk import read_feed

        start = time.perf_counter()
        feed = read_feed(path)
        read_s = time.perf_counter() - start
        ws = asset_map.Workspace(Path(tmp) / "ws.gpkg")
        start = time.perf_counter()
        result = ws.import_assets(path, dry_run=True)
        import_s = time.perf_counter() - start
    r = result.feed
    print(f"feed of {len(feed.services):,} services read in {read_s:.2f} s")
    print(f"dry-run import: {import_s:.2f} s for {r.services_read:,} services -> {result.imported:,} assets "
          f"({r.without_location:,} without location, {r.inactive:,} inactive)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
