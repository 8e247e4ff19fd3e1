"""Named checks of a workspace, each problem with a fix-it message.

``release-tool check`` runs them all; the release engine runs the relevant
ones as the first step of a plan. A check returns problems; no problems
means it passed. Severity ``warning`` problems are shown but do not fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from release_tool.adapters import uv
from release_tool.adapters.git import Repo
from release_tool.adapters.toml_files import get_path, parse_toml, unwrap
from release_tool.core.rev_pins import version_at
from release_tool.errors import ReleaseToolError

if TYPE_CHECKING:
    from release_tool.core.modes import ModeState, Pin
    from release_tool.core.status import WorkspaceStatus
    from release_tool.core.workspace import Member, Workspace

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One failing fact, about one subject (a member, a mode, a file)."""

    subject: str
    message: str
    fix: str


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one named check."""

    name: str
    description: str
    severity: Severity
    problems: tuple[Problem, ...] = ()
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return not self.problems or self.severity == "warning"

    @property
    def state(self) -> str:
        if self.skipped:
            return "skipped"
        if not self.problems:
            return "pass"
        return "warn" if self.severity == "warning" else "fail"


@dataclass
class CheckContext:
    """What checks look at: the workspace, its status and its modes."""

    workspace: Workspace
    status: WorkspaceStatus
    lock_timeout: float = 600
    _cache: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)

    @property
    def modes(self) -> dict[str, ModeState]:
        return self.status.modes

    def pyproject_at(self, member: Member, ref: str) -> dict[str, Any] | None:
        """The member's pyproject at ``ref`` of its repo, parsed (None if absent)."""
        key = (member.name, ref)
        if key not in self._cache:
            self._cache[key] = self._read_pyproject(member, ref)
        return self._cache[key]

    def _read_pyproject(self, member: Member, ref: str) -> dict[str, Any] | None:
        if member.repo_root is None:
            return None
        rel = f"{member.git_subdir}/pyproject.toml" if member.git_subdir else "pyproject.toml"
        text = Repo(member.repo_root).read_file_at(ref, rel)
        if text is None:
            return None
        try:
            return unwrap(parse_toml(text, f"{member.name}@{ref}:{rel}"))
        except ReleaseToolError:
            return None


CheckFn = Callable[[CheckContext], list[Problem]]


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    severity: Severity
    run: CheckFn


CHECKS: dict[str, Check] = {}


def check(
    name: str, description: str, severity: Severity = "error"
) -> Callable[[CheckFn], CheckFn]:
    """Register a named check."""

    def decorate(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice: {CHECKS[name].run} and {fn}")
        CHECKS[name] = Check(name, description, severity, fn)
        return fn

    return decorate


def run_checks(ctx: CheckContext, names: list[str] | None = None) -> list[CheckResult]:
    """Run the named checks (default: all) in registration order."""
    results = []
    for name, chk in CHECKS.items():
        if names and name not in names:
            continue
        problems = chk.run(ctx)
        results.append(CheckResult(name, chk.description, chk.severity, tuple(problems)))
    return results


def _pinned(ctx: CheckContext) -> Iterator[tuple[str, Member, Pin, Version | None]]:
    """(mode, member, pin, pinned version) for every pinned member of every present mode."""
    for row in ctx.status.members:
        for mode, pin in row.pins.items():
            if pin is not None:
                yield mode, row.member, pin, row.pinned_versions.get(mode)


@check("no-pending-run", "no interrupted run awaits resume (.release-tool/journal.jsonl)")
def _no_pending_run(ctx: CheckContext) -> list[Problem]:
    from release_tool.core.journal import pending_journal

    pending = pending_journal(ctx.workspace.root)
    if pending is None:
        return []
    return [
        Problem(
            ".release-tool/journal.jsonl",
            f"an interrupted run ({pending.command}) awaits resume",
            "release-tool resume (finish it) or release-tool resume --abort (undo it)",
        )
    ]


@check("submodules", "submodules are initialized and their recorded commits exist")
def _submodules(ctx: CheckContext) -> list[Problem]:
    ws = ctx.workspace
    problems = [
        Problem(path, "submodule is not initialized", f"git submodule update --init {path}")
        for path in ws.uninitialized
    ]
    if not ws.is_git_repo or not ws.submodules:
        return problems
    for path, sha in Repo(ws.root).gitlinks().items():
        if path in ws.uninitialized or not (ws.root / path / ".git").exists():
            continue
        if not Repo(ws.root / path).has_commit(sha):
            problems.append(
                Problem(
                    path,
                    f"recorded commit {sha[:12]} does not exist in the submodule",
                    f"git -C {path} fetch --all, or push that commit from where it was made",
                )
            )
    return problems


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
    for mode, member, pin, _ in _pinned(ctx):
        if pin.rev is not None and member.repo_root is not None:
            problems += _rev_exists(mode, member, pin.rev)
        if pin.tag is None or member.repo_root is None:
            continue
        if member.repo_root not in tags_by_repo:
            tags_by_repo[member.repo_root] = Repo(member.repo_root).tags()
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


def _rev_exists(mode: str, member: Member, rev: str) -> list[Problem]:
    """A rev pin's commit must be in the member's repo (a fresh clone has no tags)."""
    if member.repo_root is None or Repo(member.repo_root).resolve(rev) is not None:
        return []
    return [
        Problem(
            f"{mode}:{member.name}",
            f"pinned commit {rev[:12]} does not exist",
            f"git -C {member.repo_root} fetch, or re-pin: release-tool promote {mode}",
        )
    ]


@check("prod-stable", "prod pins are stable releases (no dev or pre-release)")
def _prod_stable(ctx: CheckContext) -> list[Problem]:
    return [
        Problem(
            f"prod:{member.name}",
            f"prod pins {pin.describe()}, a pre-release",
            f"release-tool promote prod {member.name}",
        )
        for mode, member, pin, version in _pinned(ctx)
        if mode == "prod" and version is not None and version.is_prerelease
    ] + [
        Problem(
            f"prod:{member.name}",
            f"prod pins {pin.describe()}, not a release tag",
            "pin prod to a stable tag: release-tool promote prod",
        )
        for mode, member, pin, version in _pinned(ctx)
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
    for mode, member, pin, version in _pinned(ctx):
        if pin.rev is not None and pin.tag is None:
            problems += _rev_version(mode, member, pin.rev, version)
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


def _rev_version(mode: str, member: Member, rev: str, version: Version | None) -> list[Problem]:
    """At a pinned rev the member's pyproject holds a release version (that of its tag)."""
    if member.repo_root is None or Repo(member.repo_root).resolve(rev) is None:
        return []  # reported by pinned-tags-exist
    inside = version_at(member, Repo(member.repo_root), rev)
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


@check("internal-constraints", "internal dependency constraints hold for the pinned versions")
def _constraints(ctx: CheckContext) -> list[Problem]:
    problems = []
    pinned = {(mode, m.name): v for mode, m, _, v in _pinned(ctx)}
    members = ctx.workspace.members
    for mode, member, pin, _version in _pinned(ctx):
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
    return [
        Problem(
            f"{mode}: {name}",
            f"lists {listed!r}: the dev root asks for {wanted!r}",
            f"write {wanted!r} in [project].dependencies of {state.path.name}/pyproject.toml, "
            "then lock it",
        )
        for mode, state in ctx.modes.items()
        if state.present
        for name, listed, wanted in missing_extras(ctx.workspace.root, state, members)
    ]


@check("locks-fresh", "each mode's uv.lock is up to date (uv lock --check)")
def _locks_fresh(ctx: CheckContext) -> list[Problem]:
    problems = []
    for mode, state in ctx.modes.items():
        if not state.present:
            continue
        rel = state.path.relative_to(ctx.workspace.root).as_posix()
        if not state.lock_path.is_file():
            problems.append(Problem(mode, "uv.lock is missing", f"uv lock --directory {rel}"))
            continue
        result = uv.lock_check(state.path, timeout=ctx.lock_timeout)
        if not result.ok:
            detail = (result.stderr.strip().splitlines() or ["uv lock --check failed"])[-1]
            problems.append(Problem(mode, detail, f"uv lock --directory {rel}"))
    return problems


@check("dev-lock-fresh", "the workspace's own uv.lock is up to date (uv lock --check)")
def _dev_lock_fresh(ctx: CheckContext) -> list[Problem]:
    root = ctx.workspace.root
    if not (root / "uv.lock").is_file():
        return []
    result = uv.lock_check(root, timeout=ctx.lock_timeout)
    if result.ok:
        return []
    detail = (result.stderr.strip().splitlines() or ["uv lock --check failed"])[-1]
    return [Problem("uv.lock", detail, "uv lock (then commit uv.lock)")]


@check(
    "published",
    "pinned tags and submodule commits are on the remotes; local tags equal the remote ones",
)
def _published(ctx: CheckContext) -> list[Problem]:
    from release_tool.core.pending_push import pending_pushes

    try:
        pending = pending_pushes(ctx.workspace, Repo)
    except ReleaseToolError as exc:
        return [Problem("remote", str(exc.message), "check the network and the remote URL")]
    problems = [Problem(p.repo, p.message, p.fix) for p in pending.problems]
    problems += [
        Problem(path, f"the root records commit {sha[:12]}, not pushed yet", "release-tool push")
        for path, sha in pending.unpublished_pointers
        if not any(p.repo == path and p.pointer for p in pending.problems)
    ]
    pinned = _pinned_tags_by_repo(ctx)
    for repo in pending.repos:
        for tag in repo.tags:
            if tag in pinned.get(repo.repo, set()):
                problems.append(
                    Problem(
                        repo.repo, f"pinned tag {tag} is not on the remote", "release-tool push"
                    )
                )
    return problems


def _pinned_tags_by_repo(ctx: CheckContext) -> dict[str, set[str]]:
    from release_tool.core.selection import repo_rel

    found: dict[str, set[str]] = {}
    for _mode, member, pin, _version in _pinned(ctx):
        if pin.tag and member.repo_root is not None:
            found.setdefault(repo_rel(ctx.workspace, member), set()).add(pin.tag)
    return found


@check("heads-attached", "member repositories are on a branch (not a detached HEAD)", "warning")
def _heads_attached(ctx: CheckContext) -> list[Problem]:
    return [
        Problem(
            row.member.name,
            "HEAD is detached",
            f"git -C {row.member.rel_path} switch {ctx.workspace.config.dev_branch}",
        )
        for row in ctx.status.members
        if row.member.layout.has_own_repo and row.detached
    ]


@check(
    "tags-fetched", "repositories with history have their tags (not a shallow clone without tags)"
)
def _tags_fetched(ctx: CheckContext) -> list[Problem]:
    return [
        Problem(
            row.member.name,
            "shallow clone without release tags",
            f"git -C {row.member.rel_path} fetch --unshallow --tags",
        )
        for row in ctx.status.members
        if "shallow-no-tags" in row.drift
    ]
