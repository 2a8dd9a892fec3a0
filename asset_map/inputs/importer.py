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
   ``geometry`` or ``postcode``.
3. **Categories**: the ``--category`` given for the whole file, else the
   category column split on ``;``, ``,`` or ``|`` and matched through the
   taxonomy. Unknown words are reported with their rows and a suggestion; a
   row with no known category is imported as *uncategorised* (it is real
   provision whose need is not recorded: a data gap, not a reject).
4. **Area**: the area containing the point (:mod:`asset_map.analysis.assign`), or
   flagged ``outside`` when the point is in no area: kept, not dropped.

A row with no location that names an area it serves (a column such as "Area
served": "borough-wide", "online", an area's name) is not rejected: it is kept
as a service without a location, which counts for coverage where it serves
(:mod:`asset_map.categories.served`).

The counts reconcile: ``rows read = imported + kept without a location +
rejected``, and ``outside`` and ``uncategorised`` are counted among the imported.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .columns import ColumnMap, detect_columns
from ..errors import ColumnError
from .coordinates import DEGREES_AS_GRID, GRID_AS_DEGREES, PLACEHOLDER, SWAPPED, check_easting_northing, check_lat_lon
from ..geo import BNG, in_gb_bng, lonlat_to_bng
from .postcodes import normalise_postcode, suggest_postcode
from .table import InputTable
from ..categories.inference import format_inferred, infer_categories
from ..categories.taxonomy import Taxonomy, normalise_word

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.category_map import CategoryMap
    from .duplicates import DuplicateGroup
    from .feed_import import FeedReport

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
    "served_area": "str",
    "audience": "str",
    "daytime": "str",
    "evening": "str",
    "weekend": "str",
    "free": "str",
    "last_verified": "str",
}

#: ``progress(step, done, total)``: how far an import has got (``total`` 0 when unknown).
Progress = Callable[[str, int, int], None]

#: Rows between progress reports.
PROGRESS_EVERY = 250


def tick(progress: "Progress | None", step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


#: Columns of the ``rejects`` table.
REJECT_COLUMNS = {"source": "str", "row": "int64", "column": "str", "reason": "str", "value": "str", "record": "str"}


@dataclass
class Reject:
    """One input row that could not be used."""

    row: int
    column: str | None
    reason: str
    value: str | None = None
    record: str = ""
    kind: str = "other"


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
        return int((self.assets["categories"] == "").sum())

    def reconciles(self) -> bool:
        """``rows_read == imported + rejected + served_only``."""
        return self.rows_read == self.imported + self.rejected + len(self.served_only)


def prepare_assets(
    table: InputTable,
    taxonomy: Taxonomy,
    *,
    areas: "gpd.GeoDataFrame | None" = None,
    column_overrides: dict[str, str] | None = None,
    categories: list[str] | None = None,
    source: str | None = None,
    find_postcodes: "Callable[[Iterable[str]], dict[str, tuple[float, float, str]] | None] | None" = None,
    category_map: "CategoryMap | None" = None,
    use_inferred: bool = False,
    progress: "Progress | None" = None,
    seen_ids: set[str] | None = None,
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
        Give a row with no known category the categories suggested by its
        name and description (:mod:`asset_map.categories.inference`); without it the
        suggestions are only recorded, in ``inferred``.
    progress
        Called as ``progress(step, done, total)`` as the rows are worked
        through (``total`` 0 when unknown).
    seen_ids
        Asset ids already given to earlier parts of the same file (an import
        in chunks); updated with this table's.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    src = source or table.path.name
    cmap = detect_columns(table.columns, column_overrides, source=str(table.path))
    fixed = [taxonomy.get(c).id for c in categories] if categories else None
    notes = list(table.notes)
    _require_columns(table, cmap, notes, fixed)

    frame = table.frame
    n = len(frame)
    rows = table.row_numbers
    rejects: list[Reject] = []
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    located_by = np.full(n, "", dtype=object)
    ok = np.ones(n, dtype=bool)

    def reject(i: int, column: str | None, reason: str, value: Any = None, *, kind: str = "other") -> None:
        ok[i] = False
        record = "; ".join(f"{c}={v}" for c, v in frame.iloc[i].items() if c != "geometry" and v is not None)
        rejects.append(Reject(rows[i], column, reason, None if value is None else str(value), record, kind))

    name_col = cmap.get("name")
    names = _cells(frame, name_col)
    for i in range(n):
        if names is None or names[i] is None:
            reject(i, name_col, "no name: every asset needs a name", kind="no name")

    if table.is_spatial:
        _locate_features(frame, x, y, located_by, ok, reject, notes)
    else:
        _locate_rows(frame, cmap, x, y, located_by, ok, reject, notes, find_postcodes, progress)

    keep = np.flatnonzero(ok)
    points = shapely.points(x[keep], y[keep])
    tick(progress, "categorising", 0, len(keep))

    # Categories.
    cat_col = cmap.get("category")
    text_cols = [c for c in (cmap.get("name"), cmap.get("description")) if c]
    cat_cells = _cells(frame, cat_col)
    text_cells = [_cells(frame, c) for c in text_cols]
    ids_out: list[str] = []
    text_out: list[str] = []
    source_out: list[str] = []
    inferred_out: list[str] = []
    unknown: dict[str, list[int]] = defaultdict(list)
    ignored: Counter[str] = Counter()
    inferred_count: Counter[str] = Counter()
    mapped: dict[Any, tuple[Any, bool]] = {}
    for n_done, i in enumerate(keep):
        if n_done % PROGRESS_EVERY == 0:
            tick(progress, "categorising", n_done, len(keep))
        if fixed is not None:
            ids_out.append(";".join(fixed))
            text_out.append(";".join(fixed))
            source_out.append("--category")
            inferred_out.append("")
            continue
        cell = cat_cells[i] if cat_cells is not None else None
        if cell in mapped:  # lists repeat their category cells: each distinct one is mapped once
            mapping, by_map = mapped[cell]
        else:
            mapping = taxonomy.map_cell(cell, category_map)
            by_map = category_map is not None and taxonomy.map_cell(cell).ids != mapping.ids
            mapped[cell] = mapping, by_map
        for word in mapping.unknown:
            unknown[word].append(rows[i])
        ignored.update(mapping.ignored)
        text_out.append("" if cell is None else str(cell))
        guesses = () if mapping.ids else infer_categories([c[i] for c in text_cells], taxonomy)
        inferred_out.append(format_inferred(guesses))
        inferred_count.update(g.category for g in guesses)
        if mapping.ids:
            ids_out.append(";".join(mapping.ids))
            source_out.append("category map" if by_map else "category column")
        elif guesses and use_inferred:
            ids_out.append(";".join(g.category for g in guesses))
            source_out.append("inferred")
        else:
            ids_out.append("")
            source_out.append("")
    suggestions = {w: taxonomy.suggest(w) for w in unknown}

    def text_column(fld: str) -> list[str]:
        col = cmap.get(fld)
        if col is None:
            return [""] * len(keep)
        values = frame[col].to_numpy(dtype=object)[keep]  # whole column at once: per-cell .iloc is slow
        return ["" if v is None else str(v) for v in values]

    assets = gpd.GeoDataFrame(
        {
            "asset_id": _asset_ids(frame, cmap, keep, rows, src, x, y, seen_ids),
            "name": [str(names[i]) for i in keep] if names is not None else [],
            "categories": ids_out,
            "category_text": text_out,
            "area_code": [None] * len(keep),
            "location_status": ["unassigned"] * len(keep),
            "located_by": located_by[keep].tolist(),
            "source": [src] * len(keep),
            "source_row": [rows[i] for i in keep],
            "description": text_column("description"),
            "address": text_column("address"),
            "postcode": text_column("postcode"),
            "category_source": source_out,
            "inferred": inferred_out,
            "merged_into": [""] * len(keep),
            "capacity": _capacities(text_column("capacity"), cmap.get("capacity"), notes),
            "served_area": text_column("served_area"),
            **_who_when_cost(text_column, cmap, len(keep)),
        },
        geometry=points,
        crs=BNG,
    )
    if not len(keep):  # no row usable: the columns keep their types (an empty list is read as numbers)
        assets = assets.astype({c: t for c, t in ASSET_COLUMNS.items() if c in assets.columns})
    served_only = _served_only(frame, cmap, rows, rejects, src, taxonomy, category_map, fixed)
    if areas is not None:
        assets = assign_assets(assets, areas)
    if areas is None and len(assets):
        notes.append("no areas loaded yet: the assets are kept unassigned and will be assigned to areas "
                     "when you run `asset-map boundaries load`")
    return ImportResult(
        source=src,
        path=str(table.path),
        rows_read=n,
        assets=assets,
        rejects=sorted(rejects, key=lambda r: r.row),
        columns=dict(cmap.columns),
        unknown_words=dict(unknown),
        suggestions=suggestions,
        notes=notes,
        table=table,
        ignored_words=dict(ignored),
        inferred=dict(inferred_count.most_common()),
        served_only=served_only,
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
                 taxonomy: Taxonomy, category_map, fixed: list[str] | None) -> list[dict[str, str]]:
    """Take out of ``rejects`` the rows rejected for having no location that name an area they serve.

    A helpline or a borough-wide service has no place but reaches people; it
    is kept as a service without a location (like a directory's), counted for
    coverage where it serves (:mod:`asset_map.categories.served`).
    """
    served_col = cmap.get("served_area")
    if not served_col:
        return []
    index = {r: i for i, r in enumerate(rows)}
    kept: list[Reject] = []
    out: list[dict[str, str]] = []
    other = {r.row for r in rejects if r.kind != "no location"}  # e.g. no name as well: stays rejected
    id_col, name_col, cat_col = cmap.get("id"), cmap.get("name"), cmap.get("category")
    for r in rejects:
        i = index.get(r.row)
        served = frame[served_col].iloc[i] if i is not None else None
        if r.kind != "no location" or r.row in other or served is None or not str(served).strip():
            kept.append(r)
            continue
        ids = fixed if fixed is not None else taxonomy.map_cell(frame[cat_col].iloc[i] if cat_col else None,
                                                               category_map).ids
        def cell(field: str):
            col = cmap.get(field)
            return frame[col].iloc[i] if col else None

        from ..categories.filters import parse_audience, parse_date, parse_free, parse_when

        out.append({"source": source, "service_id": str(frame[id_col].iloc[i]) if id_col and frame[id_col].iloc[i]
                    is not None else f"row {r.row}", "name": str(frame[name_col].iloc[i]),
                    "categories": ";".join(ids), "reason": "no location; serves an area",
                    "served_area": str(served).strip(), "served_extent": "",
                    "last_verified": parse_date(cell("last_verified")), "audience": parse_audience(cell("audience")),
                    **parse_when(cell("when")), "free": parse_free(cell("cost"))})
    rejects[:] = kept
    return out


def _capacities(cells: list[str], column: str | None, notes: list[str]) -> list[float]:
    """Each row's capacity: the first number in its cell ("20", "20 places"), NaN when none.

    A capacity that cannot be read does not reject the row; the asset counts
    as capacity 1 in the accessibility measures, and a note says how many.
    """
    out: list[float] = []
    unread = 0
    for cell in cells:
        m = _NUMBER.search(cell.replace(",", "")) if cell.strip() else None
        value = float(m.group()) if m else math.nan
        if cell.strip() and not value > 0:
            unread += 1
            value = math.nan
        out.append(value)
    if unread:
        notes.append(f"column {column!r}: {unread} capacit{'y' if unread == 1 else 'ies'} not a positive "
                      "number; counted as 1 place in the accessibility measures")
    return out


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


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


def _require_columns(table: InputTable, cmap: ColumnMap, notes: list[str], fixed) -> None:
    cols = ", ".join(table.columns)
    if cmap.get("name") is None:
        raise ColumnError(
            f"{table.path}: no column for the asset name (looked for Name, Organisation, Service...); "
            f"the columns are {cols}; pass --map name=COLUMN"
        )
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
    elif fixed is None and cmap.get("category") is None:
        notes.append(
            "no category column found: every asset is uncategorised; pass --category ID "
            "or --map category=COLUMN"
        )


def _number(value: Any) -> float | None:
    """A float from a cell, or None if it is not a number."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _locate_rows(frame, cmap: ColumnMap, x, y, located_by, ok, reject, notes, find_postcodes=None,
                 progress=None) -> None:
    """Fill x, y (BNG) from latitude/longitude or easting/northing cells, else from the postcode."""
    import numpy as np

    lat_c, lon_c = cmap.get("latitude"), cmap.get("longitude")
    e_c, n_c = cmap.get("easting"), cmap.get("northing")
    pc_c = cmap.get("postcode")
    lonlat_rows: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    by_postcode: dict[int, str] = {}
    kinds: Counter[str] = Counter()

    lat_v, lon_v, east_v, north_v, pc_v = (_cells(frame, c) for c in (lat_c, lon_c, e_c, n_c, pc_c))

    def pc_value(i: int):
        return pc_v[i] if pc_v is not None else None

    def by_postcode_or_reject(i: int) -> None:
        raw = pc_value(i)
        pc = normalise_postcode(raw)
        if pc is None:
            hint = suggest_postcode(raw)
            tip = f" (did you mean {hint}?)" if hint else ""
            reject(i, pc_c, f"{raw!r} is not a valid UK postcode{tip}; correct it or give coordinates", raw,
                   kind="malformed postcode")
        else:
            by_postcode[i] = pc

    for i in range(len(frame)):
        if i % PROGRESS_EVERY == 0:
            tick(progress, "locating", i, len(frame))
        if not ok[i]:
            continue
        lat = lat_v[i] if lat_v is not None else None
        lon = lon_v[i] if lon_v is not None else None
        east = east_v[i] if east_v is not None else None
        north = north_v[i] if north_v is not None else None
        if lat is not None or lon is not None:
            for col, val in ((lat_c, lat), (lon_c, lon)):
                if val is None:
                    reject(i, col, f"no {col}: a latitude needs a longitude and vice versa", kind="half a coordinate pair")
                    break
                if _number(val) is None:
                    reject(i, col, f"{val!r} is not a number", val, kind="coordinate not a number")
                    break
            if not ok[i]:
                continue
            flat, flon = _number(lat), _number(lon)
            problem = check_lat_lon(flat, flon)
            if problem is not None and problem[0] == PLACEHOLDER and pc_value(i) is not None:
                by_postcode_or_reject(i)  # (0, 0) means "no coordinates": use the postcode
                continue
            if problem is not None:
                kinds[problem[0]] += 1
                reject(i, f"{lat_c}/{lon_c}", problem[1], f"{flat:g}, {flon:g}", kind=problem[0])
                continue
            lonlat_rows.append(i)
            lons.append(flon)
            lats.append(flat)
            located_by[i] = "coordinates"
        elif east is not None or north is not None:
            ev, nv = _number(east), _number(north)
            if ev is None or nv is None:
                col, val = (e_c, east) if ev is None else (n_c, north)
                reject(i, col, f"{val!r} is not a number" if val is not None else f"no {col}", val,
                       kind="coordinate not a number" if val is not None else "half a coordinate pair")
                continue
            problem = check_easting_northing(ev, nv)
            if problem is not None and problem[0] == PLACEHOLDER and pc_value(i) is not None:
                by_postcode_or_reject(i)
                continue
            if problem is not None:
                kinds[problem[0]] += 1
                reject(i, f"{e_c}/{n_c}", problem[1], f"{ev:g}, {nv:g}", kind=problem[0])
                continue
            x[i], y[i] = ev, nv
            located_by[i] = "coordinates"
        elif pc_value(i) is not None:
            by_postcode_or_reject(i)
        else:
            given = " or ".join(
                f"{a}/{b}" for a, b in ((lat_c, lon_c), (e_c, n_c)) if a and b
            ) + (f" or {pc_c}" if pc_c else "")
            what = "coordinates or postcode" if pc_c else "coordinates"
            reject(i, given.removeprefix(" or "),
                   f"no {what} (the cells are empty); fill them in and import the file again", kind="no location")
    _note_column_mistakes(kinds, int((located_by == "coordinates").sum()), cmap, notes)
    if lonlat_rows:
        ex, ny = lonlat_to_bng(np.array(lons), np.array(lats))
        x[lonlat_rows], y[lonlat_rows] = ex, ny
    tick(progress, "locating", len(frame), len(frame))
    if by_postcode:
        tick(progress, f"looking up {len(by_postcode):,} postcodes", 0, 0)
        _locate_postcodes(frame, pc_c, by_postcode, x, y, located_by, reject, find_postcodes)


def _note_column_mistakes(kinds: Counter, good_rows: int, cmap: ColumnMap, notes: list[str]) -> None:
    """Add a note when most coordinate rows share one mistake: then the columns, not the rows, are wrong."""
    lat_c, lon_c, e_c, n_c = (cmap.get(f) for f in ("latitude", "longitude", "easting", "northing"))
    for kind, count in kinds.items():
        if count < 2 or count <= good_rows:
            continue
        if kind == SWAPPED and lat_c and lon_c:
            notes.append(f"{count} rows have latitude and longitude swapped: if the columns are mislabelled, "
                         f"import again with --map latitude={lon_c!r} --map longitude={lat_c!r}")
        elif kind == SWAPPED and e_c and n_c:
            notes.append(f"{count} rows have easting and northing swapped: if the columns are mislabelled, "
                         f"import again with --map easting={n_c!r} --map northing={e_c!r}")
        elif kind == GRID_AS_DEGREES:
            notes.append(f"{count} rows have grid references in the columns {lat_c!r}/{lon_c!r}: import again "
                         f"with --map easting=COLUMN --map northing=COLUMN")
        elif kind == DEGREES_AS_GRID:
            notes.append(f"{count} rows have degrees in the columns {e_c!r}/{n_c!r}: import again "
                         f"with --map latitude=COLUMN --map longitude=COLUMN")


def _locate_postcodes(frame, pc_c, by_postcode: dict[int, str], x, y, located_by, reject, find_postcodes) -> None:
    """Place rows at their postcode's centroid, or reject them saying why not."""
    import math

    found = find_postcodes(by_postcode.values()) if find_postcodes is not None else None
    pc_v = _cells(frame, pc_c)
    for i, pc in by_postcode.items():
        raw = pc_v[i]
        if found is None:
            reject(i, pc_c, "no coordinates, and no postcode lookup is loaded: run "
                   "`asset-map postcodes load FILE` (ONSPD or Code-Point Open), then import again", raw,
                   kind="no postcode lookup loaded")
            continue
        hit = found.get(pc)
        if hit is None:
            reject(i, pc_c, f"postcode {pc} is not in the postcode lookup; check it, or give coordinates", raw,
                   kind="postcode not in the lookup")
            continue
        px, py, terminated = hit
        if terminated:
            reject(i, pc_c, f"postcode {pc} was terminated ({terminated}); find the service's current postcode",
                   raw, kind="terminated postcode")
            continue
        if math.isnan(px) or math.isnan(py):
            reject(i, pc_c, f"postcode {pc} has no grid reference in the postcode lookup; give coordinates", raw,
                   kind="postcode without grid reference")
            continue
        x[i], y[i] = px, py
        located_by[i] = "postcode"


def _locate_features(frame, x, y, located_by, ok, reject, notes) -> None:
    """Fill x, y (BNG) from feature geometries; polygons give a point inside them."""
    import numpy as np
    import shapely

    geoms = frame.geometry.to_crs(BNG).to_numpy()
    polygons = 0
    for i, g in enumerate(geoms):
        if not ok[i]:
            continue
        if g is None or g.is_empty:
            reject(i, "geometry", "no geometry: the feature has no location", kind="no location")
            continue
        if g.geom_type != "Point":
            g = shapely.point_on_surface(g if g.is_valid else shapely.make_valid(g))
            located_by[i] = "inside polygon"
            polygons += 1
        else:
            located_by[i] = "geometry"
        if not (np.isfinite(g.x) and np.isfinite(g.y)) or not in_gb_bng(g.x, g.y):
            reject(i, "geometry", _feature_problem(frame, i), kind="outside Great Britain")
            continue
        x[i], y[i] = g.x, g.y
    if polygons:
        notes.append(f"{polygons} features are shapes, not points: each is placed at a point inside it")


def _feature_problem(frame, i: int) -> str:
    """Why feature ``i`` is outside Great Britain, naming a swapped axis or (0, 0) when that is the cause."""
    g = frame.geometry.iloc[i]
    if frame.crs is not None and frame.crs.is_geographic and g.geom_type == "Point":
        problem = check_lat_lon(g.y, g.x)
        if problem is not None:
            return problem[1].replace("swap the two cells", "the file has latitude first; GeoJSON needs "
                                      "longitude first")
    return "the point is outside Great Britain; check the file's CRS"


def _cells(frame, column: str | None) -> list[Any] | None:
    """A column's cells as a list (``None`` without a column): one conversion instead of a pandas lookup per cell."""
    return frame[column].tolist() if column else None


def _asset_ids(frame, cmap: ColumnMap, keep, rows, source: str, x, y, seen: set[str] | None = None) -> list[str]:
    """A stable id per asset: the file's id column, else a hash of source, name and place.

    The hash uses the source name, the normalised name and the point rounded
    to the metre, so re-importing an edited file keeps the ids of unchanged
    rows. Repeated ids (within the file: ``seen``) get ``-<row>`` appended.
    """
    id_col, name_col = cmap.get("id"), cmap.get("name")
    id_v, name_v = _cells(frame, id_col), _cells(frame, name_col)
    out: list[str] = []
    seen = set() if seen is None else seen
    for i in keep:
        raw = id_v[i] if id_v is not None else None
        if raw is not None:
            aid = str(raw).strip()
        else:
            key = f"{source}|{normalise_word(str(name_v[i]))}|{x[i]:.0f}|{y[i]:.0f}"
            aid = "A" + hashlib.sha1(key.encode()).hexdigest()[:10]
        if aid in seen:
            aid = f"{aid}-{rows[i]}"
        seen.add(aid)
        out.append(aid)
    return out


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
