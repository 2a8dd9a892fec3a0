"""Reading a CSV file's cells a whole column at a time (pyarrow), for files whose records all have one width.

:func:`read_columns` gives what :func:`asset_map.inputs.csv_reader.read_csv`
reads record by record with the ``csv`` module: the same cells (pyarrow's
parser splits records and undoes quotes as the ``csv`` module does; a file
whose records differ in width, or that pyarrow cannot parse, is left to the
record-by-record reading), the same cleaning (:func:`clean_column` is
:func:`asset_map.inputs.table.clean` on a whole column), the same header
below title rows, the same row numbers (a record is a spreadsheet row; blank
ones keep their numbers) and the same columns (:func:`asset_map.inputs.table.frame_columns`).
Python runs per column and per header row, not per cell, until the cells
become the frame's text.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store.base import REPEAT_SAMPLE, mostly_distinct, release_arrow_memory
from .table import HEADER_SEARCH_ROWS, MISSING, find_header, frame_columns, title_notes, unnamed_notes

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

#: A CSV cell running over at least this many lines that look like rows of their own swallowed them
#: (:func:`asset_map.inputs.csv_reader._check_swallowed`); a cell with this many line breaks is left to that check.
SWALLOWED_LINES = 10


#: Every character ``str.strip()`` removes (those for which ``str.isspace`` is true), so that trimming a column
#: strips as Python does (tests/test_reading.py checks the list against ``str.isspace``).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def clean_column(values: "pa.ChunkedArray") -> "pa.ChunkedArray":
    """:func:`asset_map.inputs.table.clean` on a column of text: no-break spaces become spaces, NUL
    characters go, white space is stripped from both ends, line breaks become ``\\n``, and the words for
    'nothing' (:data:`asset_map.inputs.table.MISSING`, any case) become null.

    pyarrow lower-cases character by character; ``str.lower`` differs from that only for a few
    non-ASCII letters (U+0130), so a non-ASCII cell found missing is checked again with ``str.lower``.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def replace(v, old: str, new: str):
        return pc.replace_substring(v, old, new) if pc.any(pc.match_substring(v, old)).as_py() else v

    v = replace(replace(values, "\u00a0", " "), "\x00", "")
    v = pc.utf8_trim(v, WHITESPACE)
    v = replace(replace(v, "\r\n", "\n"), "\r", "\n")
    ascii = pc.string_is_ascii(v).to_numpy(zero_copy_only=False)
    lower = pc.ascii_lower(v) if ascii.all() else pc.utf8_lower(v)
    missing = pc.is_in(lower, value_set=pa.array(sorted(MISSING), pa.string())).to_numpy(
        zero_copy_only=False).copy()
    recheck = np.flatnonzero(missing & ~ascii)
    for i in recheck:
        missing[i] = v[int(i)].as_py().lower() in MISSING
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), v)


def read_columns(p: Path, text: str, delimiter: str) -> "dict[str, Any] | None":
    """The table of a decoded CSV file read column by column, or ``None`` to read it record by record.

    ``None`` when pyarrow cannot parse it with every record as wide as the
    first (rows of different widths, a title line above the header), when a
    cell is longer than :func:`csv.field_size_limit` or holds
    :data:`SWALLOWED_LINES` line breaks (the record-by-record reading says
    what is wrong), or when no data row stands under the header. Otherwise
    a dict of ``frame`` (text cells, ``None`` for missing, ``object``
    dtype), ``row_numbers``, ``header_row``, ``notes`` and ``unnamed``.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    raw = _parse(text, delimiter)
    if raw is None:
        return None
    cleaned = [clean_column(c) for c in raw]
    valid = [c.is_valid().to_numpy(zero_copy_only=False) for c in cleaned]
    filled = np.flatnonzero(np.logical_or.reduce(valid))
    first = [(int(i) + 1, [c[int(i)].as_py() for c in raw]) for i in filled[:HEADER_SEARCH_ROWS]]
    if not first:
        return None
    h = find_header(first)
    header_row, header = first[h]
    data = filled[h + 1:]
    if not len(data):
        return None
    names, keep, unnamed = frame_columns(p, header, [], width=len(raw),
                                         has_values=lambda j: bool(valid[j][data].any()))
    rows = pa.array(data)
    frame = pd.DataFrame({name: _objects(cleaned[j].take(rows)) for name, j in zip(names, keep)},
                         columns=names, dtype=object)
    del raw, cleaned
    release_arrow_memory()
    return {"frame": frame, "row_numbers": (data + 1).tolist(), "header_row": header_row,
            "notes": title_notes(first, h) + unnamed_notes(unnamed), "unnamed": unnamed}


def _objects(column: "pa.ChunkedArray") -> "np.ndarray":
    """The column's cells as Python text (``None`` for null), one object per distinct cell when cells repeat
    (a category column: 20 words in a million cells take 20 strings, not a million), by the rule of
    :func:`asset_map.store.base.shared_repeats` for columns read back from the workspace."""
    import numpy as np
    import pyarrow.compute as pc

    arr = column.combine_chunks()
    sample = arr.slice(0, REPEAT_SAMPLE)
    if mostly_distinct(pc.count_distinct(sample, mode="all").as_py(), len(sample)):  # names, coordinates
        return arr.to_numpy(zero_copy_only=False)
    coded = arr.dictionary_encode()
    if mostly_distinct(len(coded.dictionary), len(arr)):
        return arr.to_numpy(zero_copy_only=False)
    values = np.append(coded.dictionary.to_numpy(zero_copy_only=False), None)
    return values[coded.indices.fill_null(len(coded.dictionary)).to_numpy(zero_copy_only=False)]


def _parse(text: str, delimiter: str) -> "list[pa.ChunkedArray] | None":
    """Every record's cells, as text columns as wide as the first record; ``None`` if pyarrow cannot read them
    so (see :func:`read_columns`)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), []))
    if not width:
        return None
    quoted = '"' in text
    try:
        table = pcsv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pcsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False,
                                            double_quote=True, newlines_in_values=quoted,
                                            ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={f"f{j}": pa.string() for j in range(width)},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    columns = table.columns
    if len(columns) != width:
        return None
    limit = csv.field_size_limit()
    for c in columns:
        if (pc.max(pc.utf8_length(c)).as_py() or 0) > limit:
            return None
        if quoted and (pc.max(pc.count_substring(c, "\n")).as_py() or 0) >= SWALLOWED_LINES:
            return None
    return columns
