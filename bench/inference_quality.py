"""How good the categories suggested from free text are, measured on hand-labelled real rows.

The labels are ``tests/fixtures/inference_labels.csv``: 408 rows of the real
Trafford lists in ``../shared/data/real/trafford/assets`` (read from there,
never copied), each read by a person who wrote down the need categories it
provides to the public (none, one or several) and whether it is *not a
service to the public* (a PTA or "friends of" fundraising group, a
grant-making trust, a property-holding trust), with the reason.

The sample (:func:`sample`) is drawn from the charities of
``charities_operating_in_trafford.csv`` that have activities, by the bucket
their number hashes into (``sha256("sample:charities:" + number) % 6``), and
from ``trafford_mental_health_services.csv`` (rows known by their
spreadsheet row number, the header being row 1):

* ``dev`` (290 rows, used while writing the rules): bucket 0 (106 charities),
  every row of the mental-health list (60) and bucket 1 (124 charities).
  Bucket 0 and the mental-health list were first dealt into a development
  half and a held-out half of 83 rows each; the held-out half was measured
  once, at precision 0.79 and recall 0.74, and its per-category results were
  then published, so it has been development data since. Bucket 1 was the
  second held-out sample, labelled before any suggestion for it was looked
  at and measured once, at precision 0.84 (52 of 62) and recall 0.50 (52 of
  105); its results were published too, so it has been development data
  since.
* ``heldout`` (118 rows): bucket 2, every charity in it (the mental-health
  list has no rows left). The rows were labelled by reading them, and the
  labels committed, before any suggestion for them was looked at; measured
  once, when the rules and threshold had been fixed on ``dev`` (see the
  README).

Measured (:func:`measure`) are the suggestions used by default
(``Inference.confidence >= DEFAULT_USE_CONFIDENCE``) of the rows that are not
recognised as not a service, against the labels: for each category,
precision = right suggestions / suggestions and recall = right suggestions /
labelled (row, category) pairs; overall figures are micro-averaged (summed
over categories before dividing). Not-a-service recognition is measured the
same way, a row being "positive" when labelled with a reason.

    .venv/bin/python bench/inference_quality.py [--split heldout|dev|all] [--all-suggestions] [--show]
    .venv/bin/python bench/inference_quality.py --split dev --cross-validate
    .venv/bin/python bench/inference_quality.py --calibrate
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
LABELS = PROJECT / "tests" / "fixtures" / "inference_labels.csv"
ASSETS = PROJECT.parent / "shared" / "data" / "real" / "trafford" / "assets"
FILES = {"charities": "charities_operating_in_trafford.csv", "mental_health": "trafford_mental_health_services.csv"}


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def _texts(row: dict[str, str], file: str) -> list[str | None]:
    """A row's name and description, ``None`` for the register's literal ``NA``."""
    name, text = ((row["charity_name"], row["charity_activities"]) if file == "charities"
                  else (row["name"], row["description"]))
    return [None if t in ("", "NA") else t for t in (name, text)]


def read_rows(assets: Path = ASSETS) -> dict[tuple[str, str], list[str | None]]:
    """Every row of the two lists, ``(list, id) -> [name, description]``."""
    out = {}
    for file, name in FILES.items():
        with open(assets / name, encoding="utf-8", newline="") as f:
            for n, row in enumerate(csv.DictReader(f), start=2):
                key = row["registered_charity_number"] if file == "charities" else str(n)
                out[(file, key)] = _texts(row, file)
    return out


#: The hash buckets of the charity sample: development, held out.
DEV_BUCKETS, HELDOUT_BUCKET = (0, 1), 2


def sample(rows: dict[tuple[str, str], list[str | None]]) -> dict[tuple[str, str], str]:
    """The labelled sample as ``(list, id) -> split``, by the rule of the module docstring."""
    out = {}
    for (file, key), (_, text) in rows.items():
        if file == "mental_health":
            out[(file, key)] = "dev"
        elif text is not None:
            bucket = _hash(f"sample:charities:{key}") % 6
            if bucket in DEV_BUCKETS or bucket == HELDOUT_BUCKET:
                out[(file, key)] = "dev" if bucket in DEV_BUCKETS else "heldout"
    return out


def read_labels(path: Path = LABELS) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class Quality:
    """Counts of right, suggested and labelled (row, category) pairs, by category."""

    right: Counter = field(default_factory=Counter)
    suggested: Counter = field(default_factory=Counter)
    labelled: Counter = field(default_factory=Counter)
    #: Rows recognised as not a service, rows so labelled, and both.
    not_service: Counter = field(default_factory=Counter)
    #: (list, id, category) of wrong suggestions and of missed labels, for reading.
    wrong: list = field(default_factory=list)
    missed: list = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    def precision(self, category: str | None = None) -> float:
        if category is None:
            return self.ratio(sum(self.right.values()), sum(self.suggested.values()))
        return self.ratio(self.right[category], self.suggested[category])

    def recall(self, category: str | None = None) -> float:
        if category is None:
            return self.ratio(sum(self.right.values()), sum(self.labelled.values()))
        return self.ratio(self.right[category], self.labelled[category])


def measure(labels: list[dict[str, str]], rows: dict, taxonomy, split: str | None = "heldout", *,
            all_suggestions: bool = False, cross_validate: bool = False) -> Quality:
    """The quality of the suggestions used by default (all of them with ``all_suggestions``) on ``split``
    (``None``: every labelled row).

    With ``cross_validate`` (for the development data the confidences were measured on), each row's
    suggestions are weighed by confidences measured without that row (leave one row out), an estimate of
    how the threshold does on rows it was not set on.
    """
    from asset_map.categories.inference import (DEFAULT_USE_CONFIDENCE, infer_categories, measured_confidence,
                                                not_a_service)

    record = calibrate(labels, rows, taxonomy, split) if cross_validate else None
    q = Quality()
    for label in labels:
        if split is not None and label["split"] != split:
            continue
        key = (label["file"], label["id"])
        texts = rows[key]
        truth = {c for c in label["categories"].split(";") if c}
        reason = not_a_service(texts)
        q.not_service.update(["found"] * bool(reason) + ["labelled"] * bool(label["not_a_service"])
                             + ["both"] * bool(reason and label["not_a_service"]))
        inferred = () if reason else infer_categories(texts, taxonomy)
        if record is None:
            confidence = {i.category: i.confidence for i in inferred}
        else:
            without = _without(record, inferred, truth)
            confidence = {i.category: measured_confidence(i.category, i.kind, without) for i in inferred}
        used = {c for c, conf in confidence.items() if all_suggestions or conf >= DEFAULT_USE_CONFIDENCE}
        q.labelled.update(truth)
        q.suggested.update(used)
        q.right.update(used & truth)
        q.wrong += [(*key, c) for c in sorted(used - truth)]
        q.missed += [(*key, c) for c in sorted(truth - used)]
    return q


def _without(record: dict, inferred, truth: set[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """The :func:`calibrate` *record* less one row's suggestions."""
    out = {c: dict(kinds) for c, kinds in record.items()}
    for i in inferred:
        right, suggested = out[i.category][i.kind]
        out[i.category][i.kind] = (right - (i.category in truth), suggested - 1)
    return out


def calibrate(labels: list[dict[str, str]], rows: dict, taxonomy, split: str | None = "dev") -> dict[str, dict[str, tuple[int, int]]]:
    """Right and suggested suggestions (all of them, used or not) of ``split``, by category and kind of evidence
    (:attr:`Inference.kind`), for the rows not recognised as not a service: the table
    :data:`asset_map.categories.inference.MEASURED` holds, in taxonomy order then kind order."""
    from asset_map.categories.inference import EVIDENCE_KINDS, infer_categories, not_a_service

    counts: Counter = Counter()
    for label in labels:
        texts = rows[(label["file"], label["id"])]
        if (split is not None and label["split"] != split) or not_a_service(texts):
            continue
        truth = set(label["categories"].split(";"))
        for inference in infer_categories(texts, taxonomy):
            counts[(inference.category, inference.kind, "suggested")] += 1
            counts[(inference.category, inference.kind, "right")] += inference.category in truth
    return {c: {k: (counts[(c, k, "right")], counts[(c, k, "suggested")]) for k in EVIDENCE_KINDS
                if counts[(c, k, "suggested")]}
            for c in taxonomy.ids if any(counts[(c, k, "suggested")] for k in EVIDENCE_KINDS)}


def table(q: Quality, taxonomy) -> list[tuple[str, int, int, str, str]]:
    """Rows (category label, labelled, suggested, precision, recall), then the overall row."""
    def pct(x: float) -> str:
        return "–" if x != x else f"{x:.2f}"

    out = [(taxonomy.get(c).label, q.labelled[c], q.suggested[c], pct(q.precision(c)), pct(q.recall(c)))
           for c in taxonomy.ids if q.labelled[c] or q.suggested[c]]
    out.append(("All categories (micro-average)", sum(q.labelled.values()), sum(q.suggested.values()),
                pct(q.precision()), pct(q.recall())))
    return out


def markdown(q: Quality, taxonomy) -> list[str]:
    """The :func:`table` as Markdown lines, as in the README."""
    lines = ["| Category | Labelled rows | Suggested | Precision | Recall |", "|---|---:|---:|---:|---:|"]
    return lines + ["| " + " | ".join(map(str, row)) + " |" for row in table(q, taxonomy)]


def main() -> None:
    from asset_map import load_taxonomy

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["heldout", "dev", "all"], default="heldout")
    parser.add_argument("--all-suggestions", action="store_true", help="count every suggestion, not only those "
                        "used by default")
    parser.add_argument("--show", action="store_true", help="list the wrong and the missed suggestions")
    parser.add_argument("--cross-validate", action="store_true", help="weigh each row's suggestions by "
                        "confidences measured without it (for the development data)")
    parser.add_argument("--calibrate", action="store_true", help="print the right and suggested suggestions of the "
                        "development data by category and kind of evidence (the inference module's MEASURED)")
    args = parser.parse_args()
    taxonomy, rows, labels = load_taxonomy(), read_rows(), read_labels()
    if args.calibrate:
        for category, record in calibrate(labels, rows, taxonomy).items():
            print(f"    {category!r}: {record!r},")
        return
    q = measure(labels, rows, taxonomy, None if args.split == "all" else args.split,
                all_suggestions=args.all_suggestions, cross_validate=args.cross_validate)
    print("\n".join(markdown(q, taxonomy)))
    n = q.not_service
    print(f"\nNot a service: {n['labelled']} labelled, {n['found']} recognised, {n['both']} of them labelled "
          f"(precision {q.ratio(n['both'], n['found']):.2f}, recall {q.ratio(n['both'], n['labelled']):.2f})")
    if args.show:
        for what, items in (("wrong", q.wrong), ("missed", q.missed)):
            for file, key, c in items:
                print(what, file, key, c, rows[(file, key)][0], sep=" | ")


if __name__ == "__main__":
    main()
