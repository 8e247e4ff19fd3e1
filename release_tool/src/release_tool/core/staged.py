"""What staging holds that prod does not: the members ``promote prod`` releases, and from where.

Staging is where dev releases are tried; prod must get exactly what was
tried. So ``promote prod`` acts, by default, on every member whose staging
pin is newer than its prod pin, and releases the content of the staged dev
tag: a member with commits after that tag (touching the member) is refused,
naming them, unless the user asks to release HEAD.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygit2

from release_tool.adapters import git_read
from release_tool.core.selection import NEXT_DEV_SUBJECT, has_changes
from release_tool.core.status import TagRef

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.status import MemberStatus
    from release_tool.core.workspace import Workspace


@dataclass(frozen=True)
class Commit:
    """A commit after the staged tag: id and subject, for the refusal message."""

    sha: str
    subject: str


def staged_newer_than_prod(row: MemberStatus) -> bool:
    """Staging pins a newer version of the member than prod does (or prod does not pin it).

    Without a staging mode, a dev tag newer than the latest stable one
    stands for "staged".
    """
    if "staging" not in row.pins:
        dev, stable = row.latest_dev, row.latest_stable
        return dev is not None and (stable is None or dev.version > stable.version)
    staged = row.pinned_versions.get("staging")
    if staged is None:
        return False
    prod = row.pinned_versions.get("prod")
    return prod is None or staged > prod


def changed_since_prod(row: MemberStatus) -> bool:
    """``promote prod --changed``: something staged for prod, or commits not yet staged."""
    return staged_newer_than_prod(row) or has_changes(row)


def staged_tag(row: MemberStatus) -> TagRef | None:
    """The release tag staging pins for the member (the one ``promote prod`` releases).

    Without a staging mode (or pin), the member's latest tag stands in.
    """
    pin = row.pins.get("staging")
    version = row.pinned_versions.get("staging")
    if pin is None or version is None or not pin.tag:
        return row.latest_tag
    for tag in (row.latest_dev, row.latest_stable):
        if tag is not None and tag.name == pin.tag:
            return tag
    repo = row.member.repo_root
    if repo is None:
        return None
    handle = git_read.open_repo(repo)
    try:
        commit = handle.revparse_single(f"refs/tags/{pin.tag}").peel(pygit2.Commit)
    except (KeyError, ValueError):
        return None
    return TagRef(pin.tag, version, str(commit.id))


def commits_after(workspace: Workspace, row: MemberStatus, since: str) -> list[Commit]:
    """Commits on HEAD after ``since`` that change the member (newest first).

    Our own next-dev-cycle commits are not changes; in the monorepo layout
    only commits touching the member's folder count.
    """
    member = row.member
    repo: Path = member.repo_root or workspace.root
    subdir = None if member.layout.has_own_repo else member.rel_path
    handle = git_read.open_repo(repo)
    if handle.head_is_unborn:
        return []
    walker = handle.walk(handle.head.target, pygit2.enums.SortMode.TOPOLOGICAL)
    walker.hide(pygit2.Oid(hex=since))
    found = []
    for commit in walker:
        subject = commit.message.splitlines()[0] if commit.message else ""
        if subject.startswith(NEXT_DEV_SUBJECT):
            continue
        if subdir is not None and not _touches(commit, subdir):
            continue
        found.append(Commit(str(commit.id), subject))
    return found


def _touches(commit: pygit2.Commit, subdir: str) -> bool:
    prefix = subdir.rstrip("/") + "/"
    diffs = [parent.tree.diff_to_tree(commit.tree) for parent in commit.parents]
    for diff in diffs or [commit.tree.diff_to_tree()]:
        for delta in diff.deltas:
            for path in (delta.old_file.path, delta.new_file.path):
                if path == subdir or path.startswith(prefix):
                    return True
    return False
