"""How each kind of plan step is done, recognised as done, and undone.

``prepare`` records what undoing needs *before* the step runs (a file's
old content, the HEAD before a commit, the remote refs before a push), so
a process killed mid-step can still be rolled back or resumed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from release_tool.adapters import uv
from release_tool.adapters.git import Repo
from release_tool.adapters.toml_files import write_text_atomic
from release_tool.core.plan import Step, StepKind
from release_tool.errors import ApplyError, GitError

if TYPE_CHECKING:
    from release_tool.core.ports import GitRepo, Locker, RepoOpener

Publisher = Callable[[Path, Step], None]
"""Runs a PUBLISH step (GitHub releases); set by the CLI when the hook exists."""


class StepRunner:
    """Executes steps against a workspace root; backups go under ``state_dir/backups``."""

    def __init__(
        self,
        root: Path,
        state_dir: Path,
        publisher: Publisher | None = None,
        open_repo: RepoOpener = Repo,
        lock: Locker = uv.lock,
    ) -> None:
        self.root = root
        self.backups = state_dir / "backups"
        self.publisher = publisher
        self.open_repo = open_repo
        self.lock = lock

    def repo(self, step: Step) -> Path:
        return (self.root / step.repo).resolve()

    def git(self, step: Step) -> GitRepo:
        """The repo ``step`` works in (a fresh handle: other steps may have written to it)."""
        return self.open_repo(self.repo(step))

    # -- before --------------------------------------------------------
    def prepare(self, index: int, step: Step) -> dict[str, Any]:
        """What undoing ``step`` needs, captured before it runs."""
        if step.kind in (StepKind.EDIT, StepKind.LOCK):
            target = self._file(step)
            return {"backup": self._backup(index, target)}
        if step.kind is StepKind.COMMIT:
            return {"head_before": self.git(step).head()}
        if step.kind is StepKind.TAG:
            git = self.git(step)
            existing = [t for t in step.tags if git.tag_commit(t) is not None]
            if existing:
                raise GitError(f"{step.repo}: tag {', '.join(existing)} already exists")
            return {}
        if step.kind is StepKind.PUSH:
            refs = self._push_refs(step)
            found = self.git(step).remote_refs(step.remote or "origin", refs)
            return {
                "before": {ref: found.get(ref) for ref in refs},
                "after": {ref: self.git(step).rev_parse(ref) for ref in refs},
            }
        return {}

    # -- do ------------------------------------------------------------
    def run(self, step: Step, undo: dict[str, Any]) -> dict[str, Any]:
        """Do ``step``; return extra undo data learned while doing it."""
        if step.kind is StepKind.EDIT:
            write_text_atomic(self._file(step), step.content or "")
        elif step.kind is StepKind.COMMIT:
            return {"commit": self.git(step).commit(step.paths, step.message or "")}
        elif step.kind is StepKind.TAG:
            self.git(step).create_tags(list(zip(step.tags, step.messages, strict=True)))
        elif step.kind is StepKind.LOCK:
            redirects = {url: (self.root / local).resolve() for url, local in step.redirects}
            self.lock(self._file(step).parent, redirects=redirects)
        elif step.kind is StepKind.PUSH:
            self.git(step).push_atomic(step.remote or "origin", self._push_refs(step))
        elif step.kind is StepKind.PUBLISH:
            if self.publisher is None:
                raise ApplyError(
                    "GitHub releases were planned but the github hook is not available"
                )
            self.publisher(self.root, step)
        return {}

    def already_done(self, step: Step, undo: dict[str, Any]) -> bool:
        """Whether a step that was running when the process died had in fact finished."""
        if step.kind is StepKind.EDIT:
            target = self._file(step)
            return target.is_file() and target.read_text(encoding="utf-8") == step.content
        if step.kind not in (StepKind.COMMIT, StepKind.TAG):
            return False  # locks and pushes are simply run again
        git = self.git(step)
        if step.kind is StepKind.COMMIT:
            before = undo.get("head_before")
            return (
                bool(before)
                and git.head() != before
                and (git.last_commit_message().strip() == (step.message or "").strip())
            )
        current = git.head()
        return all(git.tag_commit(t) == current for t in step.tags)

    # -- undo ----------------------------------------------------------
    def undo(self, step: Step, undo: dict[str, Any]) -> str | None:
        """Undo a step (done or half done); return a line saying what was undone."""
        if step.kind in (StepKind.EDIT, StepKind.LOCK):
            target = self._file(step)
            backup = undo.get("backup")
            if backup is None:
                target.unlink(missing_ok=True)
                return f"removed {self._rel(target)}"
            write_text_atomic(target, (self.backups.parent / backup).read_text(encoding="utf-8"))
            return f"restored {self._rel(target)}"
        git = self.git(step)
        if step.kind is StepKind.COMMIT:
            before = undo.get("head_before")
            if before and git.head() != before:
                git.reset_to(before)
                return f"reset {step.repo} to {before[:12]}"
            return None
        if step.kind is StepKind.TAG:
            deleted = git.delete_tags(step.tags)
            if deleted:
                noun = "tag" if len(deleted) == 1 else "tags"
                return f"deleted {noun} {', '.join(deleted)} in {step.repo}"
            return None
        if step.kind is StepKind.PUSH and "after" in undo:
            restored = git.undo_push(step.remote or "origin", undo["before"], undo["after"])
            if restored:
                return f"restored remote refs of {step.repo}: {', '.join(restored)}"
        return None

    # -- helpers -------------------------------------------------------
    def _file(self, step: Step) -> Path:
        if step.kind is StepKind.LOCK:
            return self.root / (step.path or "") / "uv.lock"
        return self.root / (step.path or "")

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _backup(self, index: int, target: Path) -> str | None:
        if not target.is_file():
            return None
        text = target.read_text(encoding="utf-8")
        digest = hashlib.sha256(str(target).encode()).hexdigest()[:10]
        backup = self.backups / f"{index:04d}-{digest}-{target.name}"
        write_text_atomic(backup, text)
        return backup.relative_to(self.backups.parent).as_posix()

    @staticmethod
    def _push_refs(step: Step) -> list[str]:
        refs = [f"refs/heads/{step.branch}"] if step.branch else []
        return refs + [f"refs/tags/{tag}" for tag in step.tags]
