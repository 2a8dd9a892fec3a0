"""Finding the columns of an asset list.

Each field asset-map reads (``name``, ``category``, ``latitude``...) has a
list of header names seen in real lists. A header matches a field when its
normalised form (lower case, punctuation as spaces) equals one of them, or,
less strongly, ends with one ("charity_contact_postcode" → postcode). Each
column serves one field. ``--map field=Column`` overrides the detection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ColumnError

FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("asset id", "id", "ref", "reference", "service id", "uid", "record id", "registered charity number",
           "unique reference number", "cqc id", "urn"),
    "name": ("name", "asset name", "asset", "organisation", "organisation name", "organization name",
             "service", "service name", "group", "group name", "title", "charity name", "provider name",
             "location", "distname", "venue", "venue name", "site name"),
    "category": ("category", "categories", "need", "needs", "need category", "need categories",
                 "service type", "activity type", "theme", "themes", "tags", "type"),
    "description": ("description", "details", "about", "activities", "charity activities", "summary",
                    "notes", "what we do"),
    "address": ("address", "full address", "address 1", "address1", "street address", "location address"),
    "postcode": ("postcode", "post code", "postal code", "zip"),
    "latitude": ("latitude", "lat", "y coordinate"),
    "longitude": ("longitude", "lon", "long", "lng", "x coordinate"),
    "easting": ("easting", "eastings", "bng e", "os easting", "x"),
    "northing": ("northing", "northings", "bng n", "os northing", "y"),
}


def normalise_header(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", str(header).lower()).strip()


@dataclass
class ColumnMap:
    """The column chosen for each field (absent fields are not in ``columns``)."""

    columns: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.columns.get(name)


def parse_overrides(pairs: list[str] | None) -> dict[str, str]:
    """Parse ``--map field=Column`` options."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ColumnError(f"--map {pair!r}: write it as field=Column, e.g. name='Organisation name'")
        key, value = (s.strip() for s in pair.split("=", 1))
        if key not in FIELDS:
            raise ColumnError(f"--map {pair!r}: unknown field {key!r}; the fields are {', '.join(FIELDS)}")
        out[key] = value
    return out


def detect_columns(headers: list[str], overrides: dict[str, str] | None = None, *, source: str = "") -> ColumnMap:
    """Choose a column for each field from the headers.

    Raises
    ------
    ColumnError
        If an override names a column the file does not have.
    """
    overrides = overrides or {}
    chosen: dict[str, str] = {}
    for fld, col in overrides.items():
        if col not in headers:
            raise ColumnError(
                f"{source}: --map {fld}={col!r}: no such column; the columns are {', '.join(headers)}"
            )
        chosen[fld] = col
    used = set(chosen.values())
    norm = {h: normalise_header(h) for h in headers}
    for strength in (2, 1):
        for fld, names in FIELDS.items():
            if fld in chosen:
                continue
            for name in names:  # earlier names are the stronger evidence
                hit = next(
                    (h for h in headers if h not in used
                     and (norm[h] == name if strength == 2 else len(name) > 2 and norm[h].endswith(" " + name))),
                    None,
                )
                if hit is not None:
                    chosen[fld] = hit
                    used.add(hit)
                    break
    return ColumnMap(chosen)
