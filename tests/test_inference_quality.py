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
    assert len(labels) == 166 and sum(r["split"] == "heldout" for r in labels) == 83
    assert sum(r["file"] == "mental_health" for r in labels) == 60  # every row of the mental-health list
    for r in labels:
        assert set(filter(None, r["categories"].split(";"))) <= set(TAXONOMY.ids), r["id"]
        assert not (r["categories"] and r["not_a_service"]), r["id"]  # a body that is not a service provides nothing
        text = rows[(r["file"], r["id"])][1] or ""
        assert len(text) < 30 or text.lower() not in r["note"].lower(), r["id"]  # the labeller's words, not the row's


def test_held_out_recall_meets_the_target(rows, labels):
    q = bench.measure(labels, rows, TAXONOMY, "heldout")
    # Measured once, after the rules were fixed on the development half: 80 right of 101 suggestions used,
    # of 108 labelled (row, category) pairs.
    assert (sum(q.right.values()), sum(q.suggested.values()), sum(q.labelled.values())) == (80, 101, 108)
    assert q.recall() >= 0.6


@pytest.mark.xfail(strict=True, reason="held-out precision measured 0.79 (80 of 101), below the 0.85 target; "
                                       "the rules were not tuned on the held-out half (see README)")
def test_held_out_precision_meets_the_target(rows, labels):
    assert bench.measure(labels, rows, TAXONOMY, "heldout").precision() >= 0.85


def test_development_half_meets_the_target_the_rules_were_set_for(rows, labels):
    q = bench.measure(labels, rows, TAXONOMY, "dev")
    assert (sum(q.right.values()), sum(q.suggested.values()), sum(q.labelled.values())) == (69, 80, 78)
    assert q.precision() >= 0.85 and q.recall() >= 0.6


def test_bodies_that_are_not_services_are_recognised_with_high_precision(rows, labels):
    held = bench.measure(labels, rows, TAXONOMY, "heldout").not_service
    # Held out: 9 labelled (PTAs, friends of schools, fundraising appeals, grant-making trusts); 5 recognised,
    # all of them labelled. Missed: an appeal and a school's "buddies" that raise funds mid-sentence, a
    # foundation "providing funding to charities" and a trust whose whole text is "Relief of poverty".
    assert (held["found"], held["both"], held["labelled"]) == (5, 5, 9)
    dev = bench.measure(labels, rows, TAXONOMY, "dev").not_service
    assert (dev["found"], dev["both"], dev["labelled"]) == (18, 17, 17)  # the extra one: a children's club's trust


def test_the_readme_shows_the_held_out_table(rows, labels):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for line in bench.markdown(bench.measure(labels, rows, TAXONOMY, "heldout"), TAXONOMY):
        assert line in readme
