"""How instant the command line feels: wall time of `asset-map --help` and `asset-map gaps`.

Builds the example workspace (the demo) in a temporary folder, then runs each
command several times in a fresh process and prints the median, minimum and
maximum wall time, and which heavy libraries each command loaded.

    .venv/bin/python bench/cli_speed.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("pandas", "geopandas", "pyogrio", "pyproj", "shapely", "openpyxl", "rapidfuzz")
PROBE = (
    "import runpy, sys; sys.argv = ['asset-map'] + sys.argv[1:]\n"
    "try:\n    runpy.run_module('asset_map', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    f"print('LOADED', ' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
)


def timed(args: list[str], runs: int) -> list[float]:
    from command_env import command_env

    times, env = [], command_env()  # as a planner's shell runs it (bench/command_env.py)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "asset_map", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return times


def loaded(args: list[str]) -> str:
    err = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True).stderr
    line = next((ln for ln in err.splitlines() if ln.startswith("LOADED")), "LOADED ?")
    return line.removeprefix("LOADED").strip() or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        ws = str(Path(tmp) / "demo.gpkg")
        subprocess.run([sys.executable, "-m", "asset_map", "demo", "-w", ws, "--top", "1"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cases = {
            "asset-map --help": ["--help"],
            "asset-map gaps (example, all rows)": ["gaps", "-w", ws],
            "asset-map gaps --area Southmoor": ["gaps", "--area", "Southmoor", "-w", ws],
        }
        print(f"{'command':<38} {'median':>8} {'min':>8} {'max':>8}  heavy libraries loaded")
        for label, args in cases.items():
            t = timed(args, runs)
            print(f"{label:<38} {statistics.median(t):>7.3f}s {min(t):>7.3f}s {max(t):>7.3f}s  {loaded(args)}")
        print(f"({runs} runs each, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
