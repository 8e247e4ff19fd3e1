"""Plans for ``bump``, ``promote prod`` and ``promote staging``.

Each planner reads the workspace, decides every member's new version
(dependents whose constraint no longer holds included, in dependency
order), checks the repos, and returns a ``Plan``: release edits, commits
and tags per repo, then pins, one ``uv lock`` per mode touched, the root
commit (modes, submodule pointers) and, with ``push``, atomic pushes
(member repos first, root last).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.requirements import Requirement

from release_tool.core.plan import Plan
from release_tool.core.release_steps import (
    ReleaseChange,
    ReleaseOptions,
    build_plan,
    mode_steps,
    pin_update,
    push_step,
    root_commit,
)
from release_tool.core.release_units import release_unit, with_units
from release_tool.core.selection import has_changes, preflight_repos, select_members
from release_tool.core.status import WorkspaceStatus, load_modes, workspace_status
from release_tool.core.versions import (
    BumpPart,
    dev_bump_parts,
    next_version,
    parts_for_kind,
    stable_version,
)
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core import pins
    from release_tool.core.plan import Step
    from release_tool.core.ports import RepoOpener
    from release_tool.core.status import MemberStatus
    from release_tool.core.workspace import Member, Workspace


__all__ = [
    "ReleaseOptions",
    "plan_bump",
    "plan_promote_prod",
    "plan_promote_staging",
]


def plan_bump(workspace: Workspace, options: ReleaseOptions, *, open_repo: RepoOpener) -> Plan:
    """Plan ``bump``: new versions, release commits and tags, staging pins and lock."""
    status = workspace_status(workspace, open_repo=open_repo)
    notes: list[str] = []
    selected = select_members(workspace, status, options.selection, open_repo)
    chosen = _releasable(workspace, status, selected, options, notes)
    parts = list(options.parts) or [BumpPart.DEV]
    initial = {}
    for row in chosen:
        current = _version(row.member)
        initial[row.member.name] = (
            next_version(current, dev_bump_parts(current, parts), force=options.force),
            "selected",
        )
    changes = _with_dependents(workspace, status, initial, kind=_kind_of(parts))
    command = "bump " + " ".join(f"--{p.value}" for p in parts) + " " + options.selection.describe()
    return build_plan(
        workspace,
        status,
        changes,
        options,
        command.strip(),
        modes=["staging"],
        open_repo=open_repo,
        notes=notes,
    )


def plan_promote_prod(
    workspace: Workspace, options: ReleaseOptions, *, open_repo: RepoOpener
) -> Plan:
    """Plan ``promote prod``: stable versions and tags, prod (and staging) pins, next dev cycle."""
    status = workspace_status(workspace, open_repo=open_repo)
    notes: list[str] = []
    selected = select_members(workspace, status, options.selection, open_repo)
    chosen = _releasable(workspace, status, selected, options, notes)
    initial: dict[str, tuple[Version, str]] = {}
    for row in chosen:
        current = _version(row.member)
        stable_tag = row.latest_stable
        if (
            not current.is_prerelease
            and stable_tag
            and stable_tag.version == current
            and not row.commits_since_tag
        ):
            notes.append(f"{row.member.name}: {current} is already released ({stable_tag.name})")
            continue
        dev_tag = row.latest_dev
        new_dev = dev_tag is not None and (
            stable_tag is None or dev_tag.version > stable_tag.version
        )
        if stable_tag is not None and not new_dev and not has_changes(row, open_repo):
            notes.append(f"{row.member.name}: nothing new since {stable_tag.name}")
            continue
        target = (
            current
            if not current.is_prerelease and (not stable_tag or stable_tag.version < current)
            else stable_version(current)
        )
        initial[row.member.name] = (target, "selected")
    for name, (target, _) in list(initial.items()):  # a lockstep unit shares one tag
        for mate in release_unit(workspace, name):
            same_tag = workspace.members[mate].version == workspace.members[name].version
            if mate not in initial and same_tag and mate in {r.member.name for r in chosen}:
                initial[mate] = (target, f"released with {name}")
    changes = _with_dependents(workspace, status, initial, kind="stable")
    command = "promote prod " + options.selection.describe()
    return build_plan(
        workspace,
        status,
        changes,
        options,
        command.strip(),
        modes=["prod", "staging"],
        next_dev=True,
        notes=notes,
        open_repo=open_repo,
    )


def plan_promote_staging(
    workspace: Workspace, options: ReleaseOptions, *, open_repo: RepoOpener
) -> Plan:
    """Plan ``promote staging``: pin staging to each member's newest existing tag, re-lock."""
    status = workspace_status(workspace, open_repo=open_repo)
    chosen = select_members(workspace, status, options.selection, open_repo)
    modes = load_modes(workspace)
    staging = modes["staging"]
    if not staging.present:
        raise PlanRefusedError(
            f"{staging.path}/pyproject.toml does not exist", hint="run `release-tool init`"
        )
    updates: list[pins.PinUpdate] = []
    pin_rows = []
    notes = []
    for row in chosen:
        newest = max(
            (t for t in (row.latest_dev, row.latest_stable) if t),
            key=lambda t: t.version,
            default=None,
        )
        current = staging.pins.get(row.member.name)
        if newest is None:
            notes.append(f"{row.member.name}: no dev or stable tag to pin")
            continue
        if current is not None and current.tag == newest.name:
            notes.append(f"{row.member.name}: staging already pins {newest.name}")
            continue
        updates.append(pin_update(workspace, row.member, newest.name, modes))
        pin_rows.append(("staging", row.member.name, current.tag if current else None, newest.name))
    branches = preflight_repos(workspace, ["."], open_repo)
    steps: list[Step] = []
    if updates:
        steps += mode_steps(workspace, {"staging": updates}, modes, lock_dev=False)
        steps.append(root_commit(["staging"], [], False, False, pin_rows))
        if options.push:
            steps.append(push_step(".", branches["."], [], workspace.config.git_remote))
    return Plan(
        command="promote staging " + options.selection.describe(),
        steps=tuple(steps),
        pins=tuple(pin_rows),
        notes=tuple(notes),
        dry_run=options.dry_run,
    )


# -- shared construction ------------------------------------------------------


def _releasable(
    workspace: Workspace,
    status: WorkspaceStatus,
    chosen: list[MemberStatus],
    options: ReleaseOptions,
    notes: list[str],
) -> list[MemberStatus]:
    """The chosen rows plus the rest of their release units, minus unmanaged versions.

    A member named on the command line whose version cannot be managed is
    refused (``PlanRefusedError``); with ``--all``/``--changed`` it is left
    out of the plan with a note saying why.
    """
    rows = {row.member.name: row for row in status.members}
    named = {workspace.member(n).name for n in options.selection.names}
    members = with_units(workspace, [row.member for row in chosen])
    for name in [m.name for m in members if m.name not in {r.member.name for r in chosen}]:
        notes.append(f"{name}: released with its unit ({', '.join(release_unit(workspace, name))})")
    out = []
    for member in members:
        problem = member.version_problem
        if problem and member.name not in named:
            notes.append(f"{member.name}: left out: {problem}")
            continue
        out.append(rows[member.name])
    return out


def _with_dependents(
    workspace: Workspace,
    status: WorkspaceStatus,
    initial: dict[str, tuple[Version, str]],
    *,
    kind: str,
) -> list[ReleaseChange]:
    """Add dependents whose constraints the new versions break; order by the graph."""
    rows = {row.member.name: row for row in status.members}
    new_versions = {name: version for name, (version, _) in initial.items()}
    changes: list[ReleaseChange] = []
    for name in workspace.graph.order():
        member = workspace.members[name]
        updates = []
        breakers = []
        for dep in member.dependencies:
            if dep.name not in new_versions:
                continue
            req = Requirement(dep.requirement)
            if not req.specifier.contains(new_versions[dep.name], prereleases=True):
                updates.append((dep.name, dep.requirement, _widened(req, new_versions[dep.name])))
                breakers.append(dep.name)
        if name in initial:
            version, reason = initial[name]
        elif updates:
            version = _dependent_version(_version(member), kind)
            reason = "dependent of " + ", ".join(sorted(set(breakers)))
            new_versions[name] = version
        else:
            continue
        changes.append(ReleaseChange(member, rows[name], version, reason, updates))
    return changes


def _dependent_version(current: Version, kind: str) -> Version:
    if kind == "stable":
        return stable_version(current)
    parts = parts_for_kind(kind)
    if kind == "dev":
        parts = dev_bump_parts(current, parts)
    bumped = next_version(current, parts, force=True)
    if bumped <= current:
        bumped = next_version(current, [BumpPart.PATCH, *parts])
    return bumped


def _kind_of(parts: list[BumpPart]) -> str:
    """The kind of release a bump makes, given to dependents it forces to release."""
    for part in (BumpPart.DEV, BumpPart.ALPHA, BumpPart.BETA, BumpPart.RC, BumpPart.POST):
        if part in parts:
            return part.value
    return "stable"


def _widened(req: Requirement, version: Version) -> str:
    """The requirement with its version range replaced by ``>=version`` (extras, marker kept)."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f"; {req.marker}" if req.marker else ""
    return f"{req.name}{extras}>={version}{marker}"


def _version(member: Member) -> Version:
    if member.version is None or member.version_problem:
        raise PlanRefusedError(f"{member.name}: {member.version_problem}")
    return member.version
