"""``release-tool check``: every named check passes on a good workspace and fails on bad input."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git

if TYPE_CHECKING:
    from pathlib import Path

NO_LOCKS = (
    "--only",
    "submodules",
    "--only",
    "pinned",
    "--only",
    "pinned-tags-exist",
    "--only",
    "prod-stable",
    "--only",
    "staging-not-older",
    "--only",
    "tag-version",
    "--only",
    "internal-constraints",
    "--only",
    "heads-attached",
    "--only",
    "tags-fetched",
)


def specs() -> list[MemberSpec]:
    return [
        MemberSpec("core", commits=4, tags=("0.1.0.dev1", "0.1.0", "0.2.0.dev1")),
        MemberSpec("app", commits=3, tags=("0.1.0.dev1", "0.1.0"), deps=("core>=0.1",)),
    ]


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return build_sandbox(tmp_path, specs())


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def states(stdout: str) -> dict[str, str]:
    found = re.findall(r"^(ok|FAIL|warn|skip)\s+(\S+)", stdout, flags=re.M)
    return {name: state for state, name in found}


def test_all_checks_pass_on_a_locked_workspace(tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path, specs(), lock=True)
    result = run_cli("check", cwd=sb.root)
    assert result.exit_code == 0, result.output
    assert set(states(result.stdout).values()) == {"ok"}
    assert len(states(result.stdout)) == 14
    assert "all 14 checks passed" in result.stderr

    # a stale lock fails: the staging pin changes but uv.lock does not
    edit(sb.root / "staging/pyproject.toml", 'tag = "core-v0.2.0.dev1"', 'tag = "core-v0.1.0"')
    result = run_cli("check", "--only", "locks-fresh", "--json", cwd=sb.root)
    assert result.exit_code == ExitCode.CHECK_FAILED
    data = json.loads(result.stdout)
    assert data["passed"] is False
    (lock,) = data["checks"]
    assert lock["name"] == "locks-fresh" and lock["state"] == "fail"
    assert [p["subject"] for p in lock["problems"]] == ["staging"]
    assert lock["problems"][0]["fix"] == "uv lock --directory staging"


def test_missing_pin_tag_and_prod_dev_pin_and_order(sandbox: Sandbox) -> None:
    staging = sandbox.root / "staging/pyproject.toml"
    prod = sandbox.root / "prod/pyproject.toml"
    edit(staging, 'tag = "app-v0.1.0"', 'tag = "app-v0.0.9"')
    edit(prod, 'tag = "core-v0.1.0"', 'tag = "core-v0.2.0.dev1"')
    result = run_cli("check", *NO_LOCKS, cwd=sandbox.root)
    assert result.exit_code == ExitCode.CHECK_FAILED
    got = states(result.stdout)
    assert got["pinned-tags-exist"] == "FAIL"
    assert got["prod-stable"] == "FAIL"
    assert got["staging-not-older"] == "FAIL"
    assert got["pinned"] == "ok"
    assert "staging:app: pinned tag 'app-v0.0.9' does not exist" in result.stdout
    assert "prod:core: prod pins core-v0.2.0.dev1, a pre-release" in result.stdout
    assert "core: staging pins 0.2.0.dev1" not in result.stdout
    assert "app: staging pins 0.0.9, older than prod's 0.1.0" in result.stdout
    assert "fix: release-tool bump --dev app" in result.stdout
    assert "error: 3 of 9 checks failed" in result.stderr


def test_unpinned_member_and_absent_mode(sandbox: Sandbox) -> None:
    edit(sandbox.root / "staging/pyproject.toml", "app = {", "# app = {")
    git(sandbox.root, "rm", "-q", "-r", "prod")
    result = run_cli("check", "--only", "pinned", cwd=sandbox.root)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "staging:app: not pinned in staging" in result.stdout
    assert "prod/pyproject.toml is missing" in result.stdout
    assert "fix: release-tool init" in result.stdout


def test_tag_holding_another_version(sandbox: Sandbox) -> None:
    sandbox.tag("core", "0.3.0.dev1")  # HEAD still says 0.2.0.dev1 inside
    edit(sandbox.root / "staging/pyproject.toml", "core-v0.2.0.dev1", "core-v0.3.0.dev1")
    result = run_cli("check", "--only", "tag-version", cwd=sandbox.root)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "staging:core: tag core-v0.3.0.dev1 holds version '0.2.0.dev1', not 0.3.0.dev1" in (
        result.stdout
    )


def test_internal_constraint_not_met_by_pins(tmp_path: Path) -> None:
    sb = build_sandbox(
        tmp_path,
        [
            MemberSpec("core", commits=2, tags=("0.1.0", "0.2.0")),
            MemberSpec("app", commits=2, tags=("1.0.0",), deps=("core>=0.2",)),
        ],
    )
    edit(sb.root / "prod/pyproject.toml", 'tag = "core-v0.2.0"', 'tag = "core-v0.1.0"')
    result = run_cli("check", "--only", "internal-constraints", cwd=sb.root)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "prod:app: requires core>=0.2, but prod pins core 0.1.0" in result.stdout


def test_submodules_uninitialized_or_missing_commit(tmp_path: Path) -> None:
    sb = build_sandbox(
        tmp_path,
        [
            MemberSpec("one", layout="submodule", commits=2, tags=("0.1.0",)),
            MemberSpec("two", layout="submodule", commits=2, tags=("0.1.0",)),
        ],
    )
    git(sb.root, "submodule", "deinit", "-q", "-f", "packages/one")
    # record a commit in the root that the submodule's repo does not have
    sub = sb.member("two").path
    git(sub, "commit", "-q", "--allow-empty", "-m", "made here")
    git(sb.root, "add", "packages/two")
    git(sb.root, "commit", "-q", "-m", "point two at a local commit")
    git(sub, "reset", "-q", "--hard", "HEAD~1")
    git(sub, "reflog", "expire", "--expire=now", "--all")
    git(sub, "gc", "-q", "--prune=now")
    result = run_cli("check", "--only", "submodules", "--only", "pinned", cwd=sb.root)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "packages/one: submodule is not initialized" in result.stdout
    assert "fix: git submodule update --init packages/one" in result.stdout
    assert re.search(r"packages/two: recorded commit [0-9a-f]{12} does not exist", result.stdout)


def test_detached_head_warns_but_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path / "s", [MemberSpec("sub", layout="submodule", tags=("0.1.0",))])
    git(sb.member("sub").path, "checkout", "-q", "--detach")
    result = run_cli("check", "--only", "heads-attached", cwd=sb.root)
    assert result.exit_code == 0
    assert "warn  heads-attached" in result.stdout
    assert "fix: git -C packages/sub switch dev" in result.stdout


def test_unknown_check_name(sandbox: Sandbox) -> None:
    result = run_cli("check", "--only", "nope", cwd=sandbox.root)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "unknown check(s): nope" in result.stderr


def test_mode_extras_fails_when_a_mode_drops_the_dev_roots_extras(sandbox: Sandbox) -> None:
    root = sandbox.root / "pyproject.toml"
    edit(root, '    "app",\n', "    \"app[cli]; sys_platform == 'linux'\",\n")
    result = run_cli("check", "--only", "mode-extras", "--json", cwd=sandbox.root)
    assert result.exit_code == ExitCode.CHECK_FAILED, result.output
    (found,) = json.loads(result.stdout)["checks"]
    assert [p["subject"] for p in found["problems"]] == ["staging: app", "prod: app"]
    assert found["problems"][0]["fix"] == (
        "write 'app[cli]; sys_platform == \"linux\"' in [project].dependencies of "
        "staging/pyproject.toml, then lock it"
    )
    for mode in ("staging", "prod"):  # what init writes for such a root
        edit(
            sandbox.root / mode / "pyproject.toml",
            '    "app",\n',
            '    "app[cli]; sys_platform == \\"linux\\"",\n',
        )
    assert run_cli("check", "--only", "mode-extras", cwd=sandbox.root).exit_code == 0
