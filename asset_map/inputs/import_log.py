"""What an import records beside its assets, in the same transaction.

* ``rejects``: the rows it could not use, replacing those of an earlier import
  of the same source;
* ``imports``: its line in the log (:data:`IMPORT_COLUMNS`), with the file's
  SHA-256 and the counts;
* ``unlocated``: the services kept without a location (a feed's, rows with
  only an area served, or rows whose postcode lies outside a local postcode
  lookup's coverage);
* ``postcode_cache``: the online postcode service's answers
  (:func:`asset_map.inputs.postcode_finder.write_cache`).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .stored import frame
from .stored_taxonomy import ensure_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..store import Store, StoreWriter
    from .importer import ImportResult

IMPORT_COLUMNS = {
    "import_id": "int64", "source": "str", "path": "str", "sha256": "str", "imported_at": "str",
    "rows_read": "int64", "imported": "int64", "outside": "int64", "uncategorised": "int64",
    "rejected": "int64", "replaced": "int64", "columns": "str", "unknown_words": "str", "kept_unlocated": "int64",
}
"""``rows_read = imported + kept_unlocated + rejected`` on every line (``kept_unlocated``: rows kept
without a location; 0 on lines logged before it was recorded)."""


def write_import_log(store: "Store", tx: "StoreWriter", result: "ImportResult", path: str | Path,
                     url: str | None, feed, cache_rows: list[dict]) -> None:
    """Write an import's rejects, its line in ``imports``, rows kept without a location and postcode answers."""
    tx.write("rejects", _rejects(store, result).astype({"row": "int64"}))
    tx.write("imports", _log(store, result, path, url).astype(
        {c: t for c, t in IMPORT_COLUMNS.items() if t == "int64"}))
    if feed is not None or result.kept_unlocated or store.count("unlocated") is not None:
        tx.write("unlocated", _unlocated(store, result, feed))
    if cache_rows:
        from .postcode_finder import write_cache

        write_cache(store, tx, cache_rows)
    ensure_taxonomy(store, tx)


def _rejects(store: "Store", result: "ImportResult") -> "pd.DataFrame":
    """The ``rejects`` table: this import's rejects after the other sources'."""
    import pandas as pd

    from .importer import rejects_frame

    old = frame(store, "rejects")
    rejects = rejects_frame(result)
    if old is None:
        return rejects
    return pd.concat([old[old["source"] != result.source], rejects], ignore_index=True)


def _log(store: "Store", result: "ImportResult", path: str | Path, url: str | None) -> "pd.DataFrame":
    """The ``imports`` table with this import's line added; its ``import_id`` is the largest so far + 1."""
    import pandas as pd

    from .importer import file_sha256

    imports = frame(store, "imports")
    line = pd.DataFrame([{
        "import_id": 1 if imports is None or not len(imports) else int(imports["import_id"].max()) + 1,
        "source": result.source, "path": url or str(Path(path).resolve()),
        "sha256": file_sha256(path) if url is None and Path(path).is_file() else "",
        "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rows_read": result.rows_read, "imported": result.imported, "outside": result.outside,
        "uncategorised": result.uncategorised, "rejected": result.rejected, "replaced": result.replaced,
        "columns": json.dumps(result.columns), "unknown_words": json.dumps(result.unknown_words),
        "kept_unlocated": result.kept_unlocated,
    }])
    if imports is None:
        return line
    if "kept_unlocated" not in imports:
        imports["kept_unlocated"] = 0  # logged before rows kept without a location were counted here
    return pd.concat([imports, line], ignore_index=True)


def _unlocated(store: "Store", result: "ImportResult", feed) -> "pd.DataFrame":
    """The ``unlocated`` table: the other sources' rows, then this import's feed services and rows kept
    without a location."""
    import pandas as pd

    from .feed_import import UNLOCATED_COLUMNS, unlocated_frame

    old = frame(store, "unlocated")
    frames = [] if old is None else [old[old["source"] != result.source]]
    if feed is not None:
        frames.append(unlocated_frame(feed.report).assign(source=result.source))
    if result.kept_unlocated:
        frames.append(pd.DataFrame(result.served_only + result.outside_lookup))
    return pd.concat(frames, ignore_index=True).reindex(columns=list(UNLOCATED_COLUMNS))

