"""Collect a member's changes: uncommitted work and commits since a tag, with patches.

Folder members share the root repo, so every query is limited to the
member's folder; members with their own repo use the whole repo. The
patches come per file from libgit2 diffs (``adapters.git.Repo``), so
nothing parses ``git log -p`` output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.adapters.git import Repo
from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from release_tool.adapters.git_patches import FilePatch
    from release_tool.core.workspace import Member, Workspace

LATEST = "\x00latest-tag"
"""``since_tag`` value meaning: the member's latest tag."""


@dataclass(frozen=True)
class FileDiff:
    """One file's part of a unified diff."""

    path: str
    patch: str
    added: int
    deleted: int
    binary: bool = False


@dataclass(frozen=True)
class Commit:
    """A commit in a member's tag range, with its own patch split per file."""

    sha: str
    subject: str
    body: str
    files: tuple[FileDiff, ...] = ()

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True)
class MemberChanges:
    """What changed in one member: since ``since_tag`` and in the work tree."""

    member: str
    repo_root: Path
    pathspec: str | None
    since_tag: str | None
    head: str | None
    commits: tuple[Commit, ...] = ()
    range_files: tuple[FileDiff, ...] = ()
    status: str = ""
    uncommitted_files: tuple[FileDiff, ...] = field(default_factory=tuple)

    @property
    def dirty(self) -> bool:
        return bool(self.status.strip())


def member_repo(member: Member) -> tuple[Path, str | None]:
    """The repo holding the member's history and the pathspec limiting queries to it."""
    if member.repo_root is None:
        raise GitError(f"{member.name}: not in a git repository")
    return member.repo_root, member.git_subdir


def latest_tag(
    workspace: Workspace, member: Member, *, stable_only: bool = False, git: Repo | None = None
) -> str | None:
    """The highest-version tag of ``member`` that HEAD contains, or None (``git``: its repo,
    when the caller has it open)."""
    repo, _ = member_repo(member)
    merged = sorted((git or Repo(repo)).merged_tags())
    latest = member.tag_scheme.latest(merged, stable_only=stable_only)
    return latest.name if latest else None


def collect_members(
    workspace: Workspace, members: list[Member], *, uncommitted: bool = True, history: bool = True
) -> Iterator[MemberChanges]:
    """``collect_member`` for each member in turn, each repo opened once: a monorepo's
    members share its merged tags and its work-tree scan (``Repo`` reads them once)."""
    repos: dict[Path, Repo] = {}
    for member in members:
        root, _ = member_repo(member)
        git = repos.setdefault(root, Repo(root))
        yield collect_member(workspace, member, git=git, uncommitted=uncommitted, history=history)


def collect_member(
    workspace: Workspace,
    member: Member,
    *,
    since_tag: str | None = LATEST,
    uncommitted: bool = True,
    history: bool = True,
    git: Repo | None = None,
) -> MemberChanges:
    """Commits and diff since ``since_tag`` plus uncommitted work.

    ``LATEST`` (the default) means the member's latest tag; None means the
    whole history (a first release). ``git``: the member's repo, if open.
    """
    repo, spec = member_repo(member)
    git = git or Repo(repo)
    if since_tag == LATEST and history:
        since_tag = latest_tag(workspace, member, git=git)
    head = None if git.is_unborn else git.head()
    commits: tuple[Commit, ...] = ()
    range_files: tuple[FileDiff, ...] = ()
    if head is not None and history:
        since = git.resolve(since_tag) if since_tag else None
        if since_tag and since is None:
            raise GitError(f"{repo}: unknown tag {since_tag!r}")
        commits = tuple(
            Commit(p.commit.sha, p.commit.subject, p.commit.body, _files(p.files))
            for p in git.commit_patches(since, spec)
        )
        range_files = _files(git.range_patches(since, spec))
    status, files = "", tuple[FileDiff, ...]()
    if uncommitted:
        status, files = git.status_lines(spec), _files(git.worktree_patches(spec))
    since_tag = None if since_tag == LATEST else since_tag
    return MemberChanges(
        member.name, repo, spec, since_tag, head, commits, range_files, status, files
    )


def _files(patches: list[FilePatch] | tuple[FilePatch, ...]) -> tuple[FileDiff, ...]:
    return tuple(FileDiff(p.path, p.patch, p.added, p.deleted, p.binary) for p in patches)


def stat_text(files: tuple[FileDiff, ...] | list[FileDiff]) -> str:
    """A ``git diff --stat``-like summary computed from the parsed diff."""
    lines = [f" {f.path} | {'Bin' if f.binary else f'+{f.added} -{f.deleted}'}" for f in files]
    total_add = sum(f.added for f in files)
    total_del = sum(f.deleted for f in files)
    lines.append(
        f" {len(files)} files changed, {total_add} insertions(+), {total_del} deletions(-)"
    )
    return "\n".join(lines)
