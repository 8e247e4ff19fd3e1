"""Per-member status: version, tags, unreleased commits, working tree, pins, drift.

Joins the workspace model, the pinned modes and fast git reads. The result
is plain data: the CLI renders it as a table or as JSON (schema
``release-tool.status/1``, documented in the README).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from release_tool.core.graph import EdgeKind
from release_tool.core.modes import MODES, ModeState, Pin, load_mode
from release_tool.core.rev_pins import pinned_version
from release_tool.core.tag_schemes import read_tags_through
from release_tool.core.tags import template_parts
from release_tool.core.workspace import Layout, Member, Workspace

if TYPE_CHECKING:
    from pathlib import Path

    from packaging.version import Version

    from release_tool.adapters.git import RepoState
    from release_tool.core.ports import GitRepo, RepoOpener


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
    release_group: tuple[str, ...] | None = None
    """The members released together with this one (a runtime cycle), or None."""

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
    release_groups: list[tuple[str, ...]] = field(default_factory=list)
    """Runtime cycles: each is released as one group."""
    other_cycles: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    """Edge kind (extra, dev) -> cycles through such edges: shown, never an error."""
    virtual_root: str | None = None
    """The root project uv lists but never builds (``tool.uv.package = false``), or None."""

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

    Repos are read one after another: pygit2 holds the GIL while libgit2
    works, so a thread pool only adds its own cost (measured: 100 submodule
    repos took longer on 2 and 8 threads than in a loop).
    """
    modes = load_modes(workspace)
    members = workspace.select(names)
    by_repo: dict[Path | None, list[Member]] = {}
    for member in members:
        by_repo.setdefault(member.repo_root, []).append(member)
    read_tags_through(members, open_repo)
    opened: dict[Path, GitRepo] = {}

    def open_once(path: Path) -> GitRepo:
        """Each repo opened once for this status: drift checks read it again."""
        if path not in opened:
            opened[path] = open_repo(path)
        return opened[path]

    def read_repo(repo: Path | None) -> list[MemberStatus]:
        git = open_once(repo) if repo is not None else None
        state = git.state() if git is not None else None
        schemes = by_repo[repo][0].schemes
        if repo is not None and state is not None and schemes is not None:
            schemes.know_tags(repo, state.tags)  # detection need not read them again
        names = sorted(state.tags) if state else []
        latest = {
            m.name: _latest_tags(m, _starting_with(state.tags, names, _prefixes(m)))
            if state
            else _Latest()
            for m in by_repo[repo]
        }
        counts: dict[str, int] = {}
        if git is not None and state is not None and state.head is not None:
            ranges = {}
            for m in by_repo[repo]:
                since = latest[m.name].since
                ranges[m.name] = (m.git_subdir, since.commit if since else None)
            counts = git.count_commits_many(state.head, ranges)  # one walk for all
        return [
            _member_status(m, state, modes, latest[m.name], counts.get(m.name))
            for m in by_repo[repo]
        ]

    per_repo = [read_repo(repo) for repo in by_repo]
    done = {
        row.member.name: _with_drift(workspace, row, open_once) for rows in per_repo for row in rows
    }
    graph = workspace.graph
    rows = [replace(done[m.name], release_group=graph.group_of(m.name)) for m in members]
    return WorkspaceStatus(
        workspace.root,
        rows,
        modes,
        release_groups=graph.groups(),
        other_cycles={kind.value: graph.cycles(kind) for kind in (EdgeKind.EXTRA, EdgeKind.DEV)},
        virtual_root=workspace.virtual_root,
    )


def _prefixes(member: Member) -> set[str]:
    """The literal starts of the member's tags: the template up to ``{version}``, once per
    spelling of its name (``""`` when the template starts with the version)."""
    scheme = member.tag_scheme
    out = set()
    for spelling in {scheme.name, *scheme.aliases}:
        text = ""
        for literal, placeholder in template_parts(scheme.template):
            text += literal
            if placeholder == "name":
                text += spelling
            elif placeholder == "short":
                text += scheme.short or scheme.name
            elif placeholder is not None:
                break
        out.add(text)
    return out


def _starting_with(tags: dict[str, str], names: list[str], prefixes: set[str]) -> dict[str, str]:
    """The tags whose name starts with one of ``prefixes`` (``names``: the tag names, sorted).

    A monorepo with 80 members and 400 tags would otherwise parse every tag
    for every member.
    """
    if "" in prefixes:
        return tags
    found: dict[str, str] = {}
    for prefix in prefixes:
        for name in names[bisect_left(names, prefix) :]:
            if not name.startswith(prefix):
                break
            found[name] = tags[name]
    return found


@dataclass(frozen=True)
class _Latest:
    """A member's newest tags: what ``status`` shows and where its commit count starts."""

    dev: TagRef | None = None
    stable: TagRef | None = None
    since: TagRef | None = None
    """The highest version (equal versions: the first name), where counting starts."""


def _latest_tags(member: Member, tags: dict[str, str]) -> _Latest:
    """The ends of ``member_tags(member, tags)`` without sorting it: ``status`` needs only
    the newest dev and stable tags, and sorting every member's tags was a tenth of its
    time on 100 repos (each comparison of two versions is Python code)."""
    scheme = member.tag_scheme
    dev: tuple[Version, str] | None = None
    stable: tuple[Version, str] | None = None
    since: tuple[Version, str] | None = None
    for name in tags:
        version = scheme.parse(name)
        if version is None:
            continue
        key = (version, name)
        if version.is_prerelease:
            if dev is None or key > dev:
                dev = key
        elif stable is None or key > stable:
            stable = key
        if since is None or version > since[0] or (version == since[0] and name < since[1]):
            since = key

    def ref(found: tuple[Version, str] | None) -> TagRef | None:
        return TagRef(found[1], found[0], tags[found[1]]) if found else None

    return _Latest(ref(dev), ref(stable), ref(since))


def _member_status(
    member: Member,
    state: RepoState | None,
    modes: dict[str, ModeState],
    latest: _Latest,
    commits: int | None,
) -> MemberStatus:
    latest_dev = latest.dev
    latest_stable = latest.stable
    pins = {name: mode.pins.get(member.name) for name, mode in modes.items() if mode.present}

    changed: tuple[str, ...] = ()
    if state is not None:
        subdir = member.git_subdir
        prefix = f"{subdir}/"
        changed = (
            state.changed_paths
            if subdir is None
            else tuple(p for p in state.changed_paths if p.startswith(prefix) or p == subdir)
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
    return status


def _with_drift(
    workspace: Workspace, s: MemberStatus, open_repo: RepoOpener | None = None
) -> MemberStatus:
    drift: list[str] = []
    member = s.member
    rev_pinned = any(pin is not None and pin.rev for pin in s.pins.values())
    git = open_repo(member.repo_root) if rev_pinned and open_repo and member.repo_root else None
    pinned_versions = {
        mode: (pinned_version(member, pin, git) if pin else None) for mode, pin in s.pins.items()
    }
    if member.version_problem:
        drift.append("unmanaged-version")
    if s.commits_since_tag and _unreleased(s, open_repo):
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


def _unreleased(s: MemberStatus, open_repo: RepoOpener | None) -> bool:
    """Commits since the tag other than the next-dev-cycle commit (``bump --changed`` agrees)."""
    if s.commits_since_tag != 1 or open_repo is None:  # one may be the next-dev-cycle start
        return True
    from release_tool.core.selection import has_changes

    return has_changes(s, open_repo)


__all__ = [
    "Layout",
    "MemberStatus",
    "TagRef",
    "WorkspaceStatus",
    "load_modes",
    "member_tags",
    "workspace_status",
]
