"""One guard for every command that changes the workspace: the lock, and no pending journal.

``bump``/``promote`` take the lock inside ``apply_plan``; ``commit`` and
``changelog`` write files and commits too, so they take the same lock and
refuse while an interrupted run awaits ``resume`` (its journal would no
longer describe the tree).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from release_tool.core.journal import pending_journal, workspace_lock
from release_tool.errors import LockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def refuse_pending(root: Path) -> None:
    """Raise ``LockedError`` naming the interrupted run when a journal is pending."""
    pending = pending_journal(root)
    if pending is not None:
        raise LockedError(
            f"an interrupted run ({pending.command}) awaits --resume",
            hint="finish it with `release-tool resume`, or undo it with `release-tool resume "
            "--abort`",
        )


@contextmanager
def mutating(root: Path, command: str) -> Iterator[None]:
    """Hold the workspace lock for ``command``; refuse while a journal is pending."""
    with workspace_lock(root, command):
        refuse_pending(root)
        yield
