"""Collect a member's changes through the git CLI: uncommitted work and commits since a tag.

Folder members share the root repo, so every query is limited to the
member's folder with a pathspec; members with their own repo use the whole
repo. One ``git log -p`` gives every commit's patch in one process.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.errors import GitError

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.workspace import Member, Workspace

LATEST = "\x00latest-tag"
"""``since_tag`` value meaning: the member's latest tag."""
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_RECORD, _UNIT = "\x1e", "\x1f"
_DIFF_HEADER = re.compile(r"^diff --git a/(?P<a>.+?) b/(?P<b>.+)$", re.MULTILINE)


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


def git(repo: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    """Run ``git -C repo args`` and return stdout (as text, undecodable bytes replaced)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "core.quotepath=off", *args],
        capture_output=True,
        check=False,
    )
    if proc.returncode not in ok_codes:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"{repo}: git {' '.join(args[:3])} failed: {err}")
    return proc.stdout.decode("utf-8", "replace")


def member_repo(member: Member) -> tuple[Path, str | None]:
    """The repo holding the member's history and the pathspec limiting queries to it."""
    if member.repo_root is None:
        raise GitError(f"{member.name}: not in a git repository")
    return member.repo_root, member.git_subdir


def latest_tag(workspace: Workspace, member: Member, *, stable_only: bool = False) -> str | None:
    """The highest-version tag of ``member`` that HEAD contains, or None."""
    repo, _ = member_repo(member)
    merged = git(repo, "tag", "--merged", "HEAD", ok_codes=(0, 128)).split()
    latest = member.tag_scheme.latest(merged, stable_only=stable_only)
    return latest.name if latest else None


def collect_member(
    workspace: Workspace,
    member: Member,
    *,
    since_tag: str | None = LATEST,
    uncommitted: bool = True,
    history: bool = True,
) -> MemberChanges:
    """Commits and diff since ``since_tag`` plus uncommitted work.

    ``LATEST`` (the default) means the member's latest tag; None means the
    whole history (a first release).
    """
    repo, spec = member_repo(member)
    if since_tag == LATEST and history:
        since_tag = latest_tag(workspace, member)
    head = _head(repo)
    commits: tuple[Commit, ...] = ()
    range_files: tuple[FileDiff, ...] = ()
    if head is not None and history:
        commits = tuple(commits_in_range(repo, since_tag, spec))
        base = since_tag or EMPTY_TREE
        range_files = tuple(
            split_patch(
                git(repo, "diff", "--no-color", "--no-ext-diff", "-M", base, "HEAD", *_spec(spec))
            )
        )
    status, files = "", tuple[FileDiff, ...]()
    if uncommitted:
        status, files = uncommitted_changes(repo, spec, head)
    since = None if since_tag == LATEST else since_tag
    return MemberChanges(member.name, repo, spec, since, head, commits, range_files, status, files)


def commits_in_range(repo: Path, since: str | None, spec: str | None) -> list[Commit]:
    """Commits in ``since..HEAD`` touching ``spec``, oldest first, each with its patch."""
    rev = f"{since}..HEAD" if since else "HEAD"
    out = git(
        repo,
        "log",
        "--reverse",
        "--no-color",
        "--no-ext-diff",
        "-p",
        "-M",
        "--first-parent",
        f"--format={_RECORD}%H{_UNIT}%s{_UNIT}%b{_UNIT}",
        rev,
        *_spec(spec),
    )
    commits = []
    for record in out.split(_RECORD)[1:]:
        sha, subject, body, patch = [*record.split(_UNIT, 3), "", "", ""][:4]
        commits.append(
            Commit(sha.strip(), subject.strip(), body.strip(), tuple(split_patch(patch)))
        )
    return commits


def uncommitted_changes(
    repo: Path, spec: str | None, head: str | None
) -> tuple[str, tuple[FileDiff, ...]]:
    """``git status --short`` text and the diff of tracked and untracked changes."""
    status = git(repo, "status", "--short", "--untracked-files=all", *_spec(spec))
    base = head or EMPTY_TREE
    files = split_patch(git(repo, "diff", "--no-color", "--no-ext-diff", "-M", base, *_spec(spec)))
    untracked = git(repo, "ls-files", "--others", "--exclude-standard", *_spec(spec)).splitlines()
    for path in untracked:
        patch = git(repo, "diff", "--no-color", "--no-index", "/dev/null", path, ok_codes=(0, 1))
        files.extend(split_patch(patch))
    return status, tuple(files)


def split_patch(patch: str) -> list[FileDiff]:
    """Split a unified diff into per-file parts with added/deleted line counts."""
    starts = [m.start() for m in _DIFF_HEADER.finditer(patch)]
    out = []
    for begin, end in zip(starts, [*starts[1:], len(patch)], strict=False):
        part = patch[begin:end]
        header = _DIFF_HEADER.match(part)
        assert header is not None
        path = header.group("b").strip('"')
        added = deleted = 0
        for line in part.splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                deleted += 1
        binary = "\nBinary files " in part or "\nGIT binary patch" in part
        out.append(FileDiff(path, part, added, deleted, binary))
    return out


def stat_text(files: tuple[FileDiff, ...] | list[FileDiff]) -> str:
    """A ``git diff --stat``-like summary computed from the parsed diff."""
    lines = [f" {f.path} | {'Bin' if f.binary else f'+{f.added} -{f.deleted}'}" for f in files]
    total_add = sum(f.added for f in files)
    total_del = sum(f.deleted for f in files)
    lines.append(
        f" {len(files)} files changed, {total_add} insertions(+), {total_del} deletions(-)"
    )
    return "\n".join(lines)


def _head(repo: Path) -> str | None:
    out = git(repo, "rev-parse", "--verify", "--quiet", "HEAD", ok_codes=(0, 1)).strip()
    return out or None


def _spec(spec: str | None) -> list[str]:
    return ["--", spec] if spec else ["--"]
