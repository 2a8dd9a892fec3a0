"""The confidence of a gap report, from what the workspace's store holds.

The evidence that the lists may be incomplete (:func:`asset_map.analysis.confidence.gather`)
is read from the store: the services without a location, the rejects, the
imports and, with a national postcode lookup, which areas each postcode
sector falls in. :func:`assess_report` then adds each row's finding and
confidence (:func:`asset_map.analysis.confidence.assess`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.confidence import Evidence
    from ..analysis.gaps import GapReport
    from ..categories.taxonomy import Taxonomy
    from ..store import Store, Table


def assess_report(store: "Store", report: "GapReport", areas: "Table", assets: "Table | None", *,
                  taxonomy: "Taxonomy", study_names: set[str], stale_days: int | None,
                  unknown: "list | tuple" = (), ground: "Table | None" = None) -> "GapReport":
    """Add each row's finding and confidence (:mod:`asset_map.analysis.confidence`).

    ``assets`` are all the active assets (before any filter); ``unknown`` the
    (area, categories) of those a filter left out because their lists do not
    say; records verified longer ago than ``stale_days`` (default 730) lower
    the confidence. ``ground``: the areas whose polygons, with the population
    beyond them, make the loaded ground for the edge check (default ``areas``;
    the main areas when ``areas`` are a second level inside them).
    """
    from ..analysis.confidence import assess

    days = stale_days_or_default(stale_days)
    ev = gather_evidence(store, areas, assets, taxonomy=taxonomy, study_names=study_names, stale_days=days,
                         unknown=unknown, ground=ground)
    return assess(report, ev, stale_days=days)


def stale_days_or_default(stale_days: int | None) -> int:
    """``stale_days``, or the default age (730 days) when it is ``None``."""
    from ..analysis.confidence import STALE_DAYS

    return STALE_DAYS if stale_days is None else stale_days


def gather_evidence(store: "Store", areas: "Table", assets: "Table | None", *, taxonomy: "Taxonomy",
                    study_names: set[str], stale_days: int, unknown: "list | tuple" = (),
                    ground: "Table | None" = None) -> "Evidence":
    """The evidence of missing data (:func:`asset_map.analysis.confidence.gather`) from what the store holds,
    with the edge flags; parameters as for :func:`assess_report`."""
    from ..analysis.confidence import gather

    ev = gather(areas, assets, store.read("unlocated"), store.read("rejects"), store.read("imports"),
                _sector_lookup(store, areas), taxonomy=taxonomy, stale_days=stale_days, unknown_filtered=unknown,
                study_names=study_names)
    _edges(store, ev, areas, taxonomy, areas if ground is None else ground)
    return ev


def _edges(store: "Store", ev, areas: "Table", taxonomy: "Taxonomy", ground: "Table") -> None:
    """With a population layer of polygons, the areas whose catchment ring lies beyond the loaded population
    by more than :data:`asset_map.analysis.edge.EDGE_SHARE` (:mod:`asset_map.analysis.edge`)."""
    import numpy as np
    import shapely

    from ..analysis.edge import EDGE_SHARE, edge_shares, loaded_ground

    if not store.count("population"):
        return
    layer = store.read("population", columns=["area_code", "geometry"])
    if layer is None or not np.isin(shapely.get_type_id(layer.geometry), (3, 6)).any():
        return  # points: the ground the population covers is not known
    catchment = {c.id: c.catchment_m for c in taxonomy}
    shares = edge_shares(areas.geometry, loaded_ground(ground, layer), catchment.values())
    ev.catchment = catchment
    for cat, d in catchment.items():
        for code, e in zip(areas["area_code"], shares[d].tolist()):
            if e > EDGE_SHARE:
                ev.edge[(code, cat)] = e


def _sector_lookup(store: "Store", areas: "Table"):
    """With a national postcode lookup (:data:`asset_map.analysis.confidence.NATIONAL_LOOKUP` postcodes
    or more), the areas of each postcode sector (:func:`asset_map.analysis.confidence.sector_areas`);
    else ``None``."""
    from ..analysis.confidence import NATIONAL_LOOKUP, sector_areas

    if (store.count("postcodes") or 0) < NATIONAL_LOOKUP:
        return None
    # "M32 0" up to "M32 0~": every postcode of the sector, through the postcode index.
    return sector_areas(lambda d: store.read("postcodes", where="postcode >= ? AND postcode < ?",
                                             params=(f"{d}", f"{d}~")), areas)
