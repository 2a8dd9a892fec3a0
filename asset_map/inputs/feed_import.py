"""Turning a directory feed's services into asset rows, and counting what became of each service.

Each running service gives **one row per place it is delivered at** (a
service at three venues is three rows sharing the service id; the row's id
is ``<service id>@<location id>``), located by the place's coordinates, else
its postcode. A service's capacity in places (the largest ``maximum``, else
``available``, of its capacities) is shared equally among its venues, in the
unit the feed gives it ("Children", "Places"; see :mod:`asset_map.analysis.access`). The rows then go through the ordinary import
(:func:`asset_map.inputs.importer.prepare_assets`), so they are checked, located,
assigned and rejected exactly as the rows of a spreadsheet are.

What does not become a row is accounted for:

- a service whose status is ``inactive``/``defunct`` (or closed) is left out
  unless ``include_inactive``, and counted as **inactive**;
- a service with no physical place (only virtual or postal locations, or
  none) is kept in the workspace's ``unlocated`` table with its categories and
  served area, and counted as **without location**;
- a record that cannot be read as a service at all (no name, not an object)
  is counted as **unusable** and listed among the feed's problems.

So ``services read = services with places + without location + inactive +
unusable``. A service is **stale** when it was last verified
(``assured_date``, else ``last_modified``) more than ``stale_days`` before
today; stale services are imported and flagged, not dropped.

Taxonomy terms go through the crosswalk (:mod:`asset_map.categories.crosswalk`) to need
categories; terms it does not know are counted by vocabulary and name.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .oruk_records import Feed, Service

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from ..categories.crosswalk import Crosswalk
    from .table import InputTable

#: Default age (days) after which a record not verified since is stale: two years.
STALE_DAYS = 730

#: Columns of the ``unlocated`` table: services kept without a place.
UNLOCATED_COLUMNS = {"source": "str", "service_id": "str", "name": "str", "categories": "str", "reason": "str",
                     "served_area": "str", "served_extent": "str", "last_verified": "str", "audience": "str",
                     "daytime": "str", "evening": "str", "weekend": "str", "free": "str", "postcode": "str"}


@dataclass
class FeedReport:
    """What became of every service of a feed."""

    form: str
    services_read: int = 0
    with_places: int = 0
    without_location: int = 0
    inactive: int = 0
    unusable: int = 0
    stale: int = 0
    service_rows: int = 0
    unmapped_terms: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    unlocated: list[dict[str, Any]] = field(default_factory=list)

    def reconciles(self) -> bool:
        """``services read = with places + without location + inactive + unusable``."""
        return self.services_read == self.with_places + self.without_location + self.inactive + self.unusable


@dataclass
class FeedRows:
    """The asset rows made from a feed, the details to attach to the assets, and the report."""

    table: "InputTable"
    details: dict[str, dict[str, Any]]
    report: FeedReport

    def decorate(self, assets: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
        """Add ``service_id``, ``last_verified``, ``stale``, ``served_area``, ``served_extent`` and
        ``details`` (JSON) to the imported assets."""
        assets = assets.copy()
        rows = [self.details.get(a, {}) for a in assets["asset_id"]]
        assets["service_id"] = [r.get("service_id", "") for r in rows]
        assets["last_verified"] = [r.get("last_verified") or "" for r in rows]
        assets["stale"] = ["yes" if r.get("stale") else "" for r in rows]
        assets["served_area"] = [r.get("served_area", "") for r in rows]
        assets["served_extent"] = [r.get("served_extent", "") for r in rows]
        assets["details"] = [json.dumps(r.get("details", {}), ensure_ascii=False) for r in rows]
        return assets


def feed_rows(
    feed: Feed,
    crosswalk: "Crosswalk",
    *,
    include_inactive: bool = False,
    stale_days: int = STALE_DAYS,
    today: date | None = None,
) -> FeedRows:
    """Make the asset rows of a feed (see the module docstring for the rules)."""
    import pandas as pd

    from .table import InputTable

    today = today or date.today()
    report = FeedReport(feed.form, services_read=feed.services_read, unusable=feed.unusable,
                        problems=list(feed.problems))
    records: list[list[Any]] = []
    numbers: list[int] = []
    details: dict[str, dict[str, Any]] = {}
    for s in feed.services:
        if not s.running and not include_inactive:
            report.inactive += 1
            continue
        categories = _categories(s, crosswalk, report.unmapped_terms)
        stale = s.is_stale(today, stale_days)
        report.stale += stale
        places = [p for p in s.places if p.physical]
        if not places:
            report.without_location += 1
            report.unlocated.append({
                "source": Path(feed.source).name, "service_id": s.id, "name": s.name or "",
                "categories": ";".join(categories), "reason": _why_unlocated(s),
                "served_area": _served_area(s), "served_extent": _served_extent(s),
                "last_verified": s.last_verified or "", "audience": s.audience,
                **{k: ("yes" if v else "no") if s.schedules else "" for k, v in s.times().items()},
                "free": s.free,
            })
            continue
        report.with_places += 1
        info = _details(s)
        for p in places:
            row_id = f"{s.id}@{p.location_id}" if p.location_id else s.id
            records.append([row_id, s.name, ";".join(categories), s.description or None, p.address, p.postcode,
                            None if p.latitude is None else repr(p.latitude),
                            None if p.longitude is None else repr(p.longitude),
                            None if s.capacity_value is None
                            else f"{s.capacity_value / len(places)!r} {s.capacity_unit}".strip()])
            numbers.append(s.record)
            details[row_id] = {"service_id": s.id, "last_verified": s.last_verified, "stale": stale,
                               "served_area": _served_area(s), "served_extent": _served_extent(s),
                               "details": {**info, "location": p.name}}
    report.service_rows = len(records)
    columns = ["id", "name", "category", "description", "address", "postcode", "latitude", "longitude", "capacity"]
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    table = InputTable(Path(feed.source), frame, numbers, "row",
                       [f"read as an Open Referral {feed.form} feed: {report.services_read} services"])
    return FeedRows(table, details, report)


def _categories(s: Service, crosswalk: "Crosswalk", unmapped: Counter) -> list[str]:
    from ..categories.crosswalk import Term

    ids: list[str] = []
    for t in s.terms:
        found = crosswalk.map(Term(t.vocabulary, t.id, t.name))
        if found is None:
            unmapped[(t.vocabulary or "", t.name or t.id or "")] += 1
            continue
        ids += [c for c in found if c not in ids]
    return ids


def _why_unlocated(s: Service) -> str:
    if not s.places:
        return "no location"
    return "virtual or postal locations only"


def _served_area(s: Service) -> str:
    """The served areas given by code or name, as text: ``E08000009; Altrincham ward``.

    An area given by a GeoJSON extent is in :func:`_served_extent` instead.
    """
    parts = []
    for a in s.served_areas:
        if _extent_geometry(a) is not None:
            continue
        text = a.get("uri") or a.get("service_area") or a.get("name") or ""
        if text:
            parts.append(str(text).rstrip("/").rsplit("/", 1)[-1])
    return "; ".join(parts)


def _served_extent(s: Service) -> str:
    """The union of the service's GeoJSON extents (WGS84) as GeoJSON text, or ``""``."""
    import shapely

    shapes = [g for g in (_extent_geometry(a) for a in s.served_areas) if g is not None]
    return shapely.to_geojson(shapely.union_all(shapes)) if shapes else ""


def _extent_geometry(area: dict[str, Any]):
    """A service area's ``extent`` as a shapely polygon when it is GeoJSON, else ``None``."""
    import shapely

    extent = area.get("extent")
    if not extent or str(area.get("extent_type") or "geojson").strip().lower() != "geojson":
        return None
    try:
        data = json.loads(extent) if isinstance(extent, str) else extent
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        geom = shapely.from_geojson(json.dumps(data))
    except (ValueError, TypeError, shapely.errors.GEOSException):
        return None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return geom if geom.is_valid else shapely.make_valid(geom)


def _details(s: Service) -> dict[str, Any]:
    # Without schedules the times are unknown, not "no": the flags are left out.
    out: dict[str, Any] = {"audience": s.audience, **(s.times() if s.schedules else {})}
    if s.capacity:
        out["capacity"] = s.capacity
    if s.free:
        out["free"] = s.free
    if s.organisation:
        out["organisation"] = s.organisation
    served = _served_area(s)
    if served:
        out["served_area"] = served
    return out


def unlocated_frame(report: FeedReport) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame(report.unlocated, columns=list(UNLOCATED_COLUMNS))
