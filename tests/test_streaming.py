"""Importing a CSV file in chunks: the same workspace as reading it whole, without holding the file."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import asset_map
import asset_map.inputs.csv_reader
from asset_map.cli import app
from asset_map.demo import run_demo
from asset_map.inputs.csv_reader import read_csv, read_csv_chunks
from conftest import PROJECT, X0, Y0, asset_row, fingerprint, write_csv

EXAMPLE = PROJECT / "examples" / "eastbrook_assets.csv"


def same_import(whole, chunked) -> None:
    for count in ("rows_read", "imported", "rejected", "outside", "uncategorised", "replaced", "merged_again"):
        assert getattr(chunked, count) == getattr(whole, count), count
    assert chunked.columns == whole.columns and chunked.unknown_words == whole.unknown_words
    assert [(r.row, r.column, r.reason, r.record) for r in chunked.rejects] == \
        [(r.row, r.column, r.reason, r.record) for r in whole.rejects]
    assert [g.asset_ids for g in chunked.duplicates] == [g.asset_ids for g in whole.duplicates]


@pytest.fixture
def pair(tmp_path):
    """Two copies of the example workspace (Eastbrook: 6 areas, 294 assets)."""
    a, b = asset_map.Workspace(tmp_path / "a.gpkg"), asset_map.Workspace(tmp_path / "b.gpkg")
    run_demo(a)
    run_demo(b)
    return a, b


def test_chunks_give_the_workspace_a_whole_read_gives(pair):
    whole, chunked = pair
    r1 = whole.import_assets(EXAMPLE)
    steps = []
    r2 = chunked.import_assets(EXAMPLE, chunk_rows=7,
                               progress=lambda step, done, total: steps.append((step, done, total)))
    assert (r2.rows_read, r2.imported, r2.rejected, r2.replaced) == (298, 294, 4, 294)
    same_import(r1, r2)
    key = ["asset_id"]
    assert chunked.assets().sort_values(key).reset_index(drop=True).equals(
        whole.assets().sort_values(key).reset_index(drop=True))
    assert chunked.rejects().equals(whole.rejects())
    assert chunked.imports().drop(columns="imported_at").equals(whole.imports().drop(columns="imported_at"))
    assert chunked.gaps().to_frame().equals(whole.gaps().to_frame())
    steps = [(done, total) for step, done, total in steps if step == "importing (MB of the file)"]
    assert steps[0] == (0, 0) and steps[-1] == (1, 1) and len(steps) == 1 + 43  # 298 rows in chunks of 7


def test_a_large_file_is_read_in_chunks_without_asking(pair, monkeypatch):
    whole, chunked = pair
    monkeypatch.setattr(asset_map.inputs.csv_reader, "CHUNK_BYTES", 10_000)  # the example is 60 KB
    monkeypatch.setattr(asset_map.inputs.csv_reader, "CHUNK_ROWS", 100)
    steps = []
    r = chunked.import_assets(EXAMPLE, progress=lambda step, done, total: steps.append(step))
    assert steps.count("importing (MB of the file)") == 1 + 3
    same_import(whole.import_assets(EXAMPLE), r)


def test_ids_repeated_across_chunks_and_other_sources(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas, population_field="pop")
    header = ["ID", "Name", "Category", "Latitude", "Longitude"]
    first = write_csv(tmp_path / "first.csv", header, [["X1", *asset_row("Old", "carers", X0 + 5, Y0 + 5)]])
    workspace.import_assets(first)
    rows = [[f"X{i % 3}", *asset_row(f"Club {i}", "carers", X0 + 10 * i, Y0 + 10)] for i in range(8)]
    listed = write_csv(tmp_path / "list.csv", header, rows)
    r = workspace.import_assets(listed, chunk_rows=3)
    # Within the file a repeated id gets its row number; an id another list uses gets the file's name.
    assert list(r.assets["asset_id"]) == ["X0", "list.csv:X1", "X2", "X0-5", "X1-6", "X2-7", "X0-8", "X1-9"]
    assert len(workspace.assets()) == 9
    again = workspace.import_assets(listed, chunk_rows=5)  # re-importing replaces the file's assets
    assert again.replaced == 8 and len(workspace.assets()) == 9


def test_recorded_merges_are_applied_again(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas, population_field="pop")
    header = ["ID", "Name", "Category", "Latitude", "Longitude"]
    a = write_csv(tmp_path / "a.csv", header, [["A1", *asset_row("Lunch club", "carers", X0 + 5, Y0 + 5)]])
    rows = [[f"B{i}", *asset_row(f"Club {i}", "carers", X0 + 100 * i, Y0 + 10)] for i in range(6)]
    rows[4] = ["B4", *asset_row("Lunch Club", "carers", X0 + 8, Y0 + 5)]
    b = write_csv(tmp_path / "b.csv", header, rows)
    workspace.import_assets(a)
    workspace.import_assets(b)
    assert workspace.merge("A1", ["B4"]) == 1
    r = workspace.import_assets(b, chunk_rows=2)
    assert r.merged_again == 1
    assets = workspace.assets().set_index("asset_id")
    assert assets.loc["B4", "merged_into"] == "A1" and len(assets) == 7
    assert r.duplicates == []  # the merged pair is not offered again


def test_a_bad_row_late_in_the_file_leaves_the_workspace_as_it_was(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas, population_field="pop")
    lines = ["Name,Category,Easting,Northing"] + [f"Club {i},carers,{X0 + i:.0f},{Y0:.0f}" for i in range(40)]
    lines[33] = "Club 32,carers,450032,300000,oops"
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n")
    before = fingerprint(workspace)
    with pytest.raises(asset_map.InputFileError, match=r"late.csv, row 34: 5 cells but the header has 4 columns"):
        workspace.import_assets(path, chunk_rows=10)
    assert fingerprint(workspace) == before


def test_titles_encodings_and_row_numbers_as_a_whole_read(tmp_path):
    body = ["Eastbrook community assets,,,", "Compiled March 2024,,,", ",,,", "Name,Category,Easting,Northing"]
    body += [f"Caf\u00e9 {i},carers,{X0 + i:.0f},{Y0:.0f}" for i in range(25)]
    raw = ("\r\n".join(body) + "\r\n").encode("utf-8")
    raw = raw.replace("Caf\u00e9 17".encode("utf-8"), "Caf\u00e9 17".encode("cp1252"))  # one line pasted from cp1252
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    whole = read_csv(path)
    chunks = list(read_csv_chunks(path, rows=10))
    assert [len(c.table.frame) for c in chunks] == [10, 10, 5]
    assert sum((c.table.row_numbers for c in chunks), []) == whole.row_numbers == list(range(5, 30))
    assert all(list(c.table.frame.columns) == list(whole.frame.columns) for c in chunks)
    assert [v for c in chunks for v in c.table.frame["Name"]] == list(whole.frame["Name"])
    assert chunks[1].table.frame["Name"].iloc[7] == "Caf\u00e9 17"
    assert whole.notes == ["the file mixes encodings: line 22 is not UTF-8 and was read as cp1252",
                           "the header is row 4: rows 1-3 above it were skipped as titles"]
    assert sorted(n for c in chunks for n in c.table.notes) == sorted(whole.notes)
    assert chunks[-1].bytes_done == chunks[-1].bytes_total == len(raw)


def test_cli_import_in_chunks(tmp_path, two_areas):
    ws = str(tmp_path / "ws.gpkg")
    runner = CliRunner()
    assert runner.invoke(app, ["boundaries", "load", str(two_areas), "--population-field", "pop", "-w", ws]
                         ).exit_code == 0
    rows = [asset_row(f"Club {i}", "carers", X0 + 10 * i, Y0 + 10) for i in range(12)]
    path = write_csv(tmp_path / "clubs.csv", ["Name", "Category", "Latitude", "Longitude"], rows)
    r = runner.invoke(app, ["import", str(path), "--chunk-rows", "5", "-w", ws])
    assert r.exit_code == 0, r.stderr
    assert "Note: clubs.csv: read in chunks of 5 rows (1 MB)" in r.stderr
    assert "rows read" in r.stderr
    assert len(asset_map.Workspace(ws).assets()) == 12


def same_rows(path, monkeypatch, rows: int = 4) -> list:
    """The chunks of a file read with a small sample, against a whole read: the same rows and numbers."""
    monkeypatch.setattr(asset_map.inputs.csv_reader, "SAMPLE_BYTES", 200)
    whole = read_csv(path)
    chunks = list(read_csv_chunks(path, rows=rows))
    assert sum((c.table.row_numbers for c in chunks), []) == whole.row_numbers
    assert [r for c in chunks for r in c.table.frame.itertuples(index=False)] == \
        list(whole.frame.itertuples(index=False))
    return chunks


LINES = ["Name,Category,Easting,Northing"] + [f"Caf\u00e9 {i},carers,{X0 + i:.0f},{Y0:.0f}" for i in range(20)]


def test_utf16_and_cr_line_ends_in_chunks(tmp_path, monkeypatch):
    cases = {"utf16le.csv": ("\ufeff" + "\r\n".join(LINES) + "\r\n").encode("utf-16-le"),
             "utf16be.csv": ("\ufeff" + "\r\n".join(LINES) + "\r\n").encode("utf-16-be"),
             "mac.csv": ("\r".join(LINES) + "\r").encode("cp1252")}  # "CSV (Macintosh)": CR alone
    for name, raw in cases.items():
        path = tmp_path / name
        path.write_bytes(raw)
        chunks = same_rows(path, monkeypatch)
        assert [len(c.table.frame) for c in chunks] == [4] * 5, name


def test_a_quote_left_open_is_refused_as_a_whole_read_refuses_it(tmp_path, monkeypatch):
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(LINES[:3] + ['"Open quote,carers,450003,300000'] + LINES[4:8]) + "\n")
    message = r"quote.csv, row 4: a quote \(\"\) opens here and is never closed"
    with pytest.raises(asset_map.InputFileError, match=message):
        read_csv(path)
    with pytest.raises(asset_map.InputFileError, match=message):
        list(read_csv_chunks(path, rows=2))


def test_chunks_where_no_row_can_be_used(tmp_path):
    """A list whose last chunk holds only a 'Total' line, into a workspace whose first list was all rejected."""
    ws = asset_map.Workspace(tmp_path / "new.gpkg")  # a new workspace: no boundaries loaded yet
    bad = write_csv(tmp_path / "bad.csv", ["Name", "Category", "Easting", "Northing"], [["Hall", "carers", "x", "y"]])
    assert ws.import_assets(bad, chunk_rows=2).rejected == 1
    rows = [[f"Club {i}", "carers", f"{X0 + i:.0f}", f"{Y0:.0f}"] for i in range(4)] + [["Total", "", "", ""]]
    good = write_csv(tmp_path / "good.csv", ["Name", "Category", "Easting", "Northing"], rows)
    r = ws.import_assets(good, chunk_rows=4)
    assert (r.rows_read, r.imported, r.rejected) == (5, 4, 1)
    assert list(ws.assets()["name"]) == ["Club 0", "Club 1", "Club 2", "Club 3"]
    assert ws.assets()["asset_id"].map(type).eq(str).all()


def test_a_nul_character_in_a_cell_is_dropped(workspace, two_areas, tmp_path):
    workspace.load_boundaries(two_areas, population_field="pop")
    path = tmp_path / "nul.csv"  # after the first 4 KB (a NUL there means a binary file, refused)
    rows = "".join(f"Club {i},carers,{X0 + i:.0f},{Y0 + 5:.0f}\n" for i in range(200))
    path.write_bytes(f"Name,Category,Easting,Northing\n{rows}Bad\x00Club,carers,{X0:.0f},{Y0:.0f}\n".encode())
    assert workspace.import_assets(path, chunk_rows=50).imported == 201
    assert list(workspace.assets()["name"])[-1] == "BadClub"


def test_a_file_whose_start_is_windows_1252_and_later_lines_utf8(tmp_path, monkeypatch):
    monkeypatch.setattr(asset_map.inputs.csv_reader, "SAMPLE_BYTES", 200)
    raw = ("\n".join(LINES[:12]) + "\n").encode("cp1252") + ("\n".join(LINES[12:]) + "\n").encode("utf-8")
    path = tmp_path / "pasted.csv"
    path.write_bytes(raw)
    names = [v for c in read_csv_chunks(path, rows=4) for v in c.table.frame["Name"]]
    assert names == [f"Caf\u00e9 {i}" for i in range(20)] == list(read_csv(path).frame["Name"])


def test_a_column_without_a_header_filled_only_late_is_reported(tmp_path):
    path = tmp_path / "late.csv"
    rows = [f"Club {i},,{X0 + i:.0f},{Y0:.0f}" for i in range(6)] + [f"Club {i},note,{X0:.0f},{Y0:.0f}" for i in (6, 7)]
    path.write_text("\n".join(["Name,,Easting,Northing"] + rows) + "\n")
    chunks = list(read_csv_chunks(path, rows=4))
    assert list(chunks[1].table.frame.columns) == ["Name", "Easting", "Northing"]
    assert chunks[1].table.notes == ["rows 6-9 have values in column B, which has no header and was empty in the "
                                     "first 4 rows: those values are not read (give it a header)"]
