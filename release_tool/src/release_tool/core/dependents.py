"""Who else a release takes along, and what it may ask of them: dependents whose
constraints the new versions break (released too, in dependency order, with the
requirement rewritten), and for a stable release, constraints prod can meet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.requirements import Requirement

from release_tool.core.mode_constraints import (
    current_requirements,
    refuse_unsatisfied,
    stable_requirement,
    unsatisfied,
)
from release_tool.core.release_plan import ReleaseChange
from release_tool.core.versions import (
    BumpPart,
    dev_bump_parts,
    next_version,
    parts_for_kind,
    rewrite_requirement,
    stable_version,
)
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.status import WorkspaceStatus
    from release_tool.core.workspace import Member, Workspace


def with_dependents(
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
                new_req = rewrite_requirement(dep.requirement, new_versions[dep.name])
                updates.append((dep.name, dep.requirement, new_req))
                breakers.append(dep.name)
        if name in initial:
            version, reason = initial[name]
        elif updates:
            version = _dependent_version(member_version(member), kind)
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


def kind_of(parts: list[BumpPart]) -> str:
    """The kind of release a bump makes, given to dependents it forces to release."""
    for part in (BumpPart.DEV, BumpPart.ALPHA, BumpPart.BETA, BumpPart.RC, BumpPart.POST):
        if part in parts:
            return part.value
    return "stable"


def stable_constraints(changes: list[ReleaseChange], status: WorkspaceStatus) -> None:
    """No dev lower bounds in stable releases; refuse dependencies prod would not have."""
    prod_versions: dict[str, Version | None] = {
        row.member.name: row.pinned_versions.get("prod") for row in status.members
    }
    if not any(row.pins.get("prod") for row in status.members):  # no prod mode: stable tags
        prod_versions = {
            row.member.name: row.latest_stable.version if row.latest_stable else None
            for row in status.members
        }
    for change in changes:
        prod_versions[change.member.name] = change.new
    problems: list[str] = []
    for change in changes:
        requirements = current_requirements(change.member.dependencies, change.updates)
        for dep, requirement in requirements:
            stable = stable_requirement(requirement)
            if stable != requirement:
                original = next(
                    (old for d, old, new in change.updates if new == requirement),
                    requirement,
                )
                change.updates = [u for u in change.updates if u[1] != original]
                change.updates.append((dep, original, stable))
        requirements = current_requirements(change.member.dependencies, change.updates)
        problems += unsatisfied(change.member.name, requirements, prod_versions, "prod")
    wanted = sorted({*_dep_names(problems), *(c.member.name for c in changes)})
    refuse_unsatisfied(
        problems,
        "prod",
        "promote the dependencies too (or first): release-tool promote prod " + " ".join(wanted),
    )


def _dep_names(problems: list[str]) -> set[str]:
    out = set()
    for line in problems:
        requirement = line.split(" needs ", 1)[1].split(";", 1)[0]
        out.add(Requirement(requirement).name)
    return out


def member_version(member: Member) -> Version:
    """The member's version, or a refusal saying why it has none a release can start from."""
    if member.version is None or member.version_problem:
        raise PlanRefusedError(f"{member.name}: {member.version_problem}")
    return member.version
