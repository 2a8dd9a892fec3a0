"""The real Trafford lists, saved the ways planners' files arrive, import to the same assets as the clean file.

Each variant is built here from the real file (never copied into the
project): other encodings and delimiters, Excel's "Unicode Text", title lines
above the header, other words for missing, postcodes typed carelessly, and
an Excel workbook with a cover sheet, a merged title, numbers stored as text
and trailing empty rows.
"""

from __future__ import annotations

import csv
import io

import pytest

import asset_map
from conftest import TRAFFORD

pytestmark = pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")

LISTS = {
    "charities_operating_in_trafford.csv": (736, 278),
    "trafford_mental_health_services.csv": (60, 44),
}


def read_rows(name: str) -> list[list[str]]:
    with open(TRAFFORD / "assets" / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def csv_text(rows, delimiter=",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def careless_postcodes(rows):
    header = rows[0]
    col = next(i for i, h in enumerate(header) if "postcode" in h)
    out = [header]
    for k, r in enumerate(rows[1:]):
        r = list(r)
        pc = r[col]
        if pc != "NA":
            r[col] = [pc.lower(), pc.replace(" ", ""), pc.replace(" ", "\u00a0"), f"  {pc}  "][k % 4]
        out.append(r)
    return out


def other_missing_words(rows):
    words = ["N/A", "-", "", "n/a"]
    return [rows[0]] + [[words[k % 4] if c == "NA" else c for c in r] for k, r in enumerate(rows[1:])]


TITLE = [["Community assets operating in Trafford"], ["Exported 3 March 2026 — do not edit the header"], []]


def write_variant(tmp_path, name: str, kind: str):
    rows = read_rows(name)
    stem = name.removesuffix(".csv")
    if kind == "cp1252":
        path = tmp_path / f"{stem}.csv"
        path.write_bytes(csv_text(rows).encode("cp1252"))
    elif kind == "latin-1 with semicolons":
        path = tmp_path / f"{stem}.csv"
        path.write_bytes(csv_text(rows, ";").encode("latin-1"))
    elif kind == "utf-8 BOM with tabs":
        path = tmp_path / f"{stem}.tsv"
        path.write_bytes(b"\xef\xbb\xbf" + csv_text(rows, "\t").encode("utf-8"))
    elif kind == "Excel Unicode Text (UTF-16)":
        path = tmp_path / f"{stem}.txt"
        path.write_bytes(csv_text(rows, "\t").encode("utf-16"))
    elif kind == "title lines":
        path = tmp_path / f"{stem}.csv"
        path.write_text(csv_text(TITLE + rows), encoding="utf-8")
    elif kind == "careless postcodes":
        path = tmp_path / f"{stem}.csv"
        path.write_text(csv_text(careless_postcodes(rows)), encoding="utf-8")
    elif kind == "other words for missing":
        path = tmp_path / f"{stem}.csv"
        path.write_text(csv_text(other_missing_words(rows)), encoding="utf-8")
    elif kind == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        cover = wb.active
        cover.title = "Cover"  # an empty cover sheet first
        ws = wb.create_sheet("Assets")
        ws.append([TITLE[0][0]])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        ws.append(TITLE[1])
        ws.append([])
        for r in rows:
            # Whole numbers as numbers (charity numbers), everything else as text, as Excel keeps them.
            ws.append([int(c) if c.isdigit() and not c.startswith("0") else c for c in r])
        for k in range(5):  # formatted but empty rows at the end
            ws.cell(row=len(rows) + 4 + k, column=1).number_format = "@"
        path = tmp_path / f"{stem}.xlsx"
        wb.save(path)
    else:  # pragma: no cover
        raise ValueError(kind)
    return path, (len(TITLE) if kind in ("title lines", "xlsx") else 0)


def signature(result, row_offset: int = 0):
    """What a planner would compare: each asset's name, place, categories and how it was located; each reject."""
    assets = sorted(
        (row - row_offset, name, round(g.x), round(g.y), cats, how)
        for row, name, g, cats, how in zip(result.assets["source_row"], result.assets["name"],
                                           result.assets.geometry, result.assets["categories"],
                                           result.assets["located_by"])
    )
    rejects = sorted((r.row - row_offset, r.kind) for r in result.rejects)
    return assets, rejects


@pytest.fixture(scope="module")
def workspace_with_lookup(tmp_path_factory):
    ws = asset_map.Workspace(tmp_path_factory.mktemp("ws") / "ws.gpkg")
    ws.load_postcodes(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    return ws


@pytest.fixture(scope="module")
def clean(workspace_with_lookup):
    return {name: workspace_with_lookup.import_assets(TRAFFORD / "assets" / name, dry_run=True) for name in LISTS}


@pytest.mark.parametrize("name", list(LISTS))
@pytest.mark.parametrize("kind", [
    "cp1252", "latin-1 with semicolons", "utf-8 BOM with tabs", "Excel Unicode Text (UTF-16)", "title lines",
    "careless postcodes", "other words for missing", "xlsx",
])
def test_variant_imports_to_the_same_assets(workspace_with_lookup, clean, tmp_path, name, kind):
    path, offset = write_variant(tmp_path, name, kind)
    result = workspace_with_lookup.import_assets(path, dry_run=True)
    rows, located = LISTS[name]
    assert (result.rows_read, result.imported) == (rows, located)
    assert result.reconciles()
    assert signature(result, offset) == signature(clean[name])
    # Free text survives the round trip (pound signs, accents).
    assert sorted(result.assets["description"]) == sorted(clean[name].assets["description"])
