"""The check framework: problems, results, the context checks read, the registry.

The checks themselves live in ``check_pins`` (what the modes pin) and
``check_repos`` (repos, remotes, locks, runs); ``checks`` puts them in the
order ``release-tool check`` shows them. A check returns problems; none
means it passed. Severity ``warning`` problems are shown but do not fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from release_tool.adapters.toml_files import parse_toml, unwrap
from release_tool.errors import ReleaseToolError

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.modes import ModeState, Pin
    from release_tool.core.ports import LockCheck, RepoOpener
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
    open_repo: RepoOpener
    """The git port (``adapters.git.Repo``)."""
    lock_check: LockCheck
    """``uv lock --check`` in a folder (``adapters.uv.lock_problem``)."""
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
        text = self.open_repo(member.repo_root).read_file_at(ref, rel)
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


def pinned_members(ctx: CheckContext) -> Iterator[tuple[str, Member, Pin, Version | None]]:
    """(mode, member, pin, pinned version) for every pinned member of every present mode."""
    for row in ctx.status.members:
        for mode, pin in row.pins.items():
            if pin is not None:
                yield mode, row.member, pin, row.pinned_versions.get(mode)
