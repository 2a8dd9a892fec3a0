"""Import a CSV file larger than memory: a chunk of rows at a time, in one transaction.

Each chunk is read (:func:`asset_map.inputs.csv_reader.read_csv_chunks`),
prepared as a whole file is (:func:`asset_map.inputs.importer.prepare_assets`,
with the columns found in the first chunk) and appended to the ``assets``
layer; the rows of an earlier import of the same source are deleted first.
Only each asset's id, name, categories, place and status stay in memory
(:data:`SLIM_ASSET_COLUMNS`), for the counts, the duplicates check and the
summary (``result.assets`` holds those columns). Recorded merges are applied
to the assets they name at the end. Progress is reported in MB of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .import_log import write_import_log

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..categories.taxonomy import Taxonomy
    from ..store import Store, StoreWriter, Table
    from .import_options import ImportOptions
    from .importer import ImportResult

#: What an import in chunks keeps of each asset: the text columns as categoricals (their values repeat),
#: and the point as two floats.
SLIM_TEXT_COLUMNS = ["asset_id", "name", "postcode"]
SLIM_REPEATED_COLUMNS = ["categories", "area_code", "location_status", "located_by", "source", "category_source",
                         "inferred", "merged_into"]
SLIM_ASSET_COLUMNS = SLIM_TEXT_COLUMNS + SLIM_REPEATED_COLUMNS + ["source_row", "geometry"]
MB = 1 << 20
#: The progress step of an import in chunks.
STEP = "importing (MB of the file)"


def large_csv(path: str | Path) -> bool:
    """Whether ``path`` is a CSV file too large to read whole (:data:`asset_map.inputs.csv_reader.CHUNK_BYTES`)."""
    from .csv_reader import CHUNK_BYTES

    p = Path(path)
    return p.suffix.lower() in (".csv", ".txt", ".tsv") and p.is_file() and p.stat().st_size > CHUNK_BYTES


def import_in_chunks(store: "Store", path: str | Path, chunk_rows: int, options: "ImportOptions", *,
                     taxonomy: "Taxonomy", areas, finder, category_map, cache_rows: list[dict]) -> "ImportResult":
    """Import the CSV file ``path`` ``chunk_rows`` rows at a time, never holding the whole file.

    The file's assets replace those of an earlier import of the same source,
    its log is written in the same transaction (:func:`write_import_log`), and
    nothing is written with ``options.dry_run``.
    """
    run = _ChunkRun(store, path, chunk_rows, options, taxonomy=taxonomy, areas=areas, finder=finder,
                    category_map=category_map)
    stored = run.stored_named()
    if options.dry_run:
        run.read_all(None)
    else:
        with store.transaction() as tx:
            tx.delete("assets", "source = ?", (run.source,))
            run.read_all(tx)
            run.merge_again(tx, stored)
            write_import_log(store, tx, run.total, path, None, None, cache_rows)
    run.find_duplicates()
    return run.total


class _ChunkRun:
    """One import in chunks: what it has read so far, and what it keeps of it."""

    def __init__(self, store: "Store", path: str | Path, chunk_rows: int, options: "ImportOptions", *,
                 taxonomy: "Taxonomy", areas, finder, category_map) -> None:
        from .importer import ImportResult

        self.store, self.path, self.chunk_rows, self.options = store, path, chunk_rows, options
        self.prepare_options = dict(taxonomy=taxonomy, areas=areas, categories=options.categories,
                                    find_postcodes=finder, category_map=category_map,
                                    use_inferred=options.use_inferred,
                                    reject_outside_lookup=options.reject_outside_lookup)
        self.source = options.source or Path(path).name
        replaced, self.kept_ids = self._stored_ids()
        self.merges = store.read("merges")
        self.merge_ids = _merge_ids(self.merges)
        self.total = ImportResult(source=self.source, path=str(path), rows_read=0, assets=None, rejects=[],
                                  columns={}, replaced=replaced)
        self.seen: set[str] = set()
        self.slim: list[dict[str, Any]] = []
        self.held: list["gpd.GeoDataFrame"] = []
        options.step(STEP)
        self.notes = [f"read in chunks of {chunk_rows:,} rows ({-(-Path(path).stat().st_size // MB):,} MB); "
                      "a sample or column count shown is of the first chunk"]

    def _stored_ids(self) -> tuple[int, set[str]]:
        """How many stored assets this import replaces, and the ids of the others (kept)."""
        old = self.store.read("assets", columns=["asset_id", "source"])
        replaced, kept_ids = 0, set()
        if old is not None:
            for aid, s in zip(old["asset_id"], old["source"]):
                if s == self.source:
                    replaced += 1
                else:
                    kept_ids.add(aid)
        return replaced, kept_ids

    def _named_where(self) -> tuple[str, tuple]:
        """The other lists' assets that recorded merges name, as a ``where`` and its parameters."""
        ids = tuple(sorted(self.merge_ids))
        return f"asset_id IN ({','.join('?' * len(ids))}) AND source <> ?", ids + (self.source,)

    def stored_named(self) -> "Table | None":
        """The other lists' assets that recorded merges name, read before the transaction changes the table
        (a database's reads wait for its writes)."""
        if not self.merge_ids:
            return None
        where, params = self._named_where()
        return self.store.read("assets", where=where, params=params)

    def read_all(self, tx: "StoreWriter | None") -> None:
        """Read, prepare and (unless ``tx`` is None) append every chunk, then gather the result."""
        from .csv_reader import read_csv_chunks

        overrides = self.options.columns
        for chunk in read_csv_chunks(self.path, encoding=self.options.encoding, rows=self.chunk_rows):
            self.total.table = self.total.table or chunk.table
            overrides = self._add(tx, chunk.table, overrides)
            if self.options.progress is not None:
                self.options.progress(STEP, -(-chunk.bytes_done // MB), -(-chunk.bytes_total // MB))
        self.total.notes = self.notes
        self.total.assets = _uncompact(self.slim)
        self.slim.clear()
        self.total.rejects.sort(key=lambda r: r.row)

    def _add(self, tx: "StoreWriter | None", table, overrides) -> dict[str, str]:
        """Prepare one chunk and append its assets, holding back those recorded merges name; returns the
        columns found, with which every later chunk is read."""
        from .import_review import unapplied_row_decisions
        from .importer import prepare_assets

        r = prepare_assets(table, column_overrides=overrides, source=self.source, seen_ids=self.seen,
                           **self.prepare_options)
        moved = unapplied_row_decisions(table, r.columns.get("name"), self.prepare_options["category_map"])
        r.notes += [moved] if moved else []
        if self.kept_ids:
            r.assets["asset_id"] = [f"{self.source}:{a}" if a in self.kept_ids else a for a in r.assets["asset_id"]]
        named = r.assets["asset_id"].isin(self.merge_ids)
        if named.any():
            self.held.append(r.assets[named])
        if tx is not None and (~named).any():
            tx.append("assets", r.assets[~named])
        if len(r.assets):
            self.slim.append(_compact(r.assets))
        self._count(r)
        # Later chunks use the first chunk's columns, and its refusal of a category column (None: no column).
        return {**({"category": None} if r.not_category is not None else {}), **r.columns}

    def _count(self, r: "ImportResult") -> None:
        """Add a chunk's counts, rejects, words and notes to the total."""
        total = self.total
        total.rows_read += r.rows_read
        total.rejects += r.rejects
        total.columns = total.columns or dict(r.columns)
        total.not_category = total.not_category or r.not_category
        total.guesses += r.guesses
        total.served_only += r.served_only
        total.outside_lookup += r.outside_lookup
        total.lookup_coverage = total.lookup_coverage or r.lookup_coverage
        for word, rows in r.unknown_words.items():
            total.unknown_words.setdefault(word, []).extend(rows)
        total.suggestions.update(r.suggestions)
        for counts, more in ((total.ignored_words, r.ignored_words), (total.inferred, r.inferred)):
            for k, v in more.items():
                counts[k] = counts.get(k, 0) + v
        self.notes.extend(n for n in r.notes if n not in self.notes)

    def merge_again(self, tx: "StoreWriter", stored: "Table | None") -> None:
        """Apply the recorded merges naming assets of this file or of others, and write those assets again."""
        import pandas as pd

        from .duplicates import apply_merges

        frames = [f for f in [None if stored is None else stored.to_frame(), *self.held] if f is not None]
        if not self.merge_ids or not frames:
            return
        group, self.total.merged_again = apply_merges(pd.concat(frames, ignore_index=True), self.merges)
        tx.delete("assets", *self._named_where())
        tx.append("assets", group)
        merged = dict(zip(group["asset_id"], group["merged_into"]))
        assets = self.total.assets
        assets["merged_into"] = [merged.get(a, m) for a, m in zip(assets["asset_id"], assets["merged_into"])]

    def find_duplicates(self) -> None:
        """The likely duplicates of this file's assets, among themselves and the other lists'."""
        import pandas as pd

        from .duplicates import find_duplicates

        existing = self.store.read("assets", columns=SLIM_ASSET_COLUMNS, where="source <> ?", params=(self.source,))
        everything = self.total.assets if existing is None else pd.concat(
            [existing.to_frame(), self.total.assets], ignore_index=True)
        self.total.duplicates = find_duplicates(everything, only_ids=self.total.assets["asset_id"])


def _merge_ids(merges: "Table | None") -> set[str]:
    """Every asset id a recorded merge names, kept or merged."""
    if merges is None or not len(merges):
        return set()
    return set(merges["kept_id"]) | set(merges["merged_id"])


def _compact(assets: "gpd.GeoDataFrame") -> dict[str, Any]:
    """What an import in chunks keeps of a chunk's assets (:data:`SLIM_ASSET_COLUMNS`), in little memory."""
    import pandas as pd

    out: dict[str, Any] = {c: assets[c].tolist() for c in SLIM_TEXT_COLUMNS}
    out.update({c: pd.Categorical(assets[c]) for c in SLIM_REPEATED_COLUMNS})
    out["source_row"] = assets["source_row"].to_numpy("int64")
    out["x"], out["y"] = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
    return out


def _uncompact(parts: list[dict[str, Any]]) -> "gpd.GeoDataFrame":
    """The chunks' kept columns as one GeoDataFrame (:func:`_compact`)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    columns: dict[str, Any] = {c: [v for p in parts for v in p[c]] for c in SLIM_TEXT_COLUMNS}
    for c in SLIM_REPEATED_COLUMNS:  # categories as plain objects: a chunk of only blanks has no text dtype
        columns[c] = union_categoricals([pd.Categorical.from_codes(
            p[c].codes, categories=pd.Index(list(p[c].categories), dtype=object)) for p in parts]) if parts else []
    columns["source_row"] = np.concatenate([p["source_row"] for p in parts]) if parts else np.array([], "int64")
    x = np.concatenate([p["x"] for p in parts]) if parts else np.array([])
    y = np.concatenate([p["y"] for p in parts]) if parts else np.array([])
    return gpd.GeoDataFrame(pd.DataFrame(columns), geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
