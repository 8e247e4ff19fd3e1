"""Internal constraints a release must satisfy in the mode it is pinned to.

Two rules, checked before a plan writes anything: a stable release never
carries a dev (pre-release) lower bound on another member (it becomes the
stable version prod pins), and every dependency of a member being pinned
must be satisfied by the version the same mode pins for that dependency
(promote the dependency too, or first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.requirements import Requirement

from release_tool.core.versions import lower_bound, rewrite_requirement, stable_version
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from packaging.version import Version

    from release_tool.core.workspace import InternalDependency


def stable_requirement(requirement: str) -> str:
    """``requirement`` without a pre-release lower bound (``>=0.2.0.dev1`` -> ``>=0.2.0``).

    The lower bound becomes the stable release the dev bound leads to; the
    version the stable mode pins must reach it (``unsatisfied`` checks).
    """
    bound = lower_bound(requirement)
    if bound is None or not bound.is_prerelease:
        return requirement
    return rewrite_requirement(requirement, stable_version(bound))


def unsatisfied(
    member: str,
    requirements: Iterable[tuple[str, str]],
    mode_versions: Mapping[str, Version | None],
    mode: str,
) -> list[str]:
    """Lines for each ``(dependency, requirement)`` the mode's pin of the dependency breaks."""
    problems = []
    for dep, requirement in requirements:
        if dep not in mode_versions:
            continue  # not a member the mode pins
        version = mode_versions[dep]
        req = Requirement(requirement)
        if version is None:
            problems.append(f"{member} needs {requirement}; {mode} does not pin {dep}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{member} needs {requirement}; {mode} would pin {dep} {version}")
        elif mode == "prod" and version.is_prerelease:
            problems.append(f"{member} needs {requirement}; prod would pin a dev {dep} {version}")
    return problems


def refuse_unsatisfied(problems: list[str], mode: str, fix: str) -> None:
    """Raise ``PlanRefusedError`` listing ``problems`` (nothing has been written yet)."""
    if problems:
        raise PlanRefusedError(
            f"dependencies not released to {mode}:\n  " + "\n  ".join(problems), hint=fix
        )


def tag_requirements(pyproject_text: str, members: set[str]) -> list[tuple[str, str]]:
    """(dependency, requirement) pairs on ``members`` in a pyproject's ``dependencies``."""
    import tomllib

    from packaging.utils import canonicalize_name

    data = tomllib.loads(pyproject_text)
    found: list[tuple[str, str]] = []
    for text in data.get("project", {}).get("dependencies", []):
        name = canonicalize_name(Requirement(text).name)
        if name in members:
            found.append((name, text))
    return found


def current_requirements(
    dependencies: Iterable[InternalDependency], updates: Iterable[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    """(dependency, requirement) pairs after the plan's constraint updates."""
    new = {old: nw for _, old, nw in updates}
    return [(d.name, new.get(d.requirement, d.requirement)) for d in dependencies]
