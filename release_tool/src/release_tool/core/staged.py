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

from release_tool.core.selection import NEXT_DEV_SUBJECT, has_changes
from release_tool.core.status import TagRef
from release_tool.errors import ReleaseToolError

if TYPE_CHECKING:
    from release_tool.core.ports import GitRepo, RepoOpener
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


def changed_since_prod(row: MemberStatus, open_repo: RepoOpener) -> bool:
    """``promote prod --changed``: something staged for prod, or commits not yet staged."""
    return staged_newer_than_prod(row) or has_changes(row, open_repo)


def staged_tag(row: MemberStatus, open_repo: RepoOpener) -> TagRef | None:
    """The release tag staging pins for the member (the one ``promote prod`` releases).

    Without a staging mode (or pin), the member's latest tag stands in.
    """
    pin = row.pins.get("staging")
    version = row.pinned_versions.get("staging")
    if pin is None or version is None or not (pin.tag or pin.rev):
        return row.latest_tag
    for tag in (row.latest_dev, row.latest_stable):
        if tag is not None and (tag.name == pin.tag or tag.commit == pin.rev):
            return tag
    if pin.tag is None:  # a rev pin: the member's release tag on that commit, if any
        return _tag_at(row, pin.rev or "", open_repo)
    repo = row.member.repo_root
    commit = open_repo(repo).tag_commit(pin.tag) if repo is not None else None
    return TagRef(pin.tag, version, commit) if commit else None


def _tag_at(row: MemberStatus, rev: str, open_repo: RepoOpener) -> TagRef | None:
    repo = row.member.repo_root
    if repo is None:
        return None
    from release_tool.core.status import member_tags

    at_rev = [t for t in member_tags(row.member, open_repo(repo).tags()) if t.commit == rev]
    return at_rev[-1] if at_rev else None


def unstaged_commits(
    workspace: Workspace, row: MemberStatus, staged: TagRef, open_repo: RepoOpener
) -> list[Commit]:
    """What HEAD holds of the member that the staged tag does not (empty: release the tag).

    Content decides: when the member's files at HEAD equal those at the
    staged tag, nothing is unstaged, however the tag reached HEAD (merge,
    squash or rebase of dev into main). Otherwise the commits after the tag
    that touch the member are named; with none to name (a rewritten
    history), HEAD itself is.
    """
    member = row.member
    repo = open_repo(member.repo_root or workspace.root)
    if repo.is_unborn:
        return []
    subdir = None if member.layout.has_own_repo else member.rel_path
    head = repo.head()
    if _member_tree(repo, head, subdir) == _member_tree(repo, staged.commit, subdir):
        return []
    after = [
        Commit(c.sha, c.subject)
        for c in repo.log(head, staged.commit, subdir)
        if not c.subject.startswith(NEXT_DEV_SUBJECT)
    ]
    if after or repo.is_ancestor(staged.commit, head):
        return after  # on top of the tag: only our next-dev-cycle commits, or real work
    return [Commit(head, f"HEAD's content differs from {staged.name}", diverged=True)]


def _member_tree(repo: GitRepo, commit: str, subdir: str | None) -> str | None:
    """The id of the member's tree in ``commit`` (the whole tree for its own repo)."""
    try:
        return repo.rev_parse(f"{commit}:{subdir}" if subdir else f"{commit}^{{tree}}")
    except ReleaseToolError:
        return None
