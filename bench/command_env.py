"""How the benchmarks start asset-map commands: as on a planner's machine.

A shell that sets ``PYTHONDONTWRITEBYTECODE`` (some containers and CI
images do) makes Python compile asset-map's modules from source at every
command (about 60 modules for ``gaps``: 0.1-0.2 s a run), because an
editable install keeps them as source and the variable stops Python caching
them. A planner's shell does not set it, and ``pip install`` compiles the
packages it installs. So the timed commands run with the variable removed,
after asset-map's modules are compiled once, untimed.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

import asset_map


def command_env() -> dict[str, str]:
    """This process's environment without ``PYTHONDONTWRITEBYTECODE``, asset-map's modules compiled once."""
    compileall.compile_dir(str(Path(asset_map.__file__).parent), quiet=1)
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
