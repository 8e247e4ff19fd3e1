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

from release_tool.core.dependents import (
    kind_of,
    member_version,
    stable_constraints,
    with_dependents,
)
from release_tool.core.mode_constraints import (
    refuse_unsatisfied,
    tag_requirements,
    unsatisfied,
)
from release_tool.core.mode_steps import mode_steps, pin_update, root_commit
from release_tool.core.pending_push import PendingPushes, pending_pushes, publish_steps
from release_tool.core.plan import PinChange, Plan
from release_tool.core.release_plan import ReleaseOptions, build_plan
from release_tool.core.release_units import release_unit, with_units
from release_tool.core.selection import preflight_repos, select_members
from release_tool.core.staged import (
    Commit,
    changed_since_prod,
    staged_newer_than_prod,
    staged_tag,
    unstaged_commits,
)
from release_tool.core.status import WorkspaceStatus, load_modes, workspace_status
from release_tool.core.versions import BumpPart, dev_bump_parts, next_version, stable_version
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core import pin_edits
    from release_tool.core.modes import Pin
    from release_tool.core.plan import Step
    from release_tool.core.ports import RepoOpener
    from release_tool.core.status import MemberStatus
    from release_tool.core.workspace import Workspace


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
        current = member_version(row.member)
        initial[row.member.name] = (
            next_version(current, dev_bump_parts(current, parts), force=options.force),
            "selected",
        )
    changes = with_dependents(workspace, status, initial, kind=kind_of(parts))
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
    """Plan ``promote prod``: stable versions and tags, prod (and staging) pins, next dev cycle.

    Without names: every member whose staging pin is newer than its prod
    pin. Each release is made from the content of the staged tag; commits
    after it are refused unless ``options.release_head``.
    """
    status = workspace_status(workspace, open_repo=open_repo)
    notes: list[str] = []
    selected = select_members(
        workspace,
        status,
        options.selection,
        open_repo,
        default=staged_newer_than_prod,
        changed=lambda row: changed_since_prod(row, open_repo),
    )
    chosen = _releasable(workspace, status, selected, options, notes)
    initial: dict[str, tuple[Version, str]] = {}
    unstaged: list[str] = []
    for row in chosen:
        current = member_version(row.member)
        stable_tag = row.latest_stable
        staged = staged_tag(row, open_repo)
        if staged is not None and stable_tag is not None and stable_tag.version >= staged.version:
            staged = stable_tag  # staging is behind: what prod has is the base
        after = unstaged_commits(workspace, row, staged, open_repo) if staged else []
        if staged is not None and not after:
            if not staged.version.is_prerelease:
                notes.append(
                    f"{row.member.name}: nothing new since {staged.name}"
                    if current.is_prerelease
                    else f"{row.member.name}: {staged.version} is already released ({staged.name})"
                )
                continue
            initial[row.member.name] = (stable_version(staged.version), "selected")
            continue
        if not options.release_head:
            unstaged.append(_unstaged_line(row.member.name, staged.name if staged else None, after))
            continue
        target = (
            current
            if not current.is_prerelease and (not stable_tag or stable_tag.version < current)
            else stable_version(current)
        )
        initial[row.member.name] = (target, "selected (HEAD)")
    if unstaged:
        names = " ".join(line.split(":", 1)[0] for line in unstaged)
        raise PlanRefusedError(
            "not what staging tested:\n  " + "\n  ".join(unstaged),
            hint=f"stage them first: release-tool bump --dev {names} "
            "(then promote prod), or release HEAD with --release-head",
        )
    for name, (target, _) in list(initial.items()):  # a lockstep unit shares one tag
        for mate in release_unit(workspace, name):
            same_tag = workspace.members[mate].version == workspace.members[name].version
            if mate not in initial and same_tag and mate in {r.member.name for r in chosen}:
                initial[mate] = (target, f"released with {name}")
    changes = with_dependents(workspace, status, initial, kind="stable")
    stable_constraints(changes, status)
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


def _unstaged_line(name: str, tag: str | None, after: list[Commit]) -> str:
    if tag is None:
        return f"{name}: no release tag yet (staging never pinned it)"
    if after and after[0].diverged:
        return (
            f"{name}: HEAD {after[0].sha[:7]} does not hold the staged tag {tag} "
            "(is the dev branch of its repo merged into this branch?)"
        )
    shown = "; ".join(f"{c.sha[:7]} {c.subject}" for c in after[:5])
    more = f" (+{len(after) - 5} more)" if len(after) > 5 else ""
    return f"{name}: {len(after)} commit(s) after the staged tag {tag}: {shown}{more}"


def plan_promote_staging(
    workspace: Workspace, options: ReleaseOptions, *, open_repo: RepoOpener
) -> Plan:
    """Plan ``promote staging``: pin staging to each member's newest existing tag, re-lock.

    Without names every member is considered. A member whose tag needs a
    dependency version staging would not pin is refused before anything
    is written.
    """
    status = workspace_status(workspace, open_repo=open_repo)
    chosen = select_members(
        workspace, status, options.selection, open_repo, default=lambda row: True
    )
    modes = load_modes(workspace)
    staging = modes["staging"]
    if not staging.present:
        raise PlanRefusedError(
            f"{staging.path}/pyproject.toml does not exist", hint="run `release-tool init`"
        )
    updates: list[pin_edits.PinUpdate] = []
    pin_rows = []
    notes = []
    new_pins: dict[str, tuple[MemberStatus, str, Version]] = {}
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
        if (current is not None and newest.name == current.tag) or _pins_commit(
            current, newest.commit
        ):
            notes.append(f"{row.member.name}: staging already pins {newest.name}")
            continue
        updates.append(pin_update(workspace, row.member, newest.name, modes))
        pin_rows.append(("staging", row.member.name, current.ref if current else None, newest.name))
        new_pins[row.member.name] = (row, newest.name, newest.version)
    _refuse_staging_gaps(workspace, status, new_pins, open_repo)
    branches = preflight_repos(workspace, ["."], open_repo)
    steps: list[Step] = []
    if updates:
        steps += mode_steps(workspace, {"staging": updates}, modes, lock_dev=False)
        steps.append(root_commit(["staging"], [], False, False, pin_rows))
        if options.push:
            steps += publish_steps(
                workspace,
                PendingPushes() if options.dry_run else pending_pushes(workspace, open_repo),
                branches={".": branches["."]},
                planned_tags={},
                remote=workspace.config.git_remote,
            )
    return Plan(
        command="promote staging " + options.selection.describe(),
        steps=tuple(steps),
        pins=tuple(PinChange(*row) for row in pin_rows),
        notes=tuple(notes),
        dry_run=options.dry_run,
    )


def _pins_commit(pin: Pin | None, commit: str) -> bool:
    """Whether ``pin`` is a rev pin of ``commit``."""
    return pin is not None and pin.rev is not None and pin.rev == commit


def _refuse_staging_gaps(
    workspace: Workspace,
    status: WorkspaceStatus,
    new_pins: dict[str, tuple[MemberStatus, str, Version]],
    open_repo: RepoOpener,
) -> None:
    """Each newly pinned tag's internal requirements must hold for staging's pins."""
    versions: dict[str, Version | None] = {
        row.member.name: row.pinned_versions.get("staging") for row in status.members
    }
    versions.update({name: version for name, (_, _, version) in new_pins.items()})
    problems: list[str] = []
    for name, (row, tag, _) in new_pins.items():
        member = row.member
        repo = member.repo_root or workspace.root
        rel = "pyproject.toml"
        if not member.layout.has_own_repo:
            rel = f"{member.rel_path}/{rel}"
        text = open_repo(repo).read_file_at(f"refs/tags/{tag}", rel)
        if text is None:
            continue
        requirements = tag_requirements(text, set(workspace.members))
        problems += unsatisfied(name, requirements, versions, "staging")
    refuse_unsatisfied(
        problems, "staging", "make the dependency's release first: release-tool bump --dev NAME"
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
