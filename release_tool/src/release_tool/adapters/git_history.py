"""The history half of ``adapters.git.Repo``: logs, counts and patches, through libgit2.

``Repo`` inherits ``GitHistoryReads`` (as it inherits ``git_cli.GitCliWrites``
for writes): commits in a range, optionally limited to a member's folder,
counted in one walk for a monorepo's members (``git_walk``), and their
patches per file (``git_patches``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygit2
from pygit2.enums import SortMode

from release_tool.adapters import git_patches
from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from release_tool.adapters.git_patches import FilePatch


@dataclass(frozen=True)
class CommitInfo:
    """One commit: id, message and commit time (seconds since the epoch, UTC)."""

    sha: str
    message: str
    time: int = 0

    @property
    def subject(self) -> str:
        return self.message.splitlines()[0] if self.message else ""

    @property
    def body(self) -> str:
        return self.message.partition("\n")[2].strip()


@dataclass(frozen=True)
class CommitPatch:
    """A commit with its change against its first parent, split per file."""

    commit: CommitInfo
    files: tuple[FilePatch, ...]


class GitHistoryReads:
    """Reads of history: ``log``, commit counts, patches of commits, ranges and the work tree.

    ``Repo`` provides the libgit2 handle (``_repo``), ``head``/``is_unborn``
    and the work-tree scan cache (``_status``, dropped when it writes).
    """

    path: Path
    _status: dict[str, int] | None

    @property
    def _repo(self) -> pygit2.Repository:
        raise NotImplementedError

    @property
    def is_unborn(self) -> bool:
        raise NotImplementedError

    def head(self) -> str:
        raise NotImplementedError

    # -- reads: history -------------------------------------------------------------------

    def log(
        self,
        head: str,
        since: str | None = None,
        subdir: str | None = None,
        *,
        first_parent: bool = False,
    ) -> list[CommitInfo]:
        """Commits reachable from ``head`` but not ``since``, newest first.

        With ``subdir``, only commits that change something under it (the
        monorepo layout): the folder's tree differs from a parent's.
        """
        return [
            info_of(c)
            for c in self._walk(head, since, first_parent=first_parent)
            if subdir is None or _touches(c, subdir)
        ]

    def count_commits(self, head: str, since: str | None, subdir: str | None = None) -> int:
        """How many commits ``log(head, since, subdir)`` holds, without building them."""
        walker = self._walk(head, since)
        if subdir is None:
            return sum(1 for _ in walker)
        return sum(1 for commit in walker if _touches(commit, subdir))

    def count_commits_many(
        self, head: str, ranges: Mapping[str, tuple[str | None, str | None]]
    ) -> dict[str, int]:
        """``count_commits(head, since, subdir)`` for every key's ``(subdir, since)``, in one
        history walk for all of them (``adapters.git_walk``): a monorepo's members at once."""
        from release_tool.adapters import git_walk

        return git_walk.commits_since(self._repo, head, ranges)

    def commit_patches(self, since: str | None, subdir: str | None) -> list[CommitPatch]:
        """First-parent commits in ``since..HEAD`` touching ``subdir``, oldest first, patched."""
        if self.is_unborn:
            return []
        out = []
        for commit in self._walk(self.head(), since, first_parent=True):
            parent = commit.parents[0].tree if commit.parents else None
            if subdir is not None and _entry_id(commit.tree, subdir) == (
                _entry_id(parent, subdir) if parent is not None else None
            ):
                continue  # the folder's tree is the parent's: no diff to make (monorepos)
            files = git_patches.tree_patches(self._repo, parent, commit.tree, subdir)
            if files or subdir is None:
                out.append(CommitPatch(info_of(commit), tuple(files)))
        out.reverse()
        return out

    def range_patches(self, base: str | None, subdir: str | None) -> list[FilePatch]:
        """``git diff base HEAD -- subdir`` per file (``base`` None: the whole history)."""
        if self.is_unborn:
            return []
        old = self._tree(base) if base else None
        return git_patches.tree_patches(self._repo, old, self._tree("HEAD"), subdir)

    def worktree_patches(self, subdir: str | None) -> list[FilePatch]:
        """Uncommitted changes against HEAD per file, untracked files included."""
        if not self.status_lines(subdir):
            return []  # the work tree diff scans the whole repo: not for a clean folder
        base = None if self.is_unborn else self._tree("HEAD")
        return git_patches.worktree_patches(self._repo, base, subdir)

    def status_lines(self, subdir: str | None) -> str:
        """``git status --short --untracked-files=all`` text, limited to ``subdir``.

        The work tree is scanned once per ``Repo`` until it writes (a
        monorepo's members share it).
        """
        if self._status is None:
            self._status = self._repo.status(untracked_files="all")
        return git_patches.short_status(self._status, subdir)

    # -- internals ------------------------------------------------------------------------

    def _walk(
        self, head: str, since: str | None = None, *, first_parent: bool = False
    ) -> Iterator[pygit2.Commit]:
        walker = self._repo.walk(pygit2.Oid(hex=head), SortMode.TOPOLOGICAL)
        if first_parent:
            walker.simplify_first_parent()
        if since:
            walker.hide(pygit2.Oid(hex=since))
        return iter(walker)

    def _tree(self, ref: str) -> pygit2.Tree:
        try:
            return self._repo.revparse_single(ref).peel(pygit2.Tree)
        except (KeyError, pygit2.GitError, ValueError) as exc:
            raise GitError(f"{self.path}: unknown revision {ref!r} ({exc})") from None


def info_of(commit: pygit2.Commit) -> CommitInfo:
    """A libgit2 commit as plain values."""
    return CommitInfo(str(commit.id), commit.message or "", int(commit.commit_time))


def _touches(commit: pygit2.Commit, subdir: str) -> bool:
    """Whether ``commit`` changes anything under ``subdir`` against any parent."""
    mine = _entry_id(commit.tree, subdir)
    if not commit.parents:
        return mine is not None
    return any(_entry_id(parent.tree, subdir) != mine for parent in commit.parents)


def _entry_id(tree: pygit2.Tree, rel: str) -> str | None:
    try:
        return str(tree[rel].id)
    except KeyError:
        return None
