"""Reading a JSON file that is a plain list of records as a table.

An export of GP practices, venues or groups often comes as JSON:
``[{"Name": "...", "Latitude": 53.4, ...}, ...]``, or such a list under one
key (``{"data": [...]}``). It is read as a CSV file would be: the records'
keys are the columns (in the order they first appear), each value a text
cell, and the records are numbered from 1. A directory feed (Open Referral
UK) is told apart by its structure (:func:`is_feed_record`): paged
(``content``, ``contents``), or records with a feed's nested fields
(``service_at_locations``, ``organization``...); it is read by
:mod:`asset_map.inputs.oruk` instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from .table import InputTable, cells_frame, clean

#: Fields only a directory feed's service records have (ORUK v1 and v3).
FEED_FIELDS = frozenset({"service_at_locations", "organization", "organization_id", "service_taxonomys",
                         "eligibilitys", "regular_schedules", "physical_addresses", "attributes", "schedules",
                         "cost_options", "service_areas", "assured_date", "capacities"})
#: Keys of a feed page that hold its services.
PAGE_KEYS = frozenset({"content", "contents"})
#: Records looked at to tell a feed from a list of records.
SAMPLE_RECORDS = 50


def load_json(p: Path) -> Any:
    """The decoded JSON of ``p``, or ``None`` when it is not JSON text (its own reader then says why)."""
    try:
        return json.loads(p.read_text("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError, RecursionError):
        return None


def is_feed_record(item: Any) -> bool:
    """Whether a record has the nested fields of a directory feed's service."""
    return isinstance(item, dict) and not FEED_FIELDS.isdisjoint(item)


def json_records(data: Any) -> list[dict] | None:
    """The records of a JSON document that is a plain list of records, else ``None``.

    A list of objects, or an object whose one value is such a list, is
    records, unless it is a feed: a page (``content``/``contents``) or
    records with a feed's fields (:func:`is_feed_record`). GeoJSON and
    TopoJSON (an object with a ``type``) are not records either.
    """
    if isinstance(data, dict) and len(data) == 1 and not PAGE_KEYS.intersection(data):
        data = next(iter(data.values()))
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    if any(is_feed_record(item) for item in data[:SAMPLE_RECORDS]):
        return None
    if all(item.get("type") in ("Feature", "FeatureCollection") for item in data[:SAMPLE_RECORDS]):
        return None
    return data


def read_json_table(p: Path, records: list[dict]) -> InputTable:
    """The records as a table of text cells: their keys are the columns, numbered from record 1."""
    names: dict[str, None] = {}
    for item in records:
        names.update((str(k), None) for k in item)
    columns = [n for n in names if n.strip()]
    if not columns:
        raise InputFileError(f"{p}: the JSON records have no fields; export the list again with its columns")
    rows = [(n, [_text(item.get(c)) for c in columns]) for n, item in enumerate(records, start=1)]
    data = [(n, cells) for n, cells in rows if any(clean(c) is not None for c in cells)]
    if not data:
        raise InputFileError(f"{p}: every JSON record is empty; export the list again with its values")
    notes = [f"read as a JSON list of {len(records):,} records, their fields as columns; rows are numbered "
             "by record, from 1"]
    return InputTable(p, cells_frame(data, columns, list(range(len(columns)))), [n for n, _ in data],
                      "record", notes)


def _text(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold: numbers as written, nested values as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
