"""The errors asset-map raises for bad input or a bad workspace.

Every error a user can cause is an :class:`AssetMapError`. Its message is one
line that names the file (and row and column where there is one) and says what
to do. The command line prints that line and exits with status 1; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AssetMapError(Exception):
    """Base class of every user-facing error."""


class InputFileError(AssetMapError, ValueError):
    """An input file cannot be read: missing, empty, wrong format or encoding."""


class ColumnError(AssetMapError, KeyError):
    """A column or field the command needs is missing from an input file."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class BoundaryError(AssetMapError, ValueError):
    """Boundaries are unusable: empty, duplicate codes or overlapping areas."""


class TaxonomyError(AssetMapError, ValueError):
    """A taxonomy file is malformed, or a category id is not in the taxonomy."""


class WorkspaceError(AssetMapError):
    """The workspace is missing, unreadable, or lacks what a command needs."""


class UnknownAreaError(AssetMapError, KeyError):
    """An area code or name that is not in the workspace."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class PostcodeServiceError(AssetMapError):
    """The online postcode service cannot be reached or gave an unusable answer."""


class FeedError(AssetMapError):
    """A service directory feed (Open Referral UK) cannot be fetched or read."""


class OutputPathError(AssetMapError, ValueError):
    """An output cannot be written there: the workspace itself, a folder, a read-only file..."""


class NetworkError(AssetMapError, ValueError):
    """A street network cannot be read or used: not an OpenStreetMap extract, no streets, not covering the study area."""


class InterruptedAfterChange(KeyboardInterrupt):
    """Ctrl-C (or a stop signal) after a change had landed: while the workspace's gap inputs were being kept
    (:mod:`asset_map.inputs.gap_state`), or while an import's summary was printed before they were: the
    change is saved, the gap inputs are out of date."""
