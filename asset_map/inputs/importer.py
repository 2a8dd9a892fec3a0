"""Turning the rows of an asset list into assets, or into rejects with a reason.

For each input row:

1. **Name**: required; a row without one is rejected.
2. **Location**: a point in British National Grid from, in order, the
   feature's geometry (a polygon is placed at a point inside it), latitude and
   longitude, easting and northing, or, when a row has no coordinates, its
   postcode's centroid from the workspace's postcode lookup
   (:mod:`asset_map.inputs.postcodes`). Missing, non-numeric or outside Great
   Britain coordinates, and malformed, unknown or terminated postcodes, are
   rejected, naming the column. ``located_by`` records ``coordinates``,
   ``geometry`` or ``postcode``. See :mod:`asset_map.inputs.locating`.
3. **Categories**: the ``--category`` given for the whole file, else the
   category column split on ``;``, ``,`` or ``|`` and matched through the
   taxonomy. Unknown words are reported with their rows and a suggestion; a
   row with no known category is imported as *uncategorised* (it is real
   provision whose need is not recorded: a data gap, not a reject), unless
   its text says it is not a service to the public (a PTA, a grant-making
   trust): then it is imported and counted as such, and is not provision. See
   :mod:`asset_map.inputs.categorising`.
4. **Area**: the area containing the point (:mod:`asset_map.analysis.assign`), or
   flagged ``outside`` when the point is in no area: kept, not dropped.

A row with no location that names an area it serves (a column such as "Area
served": "borough-wide", "online", an area's name) is not rejected: it is kept
as a service without a location, which counts for coverage where it serves
(:mod:`asset_map.categories.served`). A row whose well-formed postcode lies
outside a local postcode lookup's coverage is kept too, with its location
unknown: evidence in confidence, never provision at a place (see
:mod:`asset_map.inputs.kept_unlocated`); ``reject_outside_lookup`` rejects it.

The counts reconcile: ``rows read = imported + kept without a location +
rejected``, and ``outside``, ``uncategorised`` and ``not_services`` are counted among the imported.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..categories.inference import NOT_A_SERVICE, is_not_a_service
from ..categories.taxonomy import Taxonomy
from ..errors import ColumnError
from ..geo import BNG
from ..numbers import quantity, unit
from .asset_ids import asset_ids
from .categorising import Categorised, categorise
from .category_column import choose_category_column
from .columns import ColumnMap, detect_columns
from .locating import OUTSIDE_LOOKUP, Placement, PostcodeFinder, Reject, locate_features, locate_rows
from .progress import Progress
from .table import InputTable, all_numbers, column_cells

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.category_map import CategoryMap
    from .duplicates import DuplicateGroup
    from .feed_import import FeedReport
    from .postcode_finder import LookupCoverage

#: Columns of the ``assets`` layer, besides the geometry.
ASSET_COLUMNS = {
    "asset_id": "str",
    "name": "str",
    "categories": "str",
    "category_text": "str",
    "area_code": "str",
    "location_status": "str",
    "located_by": "str",
    "source": "str",
    "source_row": "int64",
    "description": "str",
    "address": "str",
    "postcode": "str",
    "category_source": "str",
    "inferred": "str",
    "merged_into": "str",
    "capacity": "float64",
    "capacity_unit": "str",
    "served_area": "str",
    "audience": "str",
    "daytime": "str",
    "evening": "str",
    "weekend": "str",
    "free": "str",
    "last_verified": "str",
}

#: Columns of the ``rejects`` table.
REJECT_COLUMNS = {"source": "str", "row": "int64", "column": "str", "reason": "str", "value": "str", "record": "str"}


@dataclass
class ImportResult:
    """What an import made of a file; nothing is written until the workspace stores it."""

    source: str
    path: str
    rows_read: int
    assets: "gpd.GeoDataFrame"
    rejects: list[Reject]
    columns: dict[str, str]
    unknown_words: dict[str, list[int]] = field(default_factory=dict)
    suggestions: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: What the user must hear even when the import succeeds (nothing imported...): shown as warnings.
    warnings: list[str] = field(default_factory=list)
    replaced: int = 0
    duplicates: list["DuplicateGroup"] = field(default_factory=list)
    merged_again: int = 0
    table: "InputTable | None" = field(default=None, repr=False)
    ignored_words: dict[str, int] = field(default_factory=dict)
    inferred: dict[str, int] = field(default_factory=dict)
    feed: "FeedReport | None" = None
    #: Rows with no location that serve an area (a helpline, a borough-wide service): kept in the
    #: workspace's ``unlocated`` table, counted for coverage where they serve.
    served_only: list[dict[str, str]] = field(default_factory=list)
    #: Rows whose valid postcode lies outside the local postcode lookup's coverage: kept in ``unlocated``
    #: with their location unknown, evidence in confidence but never provision.
    outside_lookup: list[dict[str, str]] = field(default_factory=list)
    #: What the local postcode lookup covers, when a row's postcode lay outside it.
    lookup_coverage: "LookupCoverage | None" = None
    #: A column whose header says category but whose values are legal forms, statuses, codes or sentences
    #: (:mod:`asset_map.inputs.category_column`): not read for categories.
    not_category: str | None = None
    #: Per asset (aligned with ``assets``): the suggestions its text gave, with their confidence.
    guesses: list[tuple] = field(default_factory=list, repr=False)

    @property
    def with_inferred(self) -> int:
        """Assets whose categories were suggested by their text (used or not)."""
        return int((self.assets["inferred"] != "").sum()) if len(self.assets) else 0

    @property
    def categorised_by_inference(self) -> int:
        return int((self.assets["category_source"] == "inferred").sum()) if len(self.assets) else 0

    def rejected_by_kind(self) -> dict[str, int]:
        """How many rows were rejected for each kind of reason, most first."""
        return dict(Counter(r.kind for r in self.rejects).most_common())

    @property
    def imported(self) -> int:
        return len(self.assets)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def outside(self) -> int:
        return int((self.assets["location_status"] == "outside").sum())

    @property
    def uncategorised(self) -> int:
        """Assets with no category, less those that are not services (:attr:`not_services`)."""
        return int((self.assets["categories"] == "").sum()) - sum(self.not_services.values())

    @property
    def not_services(self) -> dict[str, int]:
        """Assets recognised as not services to the public, by reason, most first
        (:func:`asset_map.categories.inference.not_a_service`)."""
        if not len(self.assets):
            return {}
        prefix = f"{NOT_A_SERVICE}: "
        reasons: Counter[str] = Counter()
        for s, n in self.assets["category_source"].value_counts(sort=False).items():  # by distinct source
            if is_not_a_service(s):
                reasons[s[len(prefix):]] += int(n)
        return dict(reasons.most_common())

    @property
    def kept_unlocated(self) -> int:
        """Rows kept without a location: serving an area, or with a postcode outside the lookup's coverage."""
        return len(self.served_only) + len(self.outside_lookup)

    def reconciles(self) -> bool:
        """``rows_read == imported + kept_unlocated + rejected``."""
        return self.rows_read == self.imported + self.kept_unlocated + self.rejected

    def outside_lookup_note(self) -> str | None:
        """What became of the rows whose postcode lies outside the lookup's coverage, and what to do."""
        n = len(self.outside_lookup)
        if not n:
            return None
        lookup = self.lookup_coverage.describe() if self.lookup_coverage is not None else "a local lookup"
        return (f"{n:,} row{'s have' if n != 1 else ' has'} a valid postcode outside the postcode lookup's coverage "
                f"({lookup}): kept as operating in the study area at unknown places, counted in the totals and in "
                "every area's confidence, never as provision; to place them load a national lookup (ONSPD) and "
                "import again, or import with --reject-outside-lookup to reject them")

    def nothing_imported(self, dry_run: bool = False) -> str | None:
        """The warning for a list none of whose rows was kept, naming the main reason and what to do.

        The most common kind of reject is named, with the first such row's
        reason: it says what to do (load a postcode lookup, check the
        coordinates...).
        """
        if self.rows_read == 0 or self.imported + self.kept_unlocated > 0 or not self.rejects:
            return None
        kind, count = next(iter(self.rejected_by_kind().items()))
        first = next(r for r in self.rejects if r.kind == kind)
        rows = f"its {self.rows_read:,} row was" if self.rows_read == 1 else f"all {self.rows_read:,} rows were"
        reason = kind if count == self.rejected else f"{count:,} of them: {kind}"
        verb = "would be" if dry_run else "was"
        return f"nothing {verb} imported: {rows} rejected ({reason}); row {first.row}: {first.reason}"


def prepare_assets(
    table: InputTable, taxonomy: Taxonomy, *, areas: "gpd.GeoDataFrame | None" = None,
    column_overrides: dict[str, str] | None = None, categories: list[str] | None = None,
    source: str | None = None, find_postcodes: "PostcodeFinder | None" = None,
    category_map: "CategoryMap | None" = None, use_inferred: bool | None = None,
    progress: "Progress | None" = None, seen_ids: set[str] | None = None, reject_outside_lookup: bool = False,
) -> ImportResult:
    """Make assets and rejects from the rows of an input table.

    Parameters
    ----------
    table
        Rows read by :func:`asset_map.inputs.readers.read_input`.
    taxonomy
        Maps category words to category ids.
    areas
        Areas (``area_code``, geometry in EPSG:27700) to assign assets to;
        without them every asset's ``location_status`` is ``unassigned``.
    column_overrides
        ``{field: column}`` to use instead of the detected columns.
    categories
        Category ids, labels or synonyms that apply to every row (for a list
        of one kind, such as food banks); the category column is then ignored.
    source
        The name imports of this file are known by; defaults to the file name.
    find_postcodes
        Looks up standard-form postcodes: ``{postcode: (x, y, terminated)}``
        for those found, or ``None`` when no postcode lookup is loaded
        (:meth:`asset_map.Workspace.find_postcodes`).
    category_map
        Decisions about category words the taxonomy does not know
        (:mod:`asset_map.categories.category_map`).
    use_inferred
        Which suggestions from a row's text are its categories (marked
        ``inferred``): ``None`` those at or above the default confidence,
        ``True`` all, ``False`` none (:mod:`asset_map.inputs.categorising`).
    progress
        Called as ``progress(step, done, total)`` (``total`` 0 when unknown).
    seen_ids
        Asset ids already given to earlier parts of the same file (an import
        in chunks); updated with this table's.
    reject_outside_lookup
        Reject the rows whose well-formed postcode lies outside a local
        lookup's coverage instead of keeping them with their location unknown.
    """
    src = source or table.path.name
    fixed = [taxonomy.get(c).id for c in categories] if categories else None
    notes = list(table.notes)
    cmap, refused = _columns(table, column_overrides, taxonomy, category_map, fixed, notes)
    _require_columns(table, cmap, notes, fixed, refused)
    placement = _placed(table, cmap, notes, find_postcodes, progress, keep_outside=not reject_outside_lookup)
    categorised = partial(categorise, table.frame, cmap, rows=table.row_numbers, taxonomy=taxonomy, fixed=fixed,
                          category_map=category_map, use_inferred=use_inferred, progress=progress)
    cats = categorised(keep=placement.kept())
    assets = _in_areas(_assets_frame(table, cmap, placement, cats, src, notes, seen_ids), areas, notes)
    served = _served_only(table.frame, cmap, table.row_numbers, placement.rejects, src, categorised)
    result = _result(table, src, cmap, assets, placement.rejects, cats, taxonomy, notes, served)
    result.not_category = refused
    _outside_lookup(result, cmap, placement, categorised, find_postcodes, taxonomy)
    return result


def _columns(table: InputTable, overrides: dict[str, str | None] | None, taxonomy: Taxonomy,
             category_map: "CategoryMap | None", fixed: list[str] | None,
             notes: list[str]) -> tuple[ColumnMap, str | None]:
    """The columns found by their headers (:func:`detect_columns`), the category column checked by its content
    unless ``--category`` applies (:func:`choose_category_column`); and the column refused as categories
    (``""`` when an earlier part of the same file refused it: ``overrides`` holds ``category: None``)."""
    cmap = detect_columns(table.columns, overrides, source=str(table.path))
    if fixed is not None:
        return cmap, None
    if (overrides or {}).get("category", "") is None:
        return cmap, ""
    cmap, refused, note = choose_category_column(table.frame, cmap, taxonomy, category_map, overrides=overrides)
    notes += [note] if note else []
    return cmap, refused


def _outside_lookup(result: ImportResult, cmap: ColumnMap, placement: Placement, categorised, find_postcodes,
                    taxonomy: Taxonomy) -> None:
    """Add to ``result`` the rows set aside because their postcode lies outside the local lookup's coverage,
    categorised as the imported rows are (their unknown category words are reported with the others),
    and what the lookup covers."""
    from .kept_unlocated import outside_lookup_records

    coverage = getattr(find_postcodes, "coverage", None)
    if placement.elsewhere or any(r.kind == OUTSIDE_LOOKUP for r in result.rejects):
        result.lookup_coverage = coverage()
    if not placement.elsewhere:
        return
    table = result.table
    index = {r: i for i, r in enumerate(table.row_numbers)}
    cats = categorised(keep=[index[r.row] for r in placement.elsewhere])
    for word, rows in cats.unknown.items():
        result.unknown_words[word] = sorted(result.unknown_words.get(word, []) + rows)
        result.suggestions.setdefault(word, taxonomy.suggest(word))
    for word, n in cats.ignored.items():
        result.ignored_words[word] = result.ignored_words.get(word, 0) + n
    result.outside_lookup = outside_lookup_records(table.frame, cmap, table.row_numbers,
                                                   placement.elsewhere, result.source, cats.ids)


def _placed(table: InputTable, cmap: ColumnMap, notes: list[str], find_postcodes: "PostcodeFinder | None",
            progress: "Progress | None", *, keep_outside: bool = True) -> Placement:
    """The rows placed at a point, or rejected: for want of a name, then of a usable location.

    Features are placed at their geometry
    (:func:`asset_map.inputs.locating.locate_features`), rows by their
    coordinates or postcode (:func:`asset_map.inputs.locating.locate_rows`).
    """
    placement = Placement(table.frame, table.row_numbers, keep_outside)
    name_col = cmap.get("name")
    names = column_cells(table.frame, name_col)
    for i in range(len(table.frame)):
        if names is None or names[i] is None:
            placement.reject(i, name_col, "no name: every asset needs a name", kind="no name")
    if table.is_spatial:
        locate_features(placement, notes)
    else:
        locate_rows(placement, cmap, notes, find_postcodes, progress, decimal_comma=table.delimiter == ";")
    return placement


def _assets_frame(table: InputTable, cmap: ColumnMap, placement: Placement, cats: Categorised, src: str,
                  notes: list[str], seen_ids: set[str] | None) -> "gpd.GeoDataFrame":
    """The rows kept as assets (:data:`ASSET_COLUMNS`), unassigned, at their points in British National Grid."""
    import geopandas as gpd
    import shapely

    frame, rows, keep = table.frame, table.row_numbers, placement.kept()
    names = column_cells(frame, cmap.get("name"))

    def text_column(fld: str) -> list[str]:
        col = cmap.get(fld)
        if col is None:
            return [""] * len(keep)
        values = frame[col].to_numpy(dtype=object)[keep]  # whole column at once: per-cell .iloc is slow
        return ["" if v is None else str(v) for v in values]

    assets = gpd.GeoDataFrame(
        {
            "asset_id": asset_ids(frame, cmap, keep, rows, src, placement.x, placement.y, seen_ids),
            "name": [str(names[i]) for i in keep] if names is not None else [],
            "categories": cats.ids,
            "category_text": cats.text,
            "area_code": [None] * len(keep),
            "location_status": ["unassigned"] * len(keep),
            "located_by": placement.located_by[keep].tolist(),
            "source": [src] * len(keep),
            "source_row": [rows[i] for i in keep],
            "description": text_column("description"),
            "address": text_column("address"),
            "postcode": text_column("postcode"),
            "category_source": cats.source,
            "inferred": cats.inferred,
            "merged_into": [""] * len(keep),
            **_capacities(text_column("capacity"), text_column("capacity_unit"), cmap.get("capacity"), notes),
            "served_area": text_column("served_area"),
            **_who_when_cost(text_column, cmap, len(keep)),
        },
        geometry=shapely.points(placement.x[keep], placement.y[keep]),
        crs=BNG,
    )
    if not len(keep):  # no row usable: the columns keep their types (an empty list is read as numbers)
        assets = assets.astype({c: t for c, t in ASSET_COLUMNS.items() if c in assets.columns})
    return assets


def _in_areas(assets: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame | None", notes: list[str]) -> "gpd.GeoDataFrame":
    """The assets assigned to the areas (:func:`assign_assets`), or kept unassigned, with a note, without areas."""
    if areas is not None:
        return assign_assets(assets, areas)
    if len(assets):
        notes.append("no areas loaded yet: the assets are kept unassigned and will be assigned to areas "
                     "when you run `asset-map boundaries load`")
    return assets


def _result(table: InputTable, src: str, cmap: ColumnMap, assets: "gpd.GeoDataFrame", rejects: list[Reject],
            cats: Categorised, taxonomy: Taxonomy, notes: list[str], served: list[dict[str, str]]) -> ImportResult:
    """What the import made of the table, the rejects in row order, the unknown words with suggestions."""
    return ImportResult(
        source=src,
        path=str(table.path),
        rows_read=len(table.frame),
        assets=assets,
        rejects=sorted(rejects, key=lambda r: r.row),
        columns=dict(cmap.columns),
        unknown_words=dict(cats.unknown),
        suggestions={w: taxonomy.suggest(w) for w in cats.unknown},
        notes=notes,
        table=table,
        ignored_words=dict(cats.ignored),
        inferred=dict(cats.inferred_count.most_common()),
        served_only=served,
        guesses=cats.guesses,
    )


def _who_when_cost(text_column, cmap: ColumnMap, n: int) -> dict[str, list[str]]:
    """The audience, daytime/evening/weekend, free and last-verified columns (:mod:`asset_map.categories.filters`)."""
    from ..categories.filters import WHEN, parse_audience, parse_date, parse_free, parse_when

    def parsed(parse, cells: list[str]) -> list:
        once: dict[str, Any] = {}  # cells repeat ("Over 65s", "Free", blanks): each distinct one is parsed once
        return [once[c] if c in once else once.setdefault(c, parse(c)) for c in cells]

    when = parsed(parse_when, text_column("when")) if cmap.get("when") else None
    out = {
        "audience": parsed(parse_audience, text_column("audience")),
        "free": parsed(parse_free, text_column("cost")),
        "last_verified": parsed(parse_date, text_column("last_verified")),
    }
    for w in WHEN:
        out[w] = [flags[w] for flags in when] if when is not None else [""] * n
    return out


def _served_only(frame, cmap: ColumnMap, rows: list[int], rejects: list[Reject], source: str,
                 categorised) -> list[dict[str, str]]:
    """Take out of ``rejects`` the rows rejected for having no location that name an area they serve.

    A helpline or a borough-wide service has no place but reaches people; it
    is kept as a service without a location (like a directory's), counted for
    coverage where it serves (:mod:`asset_map.categories.served`). Its
    categories are worked out as the imported rows' are (``categorised``:
    :func:`~asset_map.inputs.categorising.categorise` for given positions),
    suggestions from its text included.
    """
    served_col = cmap.get("served_area")
    if not served_col:
        return []
    index = {r: i for i, r in enumerate(rows)}
    other = {r.row for r in rejects if r.kind != "no location"}  # e.g. no name as well: stays rejected
    kept: list[Reject] = []
    chosen: list[tuple[Reject, int]] = []
    for r in rejects:
        i = index.get(r.row)
        served = frame[served_col].iloc[i] if i is not None else None
        if r.kind != "no location" or r.row in other or served is None or not str(served).strip():
            kept.append(r)
        else:
            chosen.append((r, i))
    rejects[:] = kept
    if not chosen:
        return []
    from .kept_unlocated import unlocated_record

    cats = categorised(keep=[i for _, i in chosen])
    return [unlocated_record(frame, cmap, i, r.row, source, ids, "no location; serves an area",
                             frame[served_col].iloc[i]) for (r, i), ids in zip(chosen, cats.ids)]


def _capacities(cells: list[str], units: list[str], column: str | None, notes: list[str]) -> dict[str, list]:
    """Each row's ``capacity`` and ``capacity_unit``: the first number in its cell ("20", "20 places"), NaN when
    none, and the unit written after it, else the one in the list's ``capacity_unit`` column
    (:func:`asset_map.numbers.quantity`, :func:`asset_map.numbers.unit`; ``""`` when neither says).

    A capacity that cannot be read does not reject the row; the asset has no
    capacity (see :mod:`asset_map.analysis.access` for what that does to its
    category's accessibility), and a note says how many.
    """
    values: list[float] = []
    out_units: list[str] = []
    unread = 0
    read: dict[tuple[str, str], tuple[float, str, bool]] = {}  # each distinct (cell, unit) read once
    for pair in zip(cells, units):
        got = read.get(pair)
        if got is None:
            cell, written = pair
            value, cell_unit = quantity(cell) if cell.strip() else (math.nan, "")
            bad = bool(cell.strip()) and not value > 0
            value = math.nan if bad else value
            got = read[pair] = (value, (cell_unit or unit(written)) if value == value else "", bad)
        values.append(got[0])
        out_units.append(got[1])
        unread += got[2]
    if unread:
        notes.append(f"column {column!r}: {unread} capacit{'y' if unread == 1 else 'ies'} not a positive "
                     "number; read as no capacity")
    return {"capacity": values, "capacity_unit": out_units}


def assign_assets(assets: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame | None") -> "gpd.GeoDataFrame":
    """Set ``area_code`` and ``location_status`` (inside / outside / unassigned) of each asset."""
    from ..analysis.assign import assign_points

    assets = assets.copy()
    if areas is None or len(areas) == 0:
        assets["area_code"] = None
        assets["location_status"] = "unassigned"
        return assets
    codes = assign_points(assets.geometry.to_numpy(), areas.geometry.to_numpy(), list(areas["area_code"]))
    assets["area_code"] = codes
    assets["location_status"] = ["inside" if c is not None else "outside" for c in codes]
    return assets


def _require_columns(table: InputTable, cmap: ColumnMap, notes: list[str], fixed, refused: str | None) -> None:
    cols = ", ".join(table.columns)
    if cmap.get("name") is None:
        raise _no_name_column(table)
    if not table.is_spatial:
        has_latlon = cmap.get("latitude") and cmap.get("longitude")
        has_en = cmap.get("easting") and cmap.get("northing")
        if not (has_latlon or has_en or cmap.get("postcode") or cmap.get("served_area")):
            raise ColumnError(
                f"{table.path}: no coordinate or postcode columns (Latitude/Longitude, Easting/Northing or "
                f"Postcode); the columns are {cols}; pass --map latitude=COLUMN --map longitude=COLUMN "
                "or --map postcode=COLUMN"
            )
    if fixed is not None and cmap.get("category"):
        notes.append(f"column {cmap.get('category')!r} ignored: --category applies to every row")
    elif fixed is None and cmap.get("category") is None and refused is None:
        texts = " and ".join(repr(cmap.get(f)) for f in ("name", "description") if cmap.get(f))
        notes.append(
            f"no category column found: the categories are suggested from the text of {texts}; "
            "pass --category ID (one category for every row) or --map category=COLUMN"
        )


def _no_name_column(table: InputTable) -> ColumnError:
    """The error for a table with no name column, saying why when the header is the cause.

    A header of numbers is a first row of data (the file has no header); a
    column whose header cell is empty may be the names (it is named "Column A").
    """
    cols = ", ".join(table.columns)
    looked = "no column for the asset name (looked for Name, Organisation, Service...)"
    if not table.is_spatial and all_numbers(table.columns):
        return ColumnError(
            f"{table.path}: the header (row {table.header_row}) is all numbers ({cols}), so the file seems to "
            "have no header row: add a first row naming the columns (e.g. Name, Category, Latitude, Longitude)"
        )
    if table.unnamed:
        first = table.unnamed[0]
        which = f"column {first.split()[-1]} has" if len(table.unnamed) == 1 else \
            f"columns {', '.join(n.split()[-1] for n in table.unnamed)} have"
        return ColumnError(
            f"{table.path}: {looked}; {which} no header (the header cell is empty): type the header (e.g. Name) "
            f"into it, or pass --map name={first!r}"
        )
    return ColumnError(f"{table.path}: {looked}; the columns are {cols}; pass --map name=COLUMN")


def rejects_frame(result: ImportResult):
    """The rejects of an import as a DataFrame with :data:`REJECT_COLUMNS`."""
    import pandas as pd

    return pd.DataFrame(
        {
            "source": [result.source] * len(result.rejects),
            "row": [r.row for r in result.rejects],
            "column": [r.column or "" for r in result.rejects],
            "reason": [r.reason for r in result.rejects],
            "value": [r.value or "" for r in result.rejects],
            "record": [r.record for r in result.rejects],
        },
        columns=list(REJECT_COLUMNS),
    ).astype({"row": "int64"})


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
