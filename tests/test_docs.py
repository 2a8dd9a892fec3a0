"""The README is the user's manual: every command is in it, has help, and its commands are the ones CI runs."""

from __future__ import annotations

import re

import typer.main

from asset_map.cli import app
from conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def commands(group, prefix: str = "asset-map") -> dict:
    """Every leaf command of the CLI by its full name (groups have ``commands``)."""
    out = {}
    for name, cmd in group.commands.items():
        full = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            out.update(commands(cmd, full))
        else:
            out[full] = cmd
    return out


ALL = commands(typer.main.get_command(app))


def test_every_command_has_help_and_is_in_the_readme():
    assert len(ALL) >= 9
    for name, cmd in ALL.items():
        assert (cmd.help or "").strip(), f"{name} has no help text"
        assert f"`{name}" in README, f"{name} is missing from the README's command reference"
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"{name} {param.opts[0]} has no help text"


def test_every_option_in_the_readme_exists():
    options = {"--help"} | {opt for cmd in ALL.values() for p in cmd.params for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}
    for opt in set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", README)):
        assert opt in options, f"README mentions {opt}, which no command has"


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```\n(python3 -m venv .*?)\n```", README)
    assert len(blocks) == 2, blocks
    demo, tests = blocks
    assert demo.endswith("asset-map demo")
    assert tests.endswith("pytest -q -n auto")
    assert tests in (PROJECT / ".ci" / "run").read_text()
