"""The ``asset-map`` command line: parse options, call the library, render.

Data (tables, CSV, JSON, GeoJSON) goes to stdout; messages and progress go
to stderr. A problem with the input or the workspace prints one line,
``Error: ...``, and exits with status 1; a bad option exits with status 2.

Each command group is a module here; this one makes the app and registers
them, in the order ``asset-map --help`` lists them.
"""

from __future__ import annotations

import signal

import typer

from . import boundaries, duplicates, export, gaps, import_, network, postcodes, taxonomy, workspace_cmds

app = typer.Typer(
    name="asset-map",
    help="Map community assets against neighbourhoods and find the gaps in provision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

app.command("import")(import_.import_)
app.command("inspect")(import_.inspect)
app.command("gaps")(gaps.gaps)
app.command("report")(gaps.report)
app.command("duplicates")(duplicates.duplicates)
app.command("merge")(duplicates.merge)
app.command("rejects")(import_.rejects)
app.command("status")(workspace_cmds.status)
app.command("copy")(workspace_cmds.copy)
app.command("demo")(workspace_cmds.demo)

app.add_typer(boundaries.boundaries_app, name="boundaries")
app.add_typer(boundaries.population_app, name="population")
app.add_typer(boundaries.need_app, name="need")
app.add_typer(export.app, name="export")
app.add_typer(taxonomy.app, name="taxonomy")
app.add_typer(postcodes.app, name="postcodes")
app.add_typer(network.app, name="network")


def _sigterm(_signum, _frame):
    """Stop on SIGTERM as on Ctrl-C, so the workspace is left unchanged."""
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _sigterm)
    app()
