"""Which members a release command acts on, and the preflight checks on their repos.

Selection: explicit names, ``--changed`` (commits since the member's latest
tag, path-filtered for folder members) or ``--all``. Preflight: every repo
a plan writes to must be on a branch and clean, and no tag the plan makes
may exist yet, locally or (with ``--push``) on the remote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from release_tool.errors import GitError, PlanRefusedError, ReleaseToolError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from release_tool.core.ports import RepoOpener
    from release_tool.core.status import MemberStatus, WorkspaceStatus
    from release_tool.core.workspace import Member, Workspace


class RemoteUnreachableError(GitError):
    """``git ls-remote`` could not reach a remote (checked before anything is written)."""


@dataclass(frozen=True)
class Selection:
    """How members were chosen on the command line."""

    names: tuple[str, ...] = ()
    changed: bool = False
    all: bool = False

    def describe(self) -> str:
        if self.all:
            return "--all"
        if self.changed:
            return "--changed" + ("".join(f" {n}" for n in self.names) if self.names else "")
        return " ".join(self.names)


def select_members(
    workspace: Workspace,
    status: WorkspaceStatus,
    selection: Selection,
    open_repo: RepoOpener,
    *,
    default: Callable[[MemberStatus], bool] | None = None,
    changed: Callable[[MemberStatus], bool] | None = None,
) -> list[MemberStatus]:
    """The chosen members (dependency order); an unknown name is a ``NotFoundError``.

    ``default`` picks the members when none are named and neither
    ``--changed`` nor ``--all`` is given (``promote`` acts on what staging
    holds); without it such a selection is refused. ``changed`` replaces
    the ``--changed`` test (commits since the latest tag).
    """
    if workspace.uninitialized:
        paths = " ".join(workspace.uninitialized)
        raise GitError(
            f"submodule(s) not initialized: {paths}",
            hint=f"run: git submodule update --init {paths}",
        )
    rows = {row.member.name: row for row in status.members}
    if not (selection.names or selection.changed or selection.all):
        if default is not None:
            wanted_rows = [rows[n] for n in workspace.graph.order(set(rows)) if n in rows]
            return [row for row in wanted_rows if default(row)]
        raise PlanRefusedError(
            "no members selected", hint="name members, or pass --changed or --all"
        )
    if selection.names:
        wanted = {workspace.member(name).name for name in selection.names}
    else:
        wanted = set(rows)
    chosen = [rows[name] for name in workspace.graph.order(wanted) if name in rows]
    if selection.changed:
        test = changed or (lambda row: has_changes(row, open_repo))
        chosen = [row for row in chosen if test(row)]
    return chosen


NEXT_DEV_SUBJECT = "chore: start next dev cycle"
"""Subject prefix of the commit ``promote prod`` makes; it alone is not a change."""


def has_changes(row: MemberStatus, open_repo: RepoOpener) -> bool:
    """Commits since the member's latest tag (besides our next-dev-cycle commit), or no tag."""
    latest = row.latest_tag
    if latest is None:
        return True
    if not row.commits_since_tag:
        return False
    member = row.member
    repo = member.repo_root
    if repo is None:
        return True
    subdir = member.git_subdir
    git = open_repo(repo)
    if git.is_unborn:
        return False
    commits = git.log(git.head(), latest.commit, subdir)
    return any(not c.subject.startswith(NEXT_DEV_SUBJECT) for c in commits)


def repo_rel(workspace: Workspace, member: Member) -> str:
    """The member's repo relative to the workspace root (``.`` for the root repo)."""
    if not member.layout.has_own_repo:
        return "."  # the repo holding the workspace root, maybe a parent folder of it
    repo = member.repo_root or workspace.root
    rel = repo.relative_to(workspace.root).as_posix()
    return rel or "."


def preflight_repos(
    workspace: Workspace, repos: Iterable[str], open_repo: RepoOpener
) -> dict[str, str]:
    """Each repo must be on a branch with a clean tree; return repo -> branch.

    Read in-process (libgit2): this runs for every repo of the workspace.
    """
    branches: dict[str, str] = {}
    problems: list[str] = []
    for rel in sorted(set(repos)):
        path = workspace.root / rel
        repo = open_repo(path)
        branch = repo.branch()
        if branch is None or repo.is_unborn:
            problems.append(f"{rel}: HEAD is detached (check out a branch)")
            continue
        branches[rel] = branch
        ignore = [".release-tool"] if rel == "." else []
        if rel == ".":  # member repos are checked on their own; their pointers get committed
            ignore += list(workspace.submodules)
        dirty = repo.changed_paths(ignore)
        if dirty:
            shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
            problems.append(f"{rel}: uncommitted changes ({shown})")
    if problems:
        raise PlanRefusedError(
            "repositories not ready for a release:\n  " + "\n  ".join(problems),
            hint="commit or stash the changes (`release-tool commit`), check out a branch",
        )
    return branches


def preflight_tags(
    workspace: Workspace,
    tags: dict[str, list[str]],
    local_tags: dict[str, set[str]],
    *,
    remote: str | None,
    open_repo: RepoOpener,
) -> None:
    """No planned tag may exist locally, nor on ``remote`` when pushing."""
    clashes = [
        f"{rel}: tag {tag} already exists locally"
        for rel, names in tags.items()
        for tag in names
        if tag in local_tags.get(rel, set())
    ]
    if remote is not None:
        for rel, names in tags.items():
            if not names:
                continue
            try:
                found = open_repo(workspace.root / rel).remote_refs(
                    remote, [f"refs/tags/{t}" for t in names]
                )
            except ReleaseToolError as exc:
                raise RemoteUnreachableError(
                    f"{rel}: cannot reach remote {remote!r}: {exc}",
                    hint="check the network and the remote URL; nothing was changed",
                ) from None
            clashes += [f"{rel}: tag {ref[10:]} already exists on {remote}" for ref in found]
    if clashes:
        raise PlanRefusedError(
            "tags of this release already exist:\n  " + "\n  ".join(clashes),
            hint="bump to a higher version (or delete the stray tag if it is yours)",
        )
