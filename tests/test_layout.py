"""The package's shape: imports flow one way between its folders, with no circles.

The layers, lowest first (docs/architecture.md draws them): ``errors`` and
``geo``; ``store``; ``network``; ``categories``; ``analysis``; ``inputs``; ``outputs``;
``workspace`` (with ``demo``); ``cli``. A module may import from its own layer
and the layers below it, never from above: ``analysis`` never imports
``inputs`` or ``outputs``, ``outputs`` never imports the workspace. Every import
counts, including those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "asset_map"
LAYERS = ["errors", "geo", "store", "network", "categories", "analysis", "inputs", "outputs", "workspace", "cli"]
RANK = {"errors": 0, "geo": 0, "files": 0, "cells": 0, "numbers": 0, "cores": 0,
        "store": 1, "network": 2, "categories": 3, "analysis": 4,
        "inputs": 5, "outputs": 6, "workspace": 7, "demo": 7, "cli": 8, "__main__": 8}
#: The size limits the layout keeps to (library code; the vendored data folder aside).
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    mods = {}
    for p in PACKAGE.rglob("*.py"):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        if "data" in parts:
            continue
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in its source."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "asset_map":
                base = node.module.split(".")
            else:
                continue
            for alias in node.names:
                target = ".".join(base + [alias.name])
                found.add(target if target in mods else ".".join(base))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "asset_map")
    return {f for f in found if f in mods and f != name}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # the package itself (the public API) is above every layer


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(m, p, mods) for m, p in mods.items()}


def test_imports_flow_down_the_layers():
    wrong = []
    for module, targets in _graph().items():
        layer = _layer(module)
        if layer is None:
            continue
        for target in targets:
            other = _layer(target)
            if other is not None and RANK[other] > RANK[layer]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_circles():
    graph = _graph()
    circles, state = [], {}

    def visit(m, path):
        state[m] = "open"
        for t in sorted(graph[m]):
            if state.get(t) == "open":
                circles.append(" -> ".join(path[path.index(t):] + [t]))
            elif t not in state:
                visit(t, path + [t])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not circles, "modules importing each other:\n" + "\n".join(circles)


def test_the_store_backend_is_chosen_in_one_place():
    graph = _graph()
    assert "asset_map.store.postgis" not in graph["asset_map.store.gpkg"]
    assert "asset_map.store.gpkg" not in graph["asset_map.store.postgis"]
    users = {m for m, t in graph.items() if "asset_map.store.postgis" in t}
    assert users <= {"asset_map.store"}, users


def test_modules_and_functions_stay_short():
    long_modules, long_functions = [], []
    for module, path in _modules().items():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > MAX_MODULE_LINES:
            long_modules.append(f"{module}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long_functions.append(f"{module}.{node.name}: {n} lines")
    assert not long_modules and not long_functions, "\n".join(long_modules + long_functions)
