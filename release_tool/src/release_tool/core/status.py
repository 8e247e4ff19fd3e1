"""Per-member status: version, tags, unreleased commits, working tree, pins, drift.

Joins the workspace model, the pinned modes and fast git reads. The result
is plain data: the CLI renders it as a table or as JSON (schema
``release-tool.status/1``, documented in the README).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.core.modes import MODES, ModeState, Pin, load_mode
from release_tool.core.rev_pins import pinned_version
from release_tool.core.workspace import Layout, Member, Workspace

if TYPE_CHECKING:
    from pathlib import Path

    from packaging.version import Version

    from release_tool.adapters.git import RepoState
    from release_tool.core.ports import GitRepo, RepoOpener

_WORKERS = min(8, 2 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class TagRef:
    """A member's release tag: its name, version and commit."""

    name: str
    version: Version
    commit: str


@dataclass(frozen=True)
class MemberStatus:
    """Everything ``status`` shows for one member."""

    member: Member
    latest_dev: TagRef | None
    latest_stable: TagRef | None
    commits_since_tag: int | None
    """Commits since the latest tag (path-filtered for folder members); None without git."""
    changed_paths: tuple[str, ...]
    branch: str | None
    detached: bool
    upstream: str | None
    ahead: int | None
    behind: int | None
    shallow: bool
    pins: dict[str, Pin | None]
    """Mode -> pin; a mode that is absent has no key."""
    drift: tuple[str, ...]
    pinned_versions: dict[str, Version | None] = field(default_factory=dict)
    """Mode -> the version encoded in the pinned tag (None: no pin or not a release tag)."""

    @property
    def latest_tag(self) -> TagRef | None:
        tags = [t for t in (self.latest_dev, self.latest_stable) if t is not None]
        return max(tags, key=lambda t: t.version) if tags else None


@dataclass(frozen=True)
class WorkspaceStatus:
    """Status of every selected member plus the modes."""

    root: Path
    members: list[MemberStatus]
    modes: dict[str, ModeState]

    def tag_schemes(self) -> dict[tuple[str, str], list[str]]:
        """(template, source) -> the members using it: configured, detected or default."""
        out: dict[tuple[str, str], list[str]] = {}
        for row in self.members:
            scheme = row.member.tag_scheme
            out.setdefault((scheme.template, scheme.source), []).append(row.member.name)
        return out


def member_tags(member: Member, tags: dict[str, str]) -> list[TagRef]:
    """The member's release tags among ``tags`` (name -> commit), highest version last."""
    return [TagRef(t.name, t.version, tags[t.name]) for t in member.tag_scheme.list_tags(tags)]


def load_modes(workspace: Workspace) -> dict[str, ModeState]:
    """Both pinned modes (absent ones included)."""
    return {mode: load_mode(mode, workspace.mode_path(mode)) for mode in MODES}


def workspace_status(
    workspace: Workspace, names: list[str] | None = None, *, open_repo: RepoOpener
) -> WorkspaceStatus:
    """Compute the status of the named members (default: all), in dependency order.

    Repos are read on a small thread pool, one task per repo (a libgit2
    repository is not shared between threads): libgit2 releases the GIL for
    most of the work, so many member repos are read at once.
    """
    modes = load_modes(workspace)
    members = workspace.select(names)
    by_repo: dict[Path | None, list[Member]] = {}
    for member in members:
        by_repo.setdefault(member.repo_root, []).append(member)
    for schemes in {id(m.schemes): m.schemes for m in members if m.schemes is not None}.values():
        schemes.read_tags_with(lambda path: list(open_repo(path).tags()))

    def read_repo(repo: Path | None) -> list[MemberStatus]:
        git = open_repo(repo) if repo is not None else None
        state = git.state() if git is not None else None
        schemes = by_repo[repo][0].schemes
        if repo is not None and state is not None and schemes is not None:
            schemes.know_tags(repo, state.tags)  # detection need not read them again
        return [_member_status(workspace, m, git, state, modes) for m in by_repo[repo]]

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        done = {row.member.name: row for rows in pool.map(read_repo, by_repo) for row in rows}
    return WorkspaceStatus(workspace.root, [done[m.name] for m in members], modes)


def _member_status(
    workspace: Workspace,
    member: Member,
    git: GitRepo | None,
    state: RepoState | None,
    modes: dict[str, ModeState],
) -> MemberStatus:
    tags = member_tags(member, state.tags) if state else []
    dev = [t for t in tags if t.version.is_prerelease]
    stable = [t for t in tags if not t.version.is_prerelease]
    latest_dev = dev[-1] if dev else None
    latest_stable = stable[-1] if stable else None
    pins = {name: mode.pins.get(member.name) for name, mode in modes.items() if mode.present}

    commits = None
    changed: tuple[str, ...] = ()
    if state is not None:
        subdir = None if member.layout.has_own_repo else member.rel_path
        latest = max(
            (t for t in (latest_dev, latest_stable) if t), key=lambda t: t.version, default=None
        )
        if state.head is not None and git is not None:
            commits = git.count_commits(state.head, latest.commit if latest else None, subdir)
        prefix = f"{member.rel_path}/"
        changed = (
            state.changed_paths
            if subdir is None
            else tuple(
                p for p in state.changed_paths if p.startswith(prefix) or p == member.rel_path
            )
        )
    status = MemberStatus(
        member=member,
        latest_dev=latest_dev,
        latest_stable=latest_stable,
        commits_since_tag=commits,
        changed_paths=changed,
        branch=state.branch if state else None,
        detached=state.detached if state else False,
        upstream=state.upstream if state else None,
        ahead=state.ahead if state else None,
        behind=state.behind if state else None,
        shallow=state.shallow if state else False,
        pins=pins,
        drift=(),
    )
    return _with_drift(workspace, status, git)


def _with_drift(workspace: Workspace, s: MemberStatus, git: GitRepo | None = None) -> MemberStatus:
    from dataclasses import replace

    drift: list[str] = []
    member = s.member
    pinned_versions = {
        mode: (pinned_version(member, pin, git) if pin else None) for mode, pin in s.pins.items()
    }
    if member.version_problem:
        drift.append("unmanaged-version")
    if s.commits_since_tag and _unreleased(s, git):
        drift.append("unreleased")
    if s.changed_paths:
        drift.append("uncommitted")
    latest = s.latest_tag
    if latest and member.version and member.version < latest.version:
        drift.append("version-below-tag")
    if member.layout.has_own_repo and s.detached:
        drift.append("detached-head")
    if s.behind:
        drift.append("behind-upstream")
    if s.shallow and not (s.latest_dev or s.latest_stable):
        drift.append("shallow-no-tags")
    for mode, pin in s.pins.items():
        newest = s.latest_dev if mode == "staging" else s.latest_stable
        if (
            mode == "staging"
            and s.latest_stable
            and (newest is None or s.latest_stable.version > newest.version)
        ):
            newest = s.latest_stable
        if pin is None:
            drift.append(f"{mode}-unpinned")
            continue
        pinned = pinned_versions[mode]
        if newest and pinned is not None and pinned < newest.version:
            drift.append(f"{mode}-behind")
    return replace(s, drift=tuple(drift), pinned_versions=pinned_versions)


def _unreleased(s: MemberStatus, git: GitRepo | None) -> bool:
    """Commits since the tag other than the next-dev-cycle commit (``bump --changed`` agrees)."""
    if s.commits_since_tag != 1 or git is None:  # one may be the next-dev-cycle start
        return True
    from release_tool.core.selection import has_changes

    return has_changes(s, lambda _path: git)


__all__ = [
    "Layout",
    "MemberStatus",
    "TagRef",
    "WorkspaceStatus",
    "load_modes",
    "member_tags",
    "workspace_status",
]
