"""The one ``git`` process runner, and the helpers writes need (message files, fast-import).

Only ``adapters.git.Repo`` calls this: writes go through the git CLI so the
user's hooks, signing and credential helpers apply exactly as they would by
hand. Failures become ``GitError`` carrying git's own message.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


def run_git(
    path: Path,
    *args: str,
    ok_codes: Sequence[int] = (0,),
    input_text: str | None = None,
    strip: bool = True,
) -> str:
    """Run ``git -C path args``; stdout as text (undecodable bytes replaced).

    An exit status outside ``ok_codes`` raises ``GitError`` naming the repo,
    the first words of the command and git's message.
    """
    if not path.is_dir():
        raise GitError(f"{path}: not a git repository (no such folder)")
    proc = subprocess.run(
        ["git", "-C", str(path), "-c", "core.quotepath=off", *args],
        input=None if input_text is None else input_text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if proc.returncode not in ok_codes:
        detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        raise GitError(f"{path}: git {' '.join(args[:3])} failed: {detail}")
    out = proc.stdout.decode("utf-8", "replace")
    return out.strip() if strip else out


def git_succeeds(path: Path, *args: str) -> bool:
    """Whether ``git args`` exits 0 (a yes/no question asked through the CLI)."""
    try:
        run_git(path, *args)
    except GitError:
        return False
    return True


class message_file:
    """A temp file holding a commit or tag message (so ``-F`` keeps it verbatim)."""

    def __init__(self, message: str) -> None:
        self.message = message if message.endswith("\n") else message + "\n"
        self.path = ""

    def __enter__(self) -> str:
        fd, self.path = tempfile.mkstemp(prefix="release-tool-msg-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.message)
        return self.path

    def __exit__(self, *exc: object) -> None:
        Path(self.path).unlink(missing_ok=True)


def fast_import_tags(commit_id: str, tagger: str, tags: Sequence[tuple[str, str]]) -> str:
    """A ``git fast-import`` stream making annotated tags ``(name, message)`` at ``commit_id``."""

    def parts() -> Iterator[str]:
        for name, message in tags:
            data = message if message.endswith("\n") else message + "\n"
            size = len(data.encode("utf-8"))
            yield f"tag {name}\nfrom {commit_id}\ntagger {tagger}\ndata {size}\n"
            yield data
        yield "done\n"

    return "".join(parts())
