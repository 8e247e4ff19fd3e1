"""``release-tool dev-branch``: create or fast-forward the dev branch in every repo."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from release_support import make, repos, rt

from release_tool.errors import ExitCode
from release_tool.testing.sandbox import git

if TYPE_CHECKING:
    from pathlib import Path


def _branches(sb) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {rel: git(path, "rev-parse", "--abbrev-ref", "HEAD") for rel, path in repos(sb).items()}


def test_creates_dev_branch_everywhere_and_keeps_work_in_progress(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    wip = sb.member("pkg-000").path / "notes.txt"
    wip.write_text("work in progress\n")
    result = rt(sb, "dev-branch")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.splitlines() == [
        ".: create dev at main and check it out",
        "packages/pkg-000: create dev at main and check it out (stash and re-apply changes)",
        "packages/pkg-001: create dev at main and check it out",
    ]
    assert set(_branches(sb).values()) == {"dev"}
    assert wip.read_text() == "work in progress\n"  # stashed, then re-applied on dev
    assert git(sb.member("pkg-000").repo, "stash", "list") == ""


def test_fast_forwards_an_existing_dev_branch(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    m = sb.member("pkg-001")
    git(m.repo, "branch", "dev")
    new = sb.commit_file("pkg-001", "extra.py", "X = 1\n", "feat: on main")
    result = rt(sb, "dev-branch", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    actions = {a["repo"]: a["action"] for a in json.loads(result.stdout)["actions"]}
    assert actions["packages/pkg-001"] == "fast-forward"
    assert git(m.repo, "rev-parse", "dev") == new
    again = rt(sb, "dev-branch", "--dry-run")
    assert all("is checked out and contains main" in line for line in again.stdout.splitlines())


def test_no_stash_refuses_and_changes_nothing(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    (sb.member("pkg-001").path / "notes.txt").write_text("wip\n")
    before = _branches(sb)
    result = rt(sb, "dev-branch", "--no-stash")
    assert result.exit_code == ExitCode.PLAN_REFUSED
    assert "packages/pkg-001: uncommitted changes (--no-stash refuses" in result.stderr
    assert _branches(sb) == before
    assert "dev" not in git(sb.root, "branch", "--list", "dev")


def test_diverged_dev_branch_is_refused(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    sb.git("checkout", "-q", "-b", "dev")
    sb.commit_file("pkg-000", "a.py", "A = 1\n", "feat: on dev")
    sb.git("checkout", "-q", "main")
    sb.commit_file("pkg-000", "b.py", "B = 1\n", "feat: on main")
    result = rt(sb, "dev-branch")
    assert result.exit_code == ExitCode.PLAN_REFUSED
    assert ".: dev and main have diverged" in result.stderr
    assert git(sb.root, "rev-parse", "--abbrev-ref", "HEAD") == "main"
