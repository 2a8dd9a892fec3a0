"""Writing assets back to a service directory as Open Referral UK v3 CSV files.

Assets found in a workshop (imported from spreadsheets, not from a directory
feed) can go back to the council's directory. Each asset becomes one
service at one location, written as the HSDS 3 / ORUK v3 tables:

``services.csv``
    ``id``, ``name``, ``description``, ``status`` (``active``), ``assured_date``
    (the asset's last-verified date when its list gave one, else empty);
``locations.csv``
    ``id``, ``location_type`` (``physical``), ``name``, ``latitude``, ``longitude`` (WGS84);
``service_at_locations.csv``
    ``id``, ``service_id``, ``location_id``;
``addresses.csv``
    ``id``, ``location_id``, ``address_1``, ``postal_code``, ``country`` (``GB``), ``address_type`` (``physical``);
``taxonomy_terms.csv``
    ``id``, ``code``, ``name``, ``taxonomy`` (``asset-map needs``): one per category used;
``attributes.csv``
    ``id``, ``link_id``, ``link_type`` (``service``), ``link_entity`` (``service``), ``taxonomy_term_id``.

Ids are UUIDs, as HSDS 3 requires, derived from the asset id (UUID 5), so
exporting the same assets again gives the same ids. Assets imported from a
feed (they have a ``service_id``) and assets merged into others are left out.
"""

from __future__ import annotations

from ..cells import csv_records

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.taxonomy import Taxonomy

NAMESPACE = uuid.UUID("0f5e2a7c-5b8e-4f37-9c1e-6a2d3b4c5d6e")

TABLES = {
    "services.csv": ("id", "name", "description", "status", "assured_date"),
    "locations.csv": ("id", "location_type", "name", "latitude", "longitude"),
    "service_at_locations.csv": ("id", "service_id", "location_id"),
    "addresses.csv": ("id", "location_id", "address_1", "postal_code", "country", "address_type"),
    "taxonomy_terms.csv": ("id", "code", "name", "taxonomy"),
    "attributes.csv": ("id", "link_id", "link_type", "link_entity", "taxonomy_term_id"),
}


def _uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def _date(value) -> str:
    """An ISO date, or ``""`` for none (missing values arrive as None or NaN)."""
    text = "" if value is None or value != value else str(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" else ""


def export_oruk(assets: "gpd.GeoDataFrame", taxonomy: "Taxonomy", folder: str | Path, *, source: str | None,
                location: str) -> int:
    """Write the assets not from a directory feed (of the import ``source`` only, when given) as Open Referral
    UK CSV files in ``folder``; returns how many. An unknown ``source`` raises
    :class:`~asset_map.errors.WorkspaceError` naming the imports of the workspace at ``location``."""
    from ..errors import WorkspaceError

    chosen = hand_added(assets)
    if source is not None:
        if source not in set(assets["source"]):
            raise WorkspaceError(f"{location}: no import called {source!r}; the imports are "
                                 f"{', '.join(sorted(set(assets['source'])))}")
        chosen = chosen[chosen["source"] == source]
    write_oruk_csv(oruk_tables(chosen, taxonomy), folder)
    return len(chosen)


def hand_added(assets: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
    """The assets that did not come from a directory feed and were not merged into another."""
    from ..inputs.duplicates import active

    assets = active(assets)
    if "service_id" in assets.columns:
        assets = assets[assets["service_id"].fillna("").astype(str) == ""]
    return assets


def oruk_tables(assets: "gpd.GeoDataFrame", taxonomy: "Taxonomy") -> dict[str, list[dict[str, str]]]:
    """The rows of each ORUK v3 CSV file for these assets (see the module docstring)."""
    from ..geo import BNG, WGS84, transformer

    labels = {c.id: c.label for c in taxonomy}
    out: dict[str, list[dict[str, str]]] = {name: [] for name in TABLES}
    if len(assets) == 0:
        return out
    lon, lat = transformer(BNG, WGS84).transform(assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy())
    terms: dict[str, str] = {}
    for k, (_, a) in enumerate(assets.iterrows()):
        sid, lid = _uid("service", a["asset_id"]), _uid("location", a["asset_id"])
        out["services.csv"].append({"id": sid, "name": a["name"], "description": a.get("description") or "",
                                    "status": "active", "assured_date": _date(a.get("last_verified"))})
        out["locations.csv"].append({"id": lid, "location_type": "physical", "name": a["name"],
                                     "latitude": round(float(lat[k]), 6),
                                     "longitude": round(float(lon[k]), 6)})
        out["service_at_locations.csv"].append({"id": _uid("sal", a["asset_id"]), "service_id": sid,
                                                "location_id": lid})
        if a.get("address") or a.get("postcode"):
            out["addresses.csv"].append({"id": _uid("address", a["asset_id"]), "location_id": lid,
                                         "address_1": a.get("address") or "", "postal_code": a.get("postcode") or "",
                                         "country": "GB", "address_type": "physical"})
        for cid in filter(None, str(a.get("categories") or "").split(";")):
            tid = terms.setdefault(cid, _uid("term", cid))
            out["attributes.csv"].append({"id": _uid("attribute", a["asset_id"], cid), "link_id": sid,
                                          "link_type": "service", "link_entity": "service",
                                          "taxonomy_term_id": tid})
    for cid, tid in terms.items():
        out["taxonomy_terms.csv"].append({"id": tid, "code": cid, "name": labels.get(cid, cid),
                                          "taxonomy": "asset-map needs"})
    return out


def write_oruk_csv(tables: dict[str, list[dict[str, str]]], folder: str | Path) -> list[Path]:
    """Write the tables as CSV files (UTF-8) into ``folder``, created if needed; returns the files written.

    Each file is written to a temporary name and renamed, so an interrupted
    export leaves no half-written file.
    """
    from ..files import output_folder, write_atomically

    out = output_folder(folder)
    written = []
    for name, columns in TABLES.items():
        text = csv_records(list(columns), tables[name], line_end="\r\n")
        written.append(write_atomically(out / name, lambda tmp: tmp.write_text(text, encoding="utf-8")))
    return written
