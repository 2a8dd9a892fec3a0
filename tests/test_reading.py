"""Reading asset lists: CSV encodings, delimiters and quotes, title rows, Excel sheets and cells, spatial files,
and files that cannot be read. (Finding the columns is in test_columns.py.)"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import time
import zipfile

import pytest

from asset_map import InputFileError
from asset_map.inputs.readers import read_input
from conftest import TRAFFORD, X0, Y0, write_csv

HEADER = ["Name", "Category", "Cost", "Notes"]
ROWS = [
    ["St Mary’s Lunch Club", "Lunch club", "£2.50 a meal", "“Hot” meals on Tuesdays"],
    ["Café Connect", "Befriending", "N/A", "Drop in – no booking"],
    ["Sale Walkers", "walking group", "Free", ""],
]


def csv_text(delimiter: str = ",", newline: str = "\r\n") -> str:
    return newline.join(delimiter.join(r) for r in [HEADER, *ROWS]) + newline


def csv_bytes(delimiter: str = ",", encoding: str = "utf-8", bom: bool = False, newline: str = "\r\n") -> bytes:
    data = csv_text(delimiter, newline).encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def check_rows(table) -> None:
    """The three rows of ROWS, as a person reads them in Excel."""
    assert table.columns == HEADER
    assert table.frame["Name"].tolist() == ["St Mary’s Lunch Club", "Café Connect", "Sale Walkers"]
    assert table.frame["Cost"].tolist() == ["£2.50 a meal", None, "Free"]  # N/A is missing
    assert table.frame["Notes"].tolist() == ["“Hot” meals on Tuesdays", "Drop in – no booking", None]
    assert table.row_numbers == [2, 3, 4]
    assert table.row_word == "row" and not table.is_spatial
    assert table.header_row == 1
    assert all("\n" not in note for note in table.notes)


def error_message(path, **options) -> str:
    """The one-line InputFileError message read_input raises for this file."""
    with pytest.raises(InputFileError) as info:
        read_input(path, **options)
    message = str(info.value)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


# ------------------------------------------------------------------ CSV encodings
@pytest.mark.parametrize("encoding,data,note", [
    pytest.param("utf-8", csv_bytes(newline="\n"), None, id="utf-8"),
    pytest.param("utf-8", csv_bytes(bom=True), None, id="utf-8-with-bom"),
    pytest.param("cp1252", csv_bytes(encoding="cp1252"), "read as cp1252 (the file is not UTF-8)", id="cp1252"),
    pytest.param("utf-16", codecs.BOM_UTF16_LE + csv_text("\t").encode("utf-16-le"),
                 "read as UTF-16 (as Excel saves 'Unicode Text')", id="utf-16-le-bom"),
    pytest.param("utf-16", codecs.BOM_UTF16_BE + csv_text("\t").encode("utf-16-be"),
                 "read as UTF-16 (as Excel saves 'Unicode Text')", id="utf-16-be-bom"),
    pytest.param("utf-16-le", csv_text("\t").encode("utf-16-le"),
                 "read as UTF-16-LE (the file has no byte-order mark)", id="utf-16-le-no-bom"),
])
def test_csv_encodings(tmp_path, encoding, data, note):
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    table = read_input(path)
    check_rows(table)  # £, curly quotes, é and the en dash survive; no BOM glued to "Name"
    assert table.encoding == encoding
    assert table.notes == ([note] if note else [])


def test_windows_1252_bytes_are_what_windows_writes(tmp_path):
    data = csv_bytes(encoding="cp1252")
    assert b"\xa3" in data and b"\x93" in data and b"\x92" in data and b"\xe9" in data  # £ “ ’ é
    path = write_csv(tmp_path / "w.csv", ["Name", "Cost"], [["Pensioners’ club", "£1"]], encoding="cp1252")
    assert read_input(path).frame.values.tolist() == [["Pensioners’ club", "£1"]]


def test_excel_unicode_text_is_read(tmp_path):
    """Excel's "Unicode Text" save: UTF-16 LE with a byte-order mark, tab-delimited, in a .txt file."""
    path = tmp_path / "unicode.txt"
    path.write_bytes("Name\tCost\r\nCafé\t£2\r\n".encode("utf-16"))
    table = read_input(path)
    assert table.frame.values.tolist() == [["Café", "£2"]]
    assert table.delimiter == "\t" and table.row_numbers == [2]


def test_latin_1_when_bytes_are_undefined_in_windows_1252(tmp_path):
    # 0x81 and 0x8D are invalid UTF-8 and undefined in Windows-1252: Latin-1 defines every byte.
    # (Latin-1 has no curly quotes to test; £ and é it has.)
    path = tmp_path / "latin.csv"
    data = "Name,Cost\r\nCafé Olé,£3\r\n".encode("latin-1") + b"B,\x81\x8d\r\n"
    with pytest.raises(UnicodeDecodeError):
        data.decode("cp1252")
    path.write_bytes(data)
    table = read_input(path)
    assert table.frame.values.tolist() == [["Café Olé", "£3"], ["B", "\x81\x8d"]]
    assert table.encoding == "latin-1"
    assert table.notes == ["read as latin-1 (ISO-8859-1): the file is not UTF-8 and has bytes "
                           "Windows-1252 does not use"]


def test_utf8_file_with_a_pasted_in_windows_1252_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("Name,Notes\nCafé “One”,ok\n".encode("utf-8") + "Café ’Two’,£1\n".encode("cp1252")
                     + "Crème,x\n".encode("utf-8"))
    table = read_input(path)
    assert table.frame["Name"].tolist() == ["Café “One”", "Café ’Two’", "Crème"]
    assert table.frame["Notes"].tolist() == ["ok", "£1", "x"]
    assert table.notes == ["the file mixes encodings: line 3 is not UTF-8 and was read as cp1252"]


def test_an_explicit_encoding_is_used(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("Name,Cost\nCafé,£3\n".encode("latin-1"))
    table = read_input(path, encoding="latin-1")
    assert table.frame.values.tolist() == [["Café", "£3"]]
    assert table.notes == []
    path.write_bytes(csv_bytes(bom=True))
    check_rows(read_input(path, encoding="utf-8"))  # the BOM is still not part of "Name"


def test_bytes_undecodable_in_the_encoding_given(tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes("Name\nFirst\nCafé\n".encode("cp1252"))
    assert ("win.csv, line 3: cannot be read as utf-8; save the file as 'CSV UTF-8' or pass --encoding"
            in error_message(path, encoding="utf-8"))
    assert "win.csv: unknown encoding 'klingon'; try utf-8 or cp1252" in error_message(path, encoding="klingon")


# ------------------------------------------------------------------ delimiters
@pytest.mark.parametrize("delimiter,suffix", [(",", ".csv"), (";", ".csv"), ("\t", ".tsv"), ("\t", ".txt"),
                                              ("|", ".csv")])
def test_delimiter_is_sniffed(tmp_path, delimiter, suffix):
    path = tmp_path / f"list{suffix}"
    path.write_bytes(csv_bytes(delimiter=delimiter))
    table = read_input(path)
    check_rows(table)
    assert table.delimiter == delimiter


def test_semicolon_file_keeps_commas_inside_cells(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("Name;Category;Lat;Lon\nAge UK, Sale;befriending, carers;53,42;-2,32\n", encoding="utf-8")
    table = read_input(path)
    assert table.columns == ["Name", "Category", "Lat", "Lon"]
    assert table.frame.values.tolist() == [["Age UK, Sale", "befriending, carers", "53,42", "-2,32"]]


def test_delimiter_comes_from_several_lines_not_the_first(tmp_path):
    # The title line has a comma and no semicolon; the table is semicolon-delimited.
    path = tmp_path / "titled.csv"
    path.write_text("Sale assets, 2024\nName;Category;Town\nAge UK;befriending, carers;Sale\n"
                    "Walkers;walking;Sale\n", encoding="utf-8")
    table = read_input(path)
    assert table.delimiter == ";"
    assert table.columns == ["Name", "Category", "Town"]
    assert table.frame["Category"].tolist() == ["befriending, carers", "walking"]
    assert table.row_numbers == [3, 4]


# ------------------------------------------------------------------ quotes and row numbers
def test_quoted_cells_blank_lines_and_row_numbers(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('Name,Notes\n"Smith, Jones & Co","two\nlines"\n\n,\nLast,x\n', encoding="utf-8")
    table = read_input(path)
    assert table.frame["Name"].tolist() == ["Smith, Jones & Co", "Last"]
    assert table.frame["Notes"].tolist() == ["two\nlines", "x"]  # an Alt+Enter line break is kept
    assert table.row_numbers == [2, 5]  # spreadsheet rows: a quoted line break is one row, blanks keep numbers


def test_unclosed_quote_is_reported_not_swallowed(tmp_path):
    """An unclosed quote must not silently merge the rest of the file into one cell."""
    path = tmp_path / "unclosed.csv"
    path.write_text('Name,Category\nCarers,carers\n"Lunch Club,befriending\nWalkers,walking group\n'
                    'Food bank,food\n', encoding="utf-8")
    assert error_message(path).endswith(
        'unclosed.csv, row 3: a quote (") opens here and is never closed, so the rest of the file would be '
        "read as one cell; close the quote or remove it")


def test_quote_closed_by_a_stray_quote_lines_later(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text('Name,Category\n"Lunch Club,befriending\nWalkers,walking group\n"Food bank",food\nX,y\n',
                    encoding="utf-8")
    message = error_message(path)
    assert 'stray.csv, row 2: a quote (") opens here and runs on to line 4 of the file' in message
    assert "lines 2-4 would be read as one cell; close the quote or remove it" in message


def test_quote_closed_before_a_delimiter_far_below(tmp_path):
    # Well-formed CSV, but the one cell holds twelve lines that are rows of their own.
    lines = "".join(f"Group {i},walking,Sale\n" for i in range(12))
    path = tmp_path / "swallowed.csv"
    path.write_text(f'Name,Category,Town\nA,b,c\n"Lunch Club,befriending,Sale\n{lines}End",x,y\n',
                    encoding="utf-8")
    message = error_message(path)
    assert 'swallowed.csv, row 3: a quote (") opens here and runs on over 14 lines that look like rows' in message


def test_stray_quotes_within_one_line_are_read_as_before(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text('Name,Notes\n"Smith" & Co,x\n"two\nlines" ,y\nLast,z\n', encoding="utf-8")
    table = read_input(path)
    assert table.frame["Name"].tolist() == ["Smith & Co", "two\nlines", "Last"]
    assert table.row_numbers == [2, 3, 4]


# ------------------------------------------------------------------ missing cells, titles, unnamed columns
def test_missing_value_spellings_and_blank_lines(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("Name,Postcode\nA,NA\n\nB,-\nC, n/a \nD,null\nE,None\nF,#N/A\nG,–\nH,—\nI,#REF!\nJ,M32 0TH\n"
                    "K,N.A.\n", encoding="utf-8")
    table = read_input(path)
    assert table.frame["Postcode"].tolist() == [None] * 9 + ["M32 0TH", "N.A."]
    assert table.row_numbers == [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]  # the blank line keeps its number


def test_csv_title_lines_above_the_header(tmp_path):
    # As Excel saves a sheet with a title: padded with delimiters, the comma in the title quoted.
    path = tmp_path / "titled.csv"
    path.write_text('Trafford Community Assets 2024,,,\r\n"Compiled by Trafford Council, March 2024",,,\r\n'
                    ",,,\r\nName,Category,Latitude,Longitude\r\nCarers Hub,carers,53.41,-2.35\r\n"
                    "Walkers,walking,53.42,-2.36\r\n", encoding="utf-8")
    table = read_input(path)
    assert table.columns == ["Name", "Category", "Latitude", "Longitude"]
    assert table.frame["Name"].tolist() == ["Carers Hub", "Walkers"]
    assert table.header_row == 4 and table.row_numbers == [5, 6]
    assert table.notes == ["the header is row 4: rows 1-3 above it were skipped as titles"]


def test_header_with_numbers_in_it_stays_the_first_row(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text("Note: counts\ncode,2021,2022\nE01,100,110\nE02,200,210\n", encoding="utf-8")
    table = read_input(path)
    assert table.columns == ["code", "2021", "2022"] and table.header_row == 2
    assert table.notes == ["the header is row 2: row 1 above it was skipped as a title"]
    path.write_text("code,2021,2022\nE01,100,110\n", encoding="utf-8")
    assert read_input(path).columns == ["code", "2021", "2022"]


def test_one_column_csv(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("Name\nA\nB\n", encoding="utf-8")
    table = read_input(path)
    assert table.columns == ["Name"] and table.frame["Name"].tolist() == ["A", "B"]


def test_csv_column_without_a_header_is_named_by_its_letter(tmp_path):
    path = tmp_path / "unnamed.csv"
    path.write_text("Name,,Lat,,\nA,x,53.1,,\nB,,53.2,,\n", encoding="utf-8")
    table = read_input(path)
    assert table.columns == ["Name", "Column B", "Lat"]  # D and E are empty: dropped
    assert table.frame["Column B"].tolist() == ["x", None]
    assert table.notes == ["column B has no header; it is named 'Column B'"]


# ------------------------------------------------------------------ the real Trafford list, as others save it
REAL_CSV = TRAFFORD / "assets" / "trafford_mental_health_services.csv"


def _real_records() -> list[list[str]]:
    if not REAL_CSV.is_file():
        pytest.skip(f"the real Trafford data is missing: {REAL_CSV}")
    with open(REAL_CSV, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(records, delimiter=",", titles=0) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for i in range(titles):
        w.writerow(["Trafford mental health services" if i == 0 else "Compiled by Trafford Council, 2024"])
    w.writerows(records)
    return out.getvalue()


@pytest.mark.parametrize("variant,titles", [("cp1252", 0), ("utf-16", 0), ("semicolons", 0), ("titles", 2),
                                            ("utf-16-semicolons-titles", 2)])
def test_real_list_saved_in_other_ways_reads_the_same(tmp_path, variant, titles):
    records = _real_records()
    clean = read_input(REAL_CSV)
    assert len(clean.frame) == len(records) - 1 and clean.row_numbers[:2] == [2, 3]
    assert "£" in "".join(map(str, clean.frame.values.ravel()))  # the encodings are put to the test
    delimiter = ";" if "semicolons" in variant else ","
    text = _write(records, delimiter, titles)
    data = (text.encode("utf-16") if variant.startswith("utf-16") else
            text.encode("cp1252") if variant == "cp1252" else text.encode("utf-8"))
    path = tmp_path / "saved.csv"
    path.write_bytes(data)
    table = read_input(path)
    assert table.columns == clean.columns
    assert table.frame.equals(clean.frame)
    assert table.row_numbers == [n + titles for n in clean.row_numbers]
    assert table.header_row == 1 + titles and table.delimiter == delimiter


# ------------------------------------------------------------------ Excel
def workbook(*sheets: tuple[str, list[list[object]]]):
    """A workbook with these (title, rows) sheets."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    return wb


def make_workbook(path):
    wb = workbook(
        ("Services", [["Organisation name", "Category", "Cost", "Lat", "Long"],
                      ["St Mary’s Lunch Club", "Lunch club", "£2.50", 53.45, -2.31],
                      [None, None, None, None, None],
                      ["Café Connect", "Befriending", "n/a", 53.46, -2.32],
                      ["  Sale Walkers  ", "walking group", "-", "53.47", "-2.33"]]),
        ("Second", [["Name", "Category"], ["Foodbank", "food bank"]]),
    )
    wb.save(path)
    return path


def test_xlsx_first_sheet(tmp_path):
    table = read_input(make_workbook(tmp_path / "list.xlsx"))
    assert table.columns == ["Organisation name", "Category", "Cost", "Lat", "Long"]
    assert table.frame["Organisation name"].tolist() == ["St Mary’s Lunch Club", "Café Connect", "Sale Walkers"]
    assert table.frame["Cost"].tolist() == ["£2.50", None, None]
    assert table.frame["Lat"].tolist() == ["53.45", "53.46", "53.47"]  # numbers and numbers-as-text alike
    assert table.row_numbers == [2, 4, 5]  # the empty spreadsheet row 3 is skipped, not renumbered
    assert table.row_word == "row" and table.sheet == "Services" and table.header_row == 1
    assert table.notes == ["read sheet 'Services' (the workbook also has: Second); choose another with --sheet"]


@pytest.mark.parametrize("given", ["Second", "second", "  SECOND ", "2"])
def test_xlsx_sheet_by_name_any_case_or_number(tmp_path, given):
    table = read_input(make_workbook(tmp_path / "list.xlsx"), sheet=given)
    assert table.sheet == "Second"
    assert table.frame.values.tolist() == [["Foodbank", "food bank"]]
    assert table.row_numbers == [2]
    assert table.notes == []  # chosen by the user: nothing to say


def test_xlsx_a_sheet_that_does_not_exist(tmp_path):
    path = make_workbook(tmp_path / "list.xlsx")
    for given in ("Sheet9", "3", "0"):
        assert (f"list.xlsx: no sheet {given!r}; the sheets are Services, Second; give one of those names, "
                "or a number from 1 to 2, with --sheet") in error_message(path, sheet=given)


def test_xlsx_first_sheet_with_a_table(tmp_path):
    wb = workbook(
        ("Cover", [["Trafford Community Assets 2024"]]),
        ("Empty", []),
        ("Notes", [["About this list"], ["Collected from partners in 2024."], ["Ask the council to update it."]]),
        ("Assets", [["Name", "Category"], ["Carers Hub", "carers"]]),
        ("Old", [["Name", "Category"], ["Closed Club", "arts"]]),
    )
    hidden = wb.create_sheet("Lists", 0)  # a hidden lookup sheet, first in the workbook
    hidden.append(["Category", "Label"])
    hidden.append(["carers", "Carers"])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "book.xlsx")
    table = read_input(tmp_path / "book.xlsx")
    assert table.sheet == "Assets"
    assert table.frame.values.tolist() == [["Carers Hub", "carers"]]
    assert table.notes == ["read sheet 'Assets' (the workbook also has: Lists, Cover, Empty, Notes, Old); "
                           "choose another with --sheet"]
    assert read_input(tmp_path / "book.xlsx", sheet="notes").frame["About this list"].tolist() == [
        "Collected from partners in 2024.", "Ask the council to update it."]


def test_xlsx_without_any_table_reads_the_first_sheet_with_data(tmp_path):
    workbook(("Empty", []), ("Names", [["Name"], ["A"], ["B"]]), ("Blank", [])).save(tmp_path / "names.xlsx")
    table = read_input(tmp_path / "names.xlsx")
    assert table.sheet == "Names" and table.frame["Name"].tolist() == ["A", "B"]


def test_xlsx_empty_and_header_only_sheets(tmp_path):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "blank.xlsx")
    assert "blank.xlsx: sheet 'Sheet' is empty" in error_message(tmp_path / "blank.xlsx")
    workbook(("One", []), ("Two", [])).save(tmp_path / "blanks.xlsx")
    assert "blanks.xlsx: every sheet is empty (One, Two)" in error_message(tmp_path / "blanks.xlsx")
    assert "blanks.xlsx: sheet 'Two' is empty" in error_message(tmp_path / "blanks.xlsx", sheet="two")
    workbook(("Sheet", [["Name", "Latitude", "Longitude"]])).save(tmp_path / "header.xlsx")
    assert "header.xlsx: sheet 'Sheet' has a header but no data rows" in error_message(tmp_path / "header.xlsx")


def test_xlsx_title_rows_above_the_header(tmp_path):
    wb = workbook(("Assets", [
        ["Trafford Community Assets 2024"],
        ["Compiled by the Community Hub, 1 March 2024"],
        [],
        ["Name", "Category", "Latitude", "Longitude"],
        ["Carers Hub", "carers", 53.41, -2.35],
        ["Walkers", "walking", 53.42, -2.36],
    ]))
    wb["Assets"].merge_cells("A1:D1")  # a title across the table is still one cell
    wb.save(tmp_path / "titled.xlsx")
    table = read_input(tmp_path / "titled.xlsx")
    assert table.columns == ["Name", "Category", "Latitude", "Longitude"]
    assert table.frame.values.tolist() == [["Carers Hub", "carers", "53.41", "-2.35"],
                                           ["Walkers", "walking", "53.42", "-2.36"]]
    assert table.header_row == 4 and table.row_numbers == [5, 6]
    assert table.notes == ["the header is row 4: rows 1-3 above it were skipped as titles"]


def test_xlsx_cells_merged_down_are_filled_on_every_row(tmp_path):
    wb = workbook(("Assets", [
        ["Name", "Category", "Area", "Latitude"],
        ["Lunch club", "Food", "Sale", 53.41],
        ["Pantry", None, None, 53.42],
        ["Soup run", None, None, 53.43],
        ["Walkers", "walking", None, 53.44],
        ["Choir", "Arts", "Altrincham", 53.45],
        [None, None, None, None],
        ["Knit and Natter", "crafts", "Altrincham", 53.46],
    ]))
    ws = wb["Assets"]
    for cells in ("B2:B4", "C2:C5", "B6:B7"):  # B7's row holds nothing else: it stays an empty row
        ws.merge_cells(cells)
    wb.save(tmp_path / "merged.xlsx")
    table = read_input(tmp_path / "merged.xlsx")
    assert table.frame["Category"].tolist() == ["Food", "Food", "Food", "walking", "Arts", "crafts"]
    assert table.frame["Area"].tolist() == ["Sale", "Sale", "Sale", "Sale", "Altrincham", "Altrincham"]
    assert table.row_numbers == [2, 3, 4, 5, 6, 8]
    assert table.notes == ["5 cells merged down over several rows were filled in on every row they cover "
                           "(columns 'Category', 'Area')"]


def test_xlsx_header_merged_across_columns_and_empty_header_cells(tmp_path):
    wb = workbook(("Assets", [
        ["Name", "Contact", None, None, None, "Website"],
        ["Carers Hub", "0161 111 1111", "hub@example.org", None, "Tuesdays", None],
        ["Walkers", "0161 222 2222", None, None, None, "walk.example.org"],
        ["Choir", "0161 333 3333", None, None, None, None],
    ]))
    wb["Assets"].merge_cells("B1:D1")  # "Contact" over phone, email and an empty column
    wb.save(tmp_path / "contact.xlsx")
    table = read_input(tmp_path / "contact.xlsx")
    assert table.columns == ["Name", "Contact", "Column C", "Column E", "Website"]  # D has no data: dropped
    assert table.frame["Column C"].tolist() == ["hub@example.org", None, None]
    assert table.frame["Column E"].tolist() == ["Tuesdays", None, None]
    assert table.notes == ["columns C, E have no header; they are named 'Column C', 'Column E'"]


def test_xlsx_cells_become_the_text_excel_shows(tmp_path):
    wb = workbook(("Assets", [
        ["Name", "Number", "Lat", "Lon", "Opened", "Meets", "Updated", "Open", "Postcode", "Charity", "Notes"],
        ["A", 123.0, 53.4512, " -2.31 ", dt.datetime(2024, 3, 1), dt.time(9, 30), dt.datetime(2024, 3, 1, 9, 30),
         True, "M32 0TH", 1234567, "Line one\nLine two"],
        ["B", 7, "53.45", -2.3456789012345, dt.date(2023, 12, 25), None, None, False, "m32 0th", "0161", None],
    ]))
    ws = wb["Assets"]
    for ref, error in (("B3", "#N/A"), ("F3", "#REF!"), ("G3", "#VALUE!")):
        ws[ref].value = error
        ws[ref].data_type = "e"
    wb.save(tmp_path / "cells.xlsx")
    table = read_input(tmp_path / "cells.xlsx")
    assert table.frame.iloc[0].tolist() == ["A", "123", "53.4512", "-2.31", "2024-03-01", "09:30",
                                            "2024-03-01 09:30", "TRUE", "M32 0TH", "1234567",
                                            "Line one\nLine two"]
    assert table.frame.iloc[1].tolist() == ["B", None, "53.45", "-2.3456789012345", "2023-12-25", None, None,
                                            "FALSE", "m32 0th", "0161", None]
    assert table.notes == ["3 cells held Excel error values (#N/A, #REF!...) and were read as empty"]


def test_xlsx_header_cells_with_line_breaks(tmp_path):
    workbook(("Assets", [["Organisation\nname", "Post\ncode "], ["A", "M32 0TH"]])).save(tmp_path / "h.xlsx")
    assert read_input(tmp_path / "h.xlsx").columns == ["Organisation name", "Post code"]


def test_xlsx_formatted_empty_rows_down_to_the_last_row_cost_little(tmp_path):
    from openpyxl.styles import Font, PatternFill

    wb = workbook(("Assets", [["Name", "Category"], ["Carers Hub", "carers"], ["Walkers", "walking"]]))
    ws = wb["Assets"]
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(4, 5004):  # 5,000 rows that are only formatting
        ws.cell(row=r, column=1).fill = fill
        ws.cell(row=r, column=2).value = "  "
    ws.cell(row=1_048_576, column=200).font = Font(bold=True)  # the very last row, far to the right
    wb.save(tmp_path / "styled.xlsx")
    start = time.perf_counter()
    table = read_input(tmp_path / "styled.xlsx")
    assert time.perf_counter() - start < 5  # filling out all 1,048,576 x 200 cells takes far longer
    assert table.frame.values.tolist() == [["Carers Hub", "carers"], ["Walkers", "walking"]]
    assert table.columns == ["Name", "Category"] and table.row_numbers == [2, 3]


# ------------------------------------------------------------------ spatial files
def points_frame():
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame(
        {"name": ["West Befriending", "East Food Bank"], "category": ["befriending", "N/A"]},
        geometry=[Point(X0 + 1000, Y0 + 1000), Point(X0 + 3000, Y0 + 1000)],
        crs="EPSG:27700",
    )


def test_geojson_points(tmp_path):
    path = tmp_path / "points.geojson"
    points_frame().to_crs("EPSG:4326").to_file(path)
    table = read_input(path)
    assert table.is_spatial and table.row_word == "feature"
    assert table.columns == ["name", "category"]
    assert table.frame["name"].tolist() == ["West Befriending", "East Food Bank"]
    assert table.frame["category"].tolist() == ["befriending", None]
    assert table.row_numbers == [1, 2]
    assert table.frame.crs.to_epsg() == 4326
    back = table.frame.to_crs("EPSG:27700").geometry
    assert back.x.round().tolist() == [X0 + 1000, X0 + 3000]
    assert back.y.round().tolist() == [Y0 + 1000, Y0 + 1000]


def test_geopackage_points_and_layers(tmp_path):
    path = tmp_path / "points.gpkg"
    points_frame().to_file(path, layer="assets")
    table = read_input(path)
    assert table.frame.crs.to_epsg() == 27700
    assert table.frame["name"].tolist() == ["West Befriending", "East Food Bank"]
    assert table.frame.geometry.x.tolist() == [X0 + 1000, X0 + 3000]
    assert table.row_numbers == [1, 2]
    points_frame().iloc[:1].to_file(path, layer="old")
    message = error_message(path)
    assert "points.gpkg: has several layers (assets, old); choose one with --layer" in message
    assert read_input(path, layer="old").frame["name"].tolist() == ["West Befriending"]


def test_geojson_without_features(tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    assert "none.geojson: has no features" in error_message(path)


# ------------------------------------------------------------------ files that cannot be read
def zipped(**members: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buf.getvalue()


@pytest.mark.parametrize("name,content,fragments", [
    pytest.param("empty.csv", b"", ["empty.csv: the file is empty"], id="empty"),
    pytest.param("blank.csv", b"\r\n   \r\n\t\r\n", ["blank.csv: the file is empty"], id="whitespace-only"),
    pytest.param("commas.csv", b",,,\r\n,,,\r\n", ["commas.csv: the file is empty"], id="delimiters-only"),
    pytest.param("header.csv", b"Name,Latitude,Longitude\r\n", ["header.csv: has a header but no data rows"],
                 id="header-only"),
    pytest.param("header2.csv", b"Name;Latitude;Longitude\n\n\n", ["header2.csv: has a header but no data rows"],
                 id="header-and-blank-lines"),
    pytest.param("list.docx", b"PK\x03\x04", ["list.docx: unsupported file type '.docx'",
                                              "give a CSV, XLSX, GeoJSON, GeoPackage, Shapefile or TopoJSON file"],
                 id="unsupported-extension"),
    pytest.param("list", b"Name\nA\n", ["list: unsupported file type '(none)'"], id="no-extension"),
    pytest.param("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ["old.xls: old Excel .xls files cannot be read",
                                                                  "save it as .xlsx or CSV"], id="xls"),
    pytest.param("garbage.xlsx", b"Name,Category\nA,B\n", ["garbage.xlsx: cannot be opened as an Excel workbook"],
                 id="csv-named-xlsx"),
    pytest.param("random.xlsx", bytes(range(256)) * 4, ["random.xlsx: cannot be opened as an Excel workbook"],
                 id="random-bytes-xlsx"),
    pytest.param("archive.xlsx", zipped(**{"readme.txt": "hello"}),
                 ["archive.xlsx: cannot be opened as an Excel workbook"], id="zip-named-xlsx"),
    pytest.param("sheet.csv", b"PK\x03\x04\x14\x00\x06\x00\x00\x00\x00\x00",
                 ["sheet.csv: looks like an Excel workbook saved with a .csv name; rename it to .xlsx"],
                 id="damaged-workbook-named-csv"),
    pytest.param("old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
                 ["old.csv: looks like an old Excel .xls workbook saved with a .csv name",
                  "save it as .xlsx or 'CSV UTF-8'"], id="xls-named-csv"),
    pytest.param("archive.csv", zipped(**{"list.csv": "Name\nA\n"}),
                 ["archive.csv: is a zip archive, not CSV text; unzip it and give the file inside"],
                 id="zip-named-csv"),
    pytest.param("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
                 ["picture.csv: looks like a binary file, not CSV text", "save it as 'CSV UTF-8'"],
                 id="binary-named-csv"),
    pytest.param("garbage.geojson", b"Name,Category\nA,B\n", ["garbage.geojson: cannot be read"],
                 id="csv-named-geojson"),
    pytest.param("garbage.gpkg", b"not a database at all", ["garbage.gpkg: cannot be read"],
                 id="text-named-gpkg"),
    pytest.param("dup.csv", b"Name,Name\nA,B\n", ["dup.csv: the column 'Name' appears twice in the header",
                                                  "rename one"], id="duplicate-header"),
    pytest.param("ragged.csv", b"Name,Category\nA,B\nC,D,E\n", ["ragged.csv, row 3: 3 cells but the header has 2",
                                                               "unquoted delimiter"], id="ragged-row"),
])
def test_unreadable_files_give_one_line_naming_the_file(tmp_path, name, content, fragments):
    path = tmp_path / name
    path.write_bytes(content)
    message = error_message(path)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_a_workbook_saved_with_a_csv_name(tmp_path):
    path = make_workbook(tmp_path / "list.csv")
    assert "list.csv: looks like an Excel workbook saved with a .csv name; rename it to .xlsx" in error_message(path)
    renamed = path.rename(tmp_path / "list.xlsx")
    assert read_input(renamed).sheet == "Services"


def test_a_workbook_whose_sheet_is_damaged(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx")
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # a shared string that is not there
                data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>')
            dst.writestr(item, data)
    message = error_message(path)
    assert "damaged.xlsx: cannot be read as an Excel workbook (" in message
    assert message.endswith("); open it in Excel and save it again")


def test_missing_file_and_folder(tmp_path):
    for name in ("nope.csv", "nope.xlsx", "nope.geojson"):
        assert f"{name}: no such file" in error_message(tmp_path / name)
    (tmp_path / "folder.csv").mkdir()
    assert "folder.csv: is a folder" in error_message(tmp_path / "folder.csv")


# ------------------------------------------------------------------ long cells, JSON records, options that do not apply
def test_a_quoted_cell_too_long_is_named_by_row_and_column(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(f'Name,Notes\nA,short\nB,"{"z" * 140_000}"\n', encoding="utf-8")
    message = error_message(path).split("long.csv")[-1]
    assert message.startswith(", row 3, column B ('Notes'): the cell is too long (140,000 characters")
    assert "quote" not in message


def test_a_quote_left_open_in_a_large_file_is_still_the_quote(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text('Name,Notes\n"Open,x\n' + "".join(f"Row {i},note {i}\n" for i in range(20_000)), encoding="utf-8")
    assert 'open.csv, row 2: a quote (") opens here and is never closed' in error_message(path)


def test_a_json_list_of_records_is_read_as_a_table(tmp_path):
    path = tmp_path / "records.json"
    path.write_text('{"data": [{"Name": "A", "Lat": 53.4, "Open": true}, {"Name": "B", "Tags": ["x", "y"]}]}')
    table = read_input(path)
    assert table.columns == ["Name", "Lat", "Open", "Tags"]
    assert table.frame["Lat"].tolist() == ["53.4", None]
    assert table.frame["Open"].tolist() == ["TRUE", None]
    assert table.frame["Tags"].tolist() == [None, '["x", "y"]']
    assert table.row_numbers == [1, 2] and "JSON list of 2 records" in table.notes[0]


def test_sheet_and_layer_are_refused_where_they_cannot_apply(tmp_path):
    path = write_csv(tmp_path / "list.csv", ["Name"], [["A"]])
    assert "list.csv: --sheet 'Services' chooses a sheet of an Excel workbook, but this is a CSV file" in \
        error_message(path, sheet="Services")
    assert "leave out --layer" in error_message(path, layer="assets")


def test_a_layer_that_is_not_there(tmp_path):
    path = tmp_path / "pts.gpkg"
    points_frame().to_file(path, layer="assets")
    assert "pts.gpkg: has no layer 'nope'; its layers are assets; choose one with --layer" in \
        error_message(path, layer="nope")


def test_formulas_saved_without_values_are_noted_but_text_results_are_not(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["Name", "Category"], ["Club", "carers"], ["=1+1", "carers"]):
        sheet.append(row)
    book.save(tmp_path / "f.xlsx")
    notes = read_input(tmp_path / "f.xlsx").notes
    assert any("1 cell holds a formula saved without a value" in n and "row 3, column A ('Name')" in n
               for n in notes), notes
    # Excel's own save of a formula whose result is "": t="str" with an empty value: a value, not a missing one.
    src = tmp_path / "f.xlsx"
    out = tmp_path / "g.xlsx"
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w") as w:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="A3"><f>1+1</f><v /></c>', b'<c r="A3" t="str"><f>""</f><v></v></c>')
            w.writestr(item, data)
    assert not any("formula" in n for n in read_input(out).notes)


def test_whitespace_stripped_column_by_column_is_pythons():
    """The characters a whole column is trimmed of are exactly those ``str.strip()`` removes."""
    import sys

    from asset_map.inputs.csv_columns import WHITESPACE

    assert sorted(WHITESPACE) == [chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()]


COLUMN_CELLS = ["a", " B ", "", "na", "N/A", "\u00a0x\u00a0", "x\x00y", "-", "#REF!", "\u2013", "İ", "#DİV/0!", "1",
                "2.5", '"q, x"', '"line\nbreak"', '"a ""b"""', ' "sp"', '"x"y', 'a"b', "\x1cz\x1f", "\u3000w", "NULL",
                "nAn", '"  "', '"two\r\nlines"']


@pytest.mark.parametrize("seed", range(4))
def test_csv_read_column_by_column_as_record_by_record(tmp_path, monkeypatch, seed):
    """A file whose records are all one width is read a column at a time (pyarrow); the cells, row numbers,
    header, notes and columns are those the record-by-record reading gives, blank rows, quotes, line breaks
    inside cells, the words for 'nothing' and empty headers included."""
    import random

    from asset_map.inputs import csv_reader

    rng = random.Random(seed)
    path, by_columns = tmp_path / "list.csv", 0
    for _ in range(150):
        width = rng.randint(1, 4)
        header = ",".join(rng.choice(["Name", "", "Notes"]) if rng.random() < 0.15 else f"h{j}" for j in range(width))
        lines = [header] + [",".join(rng.choice(COLUMN_CELLS) for _ in range(width)) if rng.random() > 0.1 else ""
                            for _ in range(rng.randint(0, 6))]
        path.write_bytes((rng.choice(["\n", "\r\n", "\r"]).join(lines) + rng.choice(["", "\n"])).encode("utf-8"))
        fast = csv_reader.read_columns
        results = []
        for read in (fast, lambda *a: None):
            monkeypatch.setattr(csv_reader, "read_columns", read)
            try:
                t = read_input(path)
                results.append((t.frame.to_dict("list"), [str(d) for d in t.frame.dtypes], t.row_numbers, t.notes,
                                t.header_row, t.unnamed))
            except InputFileError as exc:
                results.append(str(exc))
        monkeypatch.setattr(csv_reader, "read_columns", fast)
        assert results[0] == results[1], path.read_bytes()
        if not isinstance(results[0], str):
            by_columns += fast(path, path.read_bytes().decode("utf-8"), ",") is not None
    assert by_columns > 30  # most of the files took the column-by-column way


def test_repeating_cells_are_read_as_one_object_each_with_the_same_values(tmp_path, monkeypatch):
    """A long list's category column (a few words over thousands of rows, blanks and 'n/a' among them) is read
    column by column with one string per distinct word; the cells are those the record-by-record reading
    gives. The names, nearly all distinct, are read cell by cell."""
    from asset_map.inputs import csv_reader

    words = ["Food bank", "walking group", " Befriending ", "n/a", "", "Carers' support"]
    lines = ["Name,Category"] + [f"Group {k},{words[k % len(words)]}" for k in range(30_000)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast = read_input(path).frame
    monkeypatch.setattr(csv_reader, "read_columns", lambda *a: None)
    slow = read_input(path).frame
    assert fast.to_dict("list") == slow.to_dict("list")
    assert fast["Category"].tolist()[:6] == ["Food bank", "walking group", "Befriending", None, None, "Carers' support"]
    assert len({id(v) for v in fast["Category"] if v is not None}) == 4
    assert len({id(v) for v in fast["Name"]}) == 30_000
