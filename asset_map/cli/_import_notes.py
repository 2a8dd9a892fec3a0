"""The messages an import or an inspection prints on stderr: warnings, rejects, categories, feed problems.

Each step prints one kind of message about an :class:`~asset_map.inputs.importer.ImportResult`;
at most ten of a kind are listed, then how many more there are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from ..inputs.feed_import import FeedReport
    from ..inputs.importer import ImportResult
    from ..workspace import Workspace

#: How many of one kind of message are listed before "... and N more".
LISTED = 10


def report_import(err: "Console", ws: "Workspace", file: Path, result: "ImportResult") -> None:
    """The notes, columns used, unknown category words, rejected rows, warnings and likely duplicates of an
    import."""
    for note in result.notes:
        err.print(f"Note: {file.name}: {note}")
    if result.columns:
        err.print("Columns: " + ", ".join(f"{k}={v!r}" for k, v in result.columns.items()))
    _report_unknown_words(err, ws, file, result)
    _report_rejects(err, file, result)
    if result.outside_lookup:
        err.print(f"Note: {file.name}: {result.outside_lookup_note()}.")
    for warning in result.warnings:
        err.print(f"Warning: {file.name}: {warning}")
    if result.duplicates:
        across = sum(g.across_imports for g in result.duplicates)
        err.print(f"Note: {len(result.duplicates)} groups of likely duplicates involve this list ({across} with "
                  "earlier imports); nothing was merged: review them with `asset-map duplicates`.")


def _report_unknown_words(err: "Console", ws: "Workspace", file: Path, result: "ImportResult") -> None:
    """A warning per unknown category word, most rows first, with the closest category and how to decide it."""
    taxonomy = ws.taxonomy() if result.unknown_words else None
    for word, rows in sorted(result.unknown_words.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        hint = result.suggestions.get(word)
        shown = ", ".join(map(str, rows[:5])) + (" ..." if len(rows) > 5 else "")
        tip = f"closest category: {taxonomy.get(hint).label} ({hint}); " if hint else ""
        err.print(
            f"Warning: {file.name}, column {result.columns.get('category')!r}: unknown category {word!r} "
            f"in {len(rows)} row(s) ({shown}); {tip}decide it in a category map (--save-category-map FILE, "
            "fill in the category column, import with --category-map FILE) or add it to the taxonomy"
        )


def _report_rejects(err: "Console", file: Path, result: "ImportResult") -> None:
    """The first rejected rows with their reasons, and how many more there are."""
    for r in result.rejects[:LISTED]:
        col = f", column {r.column!r}" if r.column else ""
        err.print(f"Rejected: {file.name}, row {r.row}{col}: {r.reason}")
    if result.rejected > LISTED:
        err.print(f"... and {result.rejected - LISTED} more rejected rows (`asset-map rejects` lists them all)")


def report_categories(err: "Console", ws: "Workspace", file: Path, result: "ImportResult",
                      category_map: Optional[Path], save_category_map: Optional[Path],
                      use_inferred: Optional[bool]) -> None:
    """The categories suggested from the rows' text (counts, examples, whether used), the rows that are not
    services, and the category map written if asked (:func:`asset_map.inputs.import_review.suggestion_rows`)."""
    from ..inputs.import_review import suggestion_examples, suggestion_rows

    taxonomy = ws.taxonomy()
    assets = result.assets
    pending = int(((assets["inferred"] != "") & assets["category_source"].isin(["inferred", ""])).sum()) \
        if len(assets) else 0
    if pending:
        err.print(f"Note: {file.name}: {pending:,} rows without a category in their category cell "
                  f"have categories suggested by their name or description; {result.categorised_by_inference:,} "
                  f"use them (marked inferred): {_inferred_policy(use_inferred)}. Suggested:")
        for label, n, shown in suggestion_examples(result, taxonomy):
            err.print(f"  {label}: {n:,} rows, e.g. " + "; ".join(shown))
        if save_category_map is None:
            err.print("  To review them in Excel: --save-category-map FILE writes each row with its suggestion, "
                      "evidence and confidence; correct the category column and import with --category-map FILE.")
    if result.not_services:
        reasons = ", ".join(f"{reason} {n}" for reason, n in result.not_services.items())
        err.print(f"Note: {file.name}: {sum(result.not_services.values())} rows without a known category are not "
                  f"services to the public by their name or description ({reasons}): kept, with category_source "
                  "'not a service', and not counted as provision or as missing data.")
    if save_category_map is not None:
        from ..categories.category_map import read_category_map, write_category_map

        existing = read_category_map(category_map, taxonomy) if category_map is not None else None
        rows = suggestion_rows(result, taxonomy)
        n = write_category_map(save_category_map, result.unknown_words, result.suggestions, existing, rows)
        what = f"{n} category words" if not rows and not (existing and existing.rows) else (
            f"{n} rows (the unknown category words, then {len(rows)} rows of the list with their suggested "
            "categories pre-filled)")
        err.print(f"Wrote {what} to {save_category_map}: fill in or correct the category column (an id, label, "
                  "several separated by ';', or 'ignore') and import again with --category-map.")


def _inferred_policy(use_inferred: Optional[bool]) -> str:
    """Which suggestions the import used, and how to choose otherwise."""
    from ..categories.inference import DEFAULT_USE_CONFIDENCE

    if use_inferred:
        return "--use-inferred: every suggestion is used"
    if use_inferred is False:
        return "--no-inferred: none is used"
    return (f"by default the suggestions of confidence {DEFAULT_USE_CONFIDENCE:.2f} or more are used "
            "(--no-inferred: none; --use-inferred: all)")


def report_next_step(err: "Console", file: Path, result: "ImportResult", verb: str = "import") -> None:
    """The one command that fixes the most rows, after an import that left most rows without a category or
    rejected most for one reason (:func:`asset_map.inputs.import_review.next_step`)."""
    from ..inputs.import_review import next_step

    step = next_step(result, str(file), verb=verb)
    if step:
        err.print(step)


def report_feed(err: "Console", file: Path, report: "FeedReport") -> None:
    """The feed's schema problems, unmapped terms and the table of what became of its services."""

    from ..outputs.render import feed_summary

    for p in report.problems[:LISTED]:
        err.print(f"Problem: {file.name}, {p}")
    if len(report.problems) > LISTED:
        err.print(f"... and {len(report.problems) - LISTED} more problems in the feed")
    for (vocab, term), n in report.unmapped_terms.most_common(LISTED):
        err.print(f"Warning: {file.name}: taxonomy term {term!r} ({vocab or 'no vocabulary'}) is not in the "
                  f"crosswalk ({n} service(s)); add it to a crosswalk file and import with --crosswalk")
    if len(report.unmapped_terms) > LISTED:
        err.print(f"... and {len(report.unmapped_terms) - LISTED} more unmapped terms")
    err.print(feed_summary(report))
