"""Copying a workspace, every layer and table, into an empty store (another GeoPackage or a PostGIS schema)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    from .base import Store

#: Lookup columns indexed when their tables are written.
INDEXES = (("postcodes", "postcode"), ("postcode_cache", "postcode"))


def copy_store(source: "Store", target: "Store") -> dict[str, int]:
    """Copy every layer and table of ``source`` into ``target``, all-or-nothing; returns the rows copied per table.

    Raises
    ------
    WorkspaceError
        If ``source`` does not exist or ``target`` already holds a workspace.
    """
    if not source.exists():
        raise WorkspaceError(f"{source.location}: no workspace here to copy; pass --workspace")
    with target.lock():
        if target.layers():
            raise WorkspaceError(
                f"{target.location}: already holds a workspace ({', '.join(target.layers())}); "
                "copy into a new file or an empty schema"
            )
        counts = {}
        with target.transaction() as tx:
            for name in source.layers():
                table = source.read(name)
                tx.write(name, table.to_frame())
                counts[name] = len(table)
            for name, column in INDEXES:
                if name in counts:
                    tx.index(name, column)
    return counts
