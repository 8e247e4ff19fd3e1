"""Faults and bad input, with real git and uv: afterwards nothing of the run is left behind."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from release_support import (  # noqa: F401  (no_github_fast_path is an autouse fixture)
    LAYOUTS,
    diff,
    make,
    no_github_fast_path,
    reject_pushes,
    rt,
    rt_process,
    snapshot,
)

from release_tool.errors import ExitCode
from release_tool.testing.sandbox import git

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("layout", LAYOUTS)
def test_dirty_tree_is_refused(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout)
    (sb.member("pkg-000").path / "scratch.txt").write_text("wip\n")
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "--all")
    assert result.exit_code == ExitCode.PLAN_REFUSED, result.output
    assert "uncommitted changes" in result.stderr and "scratch.txt" in result.stderr
    assert diff(before, snapshot(sb)) == []


@pytest.mark.parametrize("layout", ["submodule", "mixed"])
def test_detached_head_is_refused(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout)
    member = sb.member("pkg-000")
    git(member.repo, "checkout", "-q", "--detach", "HEAD")
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "pkg-000")
    assert result.exit_code == ExitCode.PLAN_REFUSED, result.output
    assert "HEAD is detached" in result.stderr
    assert diff(before, snapshot(sb)) == []


def test_detached_root_is_refused_in_folder_layout(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    sb.git("checkout", "-q", "--detach", "HEAD")
    result = rt(sb, "bump", "--dev", "pkg-000")
    assert result.exit_code == ExitCode.PLAN_REFUSED
    assert ".: HEAD is detached" in result.stderr


@pytest.mark.parametrize("layout", LAYOUTS)
def test_tag_exists_locally(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout)
    sb.tag("pkg-000", "0.1.1.dev1", "someone else's tag")
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "pkg-000")
    assert result.exit_code == ExitCode.PLAN_REFUSED, result.output
    assert "already exists locally" in result.stderr
    assert diff(before, snapshot(sb)) == []


@pytest.mark.parametrize("layout", ["folder", "submodule"])
def test_tag_exists_on_remote(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout)
    m = sb.member("pkg-000")
    name = sb.tag("pkg-000", "0.1.1.dev1")
    git(m.repo, "push", "-q", "origin", f"refs/tags/{name}")
    git(m.repo, "tag", "-d", name)
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "pkg-000", "--push")
    assert result.exit_code == ExitCode.PLAN_REFUSED, result.output
    assert f"tag {name} already exists on origin" in result.stderr
    assert diff(before, snapshot(sb)) == []


def test_version_not_increasing_is_refused_unless_forced(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    before = snapshot(sb)
    result = rt(sb, "bump", "--rc", "pkg-000")
    assert result.exit_code == ExitCode.PLAN_REFUSED
    assert "0.1.0 => 0.1.0rc1 does not increase the version" in result.stderr
    assert diff(before, snapshot(sb)) == []
    forced = rt(sb, "bump", "--rc", "pkg-000", "--force", "--dry-run")
    assert forced.exit_code == ExitCode.OK, forced.output
    assert "pkg-000 0.1.0 -> 0.1.0rc1" in forced.stdout
    stable = rt(sb, "bump", "--stable", "pkg-000", "--force")
    assert stable.exit_code == ExitCode.PLAN_REFUSED  # 0.1.0 again: its tag exists
    assert "tag v0.1.0 already exists locally" in stable.stderr


def test_unknown_member(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    result = rt(sb, "bump", "--dev", "no-such-pkg")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "unknown member 'no-such-pkg'" in result.stderr


def test_bad_part_combination_is_a_usage_error(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    result = rt(sb, "bump", "--rc", "--dev", "--all")
    assert result.exit_code == ExitCode.USAGE
    assert "only one of --alpha, --beta, --rc, --dev" in result.stderr


@pytest.mark.parametrize(
    ("layout", "rejecting"), [("submodule", "pkg-001"), ("mixed", "workspace")]
)
def test_push_rejected_at_member_k_undoes_everything(
    tmp_path: Path, layout: str, rejecting: str
) -> None:
    sb = make(tmp_path, layout)
    reject_pushes(sb.remotes / f"{rejecting}.git")
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "--all", "--push")
    assert result.exit_code == ExitCode.APPLY_FAILED, result.output
    assert "push --atomic" in result.stderr and "rejected by policy" in result.stderr
    assert "rolled back:" in result.stderr
    assert "restored remote refs of packages/pkg-000" in result.stderr  # pushed before k
    assert diff(before, snapshot(sb)) == []
    journal = json.loads((sb.root / ".release-tool/last-journal.json").read_text())
    assert journal["outcome"] == "rolled-back"
    assert any("restored remote refs" in line for line in journal["report"]["undone"])


def test_remote_unreachable_is_refused_before_any_change(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    m = sb.member("pkg-001")
    git(m.repo, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "--all", "--push")
    assert result.exit_code == ExitCode.GIT, result.output
    assert "cannot reach remote 'origin'" in result.stderr
    assert diff(before, snapshot(sb)) == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_uv_lock_failure_rolls_back(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout)
    staging = sb.root / "staging" / "pyproject.toml"
    # members need Python >= 3.11: a wider range cannot be satisfied
    text = staging.read_text().replace('requires-python = ">=3.11"', 'requires-python = ">=3.8"')
    staging.write_text(text)
    sb.git("commit", "-q", "-am", "unsatisfiable staging requirement")
    before = snapshot(sb)
    result = rt(sb, "bump", "--dev", "--all", "--json")
    assert result.exit_code == ExitCode.APPLY_FAILED, result.output
    assert "uv lock in staging/" in result.stderr and "uv lock failed" in result.stderr
    applied = json.loads(result.stdout)["applied"]
    assert applied["ok"] is False and "uv lock in staging/" in applied["failed"]
    assert any(line.startswith("deleted tag") for line in applied["undone"])
    assert diff(before, snapshot(sb)) == []
    assert not (sb.root / ".release-tool/journal.jsonl").exists()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_killed_run_resumes_to_the_same_result(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout)
    killed = rt_process(sb, "bump", "--dev", "--all", env={"RELEASE_TOOL_KILL_AFTER_STEP": "5"})
    assert killed.returncode == -9, killed.stderr
    assert (sb.root / ".release-tool/journal.jsonl").is_file()

    again = rt(sb, "bump", "--dev", "--all")
    assert again.exit_code == ExitCode.LOCKED
    assert "--resume" in again.stderr

    resumed = rt(sb, "bump", "--resume")
    assert resumed.exit_code == ExitCode.OK, resumed.output
    assert not (sb.root / ".release-tool/journal.jsonl").exists()
    for rel, path in {".": sb.root, **{m.rel_path: m.repo for m in sb.members.values()}}.items():
        assert git(path, "status", "--porcelain") == "", rel
    staging = (sb.root / "staging/pyproject.toml").read_text()
    for m in sb.members.values():
        assert m.tag_name("0.1.1.dev1" if m.spec.tags[-1] == "0.1.0" else "0.2.0.dev2") in staging
        assert 'version = "' in (m.path / "pyproject.toml").read_text()
    # exactly one release commit per repo: resuming did not repeat the step that was cut off
    subjects = git(sb.root, "log", "--format=%s", "-4").splitlines()
    assert sum(s.startswith("staging: pin") for s in subjects) == 1


def test_killed_run_can_be_aborted(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    before = snapshot(sb)
    killed = rt_process(sb, "bump", "--dev", "--all", env={"RELEASE_TOOL_KILL_AFTER_STEP": "8"})
    assert killed.returncode == -9
    after_kill = snapshot(sb)
    assert diff(before, after_kill) != []

    # --dry-run shows the interrupted run and touches nothing
    shown = rt(sb, "resume", "--dry-run", "--json")
    assert shown.exit_code == ExitCode.OK, shown.output
    data = json.loads(shown.stdout)
    assert data["dry_run"] is True and data["command"].startswith("bump --dev --all")
    states = [row["state"] for row in data["steps"]]
    assert states[:8] == ["done"] * 8 and set(states[8:]) == {"pending"}
    assert diff(after_kill, snapshot(sb)) == []

    result = rt(sb, "resume", "--abort")
    assert result.exit_code == ExitCode.OK, result.output
    assert "deleted tag v0.1.1.dev1 in packages/pkg-000" in result.stderr
    assert diff(before, snapshot(sb)) == []


def test_second_run_is_refused_while_lock_is_held(tmp_path: Path) -> None:
    import os

    from release_tool.core.journal import workspace_lock

    sb = make(tmp_path, "folder")
    with workspace_lock(sb.root, "bump --dev --all"):
        result = rt(sb, "bump", "--dev", "--all")
    assert result.exit_code == ExitCode.LOCKED
    assert f"pid {os.getpid()}" in result.stderr


def test_uninitialized_submodule_is_refused(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    sb.git("submodule", "deinit", "-q", "-f", "packages/pkg-001")
    result = rt(sb, "bump", "--dev", "--all")
    assert result.exit_code == ExitCode.GIT, result.output
    assert "submodule(s) not initialized: packages/pkg-001" in result.stderr
