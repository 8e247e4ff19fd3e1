"""Checks of what the modes pin: every member pinned, tags and revs that exist and
hold the version they name, stable prod, constraints, extras."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from release_tool.adapters.toml_files import get_path, read_toml
from release_tool.core.check_base import CheckContext, Problem, check, pinned_members
from release_tool.core.rev_pins import version_at

if TYPE_CHECKING:
    from release_tool.core.workspace import Member


@check("pinned", "every member is pinned in staging and prod")
def _all_pinned(ctx: CheckContext) -> list[Problem]:
    problems = []
    for mode, state in ctx.modes.items():
        if not state.present:
            problems.append(
                Problem(mode, f"{state.path}/pyproject.toml is missing", "release-tool init")
            )
            continue
        for row in ctx.status.members:
            if row.member.version_problem:  # left out of plans: shown by status, not pinned
                continue
            if row.pins.get(mode) is None:
                fix = (
                    "release-tool bump --dev " + row.member.name
                    if mode == "staging"
                    else "release-tool promote prod " + row.member.name
                )
                problems.append(Problem(f"{mode}:{row.member.name}", f"not pinned in {mode}", fix))
    return problems


@check("pinned-tags-exist", "each pinned tag exists in the member's repository")
def _tags_exist(ctx: CheckContext) -> list[Problem]:
    problems = []
    tags_by_repo: dict[Any, dict[str, str]] = {}
    for mode, member, pin, _ in pinned_members(ctx):
        if pin.rev is not None and member.repo_root is not None:
            problems += _rev_exists(ctx, mode, member, pin.rev)
        if pin.tag is None or member.repo_root is None:
            continue
        if member.repo_root not in tags_by_repo:
            tags_by_repo[member.repo_root] = ctx.open_repo(member.repo_root).tags()
        if pin.tag not in tags_by_repo[member.repo_root]:
            problems.append(
                Problem(
                    f"{mode}:{member.name}",
                    f"pinned tag {pin.tag!r} does not exist",
                    f"git -C {member.repo_root} fetch --tags, "
                    f"or re-pin: release-tool promote {mode}",
                )
            )
    return problems


@check("prod-stable", "prod pins are stable releases (no dev or pre-release)")
def _prod_stable(ctx: CheckContext) -> list[Problem]:
    return [
        Problem(
            f"prod:{member.name}",
            f"prod pins {pin.describe()}, a pre-release",
            f"release-tool promote prod {member.name}",
        )
        for mode, member, pin, version in pinned_members(ctx)
        if mode == "prod" and version is not None and version.is_prerelease
    ] + [
        Problem(
            f"prod:{member.name}",
            f"prod pins {pin.describe()}, not a release tag",
            "pin prod to a stable tag: release-tool promote prod",
        )
        for mode, member, pin, version in pinned_members(ctx)
        if mode == "prod" and version is None
    ]


@check("staging-not-older", "staging pins are not older than prod pins")
def _staging_not_older(ctx: CheckContext) -> list[Problem]:
    problems = []
    for row in ctx.status.members:
        staging, prod = row.pinned_versions.get("staging"), row.pinned_versions.get("prod")
        if staging is not None and prod is not None and staging < prod:
            problems.append(
                Problem(
                    row.member.name,
                    f"staging pins {staging}, older than prod's {prod}",
                    f"release-tool bump --dev {row.member.name}",
                )
            )
    return problems


@check("tag-version", "the version inside each pinned tag equals the tag's version")
def _tag_version(ctx: CheckContext) -> list[Problem]:
    problems = []
    for mode, member, pin, version in pinned_members(ctx):
        if pin.rev is not None and pin.tag is None:
            problems += _rev_version(ctx, mode, member, pin.rev, version)
            continue
        if version is None or pin.tag is None or member.vcs_version:
            continue  # a VCS-versioned member's version is its tag
        doc = ctx.pyproject_at(member, pin.tag)
        if doc is None:
            continue  # a missing tag is reported by pinned-tags-exist
        inside = get_path(doc, "project", "version")
        if inside is None or Version(str(inside)) != version:
            problems.append(
                Problem(
                    f"{mode}:{member.name}",
                    f"tag {pin.tag} holds version {inside!r}, not {version}",
                    "re-tag the release commit that sets that version (release-tool bump)",
                )
            )
    return problems


@check("internal-constraints", "internal dependency constraints hold for the pinned versions")
def _constraints(ctx: CheckContext) -> list[Problem]:
    problems = []
    pinned = {(mode, m.name): v for mode, m, _, v in pinned_members(ctx)}
    members = ctx.workspace.members
    for mode, member, pin, _version in pinned_members(ctx):
        doc = ctx.pyproject_at(member, pin.ref) if pin.ref else None
        if doc is None:
            continue
        for req_text in get_path(doc, "project", "dependencies") or []:
            req = Requirement(req_text)
            dep = members.get(req.name) or members.get(req.name.lower())
            if dep is None:
                continue
            dep_version = pinned.get((mode, dep.name))
            if dep_version is None:
                continue
            if req.specifier and not req.specifier.contains(dep_version, prereleases=True):
                problems.append(
                    Problem(
                        f"{mode}:{member.name}",
                        f"requires {req}, but {mode} pins {dep.name} {dep_version}",
                        f"release {member.name} with an updated constraint "
                        f"(release-tool bump {member.name}) or re-pin {dep.name}",
                    )
                )
    return problems


@check("mode-extras", "modes ask for the extras and markers the dev root asks for")
def _mode_extras(ctx: CheckContext) -> list[Problem]:
    from release_tool.core.mode_requirements import missing_extras

    members = set(ctx.workspace.members)
    root = read_toml(ctx.workspace.root / "pyproject.toml")
    dev = [str(req) for req in get_path(root, "project", "dependencies") or []]
    return [
        Problem(
            f"{mode}: {name}",
            f"lists {listed!r}: the dev root asks for {wanted!r}",
            f"write {wanted!r} in [project].dependencies of {state.path.name}/pyproject.toml, "
            "then lock it",
        )
        for mode, state in ctx.modes.items()
        if state.present
        for name, listed, wanted in missing_extras(dev, state, members)
    ]


def _rev_exists(ctx: CheckContext, mode: str, member: Member, rev: str) -> list[Problem]:
    """A rev pin's commit must be in the member's repo (a fresh clone has no tags)."""
    if member.repo_root is None or ctx.open_repo(member.repo_root).resolve(rev) is not None:
        return []
    return [
        Problem(
            f"{mode}:{member.name}",
            f"pinned commit {rev[:12]} does not exist",
            f"git -C {member.repo_root} fetch, or re-pin: release-tool promote {mode}",
        )
    ]


def _rev_version(
    ctx: CheckContext, mode: str, member: Member, rev: str, version: Version | None
) -> list[Problem]:
    """At a pinned rev the member's pyproject holds a release version (that of its tag)."""
    if member.repo_root is None or ctx.open_repo(member.repo_root).resolve(rev) is None:
        return []  # reported by pinned-tags-exist
    inside = version_at(member, ctx.open_repo(member.repo_root), rev)
    try:
        valid = inside is not None and Version(inside) == version
    except InvalidVersion:
        valid = False
    if valid:
        return []
    return [
        Problem(
            f"{mode}:{member.name}",
            f"rev {rev[:12]} holds version {inside!r}, not a release version"
            + (f" ({version})" if version is not None else ""),
            f"pin the commit of a release tag: release-tool promote {mode}",
        )
    ]
