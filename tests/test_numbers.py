"""Numbers read from files: separators accepted, inf/nan and out-of-range values refused with the place."""

import pytest

from asset_map.errors import InputFileError
from asset_map.numbers import number

pytestmark = pytest.mark.gpkg_only


@pytest.mark.parametrize("cell, value", [("39,813", 39813), ("39 813", 39813), (" 1,234,567.5 ", 1234567.5),
                                         ("1.5e3", 1500), (42, 42), (0.25, 0.25), ("-3", -3)])
def test_what_spreadsheets_write_is_read(cell, value):
    assert number(cell, where="pop.csv, row 2, column 'pop'") == value


@pytest.mark.parametrize("cell, message", [
    ("inf", "cannot be a population"), ("NaN", "cannot be a population"), (float("inf"), "cannot be a population"),
    ("12a", "is not a population"), ("1,23", "is not a population"), ("", "is not a population"),
    (None, "is not a population"), ("-5", r"out of range for a population \(at least 0\)"),
])
def test_what_is_no_number_is_refused_with_where_and_what_to_do(cell, message):
    with pytest.raises(InputFileError, match=r"^pop\.csv, row 2, column 'pop': .*" + message + ".*; correct it"):
        number(cell, where="pop.csv, row 2, column 'pop'", what="a population", low=0)


@pytest.mark.parametrize("cell, value", [("52,6044", 52.6044), ("-1,248373", -1.248373), ("1.234,5", 1234.5),
                                         ("1 234,5", 1234.5), ("52.6044", 52.6044), ("39813", 39813)])
def test_a_decimal_comma_is_a_decimal_point_when_the_file_says_so(cell, value):
    assert number(cell, where="semi.csv, row 2, column 'Latitude'", decimal_comma=True) == pytest.approx(value)


def test_without_decimal_comma_a_comma_is_never_silently_dropped():
    with pytest.raises(InputFileError, match="'52,6044' is not a number"):
        number("52,6044", where="list.csv, row 2, column 'Latitude'")
