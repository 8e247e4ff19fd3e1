"""The sandbox factory builds what tests and benchmarks rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_tool.testing.sandbox import MemberSpec, build_sandbox, git, make_specs


def test_mixed_layout_has_tags_remotes_and_submodules_on_main(tmp_path: Path) -> None:
    specs = [
        *make_specs(2, layout="submodule", commits=6, tags=("0.1.0.dev1", "0.1.0")),
        MemberSpec("lib-x", deps=("pkg-000>=0.1",), commits=4, tags=("0.2.0.dev1",)),
    ]
    sb = build_sandbox(tmp_path, specs)

    sub = sb.member("pkg-000")
    assert git(sub.path, "tag", "--list").split() == ["v0.1.0", "v0.1.0.dev1"]
    assert git(sub.path, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(sub.path, "rev-list", "--count", "HEAD") == "6"
    assert sb.remote_tags("pkg-000") == ["v0.1.0", "v0.1.0.dev1"]
    assert "lib-x-v0.2.0.dev1" in sb.git("tag", "--list").split()
    # the version inside each tag is the tag's version
    text = git(sub.path, "show", "v0.1.0.dev1:pyproject.toml")
    assert 'version = "0.1.0.dev1"' in text
    staging = (sb.root / "staging/pyproject.toml").read_text()
    # staging pins the newest tag: here the stable 0.1.0 supersedes 0.1.0.dev1
    pin = '{ git = "https://github.com/example-org/pkg-000.git", tag = "v0.1.0" }'
    assert f"pkg-000 = {pin}" in staging
    assert '"pkg-000 @ git+https://github.com/example-org/pkg-000.git@v0.1.0"' in staging
    prod = (sb.root / "prod/pyproject.toml").read_text()
    assert "lib-x" not in prod  # no stable tag yet: not pinned


def test_dates_are_fixed(tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path, [MemberSpec("solo", commits=2, tags=("1.0.0",))])
    dates = sb.git("log", "--format=%cI").split()
    assert dates[-1] == "2026-01-02T03:01:00+00:00"


def test_untagged_tail_and_head_version(tmp_path: Path) -> None:
    spec = MemberSpec("tail", commits=5, tags=("0.1.0",), untagged_tail=2, version="0.1.1.dev0")
    sb = build_sandbox(tmp_path, [spec])
    count = sb.git("rev-list", "--count", "tail-v0.1.0..HEAD", "--", "packages/tail")
    assert count == "2"  # the first untagged commit also opens 0.1.1.dev0
    assert 'version = "0.1.1.dev0"' in (sb.root / "packages/tail/pyproject.toml").read_text()


def test_sandboxes_never_write_the_users_own_git_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from release_tool.testing.sandbox import redirect_urls

    home_config = Path.home() / ".gitconfig"  # the isolated HOME of tests/conftest.py
    monkeypatch.delenv("GIT_CONFIG_GLOBAL")
    with pytest.raises(RuntimeError, match="GIT_CONFIG_GLOBAL"):
        redirect_urls({"https://github.com/example-org/x.git": tmp_path / "x.git"})
    assert "insteadOf" not in home_config.read_text()
