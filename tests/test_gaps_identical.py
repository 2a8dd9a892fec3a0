"""The gaps are the same as the golden rows written before their computation was reworked.

Every field of every row of ``gaps()`` (``report.records()``; floats to 1e-12
relative) on the bundled example (along its streets and by the straight line)
and on two workspaces of Trafford's real files, against the JSON files
``tests/gaps_golden.py`` wrote from the code as it was (tests/fixtures/gaps_golden).
The national case is checked by ``bench/national.py`` (a digest of its gap rows).
"""

from __future__ import annotations

import json

import pytest

from gaps_golden import GOLDEN, TRAFFORD, example_reports, fixed_today, trafford_reports, same


def check(reports: dict) -> None:
    for name, rows in reports.items():
        want = json.loads((GOLDEN / f"{name}.json").read_text())
        diffs = same(rows, want, name)
        assert not diffs, f"{len(diffs)} differences, first: " + "; ".join(diffs[:5])


def test_the_example_gaps_are_the_golden_rows(tmp_path):
    with fixed_today():
        reports = example_reports(tmp_path)
    assert {len(r) for r in reports.values()} == {126}
    check(reports)


@pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")
def test_the_trafford_gaps_are_the_golden_rows(tmp_path):
    with fixed_today():
        reports = trafford_reports(tmp_path)
    assert {len(r) for r in reports.values()} == {84}
    check(reports)


def test_a_changed_figure_is_a_difference():
    row = json.loads((GOLDEN / "example.json").read_text())[0]
    changed = dict(row, coverage=row["coverage"] * (1 + 1e-9) + 1e-9, priority=row["priority"] + 1)
    assert len(same([changed], [row])) == 2 and not same([dict(row)], [row])


def test_points_decoded_as_one_array_are_those_of_each_blob():
    import struct

    import numpy as np
    import shapely

    from asset_map.store.gpkg import _decode_gpkg_geometry, _decode_points

    xy = [(450_000.5, 300_000.25), (-2.3456789, 53.4), (0.0, -1e-9)]
    little = [b"GP\x00\x01" + struct.pack("<i", 27700) + struct.pack("<BIdd", 1, 1, x, y) for x, y in xy]
    big = [b"GP\x00\x00" + struct.pack(">i", 27700) + struct.pack(">BIdd", 0, 1, x, y) for x, y in xy]
    for blobs in (little, big):
        got = _decode_points(blobs)
        assert got is not None and shapely.get_coordinates(got).tolist() == [list(p) for p in xy]
    # Anything else goes blob by blob: a missing geometry, an empty one, a NaN point, another type.
    nan = b"GP\x00\x01" + struct.pack("<i", 27700) + struct.pack("<BIdd", 1, 1, float("nan"), float("nan"))
    line = b"GP\x00\x01" + struct.pack("<i", 27700) + shapely.to_wkb(shapely.linestrings([(0, 0), (1, 1)]))
    for other in ([*little, None], [*little, nan], [*little, line], [little[0], b"GP\x00\x11" + little[1][4:]]):
        assert _decode_points(other) is None
        decoded = _decode_gpkg_geometry(other)
        assert len(decoded) == len(other) and shapely.equals(decoded[0], shapely.points(xy[0]))
    assert _decode_gpkg_geometry([*little, None])[-1] is None and np.asarray(
        _decode_gpkg_geometry(little) != None).all()  # noqa: E711
