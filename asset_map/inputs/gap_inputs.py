"""What the gap analysis of a workspace reads from its store, and the analysis run on it.

:func:`read_gap_inputs` reads the active assets (merged duplicates left out;
without the columns the analysis never looks at, :data:`UNUSED_BY_GAPS`; for the
gaps alone without a filter, only :data:`GAPS_COLUMNS`), the
services without a location and the study area's names, and applies an asset
filter (:mod:`asset_map.categories.filters`). :func:`gap_report` then computes
the gaps of a set of assets (:func:`asset_map.analysis.gaps.compute_gaps`)
with the services' reach (:mod:`asset_map.categories.served`), and assesses
their confidence against every active asset (:mod:`asset_map.inputs.evidence`); :func:`gap_measures`
is its measuring half, which :mod:`asset_map.inputs.gap_state` keeps in the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.gaps import GapReport, MeasuredGaps
    from ..analysis.need import NeedIndicator
    from ..categories.filters import AssetFilter
    from ..categories.taxonomy import Taxonomy
    from ..network.graph import StreetNetwork
    from ..store import Store, Table

#: Asset columns that gaps and what-ifs never look at: not read for them (at national scale, most of the time).
#: ``category_source`` is read: confidence leaves out the assets that are not services, and says when a row's
#: assets are mostly inferred.
UNUSED_BY_GAPS = ("description", "address", "category_text", "inferred", "located_by", "postcode", "source_row")
#: The only asset columns ``gaps`` reads without a filter, a second level or a what-if: the measures'
#: (:mod:`asset_map.analysis.context`), the served areas' (:mod:`asset_map.categories.served`), confidence's
#: (:func:`asset_map.analysis.confidence.gather`) and ``merged_into`` (merged duplicates left out).
GAPS_COLUMNS = ("name", "categories", "area_code", "capacity", "capacity_unit", "served_area", "served_extent",
                "last_verified", "category_source", "merged_into", "geometry")


@dataclass
class GapInputs:
    """The stored data a gap analysis counts, under an asset filter."""

    areas: "Table"
    #: The workspace's taxonomy.
    taxonomy: "Taxonomy"
    #: The taxonomy the gaps are counted with: with an audience filter, every category targets that audience.
    counted_taxonomy: "Taxonomy"
    #: Every active asset, before the filter.
    everything: "Table | None"
    #: The active assets the filter keeps.
    assets: "Table | None"
    #: The services without a location the filter keeps.
    unlocated: "Table | None"
    #: What the filter left out, for the report's notes.
    notes: list[str]
    #: The (area, categories) of the assets left out because their lists do not say.
    unknown: list
    study_names: set[str]
    #: The street network reach is measured on (``None``: none loaded, or the straight line asked for).
    network: "StreetNetwork | None" = None


def read_gap_inputs(store: "Store", areas: "Table", taxonomy: "Taxonomy", filters: "AssetFilter | None",
                    study_names: set[str], *, straight_line: bool = False, lean: bool = False) -> GapInputs:
    """The stored assets and services without a location, and those of them ``filters`` keeps; and the
    street network, unless ``straight_line``. ``lean``: for the gaps alone (no second level, no what-if),
    so that without a filter only :data:`GAPS_COLUMNS` are read."""
    from ..network.layers import read_network
    from .duplicates import active

    filtered = filters is not None and filters.active
    everything = active(store.read("assets", columns=list(GAPS_COLUMNS)) if lean and not filtered
                        else store.read("assets", exclude=UNUSED_BY_GAPS))
    unlocated = store.read("unlocated")
    inputs = GapInputs(areas, taxonomy, taxonomy, everything, everything, unlocated, [], [], study_names,
                       None if straight_line else read_network(store))
    if filtered:
        _apply_filter(inputs, filters)
    return inputs


def _apply_filter(inputs: GapInputs, filters: "AssetFilter") -> None:
    """Keep the assets and services without a location that ``filters`` keeps, noting what it left out;
    an audience filter makes every category target that audience."""
    from dataclasses import replace

    from ..categories.filters import apply_filter
    from ..categories.taxonomy import Taxonomy

    inputs.assets, report = apply_filter(inputs.everything, filters)
    inputs.notes, inputs.unknown = [report.note()], report.unknown
    if inputs.unlocated is not None and len(inputs.unlocated):
        inputs.unlocated, without_place = apply_filter(inputs.unlocated, filters)
        inputs.notes.append("services without a location: " + without_place.note().split(": ", 1)[1])
    if filters.audience is not None:
        t = inputs.taxonomy
        inputs.counted_taxonomy = Taxonomy([replace(c, target=filters.audience) for c in t], source=t.source)


def gap_report(store: "Store", inputs: GapInputs, assets: "Table | None", need: "NeedIndicator | None", *,
               robust: bool = True, stale_days: int | None = None, unknown: "list | tuple" = ()) -> "GapReport":
    """The gaps of ``assets`` (the filtered ones, or those of a what-if), their confidence assessed
    against every active asset (``unknown``: see :attr:`GapInputs.unknown`)."""
    from ..analysis.confidence import assess
    from ..analysis.gaps import rank_gaps
    from .evidence import gather_evidence, stale_days_or_default

    measured = gap_measures(store, inputs, assets, need, robust=robust)
    days = stale_days_or_default(stale_days)
    ev = gather_evidence(store, inputs.areas, inputs.everything, taxonomy=inputs.taxonomy,
                         study_names=inputs.study_names, stale_days=days, unknown=unknown)
    return assess(rank_gaps(measured), ev, stale_days=days)


def gap_measures(store: "Store", inputs: GapInputs, assets: "Table | None", need: "NeedIndicator | None", *,
                 robust: bool = True) -> "MeasuredGaps":
    """The measures of ``assets`` before ranking (:func:`asset_map.analysis.gaps.measure_gaps`), with the
    services' reach (:mod:`asset_map.categories.served`)."""
    from ..analysis.gaps import measure_gaps
    from ..categories.served import resolve

    served = resolve(inputs.areas, assets, inputs.unlocated, inputs.study_names, radius=street_radius(inputs))
    return measure_gaps(inputs.areas, assets, inputs.counted_taxonomy, store.read("population"), need,
                        served=served, robust=robust, network=inputs.network)


def street_radius(inputs: GapInputs) -> "Callable[[object, float], object] | None":
    """How a served radius is drawn: along the streets with a network (:func:`asset_map.network.isochrones.street_radius`),
    else ``None`` (a disc)."""
    from ..network.isochrones import street_radius as along_streets

    return along_streets(inputs.network) if inputs.network is not None else None
