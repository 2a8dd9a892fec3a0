"""What every command shares: the stderr console, the progress bar, the workspace, errors, and output.

Data goes to stdout and messages to stderr. A problem with the input or the
workspace (:class:`~asset_map.errors.AssetMapError`) prints one line,
``Error: ...``, and exits with status 1; an interruption exits with 130.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, TypeVar

import typer

from ..errors import AssetMapError, InterruptedAfterChange

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, RenderableType
    from rich.progress import Progress

    from ..workspace import Workspace

F = TypeVar("F", bound=Callable[..., object])

#: The width, in columns, of a table written to a file rather than a terminal.
FILE_WIDTH = 200


def stderr() -> "Console":
    """The console for messages: stderr, no highlighting, long lines left whole."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def progress_bar(console: "Console") -> "Progress":
    """A progress bar on stderr: step, bar, rows done of total, time; it disappears when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


def handle_errors(func: F) -> F:
    """Turn domain errors into ``Error: ...`` (exit 1) and interruptions into exit 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AssetMapError as exc:
            _say_store_notes()
            from rich.text import Text

            stderr().print(Text.assemble(("Error:", "red"), f" {exc}"))
            raise typer.Exit(1) from None
        except InterruptedAfterChange:
            stderr().print("Interrupted after the change was saved: the change is in the workspace, and gaps computes "
                           "from its tables until the next change.")
            raise typer.Exit(130) from None
        except KeyboardInterrupt:
            stderr().print("Interrupted: the workspace is unchanged.")
            raise typer.Exit(130) from None
        finally:
            _say_store_notes()

    return wrapper  # type: ignore[return-value]


#: The workspaces this command opened, whose stores may have put something right to tell the user.
_OPENED: "list[Workspace]" = []


def open_workspace(path: Optional[str]) -> "Workspace":
    """The workspace at ``path`` (a GeoPackage file or a PostGIS URL; default ``./asset-map.gpkg``)."""
    from ..workspace import Workspace

    ws = Workspace(path)
    _OPENED.append(ws)
    return ws


def _say_store_notes() -> None:
    """``Note: ...`` on stderr for what opening a workspace put right (a leftover of an interrupted change)."""
    while _OPENED:
        for note in getattr(_OPENED.pop().store, "notes", ()):
            stderr().print(f"Note: {note}")


def _to_stdout(output: Optional[Path]) -> bool:
    """Whether ``--output`` names stdout: not given, or ``-``."""
    return output is None or str(output) == "-"


def write_output(text: str, output: Optional[Path]) -> None:
    """Write text to stdout for ``-``/None, else to the file (replaced atomically) and say so on stderr."""
    if _to_stdout(output):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..files import write_text

    write_text(output, text)
    stderr().print(f"Wrote {output}")


def print_rich(build: Callable[[Optional[int]], "RenderableType"], output: Optional[Path], *,
               plain: bool = False) -> None:
    """Print ``build(width)``: to the terminal at its width, or as text :data:`FILE_WIDTH` wide to a file.

    With ``plain`` (a builder that accepts ``None``), a file or a pipe gets
    ``build(None)`` as plain text: no box drawing, colour, tabs or wrapping.
    """
    from rich.console import Console

    console = Console(markup=False)
    if plain and (not _to_stdout(output) or not console.is_terminal):
        from ..outputs.gap_table import plain_text

        write_output(plain_text(build(None)), output)
        return
    if not _to_stdout(output):
        from ..outputs.render import as_text

        write_output(as_text(build(FILE_WIDTH), width=FILE_WIDTH), output)
        return
    console.print(build(console.width))
