"""Finding the columns of an asset list.

Each field asset-map reads (``name``, ``category``, ``latitude``...) has a
list of header names seen in real lists, earlier names the stronger
evidence. A header is normalised (lower case, punctuation as spaces:
"Post Code:" and "Postcode*" become "post code" and "postcode") and matches a
field, from the strongest kind of match to the weakest:

1. exactly: its normalised form is one of the names;
2. without a trailing bracketed note: "Latitude (WGS84)", "Easting (m)",
   "Organisation Name (required)" match as "latitude", "easting",
   "organisation name";
3. by its ending: "charity_contact_postcode" ends with "postcode".

All fields are tried at one strength before any at the next, so an exact
"Organisation" beats "Contact name", which only ends in "name". Each column
serves one field. ``--map field=Column`` overrides the detection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ColumnError

FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("asset id", "id", "ref", "reference", "service id", "uid", "record id", "registered charity number",
           "unique reference number", "cqc id", "urn"),
    "name": ("name", "asset name", "asset", "organisation", "organisation name", "organization name",
             "name of organisation", "name of organization", "name of group", "group organisation",
             "organisation group", "group or organisation", "service", "service name", "name of service",
             "group", "group name", "title", "charity name", "provider name", "location", "distname", "venue",
             "venue name", "site name"),
    "category": ("category", "categories", "need", "needs", "need category", "need categories",
                 "primary category", "category of support", "type of support", "support type", "service type",
                 "type of service", "activity type", "type of activity",
                 "theme", "themes", "tags", "type", "activity", "activities", "what we offer"),
    # "activities" is a category word when there is no category column, else the description.
    "description": ("description", "details", "about", "activities", "charity activities", "summary",
                    "notes", "what we do"),
    "address": ("address", "full address", "address 1", "address1", "street address", "location address"),
    # The venue's postcode is where the asset is; a contact postcode may be an office elsewhere.
    "postcode": ("postcode", "post code", "postal code", "zip", "venue postcode", "site postcode",
                 "location postcode", "contact postcode"),
    "latitude": ("latitude", "lat", "y coordinate"),
    "longitude": ("longitude", "lon", "long", "lng", "x coordinate"),
    "easting": ("easting", "eastings", "bng e", "os easting", "x"),
    "northing": ("northing", "northings", "bng n", "os northing", "y"),
    # How many people it can take at once (places, seats); used by the accessibility measures.
    "capacity": ("capacity", "number of places", "max places", "maximum places", "places available"),
    # What the capacity counts (places, pupils, sessions a week), when the capacity cell does not say.
    "capacity_unit": ("capacity unit", "capacity units", "unit of capacity", "units of capacity", "capacity type"),
    # Where it serves beyond its own door: area names or codes, "borough-wide", "online", "within 5 km".
    "served_area": ("area served", "areas served", "served area", "served areas", "serves", "service area",
                    "service areas", "coverage area", "geographical coverage", "area of benefit", "served_area"),
    # Who, when, cost and last check: what the gaps' filters read (see asset_map.categories.filters).
    "audience": ("audience", "age group", "age groups", "age range", "ages", "who for", "who is it for",
                 "who it is for", "suitable for", "target group", "target audience"),
    "when": ("when", "days and times", "day and time", "days", "times", "opening times", "opening hours",
             "meeting times", "session times", "schedule"),
    "cost": ("cost", "costs", "price", "fee", "fees", "charge", "charges", "cost to attend"),
    "last_verified": ("last verified", "date verified", "last updated", "date updated", "last checked",
                      "date checked", "verified", "updated", "last reviewed"),
}

# A bracketed note at the end of a header: "(WGS84)", "[m]", "(required)".
_TRAILING_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\W*$")


def normalise_header(header: str) -> str:
    """Lower case, with every run of punctuation and spaces made one space: "Post Code:" → "post code"."""
    return re.sub(r"[^0-9a-z]+", " ", str(header).lower()).strip()


def _without_note(header: str) -> str:
    """The normalised header without a trailing bracketed note: "Latitude (WGS84)" → "latitude"."""
    return normalise_header(_TRAILING_NOTE.sub("", str(header)))


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


def detect_columns(headers: list[str], overrides: dict[str, str | None] | None = None, *,
                   source: str = "") -> ColumnMap:
    """Choose a column for each field from the headers.

    An override of ``None`` means "no column for this field" (the library's
    way to keep a choice made on the first part of a file for the rest).

    Raises
    ------
    ColumnError
        If an override names a column the file does not have.
    """
    overrides = overrides or {}
    chosen: dict[str, str] = {}
    for fld, col in overrides.items():
        if col is None:
            continue
        if col not in headers:
            raise ColumnError(
                f"{source}: --map {fld}={col!r}: no such column; the columns are {', '.join(headers)}"
            )
        chosen[fld] = col
    used = set(chosen.values())
    exact = {h: normalise_header(h) for h in headers}
    bare = {h: _without_note(h) for h in headers}

    def matches(h: str, name: str, strength: int) -> bool:
        if strength == 3:
            return exact[h] == name
        if strength == 2:
            return bool(bare[h]) and bare[h] == name and bare[h] != exact[h]
        return len(name) > 2 and (exact[h].endswith(" " + name) or bare[h].endswith(" " + name))

    for strength in (3, 2, 1):
        for fld, names in FIELDS.items():
            if fld in chosen or fld in overrides:
                continue
            for name in names:  # earlier names are the stronger evidence
                hit = next((h for h in headers if h not in used and matches(h, name, strength)), None)
                if hit is not None:
                    chosen[fld] = hit
                    used.add(hit)
                    break
    return ColumnMap(chosen)
