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
    diverged: bool = False
    """Not a commit after the tag: HEAD does not descend from it and differs from it."""


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


def unstaged_commits(workspace: Workspace, row: MemberStatus, staged: TagRef) -> list[Commit]:
    """What HEAD holds of the member that the staged tag does not (empty: release the tag).

    Content decides: when the member's files at HEAD equal those at the
    staged tag, nothing is unstaged, however the tag reached HEAD (merge,
    squash or rebase of dev into main). Otherwise the commits after the tag
    that touch the member are named; with none to name (a rewritten
    history), HEAD itself is.
    """
    member = row.member
    repo_path: Path = member.repo_root or workspace.root
    subdir = None if member.layout.has_own_repo else member.rel_path
    repo = git_read.open_repo(repo_path)
    if repo.head_is_unborn:
        return []
    head = repo.head.peel(pygit2.Commit)
    tagged = repo.get(staged.commit)
    if not isinstance(tagged, pygit2.Commit):
        return [Commit(str(head.id), f"the staged tag {staged.name} is not a commit here")]
    if _member_tree(head, subdir) == _member_tree(tagged, subdir):
        return []
    after = commits_after(workspace, row, staged.commit)
    if after or repo.descendant_of(head.id, tagged.id):
        return after  # on top of the tag: only our next-dev-cycle commits, or real work
    return [Commit(str(head.id), f"HEAD's content differs from {staged.name}", diverged=True)]


def _member_tree(commit: pygit2.Commit, subdir: str | None) -> str | None:
    """The id of the member's tree in ``commit`` (the whole tree for its own repo)."""
    if subdir is None:
        return str(commit.tree.id)
    try:
        return str(commit.tree[subdir].id)
    except KeyError:
        return None


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
