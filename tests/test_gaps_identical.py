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
