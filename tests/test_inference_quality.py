"""The quality of categories inferred from free text, measured on hand-labelled real rows.

The labels (``tests/fixtures/inference_labels.csv``) and how they were drawn
and measured are described in ``bench/inference_quality.py``; the text is
read from the real Trafford lists beside the project, never copied.
"""

from __future__ import annotations

import csv
import importlib.util
import sys

import pytest

from asset_map import load_taxonomy
from asset_map.categories.inference import MEASURED
from conftest import PROJECT, TRAFFORD

pytestmark = pytest.mark.skipif(not TRAFFORD.is_dir(), reason="real Trafford data not beside the project")

TAXONOMY = load_taxonomy()


def _bench():
    spec = importlib.util.spec_from_file_location("inference_quality", PROJECT / "bench" / "inference_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def rows():
    return bench.read_rows()


@pytest.fixture(scope="module")
def labels():
    return bench.read_labels()


def test_the_labels_are_the_sample_drawn_by_the_rule_and_hold_no_copied_text(rows, labels):
    with open(bench.LABELS, encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["file", "id", "split", "categories", "not_a_service", "note"]
    assert {(r["file"], r["id"]): r["split"] for r in labels} == bench.sample(rows)
    assert len(labels) == 408 and sum(r["split"] == "heldout" for r in labels) == 118
    assert sum(r["file"] == "mental_health" for r in labels) == 60  # every row of the mental-health list, all dev
    assert all(r["file"] == "charities" for r in labels if r["split"] == "heldout")
    for r in labels:
        assert set(filter(None, r["categories"].split(";"))) <= set(TAXONOMY.ids), r["id"]
        assert not (r["categories"] and r["not_a_service"]), r["id"]  # a body that is not a service provides nothing
        text = rows[(r["file"], r["id"])][1] or ""
        assert len(text) < 30 or text.lower() not in r["note"].lower(), r["id"]  # the labeller's words, not the row's


def test_the_confidences_are_those_measured_on_the_development_data(rows, labels):
    assert bench.calibrate(labels, rows, TAXONOMY) == MEASURED


def test_on_the_development_data_the_threshold_keeps_precision_with_a_margin(rows, labels):
    q = bench.measure(labels, rows, TAXONOMY, "dev")
    # 223 right of the 241 suggestions used by default, of 291 labelled (row, category) pairs: 0.93 and 0.77.
    assert (sum(q.right.values()), sum(q.suggested.values()), sum(q.labelled.values())) == (223, 241, 291)
    # The same rows weighed by confidences measured without them: 215 right of 238 (0.90), recall 0.74.
    cv = bench.measure(labels, rows, TAXONOMY, "dev", cross_validate=True)
    assert (sum(cv.right.values()), sum(cv.suggested.values())) == (215, 238)
    assert cv.precision() >= 0.9 and cv.recall() >= 0.7
    # Using every suggestion: 259 of 320 (0.81), recall 0.89.
    every = bench.measure(labels, rows, TAXONOMY, "dev", all_suggestions=True)
    assert (sum(every.right.values()), sum(every.suggested.values())) == (259, 320)


def test_held_out_result_as_measured_once(rows, labels):
    q = bench.measure(labels, rows, TAXONOMY, "heldout")
    # Measured once, after the rules and the threshold were fixed on the development data: 79 right of the 104
    # suggestions used by default, of 119 labelled (row, category) pairs (precision 0.76, recall 0.66).
    assert (sum(q.right.values()), sum(q.suggested.values()), sum(q.labelled.values())) == (79, 104, 119)
    # Every suggestion: 98 right of 150 (0.65), recall 0.82.
    every = bench.measure(labels, rows, TAXONOMY, "heldout", all_suggestions=True)
    assert (sum(every.right.values()), sum(every.suggested.values())) == (98, 150)


@pytest.mark.xfail(strict=True, reason="fresh held-out precision measured 0.76 (79 of 104), below the 0.85 target; "
                                       "the rules were not tuned on the held-out sample (see README)")
def test_held_out_precision_meets_the_target(rows, labels):
    assert bench.measure(labels, rows, TAXONOMY, "heldout").precision() >= 0.85


def test_held_out_recall_meets_the_target(rows, labels):
    # 79 of 119 = 0.66, measured once.
    assert bench.measure(labels, rows, TAXONOMY, "heldout").recall() >= 0.6


def test_bodies_that_are_not_services_are_recognised_with_high_precision(rows, labels):
    held = bench.measure(labels, rows, TAXONOMY, "heldout").not_service
    # Held out: 18 labelled; 12 recognised, all of them labelled. Missed: two trusts for a church's fabric and
    # one for its minister, two loan funds for people, and a school's friends who "assist the school".
    assert (held["found"], held["both"], held["labelled"]) == (12, 12, 18)
    dev = bench.measure(labels, rows, TAXONOMY, "dev").not_service
    assert (dev["found"], dev["both"], dev["labelled"]) == (43, 41, 55)


def test_the_readme_shows_the_held_out_table(rows, labels):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for line in bench.markdown(bench.measure(labels, rows, TAXONOMY, "heldout"), TAXONOMY):
        assert line in readme
