"""Hardening catalogue: bad input, bad paths and hostile cells, across every command.

Never a traceback, never a lost workspace. Each row of :data:`CASES` builds its
inputs in ``tmp_path`` (small data made in code), runs one command through the
CLI, and states the exit code and the essential words of the one-line message
(regular expressions, case-insensitive, every one must match). Applied to every
case (:func:`run_case`):

- no traceback (an exception escaping the command counts as one) and no library
  warning leaking to the user (numpy/shapely/pyogrio RuntimeWarnings...);
- a failure prints exactly one ``Error:`` line, and it is the last line;
- the workspace is byte-identical (GeoPackage: sha256 of the file) after a failed
  command, and after any command that only reads it;
- no temporary, lock or journal file is left anywhere under ``tmp_path``;
- an import that succeeds reports rows read = imported + kept without a
  location + rejected (and as many rows as the file holds); zero rows imported
  from a non-empty file comes with a ``Warning:``.

Hostile cells (``=HYPERLINK(...)``, ``+1``, ``-2+3``, ``@SUM(A1)``, tab/CR,
``<img onerror>``, ``|``, backticks, newlines) are written back and checked:
CSV read back with :mod:`csv` (no cell starts a formula; numbers stay numbers),
XLSX with openpyxl (no formula cell), Markdown rendered to HTML with
markdown-it-py (no live tag, table cells intact), HTML parsed (no live tag).

Cases marked ``gpkg`` are about the GeoPackage file itself (paths, symlinks,
locks, journals) and run only against it; the others run against every store.
Many cases fail against today's code: they are the specification of the fixes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest
from typer.testing import CliRunner

import asset_map
from asset_map.cli import app
from conftest import POINTS, X0, Y0, asset_row, bng_to_lonlat, fingerprint, square, write_areas, write_csv, write_points

runner = CliRunner()

HEADER = ["Name", "Category", "Latitude", "Longitude"]
#: A point inside West (lat, lon as text, as a list would hold them).
LON, LAT = bng_to_lonlat(X0 + 1000, Y0 + 1000)
LATS, LONS = f"{LAT:.6f}", f"{LON:.6f}"

BASE_ASSETS = [
    ("West Befriending", "Befriending; carers", X0 + 1000, Y0 + 1000),
    ("West Walkers", "Walking group", X0 + 500, Y0 + 500),
    ("East Food Bank", "food bank", X0 + 3000, Y0 + 1000),
]

# Hostile names: the areas (W01 West, E01 East, N01 North of West) and the assets.
AREA_NAMES = {"W01": '=HYPERLINK("http://x","y")', "E01": "<img src=x onerror=alert(1)>", "N01": "a|b `c`"}
HOSTILE_TAXONOMY = [
    ["id", "label", "catchment_m", "target_population", "synonyms"],
    ["carers", '=HYPERLINK("http://t","c")', "1000", "all", "carers; carer support"],
    ["food", "@Food", "1500", "all", "food bank; pantry"],
    ["social", "+Social", "800", "all", "befriending; lunch club"],
    ["walk", "-2+3 walking", "1200", "all", "walking; walking group"],
    ["plain", "Plain", "1000", "all", "plain"],
]
HOSTILE_ASSETS = [
    ('=HYPERLINK("http://x","y")', "carers", X0 + 300, Y0 + 300),
    ('=HYPERLINK("http://x","y")', "carers", X0 + 305, Y0 + 300),  # 5 m away: a likely duplicate
    ("+1", "food bank", X0 + 600, Y0 + 300),
    ("-2+3", "befriending", X0 + 900, Y0 + 300),
    ("@SUM(A1)", "walking", X0 + 1200, Y0 + 300),
    ("\t=1", "plain", X0 + 1500, Y0 + 300),
    ("\r=1", "plain", X0 + 1800, Y0 + 300),
    (" =2", "plain", X0 + 1900, Y0 + 300),
    ("<img src=z onerror=alert(3)>", "plain", X0 + 2500, Y0 + 300),
    ("</script><img src=s onerror=alert(5)>", "plain", X0 + 2700, Y0 + 300),
    ("a|b `c` club", "plain", X0 + 500, Y0 + 2500),
    ("Tea\nand chat", "plain", X0 + 800, Y0 + 2500),
    ("Words", "=1+2; @foo", X0 + 1000, Y0 + 2600),
    ("Signs", "-x; +y", X0 + 1100, Y0 + 2600),
]
HOSTILE_SOURCE = "=SRC()"

STORE: dict = {"kind": "gpkg", "cache": None}


@pytest.fixture(autouse=True)
def _store_context(store_kind, tmp_path_factory):
    STORE["kind"] = store_kind
    STORE["cache"] = tmp_path_factory.getbasetemp() / "hardening-cache"
    yield


# --------------------------------------------------------------------------- building inputs
def areas_file(d: Path, name: str = "areas.geojson", names: Sequence[str] = ("West", "East"),
               pops: Sequence[float] = (10_000, 5_000)) -> Path:
    """Two 2 km squares side by side, W01 and E01, as GeoJSON (WGS84)."""
    return write_areas(d / name, [("W01", names[0], pops[0], square(X0, Y0, 2000)),
                                  ("E01", names[1], pops[1], square(X0 + 2000, Y0, 2000))], crs="EPSG:4326")


def assets_file(d: Path, name: str = "assets2.csv", rows=BASE_ASSETS) -> Path:
    return write_csv(d / name, HEADER, [asset_row(*r) for r in rows])


def text_file(d: Path, name: str, text: str | bytes) -> Path:
    p = d / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _build_base(d: Path) -> None:
    """West and East (population layer S1–S4), three assets from assets.csv."""
    ws = asset_map.Workspace(d / "ws.gpkg")
    ws.load_boundaries(areas_file(d), code_field="area_code", name_field="area_name", population_field="pop")
    ws.load_population(write_points(d / "pw.geojson", POINTS[:4]))
    ws.import_assets(assets_file(d, "assets.csv"))


def _build_dups(d: Path) -> None:
    """The base workspace with the same list imported twice: likely duplicates."""
    _build_base(d)
    asset_map.Workspace(d / "ws.gpkg").import_assets(d / "assets.csv", source="again")


def _build_hostile(d: Path) -> None:
    """Three areas and a taxonomy with hostile names, hostile assets imported under a hostile source."""
    ws = asset_map.Workspace(d / "ws.gpkg")
    areas = write_areas(d / "hostile-areas.geojson", [
        ("W01", AREA_NAMES["W01"], 39_813, square(X0, Y0, 2000)),
        ("E01", AREA_NAMES["E01"], 5_000, square(X0 + 2000, Y0, 2000)),
        ("N01", AREA_NAMES["N01"], 3_000, square(X0, Y0 + 2000, 2000)),
    ], crs="EPSG:4326")
    ws.load_boundaries(areas, code_field="area_code", name_field="area_name", population_field="pop")
    ws.load_taxonomy(write_csv(d / "hostile-taxonomy.csv", HOSTILE_TAXONOMY[0], HOSTILE_TAXONOMY[1:]))
    rows = [asset_row(*r) for r in HOSTILE_ASSETS] + [["Bad place", "plain", "=cmd|' /C calc'!A0", "-1.3"]]
    ws.import_assets(write_csv(d / "hostile.csv", HEADER, rows), source=HOSTILE_SOURCE)


def _build_dollar(d: Path) -> None:
    """Area names that matplotlib would read as mathtext."""
    ws = asset_map.Workspace(d / "ws.gpkg")
    ws.load_boundaries(areas_file(d, "dollar.geojson", names=("$\\frac{a$", "Cost $5 a $x^$ b")),
                       code_field="area_code", name_field="area_name", population_field="pop")
    ws.import_assets(assets_file(d, "assets.csv"))


BUILDERS = {"base": _build_base, "dups": _build_dups, "hostile": _build_hostile, "dollar": _build_dollar}


def make_ws(d: Path, variant: str = "base") -> Path:
    """A workspace ``d/ws.gpkg`` (with its input files beside it), built once per run for GeoPackage."""
    if STORE["kind"] != "gpkg":
        BUILDERS[variant](d)
        return d / "ws.gpkg"
    src = STORE["cache"] / variant
    if not (src / "ws.gpkg").is_file():
        src.mkdir(parents=True, exist_ok=True)
        BUILDERS[variant](src)
    for f in src.iterdir():
        shutil.copy2(f, d / f.name)
    return d / "ws.gpkg"


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# --------------------------------------------------------------------------- the run and its generic checks
@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    tmp: Path
    ws: Optional[Path]
    counts: dict

    def error(self) -> str:
        return next((ln for ln in self.stderr.splitlines() if ln.startswith("Error:")), "")


@dataclass
class Case:
    id: str
    setup: Callable[[Path], list]  # builds the inputs in tmp_path, returns the CLI arguments
    exit: int | tuple[int, ...]  # 1 bad data, 2 bad option value; a tuple where either is acceptable
    message: Sequence[str] = ()  # regexes: all in the Error line (failure) or in stderr (success)
    check: Optional[Callable[[Outcome], None]] = None  # checks on the outputs
    rows: Optional[int] = None  # import: data rows in the file
    gpkg: bool = False  # about the GeoPackage file itself
    unchanged: bool = True  # the workspace must be byte-identical after a failure (or a read-only command)
    leftovers_ok: bool = False
    env: Optional[dict] = None
    needs_non_root: bool = False


READ_ONLY = {"gaps", "report", "status", "rejects", "inspect", "copy", "export"}
LEFTOVER = re.compile(r"(-journal|-wal|-shm|\.lock)$|^\..*\.tmp")
IGNORED_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning, FutureWarning)


def _digest(path: Optional[Path]):
    if path is None:
        return None
    if STORE["kind"] != "gpkg":
        return fingerprint(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def summary_counts(stderr: str) -> dict:
    """The counts of the last import summary table (``│ rows read │ 6 │``)."""
    counts: dict = {}
    for line in stderr.splitlines():
        parts = [p.strip() for p in line.split("│")]
        if len(parts) == 4 and parts[2].isdigit():
            if parts[1] == "rows read":
                counts = {}
            counts[parts[1]] = int(parts[2])
    return counts


def _workspace_arg(args: list) -> Optional[Path]:
    if "-w" in args:
        return Path(args[args.index("-w") + 1])
    return None


def _read_only(args: list) -> bool:
    first = args[0]
    if first == "taxonomy":
        return args[1] == "show"
    if first == "duplicates":
        return "--merge" not in args
    return first in READ_ONLY or "--dry-run" in args


def run_case(case: Case, tmp_path: Path, monkeypatch) -> Outcome:
    if case.needs_non_root and hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("permissions are not enforced for root")
    monkeypatch.chdir(tmp_path)
    args = [str(a) for a in case.setup(tmp_path)]
    ws = _workspace_arg(args)
    before = _digest(ws)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = runner.invoke(app, args, env=case.env)
    out = Outcome(result.exit_code, result.stdout, result.stderr, tmp_path, ws, summary_counts(result.stderr))
    shown = f"\n$ asset-map {' '.join(a[:120] for a in args)}\nexit {out.code}\nstderr:\n{out.stderr[-3000:]}"

    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"traceback: {type(exc).__name__}: {exc}{shown}"
    assert "Traceback" not in out.stdout + out.stderr, shown
    leaked = [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, IGNORED_WARNINGS)]
    assert not leaked, f"library warnings reach the user: {leaked[:3]}{shown}"

    codes = case.exit if isinstance(case.exit, tuple) else (case.exit,)
    assert out.code in codes, f"exit {out.code}, expected {case.exit}{shown}"
    # Messages are matched with tmp_path written TMP: its name (from the test id) must not match for them.
    stderr = out.stderr.replace(str(tmp_path), "TMP")
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error:")]
    if out.code != 0:
        assert len(errors) == 1, f"expected exactly one 'Error:' line{shown}"
        assert lines[-1] == errors[0], f"the Error line must be the last line{shown}"
        for pattern in case.message:
            assert re.search(pattern, errors[0], re.I), f"{pattern!r} not in {errors[0]!r}{shown}"
    else:
        assert not errors, shown
        for pattern in case.message:
            assert re.search(pattern, stderr, re.I | re.M), f"{pattern!r} not in stderr{shown}"

    if ws is not None and before is not None and case.unchanged and (out.code != 0 or _read_only(args)):
        assert _digest(ws) == before, f"the workspace {ws.name} was changed{shown}"
    if STORE["kind"] == "gpkg" and not case.leftovers_ok:
        left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if LEFTOVER.search(p.name))
        assert not left, f"leftover files: {left}{shown}"

    if args[0] == "import" and out.code == 0:
        c = out.counts
        assert c, f"no import summary{shown}"
        kept = c.get("kept without a location, serving an area (helplines, borough-wide)", 0)
        rejected = c["rejected (see `asset-map rejects`)"]
        assert c["rows read"] == c["imported"] + kept + rejected, f"rows read != imported + rejected: {c}{shown}"
        if case.rows is not None:
            assert c["rows read"] == case.rows, f"{case.rows} rows in the file, {c['rows read']} read{shown}"
        if c["rows read"] > 0 and c["imported"] + kept == 0 and "--dry-run" not in args:
            assert re.search(r"^Warning:.*(imported|nothing)", out.stderr, re.M), \
                f"0 rows imported from a non-empty file without a warning{shown}"
    if case.check is not None:
        case.check(out)
    return out


# --------------------------------------------------------------------------- inert outputs
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def live_formula(value) -> bool:
    """Whether a spreadsheet would read this cell as a formula (OWASP CSV injection)."""
    if not isinstance(value, str) or NUMBER.match(value):
        return False
    return value.startswith(FORMULA_STARTS) or value.lstrip(" ").startswith(FORMULA_STARTS)


def assert_csv_inert(text: str, where: str, *, present: Sequence[str] = (), numbers: Sequence[str] = ()) -> None:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows, f"{where}: empty"
    live = [(n, cell) for n, row in enumerate(rows, start=1) for cell in row if live_formula(cell)]
    assert not live, f"{where}: cells a spreadsheet runs as formulas: {live[:5]}"
    cells = [cell for row in rows for cell in row]
    for p in present:
        assert any(p in cell for cell in cells), f"{where}: {p!r} missing (the test data did not reach it)"
    for col in numbers:
        j = rows[0].index(col)
        values = [r[j] for r in rows[1:] if j < len(r) and r[j] != ""]
        assert values and all(NUMBER.match(v) for v in values), f"{where}, column {col!r}: not numbers: {values[:5]}"


class HtmlScan(HTMLParser):
    """Live tags an attacker's text could have produced, and the table rows with their cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list = []
        self.rows: list[list[str]] = []
        self._script = False
        self._cell: Optional[list[str]] = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append((tag, name, value))
        if tag == "img" and dict(attrs).get("src") in ("x", "y", "z", "s", "t"):
            self.live.append((tag, "src", dict(attrs).get("src")))
        if tag == "script":
            self._script = True
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._script and data.strip().startswith("alert("):
            self.live.append(("script", data[:40]))
        if self._cell is not None:
            self._cell.append(data)


def scan_html(html: str) -> HtmlScan:
    scan = HtmlScan()
    scan.feed(html)
    scan.close()
    return scan


def render_markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def assert_markdown_inert(text: str, where: str) -> HtmlScan:
    scan = scan_html(render_markdown(text))
    assert not scan.live, f"{where}: live HTML once rendered: {scan.live[:3]}"
    return scan


def assert_xlsx_inert(path: Path, *, present: Sequence[str] = (), numbers: Sequence[float] = ()) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f" or live_formula(c.value)]
    assert not formulas, f"{path.name}: formula cells {formulas[:5]}"
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for p in present:
        assert any(p in t for t in texts), f"{path.name}: {p!r} missing"
    for n in numbers:
        assert any(isinstance(c.value, (int, float)) and c.value == n for c in cells), f"{path.name}: no number {n}"


# --------------------------------------------------------------------------- checks of outputs
def no_file(name: str):
    def check(o: Outcome) -> None:
        assert not (o.tmp / name).exists(), f"a file named {name!r} was written"
    return check


def file_kept(name: str, content: bytes):
    def check(o: Outcome) -> None:
        assert (o.tmp / name).read_bytes() == content, f"{name} was overwritten"
    return check


def wrote_png(name: str):
    def check(o: Outcome) -> None:
        assert (o.tmp / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return check


def wrote_text(name: str, *fragments: str):
    def check(o: Outcome) -> None:
        text = (o.tmp / name).read_text(encoding="utf-8")
        for f in fragments:
            assert f in text, f"{f!r} not in {name}"
    return check


def written_if_ok(name: str):
    def check(o: Outcome) -> None:
        if o.code == 0:
            assert (o.tmp / name).is_file(), f"exit 0 but {name[:40]}... not written"
    return check


def check_symlinked_workspace(o: Outcome) -> None:
    link = o.tmp / "ws.gpkg"
    assert link.is_symlink(), "the workspace symlink was replaced by a regular file"
    sources = set(asset_map.Workspace(o.tmp / "real" / "ws.gpkg").imports()["source"])
    assert "second" in sources, "the import did not reach the symlink's target"


def check_mode_kept(name: str, mode: int):
    def check(o: Outcome) -> None:
        assert (o.tmp / name).stat().st_mode & 0o777 == mode, f"{name} lost its mode {oct(mode)}"
    return check


def check_records_json(o: Outcome) -> None:
    if o.code == 0:
        assert o.counts.get("imported") == 2, f"a JSON list of 2 records imported {o.counts.get('imported')} rows"


def check_decimal_comma(o: Outcome) -> None:
    assert "526044" not in o.stderr, "52,6044 read as 526044"
    assert o.counts.get("imported") == 1 or re.search("decimal comma", o.stderr, re.I)


def check_hot_journal(o: Outcome) -> None:
    assert not (o.tmp / "ws.gpkg-journal").exists()
    r = runner.invoke(app, ["status", "-w", str(o.tmp / "ws.gpkg")])
    assert r.exit_code == 0 and "areas: 2" in r.stdout, r.stderr


def check_empty_lock(o: Outcome) -> None:
    if o.code == 0:
        assert not (o.tmp / ".ws.gpkg.lock").exists()


def check_inspect_kept_input(o: Outcome) -> None:
    assert (o.tmp / "assets2.csv").read_text(encoding="utf-8").startswith("Name,Category"), "the input was overwritten"


def check_stdout_html(o: Outcome) -> None:
    assert "<html" in o.stdout.lower(), "report -o - should write the HTML to stdout"
    assert not (o.tmp / "-").exists()


# hostile outputs
def check_gaps_csv(o: Outcome) -> None:
    assert_csv_inert(o.stdout, "gaps --format csv", present=["HYPERLINK", "@Food", "+Social"],
                     numbers=["target_population", "coverage", "assets"])


def check_whatif_csv(o: Outcome) -> None:
    assert_csv_inert(o.stdout, "gaps --add --format csv", present=["HYPERLINK"])


def check_duplicates_csv(o: Outcome) -> None:
    assert_csv_inert(o.stdout, "duplicates --format csv", present=["SRC()", "HYPERLINK"], numbers=["row", "distance_m"])


def check_population_check_csv(o: Outcome) -> None:
    assert_csv_inert(o.stdout, "population check --format csv", present=["HYPERLINK", "=Z9"],
                     numbers=["ours", "published", "difference"])


def check_category_map(o: Outcome) -> None:
    assert_csv_inert((o.tmp / "decisions.csv").read_text(encoding="utf-8"), "--save-category-map",
                     present=["1+2", "@foo", "x", "y"], numbers=["rows"])


def check_oruk(o: Outcome) -> None:
    folder = o.tmp / "oruk"
    for f in sorted(folder.glob("*.csv")):
        numbers = ["latitude", "longitude"] if f.name == "locations.csv" else []
        present = ["HYPERLINK"] if f.name in ("services.csv", "locations.csv", "taxonomy_terms.csv") else []
        assert_csv_inert(f.read_text(encoding="utf-8"), f"export oruk {f.name}", present=present, numbers=numbers)


def check_taxonomy_show(o: Outcome) -> None:
    assert_csv_inert(o.stdout, "taxonomy show", present=["HYPERLINK", "@Food", "+Social", "-2+3"],
                     numbers=["catchment_m"])


def check_rejects_csv(o: Outcome) -> None:
    assert_csv_inert(o.stdout, "rejects", present=["=cmd"], numbers=["row"])


def check_handout_csvs(o: Outcome) -> None:
    files = sorted((o.tmp / "handouts").glob("*.csv"))
    assert files
    for f in files:
        assert_csv_inert(f.read_text(encoding="utf-8"), f"export csv {f.name}")
    assert_csv_inert((o.tmp / "handouts" / "summary.csv").read_text(encoding="utf-8"), "summary.csv",
                     present=["HYPERLINK"], numbers=["Target population"])


def check_xlsx(o: Outcome) -> None:
    assert_xlsx_inert(o.tmp / "handout.xlsx", present=["HYPERLINK", "@Food", "+Social", "@SUM"], numbers=[39813])


def check_gaps_markdown(o: Outcome) -> None:
    scan = assert_markdown_inert(o.stdout, "gaps --format markdown")
    header, *body = scan.rows
    assert len(body) == 3, f"3 rows expected (one per area), the rendered table has {len(body)}"
    assert all(len(r) == len(header) for r in body), "a row has the wrong number of cells"
    assert {r[1] for r in body} == set(AREA_NAMES.values()), f"area cells altered: {[r[1] for r in body]}"


def check_whatif_markdown(o: Outcome) -> None:
    assert_markdown_inert(o.stdout, "gaps --add --format markdown")


def check_report_markdown(o: Outcome) -> None:
    scan = assert_markdown_inert((o.tmp / "cards.md").read_text(encoding="utf-8"), "report --format markdown")
    cells = [c for r in scan.rows for c in r]
    assert any("<img src=z onerror=alert(3)>" in c for c in cells), "the asset name is not shown as text"
    assert any("a|b `c` club" in c for c in cells), "a name with | and backticks is altered"
    assert any("Tea" in c and "and chat" in c for c in cells), "a name with a line break breaks the table"


def check_report_html(o: Outcome) -> None:
    scan = scan_html((o.tmp / "cards.html").read_text(encoding="utf-8"))
    assert not scan.live, f"live HTML in the gap cards: {scan.live[:3]}"


def check_export_html(o: Outcome) -> None:
    scan = scan_html((o.tmp / "map.html").read_text(encoding="utf-8"))
    assert not scan.live, f"live HTML in the map: {scan.live[:3]}"


# --------------------------------------------------------------------------- setups
def ws_args(*args, variant: str = "base"):
    """A setup: the workspace ``variant`` and the command ``args`` (callables get tmp_path), with -w."""
    def setup(d: Path) -> list:
        ws = make_ws(d, variant)
        return [a(d) if callable(a) else a for a in args] + ["-w", ws]
    return setup


def fresh_args(*args, ws_name: str = "ws.gpkg"):
    """A setup without a workspace yet (inputs from callables given tmp_path)."""
    def setup(d: Path) -> list:
        return [a(d) if callable(a) else a for a in args] + ["-w", d / ws_name]
    return setup


def f_areas(d):
    return areas_file(d, "new-areas.geojson")


def f_assets(d):
    return assets_file(d)


def csv_text(name: str, text: str | bytes):
    return lambda d: text_file(d, name, text)


def rows_csv(name: str, header, rows, encoding="utf-8"):
    return lambda d: write_csv(d / name, header, rows, encoding=encoding)


def adir(d):
    (d / "adir").mkdir(exist_ok=True)
    return d / "adir"


def under_a_file(name: str):
    def make(d):
        (d / "plain.txt").write_text("a file, not a folder")
        return d / "plain.txt" / name
    return make


def the_ws(d):
    return d / "ws.gpkg"


def geojson_text(name: str, features: list):
    return csv_text(name, json.dumps({"type": "FeatureCollection", "features": features}))


def _feature(geometry, **props):
    return {"type": "Feature", "properties": {"area_code": "G1", "area_name": "G", **props}, "geometry": geometry}


SQUARE_LONLAT = [[[-1.27, 52.60], [-1.27, 52.61], [-1.25, 52.61], [-1.25, 52.60], [-1.27, 52.60]]]


def nan_polygon(d):
    ring = "[[-1.27, 52.60], [-1.27, 52.61], [NaN, 52.61], [-1.25, 52.60], [-1.27, 52.60]]"
    text = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"area_code": "N1", "area_name": "Nan"}, "geometry": {"type": "Polygon", "coordinates": [' + ring + "]}}]}")
    return text_file(d, "ring.geojson", text)


def sep_population(d):
    import geopandas as gpd

    gpd.GeoDataFrame({"area_code": ["W01", "E01"], "area_name": ["West", "East"], "pop": ["39,813", "5,000"]},
                     geometry=[square(X0, Y0, 2000), square(X0 + 2000, Y0, 2000)],
                     crs=27700).to_crs(4326).to_file(d / "sep.geojson")
    return d / "sep.geojson"


def patients_points(d):
    import geopandas as gpd

    gpd.GeoDataFrame({"code": ["S1", "S2"], "Patients": [1000, 2000]},
                     geometry=gpd.points_from_xy([X0 + 500, X0 + 2500], [Y0 + 1000, Y0 + 1000]),  # W01, E01
                     crs=27700).to_file(d / "patients.geojson")
    return d / "patients.geojson"


def xlsx_with_formula(d):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Club", "carers", LAT, LON])
    sheet.append(["=1+1", "carers", LAT, LON + 0.001])  # a formula saved without its value
    book.save(d / "formula.xlsx")
    return d / "formula.xlsx"


def not_a_shapefile_zip(d):
    with zipfile.ZipFile(d / "notshp.zip", "w") as z:
        z.writestr("readme.txt", "no shapefile in here")
    return d / "notshp.zip"


def not_an_xlsx(d):
    with zipfile.ZipFile(d / "notx.xlsx", "w") as z:
        z.writestr("hello.txt", "hi")
    return d / "notx.xlsx"


def need_csv(name, rows, header=("code", "score")):
    return rows_csv(name, list(header), rows)


def taxonomy_csv(name, *rows):
    return rows_csv(name, HOSTILE_TAXONOMY[0], list(rows))


# setups that change files around the workspace
def symlinked_ws(d):
    make_ws(d)
    (d / "real").mkdir()
    shutil.move(d / "ws.gpkg", d / "real" / "ws.gpkg")
    os.symlink(d / "real" / "ws.gpkg", d / "ws.gpkg")
    return ["import", assets_file(d), "--source", "second", "-w", d / "ws.gpkg"]


def readonly_ws(*command):
    def setup(d):
        ws = make_ws(d)
        os.chmod(ws, 0o444)
        return [a(d) if callable(a) else a for a in command] + ["-w", ws]
    return setup


def readonly_target(command, name):
    def setup(d):
        ws = make_ws(d)
        (d / name).write_bytes(b"old")
        os.chmod(d / name, 0o444)
        return list(command) + ["-o", d / name, "-w", ws]
    return setup


def readonly_dir(d):
    make_ws(d)
    (d / "ro").mkdir()
    shutil.move(d / "ws.gpkg", d / "ro" / "ws.gpkg")
    os.chmod(d / "ro", 0o555)
    return ["import", assets_file(d), "--source", "x", "-w", d / "ro" / "ws.gpkg"]


def link_to_ws(d):
    ws = make_ws(d)
    os.symlink(ws, d / "link.xlsx")
    return ["export", "xlsx", "-o", d / "link.xlsx", "-w", ws]


def long_ws_existing(d):
    make_ws(d)
    long = d / ("w" * 245 + ".gpkg")
    shutil.move(d / "ws.gpkg", long)
    return ["import", assets_file(d), "--source", "x", "-w", long]


def long_area_report(d):
    ws = asset_map.Workspace(d / "ws.gpkg")
    ws.load_boundaries(areas_file(d, "long.geojson", names=("W" * 300, "East")), code_field="area_code",
                       name_field="area_name", population_field="pop")
    return ["report", "-f", "markdown", "-o", d / "cards.md", "-w", d / "ws.gpkg"]


def hot_journal(d):
    """A writer killed mid-transaction: ``ws.gpkg-journal`` beside the workspace (a hot journal)."""
    ws = make_ws(d)
    code = (
        "import os, sqlite3\n"
        f"con = sqlite3.connect({str(ws)!r}, isolation_level=None)\n"
        "con.execute('PRAGMA journal_mode=DELETE'); con.execute('PRAGMA cache_size=1')\n"
        "con.execute('BEGIN'); con.execute(\"UPDATE imports SET source = 'CHANGED'\")\n"
        "con.execute('CREATE TABLE junk(x)')\n"
        "con.executemany('INSERT INTO junk VALUES (?)', [('x' * 500,)] * 2000)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    assert (d / "ws.gpkg-journal").is_file(), "could not make a hot journal"
    return ["status", "-w", ws]


def stale_copy(d):
    """A command killed while writing its private copy: the copy and its journal are left."""
    ws = make_ws(d)
    pid = dead_pid()
    shutil.copy(ws, d / f".ws.{pid}.tmp.gpkg")
    (d / f".ws.{pid}.tmp.gpkg-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504)
    return ["import", assets_file(d), "--source", "again", "-w", ws]


def stale_lock(d):
    ws = make_ws(d)
    (d / ".ws.gpkg.lock").write_text(str(dead_pid()))
    return ["import", assets_file(d), "--source", "again", "-w", ws]


def empty_lock(d):
    ws = make_ws(d)
    (d / ".ws.gpkg.lock").write_text("")
    return ["import", assets_file(d), "--source", "again", "-w", ws]


def inspect_over_input(d):
    ws = make_ws(d)
    src = write_csv(d / "assets2.csv", HEADER, [asset_row("Club", "zzzqqq", X0 + 100, Y0 + 100)])
    return ["inspect", src, "--save-category-map", src, "-w", ws]


def demo_over_workspace(d):
    return ["demo", "-w", make_ws(d), "--top", "1", "--outputs", d / "demo-out"]


def demo_outputs_file(d):
    (d / "out.txt").write_text("a file")
    return ["demo", "-w", d / "demo.gpkg", "--top", "1", "--outputs", d / "out.txt"]


def markup_csv(d):
    return write_csv(d / "markup.csv", HEADER, [asset_row("Club", "[/]", X0 + 100, Y0 + 100),
                                                ["Other", "carers", "x[/red]", "y"]])


OUT = r"(output|-o)"
FOLDER = r"(folder|directory)"
WS_REFUSED = [r"ws\.gpkg", r"workspace"]
STDOUT = [r"(stdout|standard output|-o -)"]
GDAL_CLEAN = r"^(?!.*(DRIVER|It might help|/vsi|sqlite3_|not recognized as being|not recognized as a supported))"
LONG = r"(too long|shorter)"

# --------------------------------------------------------------------------- the catalogue
CASES: list[Case] = [
    # 1. Writing over the workspace ------------------------------------------------------------
    Case("o-workspace-export-geojson", ws_args("export", "geojson", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-export-xlsx", ws_args("export", "xlsx", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-export-html", ws_args("export", "html", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-export-png", ws_args("export", "png", "--category", "carers", "-o", the_ws), 1, WS_REFUSED,
         gpkg=True),
    Case("o-workspace-export-gpkg", ws_args("export", "gpkg", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-export-oruk", ws_args("export", "oruk", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-export-csv", ws_args("export", "csv", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-gaps-csv", ws_args("gaps", "--format", "csv", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-gaps-table", ws_args("gaps", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-report", ws_args("report", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-rejects", ws_args("rejects", "-o", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-duplicates-csv", ws_args("duplicates", "-f", "csv", "-o", the_ws, variant="dups"), 1,
         WS_REFUSED, gpkg=True),
    Case("o-workspace-import-save-category-map",
         ws_args("import", rows_csv("words.csv", HEADER, [asset_row("Club", "zzzqqq", X0 + 100, Y0 + 100)]),
                 "--save-category-map", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-inspect-save-category-map",
         ws_args("inspect", rows_csv("words.csv", HEADER, [asset_row("Club", "zzzqqq", X0 + 100, Y0 + 100)]),
                 "--save-category-map", the_ws), 1, WS_REFUSED, gpkg=True),
    Case("o-workspace-relative-path", lambda d: ["gaps", "-f", "csv", "-o", "ws.gpkg", "-w", make_ws(d)], 1,
         WS_REFUSED, gpkg=True),
    Case("o-symlink-to-workspace", link_to_ws, 1, [r"link\.xlsx|ws\.gpkg", r"workspace"], gpkg=True,
         check=lambda o: assert_is_symlink(o.tmp / "link.xlsx")),
    Case("o-workspace-lock-file", ws_args("export", "geojson", "-o", lambda d: d / ".ws.gpkg.lock"), 1,
         [r"\.ws\.gpkg\.lock", r"lock"], gpkg=True),
    Case("o-workspace-journal-file", ws_args("gaps", "-f", "csv", "-o", lambda d: d / "ws.gpkg-journal"), 1,
         [r"ws\.gpkg-journal", r"journal|workspace"], gpkg=True),
    Case("import-the-workspace-into-itself", ws_args("import", the_ws, "--layer", "assets"), 1, WS_REFUSED,
         gpkg=True),
    Case("w-symlink-writes-through", symlinked_ws, 0, gpkg=True, check=check_symlinked_workspace),
    Case("w-read-only-file-import", readonly_ws("import", f_assets, "--source", "x"), 1,
         [r"ws\.gpkg", r"read-only|read only|permission"], gpkg=True, check=check_mode_kept("ws.gpkg", 0o444)),
    Case("w-read-only-file-boundaries", readonly_ws("boundaries", "load", f_areas), 1,
         [r"ws\.gpkg", r"read-only|read only|permission"], gpkg=True, check=check_mode_kept("ws.gpkg", 0o444)),
    Case("o-read-only-target-xlsx", readonly_target(["export", "xlsx"], "out.xlsx"), 1,
         [r"out\.xlsx", r"read-only|read only|permission"], gpkg=True, check=file_kept("out.xlsx", b"old")),
    Case("o-read-only-target-gaps-csv", readonly_target(["gaps", "-f", "csv"], "out.csv"), 1,
         [r"out\.csv", r"read-only|read only|permission"], gpkg=True, check=file_kept("out.csv", b"old")),
    Case("o-stdout-xlsx-refused", ws_args("export", "xlsx", "-o", "-"), (1, 2), STDOUT, gpkg=True,
         check=no_file("-")),
    Case("o-stdout-png-refused", ws_args("export", "png", "--category", "carers", "-o", "-"), (1, 2), STDOUT,
         gpkg=True, check=no_file("-")),
    Case("o-stdout-gpkg-refused", ws_args("export", "gpkg", "-o", "-"), (1, 2), STDOUT, gpkg=True,
         check=no_file("-")),
    Case("o-stdout-export-csv-refused", ws_args("export", "csv", "-o", "-"), (1, 2), STDOUT, gpkg=True,
         check=no_file("-")),
    Case("o-stdout-oruk-refused", ws_args("export", "oruk", "-o", "-"), (1, 2), STDOUT, gpkg=True,
         check=no_file("-")),
    Case("o-stdout-report-html", ws_args("report", "-o", "-"), 0, gpkg=True, check=check_stdout_html),
    Case("o-stdout-geojson", ws_args("export", "geojson", "-o", "-"), 0, gpkg=True,
         check=lambda o: json.loads(o.stdout) and no_file("-")(o)),
    Case("o-stdout-gaps-csv", ws_args("gaps", "-f", "csv", "-o", "-"), 0, gpkg=True,
         check=lambda o: o.stdout.startswith("priority,") and no_file("-")(o)),

    # 2. Tracebacks: bad paths -------------------------------------------------------------------
    Case("w-directory-import", lambda d: ["import", assets_file(d), "-w", adir(d)], 1, [r"adir", FOLDER], gpkg=True),
    Case("w-directory-gaps", lambda d: ["gaps", "-w", adir(d)], 1, [r"adir", FOLDER], gpkg=True),
    Case("w-directory-status", lambda d: ["status", "-w", adir(d)], 1, [r"adir", FOLDER], gpkg=True),
    Case("w-directory-boundaries", lambda d: ["boundaries", "load", f_areas(d), "-w", adir(d)], 1,
         [r"adir", FOLDER], gpkg=True),
    Case("w-text-file-not-a-workspace", lambda d: ["import", assets_file(d), "-w", csv_text("notes.gpkg", "hello")(d)],
         1, [r"notes\.gpkg", r"not a GeoPackage"], gpkg=True, check=wrote_text("notes.gpkg", "hello")),
    Case("w-read-only-directory", readonly_dir, 1, [r"ro", r"read-only|read only|permission|cannot write"],
         gpkg=True, needs_non_root=True),
    Case("w-name-too-long-new", fresh_args("boundaries", "load", f_areas, ws_name="w" * 245 + ".gpkg"), (0, 1),
         [LONG], gpkg=True),
    Case("w-name-too-long-existing", long_ws_existing, (0, 1), [LONG], gpkg=True),
    Case("o-directory-export-geojson", ws_args("export", "geojson", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-export-xlsx", ws_args("export", "xlsx", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-export-html", ws_args("export", "html", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-export-png", ws_args("export", "png", "--category", "carers", "-o", adir), 1,
         [r"adir", FOLDER], gpkg=True),
    Case("o-directory-export-gpkg", ws_args("export", "gpkg", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-gaps-csv", ws_args("gaps", "-f", "csv", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-gaps-table", ws_args("gaps", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-report", ws_args("report", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-directory-rejects", ws_args("rejects", "-o", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("o-parent-is-a-file-geojson", ws_args("export", "geojson", "-o", under_a_file("x.geojson")), 1,
         [r"plain\.txt", FOLDER], gpkg=True),
    Case("o-parent-is-a-file-xlsx", ws_args("export", "xlsx", "-o", under_a_file("x.xlsx")), 1,
         [r"plain\.txt", FOLDER], gpkg=True),
    Case("o-parent-is-a-file-export-csv", ws_args("export", "csv", "-o", under_a_file("out")), 1,
         [r"plain\.txt", FOLDER], gpkg=True),
    Case("o-parent-is-a-file-oruk", ws_args("export", "oruk", "-o", under_a_file("out")), 1,
         [r"plain\.txt", FOLDER], gpkg=True),
    Case("o-parent-is-a-file-report", ws_args("report", "-o", under_a_file("c.html")), 1,
         [r"plain\.txt", FOLDER], gpkg=True),
    Case("o-name-too-long", ws_args("export", "geojson", "-o", lambda d: d / ("o" * 246 + ".geojson")), (0, 1),
         [LONG], gpkg=True, check=written_if_ok("o" * 246 + ".geojson")),
    # The map's file name takes at most 60 characters of the area name, so the cards are written.
    Case("report-area-name-too-long-for-map-file", long_area_report, 0, gpkg=True,
         check=written_if_ok("cards.md")),
    Case("copy-target-is-a-directory", ws_args("copy", adir), 1, [r"adir", FOLDER], gpkg=True),
    Case("copy-target-holds-a-workspace", ws_args("copy", the_ws), 1, [r"ws\.gpkg", r"already holds"], gpkg=True),
    Case("demo-over-a-users-workspace", demo_over_workspace, 1, [r"ws\.gpkg", r"demo"], gpkg=True),
    Case("demo-outputs-is-a-file", demo_outputs_file, 1, [r"out\.txt", FOLDER], gpkg=True),

    Case("network-load-a-folder", ws_args("network", "load", adir), 1, [r"adir", FOLDER, r"\.osm\.pbf"]),
    Case("network-load-missing-file", ws_args("network", "load", lambda d: d / "nope.osm.pbf"), 1,
         [r"nope\.osm\.pbf", r"no such file", r"geofabrik"]),
    Case("network-load-the-workspace", ws_args("network", "load", the_ws), 1,
         [r"ws\.gpkg", r"not an OpenStreetMap PBF extract"], gpkg=True),

    # 2. Tracebacks: hostile geometry and text ----------------------------------------------------
    Case("boundaries-nan-coordinates", fresh_args("boundaries", "load", nan_polygon), 1,
         [r"ring\.geojson", r"NaN|not a number|missing coordinate"]),
    Case("report-mathtext-area-name", ws_args("report", "-o", lambda d: d / "c.html", variant="dollar"), 0,
         check=wrote_text("c.html", "\\frac{a")),
    Case("report-markdown-mathtext-area-name",
         ws_args("report", "-f", "markdown", "-o", lambda d: d / "c.md", variant="dollar"), 0,
         check=wrote_text("c.md", "frac")),
    Case("png-mathtext-area-name", ws_args("export", "png", "--category", "carers", "-o", lambda d: d / "c.png",
                                           variant="dollar"), 0, check=wrote_png("c.png")),
    Case("png-mathtext-title", ws_args("export", "png", "--category", "carers", "--title", "$\\frac$ and $x^$",
                                       "-o", lambda d: d / "t.png"), 0, check=wrote_png("t.png")),
    Case("html-title-with-dollars", ws_args("export", "html", "--title", "$x^$", "-o", lambda d: d / "t.html"), 0,
         check=wrote_text("t.html", "$x^$")),
    Case("markup-in-missing-file-name", ws_args("import", lambda d: d / "no[/]such.csv"), 1,
         [r"no\[/\]such\.csv", r"no such file"]),
    Case("markup-eats-the-file-name", ws_args("import", lambda d: d / "[bold]gone.csv"), 1,
         [r"\[bold\]gone\.csv"]),
    Case("markup-in-cells", ws_args("import", markup_csv), 0, [r"'x\[/red\]'"], rows=2),
    Case("markup-in-gaps-area", ws_args("gaps", "--area", "[/]"), 1, [r"\[/\]"]),

    # 3./4. Hostile cells in every CSV, XLSX, Markdown and HTML output -----------------------------
    Case("hostile-gaps-csv", ws_args("gaps", "-f", "csv", variant="hostile"), 0, check=check_gaps_csv),
    Case("hostile-whatif-csv", ws_args("gaps", "-f", "csv", "--add", f'=HYPERLINK("http://w");plain;{LONS},{LATS}',
                                       variant="hostile"), 0, check=check_whatif_csv),
    Case("hostile-duplicates-csv", ws_args("duplicates", "-f", "csv", variant="hostile"), 0,
         check=check_duplicates_csv),
    Case("hostile-population-check-csv",
         ws_args("population", "check", rows_csv("est.csv", ["area_code", "area_name", "all_ages"],
                                                 [["W01", "West", "39,000"], ["=Z9", '=HYPERLINK("http://x")', "5"]]),
                 "-f", "csv", variant="hostile"), 0, check=check_population_check_csv),
    Case("hostile-save-category-map-import",
         ws_args("import", lambda d: d / "hostile.csv", "--source", "=SRC2()", "--save-category-map",
                 lambda d: d / "decisions.csv", variant="hostile"), 0, check=check_category_map, rows=15),
    Case("hostile-save-category-map-inspect",
         ws_args("inspect", lambda d: d / "hostile.csv", "--save-category-map", lambda d: d / "decisions.csv",
                 variant="hostile"), 0, check=check_category_map),
    Case("hostile-export-oruk", ws_args("export", "oruk", "-o", lambda d: d / "oruk", variant="hostile"), 0,
         check=check_oruk),
    Case("hostile-taxonomy-show", ws_args("taxonomy", "show", variant="hostile"), 0, check=check_taxonomy_show),
    Case("hostile-rejects-csv", ws_args("rejects", variant="hostile"), 0, check=check_rejects_csv),
    Case("hostile-export-xlsx", ws_args("export", "xlsx", "-o", lambda d: d / "handout.xlsx", variant="hostile"), 0,
         check=check_xlsx),
    Case("hostile-export-csv", ws_args("export", "csv", "-o", lambda d: d / "handouts", variant="hostile"), 0,
         check=check_handout_csvs),
    Case("hostile-gaps-markdown", ws_args("gaps", "-f", "markdown", "--category", "plain", variant="hostile"), 0,
         check=check_gaps_markdown),
    Case("hostile-whatif-markdown",
         ws_args("gaps", "-f", "markdown", "--add", f"<img src=y onerror=alert(2)>;plain;{LONS},{LATS}",
                 variant="hostile"), 0, check=check_whatif_markdown),
    Case("hostile-report-markdown", ws_args("report", "-f", "markdown", "-o", lambda d: d / "cards.md",
                                            variant="hostile"), 0, check=check_report_markdown),
    Case("hostile-report-html", ws_args("report", "-o", lambda d: d / "cards.html", variant="hostile"), 0,
         check=check_report_html),
    Case("hostile-export-html", ws_args("export", "html", "--title", "<img src=t onerror=alert(4)>", "-o",
                                        lambda d: d / "map.html", variant="hostile"), 0, check=check_export_html),

    # 5. Silent wrong values -----------------------------------------------------------------------
    Case("need-inf", ws_args("need", "load", need_csv("need.csv", [["S1", "inf"], ["S2", "10"], ["S3", "12"],
                                                                  ["S4", "9"]])), 1, [r"row 2", r"inf"]),
    Case("need-minus-inf", ws_args("need", "load", need_csv("need.csv", [["S1", "3"], ["S2", "-inf"], ["S3", "12"],
                                                                         ["S4", "9"]])), 1, [r"row 3", r"inf"]),
    Case("need-nan", ws_args("need", "load", need_csv("need.csv", [["S1", "NaN"], ["S2", "10"], ["S3", "12"],
                                                                  ["S4", "9"]])), (0, 1), [r"NaN"]),
    Case("taxonomy-inf-catchment", ws_args("taxonomy", "load", taxonomy_csv("t.csv", ["x", "X", "inf", "all", ""])),
         1, [r"catchment_m", r"inf"]),
    Case("taxonomy-nan-catchment", ws_args("taxonomy", "load", taxonomy_csv("t.csv", ["x", "X", "nan", "all", ""])),
         1, [r"catchment_m"]),
    Case("boundaries-geometry-collection",
         fresh_args("boundaries", "load", geojson_text("gc.geojson", [_feature({"type": "GeometryCollection",
             "geometries": [{"type": "Polygon", "coordinates": SQUARE_LONLAT},
                            {"type": "LineString", "coordinates": [[-1.2, 52.6], [-1.1, 52.6]]}]})])),
         (0, 1), [r"geometry ?collection"]),
    # A refusal, or an import that says the option was ignored.
    Case("import-sheet-on-a-csv", ws_args("import", f_assets, "--sheet", "Services"), (0, 1, 2), [r"--sheet"]),
    Case("import-layer-on-a-csv", ws_args("import", f_assets, "--layer", "assets"), (0, 1, 2), [r"--layer"]),
    Case("import-crosswalk-missing", ws_args("import", f_assets, "--crosswalk", lambda d: d / "nope.csv"), 1,
         [r"nope\.csv", r"no such file"]),
    Case("gaps-area-empty", ws_args("gaps", "--area", ""), (1, 2), [r"area"]),
    Case("gaps-category-empty", ws_args("gaps", "--category", ""), (1, 2), [r"category"]),
    Case("report-area-empty", ws_args("report", "--area", "", "-o", lambda d: d / "c.html"), (1, 2), [r"area"]),
    Case("boundaries-negative-population",
         fresh_args("boundaries", "load", lambda d: areas_file(d, "neg.geojson", pops=(-5, 100)),
                    "--population-field", "pop"), 1, [r"neg\.geojson", r"-5"]),
    Case("export-assets-unknown-category",
         ws_args("export", "geojson", "--layer", "assets", "--category", "nonsense", "-o", lambda d: d / "a.geojson"),
         (1, 2), [r"nonsense|--category"]),
    Case("rejects-unknown-source", ws_args("rejects", "--source", "nope"), (0, 1), [r"nope"]),

    # 6. Wrong messages ----------------------------------------------------------------------------
    Case("import-cell-too-long",
         ws_args("import", csv_text("longcell.csv", f"Name,Category,Latitude,Longitude\nA,carers,{LATS},{LONS}\n"
                                    f"{'x' * 140_000},carers,{LATS},{LONS}\n")),
         1, [r"longcell\.csv", r"row 3", r"too long", r"^(?!.*quote)"]),
    Case("import-line-of-5-mb",
         ws_args("import", csv_text("longline.csv", f"Name,Category,Latitude,Longitude,Description\n"
                                    f"A,carers,{LATS},{LONS},{'y' * 5_000_000}\n")),
         1, [r"longline\.csv", r"row 2", r"too long", r"^(?!.*quote)"]),
    Case("gdal-advice-bad-geojson", ws_args("import", csv_text("bad.geojson", "{not json")), 1,
         [GDAL_CLEAN, r"bad\.geojson"]),
    Case("gdal-advice-bad-shapefile", fresh_args("boundaries", "load", csv_text("x.shp", b"\0" * 100)), 1,
         [GDAL_CLEAN, r"x\.shp"]),
    Case("gdal-advice-zip-without-shapefile", fresh_args("boundaries", "load", not_a_shapefile_zip), 1,
         [GDAL_CLEAN, r"notshp\.zip"]),
    Case("gdal-advice-bad-geopackage", ws_args("import", csv_text("bad.gpkg", b"SQLite format 3\0" + b"\0" * 2000)),
         1, [GDAL_CLEAN, r"bad\.gpkg"]),
    Case("header-duplicated", ws_args("import", csv_text("dup.csv", f"Name,Name,Latitude,Longitude\nA,B,{LATS},{LONS}\n")),
         1, [r"dup\.csv", r"'Name'", r"twice|more than once", r"rename"]),
    Case("header-empty-cell-over-the-names",
         ws_args("import", csv_text("eh.csv", f",Category,Latitude,Longitude\nA,carers,{LATS},{LONS}\n")),
         1, [r"eh\.csv", r"empty|no header", r"--map name"]),
    Case("header-empty-cell-elsewhere",
         ws_args("import", csv_text("eh2.csv", f"Name,,Latitude,Longitude\nA,carers,{LATS},{LONS}\n")),
         0, [r"column B has no header"], rows=1),
    Case("header-all-numbers",
         ws_args("import", csv_text("nh.csv", f"1,2,{LATS},{LONS}\nA,carers,{LATS},{LONS}\n")),
         1, [r"nh\.csv", r"header", r"number"]),
    Case("need-code-column-not-found", ws_args("need", "load", need_csv("n.csv", [["S1", "3"], ["S2", "4"]],
                                                                        header=("Zone", "Deprivation"))),
         1, [r"n\.csv", r"Zone", r"--code-column"]),
    Case("need-codes-of-another-geography", ws_args("need", "load", need_csv("n.csv", [["W01", "3"], ["E01", "4"]])),
         1, [r"n\.csv", r"W01|E01"]),
    Case("xlsx-formula-without-a-value", ws_args("import", xlsx_with_formula), 0, [r"row 3.*formula"], rows=2),
    Case("semicolon-csv-decimal-comma",
         ws_args("import", csv_text("semi.csv", f"Name;Category;Latitude;Longitude\nA;carers;"
                                    f"{LATS.replace('.', ',')};{LONS.replace('.', ',')}\n")),
         0, rows=1, check=check_decimal_comma),
    Case("taxonomy-empty-file", ws_args("taxonomy", "load", csv_text("t.csv", "")), 1, [r"t\.csv", r"empty"]),

    Case("network-load-empty-file", ws_args("network", "load", csv_text("empty.osm.pbf", b"")), 1,
         [r"empty\.osm\.pbf", r"not an OpenStreetMap PBF extract", r"download"]),
    Case("network-load-xml-extract", ws_args("network", "load", csv_text("m.osm", "<osm version='0.6'/>")), 1,
         [r"m\.osm", r"not an OpenStreetMap PBF extract"]),
    Case("network-load-negative-margin", ws_args("network", "load", csv_text("x.osm.pbf", "x"), "--margin", "-5"),
         2),
    Case("network-load-before-boundaries", fresh_args("network", "load", csv_text("x.osm.pbf", "x")), 1,
         [r"no areas loaded", r"boundaries load"]),

    # 7. Leftovers -----------------------------------------------------------------------------------
    Case("hot-journal-beside-the-workspace", hot_journal, 0, [r"journal"], gpkg=True, unchanged=False,
         check=check_hot_journal),
    Case("stale-copy-and-its-journal", stale_copy, 0, gpkg=True),
    Case("stale-lock-of-a-dead-process", stale_lock, 0, gpkg=True),
    Case("empty-lock-file", empty_lock, (0, 1), [r"\.ws\.gpkg\.lock"], gpkg=True, leftovers_ok=True,
         env={"ASSET_MAP_LOCK_TIMEOUT": "1"}, check=check_empty_lock),

    # 8. Input shapes that fool detection -------------------------------------------------------------
    Case("population-field-thousands-separators", fresh_args("boundaries", "load", sep_population,
                                                             "--population-field", "pop"), 0,
         [r"population 44,813"]),
    Case("population-csv-patients-column",
         fresh_args("boundaries", "load", f_areas, "--population",
                    rows_csv("gp.csv", ["area_code", "Patients"], [["W01", "8000"], ["E01", "4000"]])), 0,
         [r"population 12,000"]),
    Case("population-layer-patients-field", ws_args("population", "load", patients_points), 0, [r"3,000 people"]),
    Case("json-list-of-records",
         ws_args("import", csv_text("records.json", json.dumps([
             {"Name": "Practice A", "Category": "carers", "Latitude": LAT, "Longitude": LON},
             {"Name": "Practice B", "Category": "carers", "Latitude": LAT, "Longitude": LON + 0.01}]))),
         (0, 1), [r"records\.json"], check=check_records_json),
    Case("zero-imported-all-outside-gb", ws_args("import", rows_csv("paris.csv", HEADER, [["Paris", "carers", "48.85",
                                                                                          "2.35"]])),
         0, rows=1),
    Case("zero-imported-no-postcode-lookup",
         ws_args("import", rows_csv("pc.csv", ["Name", "Category", "Postcode"], [["A", "carers", "M32 0TH"],
                                                                                 ["B", "carers", "M33 7XX"]])),
         0, rows=2),

    # Sweep: every command, inputs that already work or are already refused well ---------------------
    Case("import-missing-file", ws_args("import", lambda d: d / "nope.csv"), 1, [r"nope\.csv", r"no such file"]),
    Case("import-empty-file", ws_args("import", csv_text("empty.csv", "")), 1, [r"empty\.csv", r"empty"]),
    Case("import-only-blank-lines", ws_args("import", csv_text("blank.csv", "\n\n\n")), 1, [r"blank\.csv", r"empty"]),
    Case("import-only-a-header", ws_args("import", csv_text("head.csv", "Name,Category,Latitude,Longitude\n")), 1,
         [r"head\.csv", r"no data rows"]),
    Case("import-binary-file", ws_args("import", csv_text("bin.csv", bytes(range(256)) * 20)), 1,
         [r"bin\.csv", r"binary"]),
    Case("import-a-folder", ws_args("import", adir), 1, [r"adir", FOLDER]),
    Case("import-windows-1252", ws_args("import", rows_csv("latin.csv", HEADER, [["Café", "carers", LATS, LONS]],
                                                           encoding="cp1252")), 0, [r"cp1252"], rows=1),
    Case("import-utf-16", ws_args("import", rows_csv("u16.csv", HEADER, [["Club", "carers", LATS, LONS]],
                                                     encoding="utf-16")), 0, [r"UTF-16"], rows=1),
    Case("import-a-row-outside-gb", ws_args("import", rows_csv("some.csv", HEADER, [["Paris", "carers", "48.85", "2.35"],
                                                                                   ["Here", "carers", LATS, LONS]])),
         0, [r"row 2.*outside Great Britain"], rows=2),
    Case("import-infinite-coordinates",
         ws_args("import", rows_csv("inf.csv", HEADER, [["A", "carers", "inf", LONS], ["B", "carers", LATS, LONS]])),
         0, [r"row 2"], rows=2),
    Case("import-unknown-category", ws_args("import", rows_csv("u.csv", HEADER, [["A", "zzzqqq", LATS, LONS]])), 0,
         [r"unknown category 'zzzqqq'"], rows=1),
    Case("import-null-geometry",
         ws_args("import", csv_text("g.geojson", json.dumps({"type": "FeatureCollection", "features": [
             {"type": "Feature", "properties": {"name": "A", "category": "carers"}, "geometry": None},
             {"type": "Feature", "properties": {"name": "B", "category": "carers"},
              "geometry": {"type": "Point", "coordinates": [LON, LAT]}}]}))), 0, [r"row 1.*no geometry"], rows=2),
    Case("import-json-not-a-feed", ws_args("import", csv_text("obj.json", '{"foo": 1}')), 1, [r"obj\.json", r"foo"]),
    Case("import-xlsx-corrupt", ws_args("import", csv_text("bad.xlsx", b"PK\x03\x04" + b"x" * 100)), 1,
         [r"bad\.xlsx", r"Excel"]),
    Case("import-zip-not-xlsx", ws_args("import", not_an_xlsx), 1, [r"notx\.xlsx"]),
    Case("import-xlsx-named-csv", ws_args("import", lambda d: shutil.copy(xlsx_with_formula(d), d / "x.csv")), 1,
         [r"x\.csv", r"rename"]),
    Case("import-xlsx-unknown-sheet", ws_args("import", xlsx_with_formula, "--sheet", "Nope"), 1,
         [r"formula\.xlsx", r"no sheet 'Nope'"]),
    Case("import-unknown-encoding", ws_args("import", f_assets, "--encoding", "nonsense-codec"), 1,
         [r"nonsense-codec"]),
    Case("import-map-without-equals", ws_args("import", f_assets, "--map", "name"), (1, 2), [r"--map", r"field=Column"]),
    Case("import-map-missing-column", ws_args("import", f_assets, "--map", "name=Nope"), 1, [r"'Nope'", r"columns"]),
    Case("import-map-unknown-field", ws_args("import", f_assets, "--map", "colour=Name"), (1, 2), [r"'colour'"]),
    Case("import-unknown-category-option", ws_args("import", f_assets, "--category", "nonsense"), (1, 2),
         [r"'nonsense'"]),
    Case("import-category-map-missing", ws_args("import", f_assets, "--category-map", lambda d: d / "nope.csv"), 1,
         [r"nope\.csv"]),
    Case("import-chunk-rows-zero", ws_args("import", f_assets, "--chunk-rows", "0"), 2, [r"--chunk-rows"]),
    Case("import-no-file-no-url", ws_args("import"), 2, [r"FILE"]),
    Case("import-postcode-service-unreachable",
         ws_args("import", rows_csv("pc.csv", ["Name", "Category", "Postcode"], [["A", "carers", "M32 0TH"]]),
                 "--online", "--postcode-service", "http://127.0.0.1:9", "--timeout", "1"), 1,
         [r"127\.0\.0\.1:9", r"postcodes load"]),
    Case("import-long-file-name", ws_args("import", lambda d: shutil.copy(assets_file(d), d / ("a" * 248 + ".csv"))),
         0, rows=3, gpkg=True),
    Case("inspect-save-category-map-over-its-input", inspect_over_input, 1, [r"assets2\.csv"], gpkg=True,
         check=check_inspect_kept_input),
    Case("inspect-missing-file", ws_args("inspect", lambda d: d / "nope.csv"), 1, [r"nope\.csv", r"no such file"]),
    Case("boundaries-missing-file", fresh_args("boundaries", "load", lambda d: d / "nope.geojson"), 1,
         [r"nope\.geojson", r"no such file"]),
    Case("boundaries-a-folder", fresh_args("boundaries", "load", adir), 1, [r"adir", FOLDER]),
    Case("boundaries-empty-file", fresh_args("boundaries", "load", csv_text("e.geojson", "")), 1,
         [r"e\.geojson", r"empty"]),
    Case("boundaries-no-features", fresh_args("boundaries", "load", geojson_text("nf.geojson", [])), 1,
         [r"nf\.geojson", r"no features"]),
    Case("boundaries-points", fresh_args("boundaries", "load", lambda d: write_points(d / "pts.geojson", POINTS[:2])),
         1, [r"pts\.geojson", r"polygons"]),
    Case("boundaries-duplicate-codes",
         fresh_args("boundaries", "load", lambda d: write_areas(d / "dup.geojson", [
             ("W01", "West", 1, square(X0, Y0, 2000)), ("W01", "East", 1, square(X0 + 2000, Y0, 2000))],
             crs="EPSG:4326")), 1, [r"dup\.geojson", r"'W01'", r"unique"]),
    Case("boundaries-self-intersecting-repaired",
         fresh_args("boundaries", "load", geojson_text("bow.geojson", [_feature({"type": "Polygon", "coordinates": [[
             [-1.27, 52.60], [-1.25, 52.61], [-1.25, 52.60], [-1.27, 52.61], [-1.27, 52.60]]]})])), 0,
         [r"repaired 1 invalid geometry"]),
    Case("boundaries-outside-gb",
         fresh_args("boundaries", "load", geojson_text("fr.geojson", [_feature({"type": "Polygon", "coordinates": [[
             [2.30, 48.80], [2.30, 48.90], [2.40, 48.90], [2.40, 48.80], [2.30, 48.80]]]})])), 1,
         [r"fr\.geojson", r"outside Great Britain"]),
    Case("boundaries-bad-crs", fresh_args("boundaries", "load", f_areas, "--crs", "nonsense"), (1, 2),
         [r"'nonsense'", r"EPSG:27700"]),
    Case("boundaries-population-field-missing", fresh_args("boundaries", "load", f_areas, "--population-field", "nope"),
         1, [r"'nope'", r"fields"]),
    Case("boundaries-dissolve-column-missing",
         fresh_args("boundaries", "load", f_areas, "--dissolve", rows_csv("lk.csv", ["code", "grp"], [["W01", "G1"]]),
                    "--into", "nope"), 1, [r"lk\.csv", r"'nope'"]),
    Case("population-missing-file", ws_args("population", "load", lambda d: d / "nope.geojson"), 1,
         [r"nope\.geojson", r"no such file"]),
    Case("population-check-missing-file", ws_args("population", "check", lambda d: d / "nope.csv"), 1,
         [r"nope\.csv", r"no such file"]),
    Case("population-check-duplicate-code",
         ws_args("population", "check", rows_csv("est.csv", ["area_code", "all_ages"], [["W01", "1"], ["W01", "2"]])),
         1, [r"est\.csv, row 3, column 'area_code'", r"more than once"]),
    Case("need-missing-file", ws_args("need", "load", lambda d: d / "nope.csv"), 1, [r"nope\.csv", r"no such file"]),
    Case("need-not-numbers", ws_args("need", "load", need_csv("n.csv", [["S1", "high"], ["S2", "low"]])), 1,
         [r"n\.csv", r"--column"]),
    Case("need-duplicate-code", ws_args("need", "load", need_csv("n.csv", [["S1", "1"], ["S1", "3"]])), 1,
         [r"row 3", r"more than once"]),
    Case("postcodes-missing-file", ws_args("postcodes", "load", lambda d: d / "nope.csv"), 1,
         [r"nope\.csv", r"no such file"]),
    Case("postcodes-no-coordinates", ws_args("postcodes", "load", csv_text("pc.csv", "postcode,foo\nM32 0TH,1\n")), 1,
         [r"pc\.csv", r"coordinate"]),
    Case("taxonomy-missing-file", ws_args("taxonomy", "load", lambda d: d / "nope.csv"), 1, [r"nope\.csv"]),
    Case("taxonomy-duplicate-id", ws_args("taxonomy", "load", taxonomy_csv("t.csv", ["x", "X", "100", "all", ""],
                                                                           ["x", "Y", "100", "all", ""])), 1,
         [r"row 3", r"unique"]),
    Case("taxonomy-bad-target-population",
         ws_args("taxonomy", "load", taxonomy_csv("t.csv", ["x", "X", "100", "martians", ""])), 1,
         [r"row 2", r"target_population"]),
    Case("gaps-unknown-area", ws_args("gaps", "--area", "Nowhere"), 1, [r"'Nowhere'", r"East, West"]),
    Case("gaps-unknown-category", ws_args("gaps", "--category", "nonsense"), 1, [r"'nonsense'", r"taxonomy show"]),
    Case("gaps-bad-date", ws_args("gaps", "--verified-since", "notadate"), (1, 2), [r"--verified-since"]),
    Case("gaps-bad-audience", ws_args("gaps", "--audience", "abc"), (1, 2), [r"--audience"]),
    Case("gaps-bad-when", ws_args("gaps", "--when", "midnight"), (1, 2), [r"--when"]),
    Case("gaps-top-zero", ws_args("gaps", "--top", "0"), 2, [r"--top"]),
    Case("gaps-bad-format", ws_args("gaps", "--format", "pdf"), 2, [r"--format"]),
    Case("gaps-add-malformed", ws_args("gaps", "--add", "justname"), (1, 2), [r"--add", r"name;category"]),
    Case("gaps-add-outside-gb", ws_args("gaps", "--add", "A;carers;-200,952.6"), (1, 2), [r"Great Britain"]),
    Case("gaps-without-unknown", ws_args("gaps", "--without", "nope"), (1, 2), [r"'nope'"]),
    Case("gaps-no-workspace", fresh_args("gaps", ws_name="none.gpkg"), 1, [r"none\.gpkg", r"boundaries load"],
         gpkg=True),
    Case("report-unknown-area", ws_args("report", "--area", "Nowhere", "-o", lambda d: d / "c.html"), 1,
         [r"'Nowhere'"]),
    Case("export-png-unknown-category", ws_args("export", "png", "--category", "nonsense", "-o", lambda d: d / "x.png"),
         1, [r"'nonsense'"]),
    Case("export-png-without-category", ws_args("export", "png", "-o", lambda d: d / "x.png"), 0, [r"Wrote"]),
    Case("export-png-unknown-area", ws_args("export", "png", "--area", "Nowhere", "-o", lambda d: d / "x.png"), 1,
         [r"no area called 'Nowhere'"]),
    Case("export-html-bad-what-if", ws_args("export", "html", "--add", "Hall;befriending", "-o",
                                            lambda d: d / "x.html"), 1, [r"--add 'Hall;befriending'", "three parts"]),
    Case("export-xlsx-without-unknown-asset", ws_args("export", "xlsx", "--without", "No Such Club", "-o",
                                                      lambda d: d / "x.xlsx"), 1, [r"--without 'No Such Club'"]),
    Case("report-what-if-unknown-category", ws_args("report", "--add", "Hall;nonsense;-2.3,53.4", "-o",
                                                    lambda d: d / "c.html"), 1, [r"--add", r"nonsense"]),
    Case("export-gpkg-wrong-extension", ws_args("export", "gpkg", "-o", lambda d: d / "x.geojson"), (0, 1)),
    Case("export-oruk-unknown-source", ws_args("export", "oruk", "--source", "nope", "-o", lambda d: d / "oruk"), 1,
         [r"'nope'", r"assets\.csv"]),
    Case("export-xlsx-no-workspace", fresh_args("export", "xlsx", "-o", lambda d: d / "e.xlsx", ws_name="none.gpkg"),
         1, [r"no areas loaded"]),
    Case("merge-unknown-ids", ws_args("merge", "nope1", "nope2"), 1, [r"'nope1'", r"duplicates"]),
    Case("duplicates-negative-distance", ws_args("duplicates", "--distance", "-1"), 2, [r"--distance"]),
    Case("status-not-a-geopackage", lambda d: ["status", "-w", csv_text("t.gpkg", "hello")(d)], 1,
         [r"t\.gpkg", r"not a GeoPackage"], gpkg=True),
]


def assert_is_symlink(path: Path) -> None:
    assert path.is_symlink(), f"{path.name} was replaced by a regular file"


def _ids(cases):
    return [c.id for c in cases]


GPKG_CASES = [c for c in CASES if c.gpkg]
STORE_CASES = [c for c in CASES if not c.gpkg]


def test_catalogue_is_large_and_ids_unique():
    assert len(CASES) >= 80
    assert len(set(_ids(CASES))) == len(CASES)


@pytest.mark.gpkg_only
@pytest.mark.parametrize("case", GPKG_CASES, ids=_ids(GPKG_CASES))
def test_gpkg_case(case: Case, tmp_path, monkeypatch):
    run_case(case, tmp_path, monkeypatch)


@pytest.mark.parametrize("case", STORE_CASES, ids=_ids(STORE_CASES))
def test_case(case: Case, tmp_path, monkeypatch):
    run_case(case, tmp_path, monkeypatch)
