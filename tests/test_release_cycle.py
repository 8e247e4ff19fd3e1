"""End to end: a sandbox goes dev -> staging -> prod twice with release-tool commands alone."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version
from release_support import (  # noqa: F401  (no_github_fast_path is an autouse fixture)
    LAYOUTS,
    lock_is_fresh,
    make,
    no_github_fast_path,
    repos,
    rt,
)

from release_tool.adapters import uv
from release_tool.errors import ExitCode
from release_tool.testing.sandbox import Sandbox, git

if TYPE_CHECKING:
    from pathlib import Path


def _assert_consistent(sb: Sandbox, step: str) -> None:
    """Clean trees, fresh locks, remotes holding every local tag, and `check` where it exists."""
    for rel, path in repos(sb).items():
        assert git(path, "status", "--porcelain") == "", f"{step}: {rel} is dirty"
        local = set(git(path, "tag", "--list").split())
        remote = set(git(path, "ls-remote", "--tags", "--refs", "origin").split()[1::2])
        assert {f"refs/tags/{t}" for t in local} == remote, f"{step}: {rel} tags not pushed"
        branch = git(path, "rev-parse", "--abbrev-ref", "HEAD")
        assert git(path, "rev-parse", "HEAD") == git(path, "rev-parse", f"origin/{branch}")
    for mode in ("staging", "prod"):
        assert lock_is_fresh(sb.root / mode), f"{step}: {mode}/uv.lock is stale"
    assert lock_is_fresh(sb.root), f"{step}: uv.lock is stale"
    try:
        import release_tool.cli.check  # noqa: F401  (the foundation's check command)
    except ImportError:
        return
    result = rt(sb, "check")
    assert result.exit_code == ExitCode.OK, f"{step}: check failed\n{result.output}"


def _pins(sb: Sandbox, mode: str) -> dict[str, str]:
    from release_tool.core.modes import load_mode

    return {name: pin.tag or "" for name, pin in load_mode(mode, sb.root / mode).pins.items()}


def _versions(sb: Sandbox) -> dict[str, Version]:
    from release_tool.core.workspace import load_workspace

    return {m.name: m.version for m in load_workspace(sb.root).members.values()}  # type: ignore[misc]


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_dev_staging_prod_twice(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout, lock=True)
    _assert_consistent(sb, "the sandbox as built")
    for round_ in (1, 2):
        sb.commit_file("pkg-000", "src/pkg_000/feature.py", f"ROUND = {round_}\n", "feat: more")
        if layout != "folder":
            git(sb.member("pkg-000").repo, "push", "-q", "origin", "HEAD")
        uv.STATS.reset()
        result = rt(sb, "bump", "--dev", "--changed", "--push", "--json")
        assert result.exit_code == ExitCode.OK, result.output
        applied = json.loads(result.stdout)
        released = {r["member"]: r["new_version"] for r in applied["plan"]["releases"]}
        assert "pkg-000" in released and Version(released["pkg-000"]).is_devrelease
        assert len(uv.STATS.locks) == 2  # staging and dev, once each
        staging = _pins(sb, "staging")
        for name, version in released.items():
            assert staging[name] == sb.member(name).tag_name(version)
        _assert_consistent(sb, f"round {round_}: bump --dev")

        result = rt(sb, "promote", "staging", "--all", "--push")
        assert result.exit_code == ExitCode.OK, result.output
        _assert_consistent(sb, f"round {round_}: promote staging")

        uv.STATS.reset()
        result = rt(sb, "promote", "prod", "--all", "--push", "--json")
        assert result.exit_code == ExitCode.OK, result.output
        plan = json.loads(result.stdout)["plan"]
        assert len(uv.STATS.locks) == 3  # prod, staging and dev, once each
        prod = _pins(sb, "prod")
        for release in plan["releases"]:
            new = Version(release["new_version"])
            assert not new.is_prerelease
            assert prod[release["member"]] == release["tag"]
            assert _versions(sb)[release["member"]] == Version(
                f"{new.major}.{new.minor}.{new.micro + 1}.dev0"
            )
        _assert_consistent(sb, f"round {round_}: promote prod")
    # the second round released what the first round started
    assert sb.member("pkg-000").tag_name("0.1.2") in git(sb.member("pkg-000").repo, "tag").split()
