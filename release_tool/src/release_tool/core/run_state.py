"""The run-state folder ``.release-tool/`` and the workspace lock that serialises runs.

The lock is an OS file lock (filelock) on ``.release-tool/lock``: a second
run is refused while it is held, and the kernel frees it when its process
dies, so a killed run never leaves a stale lock behind.
``lock-owner.json`` says who holds it, for the refusal message only.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from release_tool.adapters.toml_files import write_text_atomic
from release_tool.errors import LockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

STATE_DIR = ".release-tool"
JOURNAL = "journal.jsonl"
LOCK = "lock"
LOCK_OWNER = "lock-owner.json"
"""Who holds the lock (pid, host, command), for the refusal message; the OS lock decides."""


def has_journal(root: Path) -> bool:
    """Whether an interrupted run left its journal (cheap: read paths check it on every run)."""
    return (root / STATE_DIR / JOURNAL).is_file()


def state_dir(root: Path) -> Path:
    """``<root>/.release-tool``, created with a ``.gitignore`` so it never dirties the tree."""
    folder = root / STATE_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


@contextmanager
def workspace_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the workspace lock for the duration; refuse if another run holds it.

    An OS file lock: the kernel frees it when its process dies, so only a
    live run ever blocks another.
    """
    folder = state_dir(root)
    from filelock import FileLock, Timeout

    lock = FileLock(folder / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        holder = _read_owner(folder / LOCK_OWNER)
        raise LockedError(
            "another release-tool run holds the workspace lock"
            + (f" (pid {holder.get('pid')}: {holder.get('command')})" if holder else ""),
            hint="wait for it to finish (the lock is freed when its process ends)",
        ) from None
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "command": command}
    try:
        write_text_atomic(folder / LOCK_OWNER, json.dumps(owner))
        yield
    finally:
        (folder / LOCK_OWNER).unlink(missing_ok=True)
        lock.release()


def _read_owner(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
