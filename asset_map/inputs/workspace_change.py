"""How a workspace method that changes the workspace runs: under its lock, then with its gap inputs kept.

:func:`changes` wraps such a method (:class:`asset_map.workspace.Workspace`):
it holds the store's lock for the whole change (:meth:`asset_map.store.gpkg.GeoPackageStore.lock`),
so that two commands changing one workspace at once both land instead of one
overwriting the other; and once the change has landed it derives the gap
inputs a large or street-network workspace keeps (:func:`asset_map.inputs.gap_state.refresh`),
still under the lock, so that ``gaps`` reads them instead of the register.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def changes(method: F) -> F:
    """Run ``method`` (of a workspace) holding the store's lock, then keep its gap inputs up to date.

    With ``dry_run=True`` the method changes nothing and runs as it is.
    See :func:`keep_after_change` for the gap inputs.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if kwargs.get("dry_run"):
            return method(self, *args, **kwargs)
        depth = getattr(self, "_changing", 0)  # a changing method that calls another keeps the inputs once, at its end
        self._changing = depth + 1
        try:
            with self.store.lock():
                result = method(self, *args, **kwargs)
                if depth == 0:
                    keep_after_change(self, kwargs.get("progress"))
                elif getattr(self, "_deferred", None) is not None:
                    self._deferred.changed = True  # kept by the caller (:func:`keeping_deferred`)
                return result
        finally:
            self._changing = depth

    return wrapper  # type: ignore[return-value]


class Deferred:
    """Whether changes made inside :func:`keeping_deferred` changed the workspace; :meth:`keep` keeps its gap
    inputs once for all of them."""

    def __init__(self, workspace: Any) -> None:
        self.workspace, self.changed = workspace, False

    def keep(self, progress: "Callable[[str, int, int], None] | None" = None) -> None:
        """Keep the workspace's gap inputs (:func:`keep_after_change`) if a change landed, inside the block.

        Raises
        ------
        InterruptedAfterChange
            On Ctrl-C, once a change has landed (while they are kept, or before: the change is saved).
        """
        from ..errors import InterruptedAfterChange

        try:
            if self.changed:
                self.changed = False
                with self.workspace.store.lock():  # held by the block already: taken again at once
                    keep_after_change(self.workspace, progress)
        except InterruptedAfterChange:
            raise
        except KeyboardInterrupt:
            raise InterruptedAfterChange() from None


@contextlib.contextmanager
def keeping_deferred(workspace: Any) -> Iterator[Deferred]:
    """Changes made to ``workspace`` inside the block do not keep its gap inputs at their end: the caller
    calls the yielded :meth:`Deferred.keep` at the end of the block, after letting go of what it held (an
    import's result: the list as read and its assets, about 0.7 GB for a million rows), so that it is not
    held while they are derived. The block holds the workspace's lock from its start to its end, so no
    other command's change lands between the block's changes and their keeping."""
    depth = getattr(workspace, "_changing", 0)
    outer = getattr(workspace, "_deferred", None)
    deferred = Deferred(workspace)
    with workspace.store.lock():
        workspace._changing, workspace._deferred = depth + 1, deferred
        try:
            yield deferred
        finally:
            workspace._changing, workspace._deferred = depth, outer
            if outer is not None and deferred.changed:
                outer.changed = True  # an inner block's changes not kept by it are the outer block's to keep


def keep_after_change(workspace: Any, progress: "Callable[[str, int, int], None] | None" = None) -> None:
    """Keep ``workspace``'s gap inputs after a change has landed (the caller holds its lock); if deriving or
    writing them fails (a problem of the workspace's, which ``gaps`` then reports itself; a full disk; another
    program holding the file) they are left out of date and ``gaps`` computes everything: the change stands.

    Raises
    ------
    InterruptedAfterChange
        On Ctrl-C while they are kept: unlike an interruption of the change, it leaves the change saved.
    """
    import sqlite3

    from ..errors import AssetMapError, InterruptedAfterChange

    try:
        keep_gap_inputs(workspace, progress)
    except (AssetMapError, OSError, sqlite3.Error):  # the workspace's own problems, or the disk's, or a lock
        pass
    except InterruptedAfterChange:
        raise
    except KeyboardInterrupt:
        raise InterruptedAfterChange() from None


def keep_gap_inputs(workspace: Any, progress: "Callable[[str, int, int], None] | None" = None) -> bool:
    """Derive and keep ``workspace``'s gap inputs (:func:`asset_map.inputs.gap_state.refresh`, which tells
    ``progress`` when it starts); whether it did."""
    from .gap_state import refresh

    return refresh(workspace.store, workspace.taxonomy(), workspace.need(), workspace.study_names(), progress)
