"""Release units: members that are always released together.

Two things bind members: a runtime dependency cycle (uv accepts it; no
order can put one before the other) and a **lockstep** tag scheme, where
members of one repo share a tag such as ``python-v{version}`` (the template
does not name the member), so one tag releases them all. Selecting any
member of a unit selects the whole unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release_tool.core.workspace import Member, Workspace


def lockstep_groups(workspace: Workspace) -> list[tuple[str, ...]]:
    """Members of one repo whose tag for a version is the same tag, in release order."""
    by_tag: dict[tuple[str, str], list[str]] = {}
    for name in workspace.graph.order():
        member = workspace.members.get(name)
        if member is None or not member.tag_scheme.lockstep:
            continue
        probe = member.tag_scheme.format("0")
        by_tag.setdefault((str(member.repo_root), probe), []).append(name)
    return [tuple(names) for names in by_tag.values() if len(names) > 1]


def release_unit(workspace: Workspace, name: str) -> tuple[str, ...]:
    """Every member released together with ``name`` (itself included), in release order."""
    bound = {name}
    for group in [*workspace.graph.groups(), *lockstep_groups(workspace)]:
        if name in group:
            bound.update(group)
    return tuple(workspace.graph.order(bound))


def with_units(workspace: Workspace, members: list[Member]) -> list[Member]:
    """``members`` plus the rest of their release units, in release order."""
    names: set[str] = set()
    for member in members:
        names.update(release_unit(workspace, member.name))
    return [workspace.members[n] for n in workspace.graph.order(names)]
