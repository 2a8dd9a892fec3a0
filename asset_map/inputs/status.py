"""What a workspace holds, counted: the numbers ``asset-map status`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

#: The layers and tables counted, each by its number of rows (0 when missing).
COUNTED = ("areas", "population", "need", "assets", "rejects", "imports", "postcodes", "postcode_cache", "unlocated")


def workspace_status(store: "Store", location: str) -> dict[str, Any]:
    """Counts of what the workspace holds.

    Besides the rows of each of :data:`COUNTED`: ``assets`` counts the active
    assets (``assets_merged`` those merged into another), ``assets_outside``
    those outside every area, ``assets_uncategorised`` those with no category
    that could be any (not the bodies recognised as not services, counted as
    ``assets_not_services`` when there are any), and
    ``unlocated_outside_lookup`` the rows kept because their postcode lies
    outside the postcode lookup's coverage; ``levels`` the areas of each second level, when any are loaded;
    ``network`` the street network loaded (:func:`network_line`), when one is; ``gap_inputs`` whether
    the gap inputs a workspace keeps are up to date (:func:`gap_inputs_line`), when it keeps them.
    """
    out: dict[str, Any] = {"workspace": location, "exists": store.exists()}
    for name in COUNTED:
        out[name] = store.count(name) or 0
    assets = store.read("assets")
    if assets is not None and len(assets):
        out.update(_asset_counts(assets))
    if store.count("level_areas"):  # second levels of areas (:mod:`asset_map.inputs.levels`): areas in each
        from collections import Counter

        out["levels"] = dict(Counter(str(v) for v in store.read("level_areas", columns=["level"])["level"]))
    network = network_line(store)
    if network:
        out["network"] = network
    kept = gap_inputs_line(store)
    if kept:
        out["gap_inputs"] = kept
    if out["unlocated"]:
        from .locating import OUTSIDE_LOOKUP

        reasons = store.read("unlocated", columns=["reason"])["reason"]
        out["unlocated_outside_lookup"] = sum(1 for r in reasons if r == OUTSIDE_LOOKUP)
    return out


def network_line(store: "Store") -> str | None:
    """The street network loaded, in a line: its file, edges and km per mode, when it was loaded."""
    from ..network.graph import MODES
    from ..network.layers import stored_info

    info = stored_info(store)
    if info is None:
        return None
    modes = ", ".join(f"{m} {int(info[f'{m}_edges']):,} edges ({float(info[f'{m}_km']):,.1f} km)" for m in MODES)
    return f"{info['file']}: {modes}; loaded {info['loaded_at']}"


def gap_inputs_line(store: "Store") -> str | None:
    """Whether the kept gap inputs (:mod:`asset_map.inputs.gap_state`) are up to date, in a line; ``None``
    when the workspace keeps none."""
    from .gap_state import KEY

    found = store.state(KEY)
    if found is None:
        return None
    if found[0] == store.changes():
        return "kept and up to date (gaps reads them instead of the register)"
    return ("out of date: the workspace changed after they were kept (an edit by another program?); gaps computes "
            "from the tables until the next asset-map change keeps them again")


def _asset_counts(assets) -> dict[str, int]:
    """The counts of the assets layer (see :func:`workspace_status`)."""
    from ..categories.inference import is_not_a_service
    from .duplicates import active

    out = {"assets_merged": len(assets) - len(active(assets))}
    out["assets"] = len(assets) - out["assets_merged"]
    assets = active(assets)
    out["assets_outside"] = sum(1 for s in assets["location_status"] if s == "outside")
    sources = assets["category_source"] if "category_source" in assets else [""] * len(assets)
    not_services = sum(1 for s in sources if is_not_a_service(s))
    out["assets_uncategorised"] = sum(1 for c in assets["categories"] if not c) - not_services
    if not_services:
        out["assets_not_services"] = not_services
    return out
