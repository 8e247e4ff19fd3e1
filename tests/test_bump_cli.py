"""``release-tool bump``: plans, dependents, --json and --dry-run, against real git and uv."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from release_support import diff, no_github_fast_path, rt, snapshot  # noqa: F401

from release_tool.errors import ExitCode
from release_tool.testing.sandbox import MemberSpec, build_sandbox, git

if TYPE_CHECKING:
    from pathlib import Path

TAGS = ("0.1.0.dev1", "0.1.0")


def _chain(tmp_path: Path):  # type: ignore[no-untyped-def]
    return build_sandbox(
        tmp_path,
        [
            MemberSpec("alpha", tags=TAGS),
            MemberSpec("beta", deps=("alpha>=0.1,<0.2",), tags=TAGS),
            MemberSpec("gamma", deps=("beta>=0.1",), tags=TAGS),
        ],
    )


def test_dry_run_prints_the_plan_and_touches_nothing(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    before = snapshot(sb)
    result = rt(sb, "bump", "--minor", "alpha", "--dry-run")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == (
        "plan: bump --minor alpha\n"
        "releases:\n"
        "  alpha 0.1.0 -> 0.2.0\n"
        "  beta 0.1.0 -> 0.1.1  (dependent of alpha)\n"
        "    requirement on alpha: 'alpha>=0.1,<0.2' -> 'alpha>=0.2.0,<0.3'\n"
        "pins:\n"
        "  staging: alpha alpha-v0.1.0 -> alpha-v0.2.0\n"
        "  staging: beta beta-v0.1.0 -> beta-v0.1.1\n"
        "steps:\n"
        "  1. edit packages/alpha/pyproject.toml: version 0.1.0 -> 0.2.0\n"
        "  2. edit packages/alpha/CHANGELOG.md: 0.2.0\n"
        "  3. edit packages/beta/pyproject.toml: version 0.1.0 -> 0.1.1, 1 requirement(s)\n"
        "  4. edit packages/beta/CHANGELOG.md: 0.1.1\n"
        "  5. commit in .: release alpha 0.2.0, beta 0.1.1\n"
        "  6. tag alpha-v0.2.0, beta-v0.1.1 in .\n"
        "  7. edit staging/pyproject.toml: pin alpha-v0.2.0, beta-v0.1.1\n"
        "  8. uv lock in staging/ (staging)\n"
        "  9. commit in .: staging: pin alpha-v0.2.0, beta-v0.1.1\n"
    )
    assert diff(before, snapshot(sb)) == []


def test_dependent_within_its_constraint_is_left_alone(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    result = rt(sb, "bump", "--patch", "alpha", "--dry-run", "--json")
    assert result.exit_code == ExitCode.OK
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["applied"] is None
    assert [(r["member"], r["new_version"]) for r in data["plan"]["releases"]] == [
        ("alpha", "0.1.1")
    ]


def test_bump_applies_commits_tags_and_pins(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    result = rt(sb, "bump", "--minor", "alpha", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    assert data["applied"]["ok"] is True and data["applied"]["failed"] is None
    assert len(data["applied"]["done"]) == 9
    beta = (sb.root / "packages/beta/pyproject.toml").read_text()
    assert 'version = "0.1.1"' in beta and '"alpha>=0.2.0,<0.3",' in beta
    assert git(sb.root, "show", "beta-v0.1.1:packages/beta/pyproject.toml") == beta.rstrip("\n")
    message = git(sb.root, "tag", "-l", "--format=%(contents)", "alpha-v0.2.0")
    # the tag message is the changelog entry, Markdown heading kept (--cleanup=verbatim)
    assert message.splitlines()[:3] == ["## [0.2.0] - 2026-01-02", "", "No user-facing changes."]
    assert "## [0.2.0] - 2026-01-02" in (sb.root / "packages/alpha/CHANGELOG.md").read_text()
    assert git(sb.root, "status", "--porcelain") == ""
    # locked before any push: the real URL, the commit of the tag that exists only locally
    commit = git(sb.root, "rev-parse", "alpha-v0.2.0^{commit}")
    lock = (sb.root / "staging/uv.lock").read_text()
    assert (
        f"https://github.com/example-org/workspace.git?subdirectory=packages%2Falpha&tag=alpha-v0.2.0#{commit}"
        in lock
    )
    assert "alpha-v0.2.0" not in sb.remote_tags()


def test_changed_selects_only_members_with_new_commits(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    sb.commit_file("gamma", "src/gamma/more.py", "X = 1\n", "feat(gamma): more")
    result = rt(sb, "bump", "--changed", "--dry-run", "--json")
    releases = json.loads(result.stdout)["plan"]["releases"]
    assert [(r["member"], r["new_version"]) for r in releases] == [("gamma", "0.1.1.dev1")]


def test_nothing_selected_is_refused(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    result = rt(sb, "bump", "--dev")
    assert result.exit_code == ExitCode.PLAN_REFUSED
    assert "no members selected" in result.stderr


def test_workspace_sources_are_stripped_from_release_commits(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    pyproject = sb.root / "packages/beta/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + "\n[tool.uv.sources]\nalpha = { workspace = true }\n"
    )
    sb.git("commit", "-qam", "beta: workspace source")
    result = rt(sb, "bump", "--dev", "beta")
    assert result.exit_code == ExitCode.OK, result.output
    released = git(sb.root, "show", "beta-v0.1.1.dev1:packages/beta/pyproject.toml")
    assert "workspace = true" not in released
    assert "alpha = { workspace = true }" in (sb.root / "pyproject.toml").read_text()


def test_workspace_without_staging_folder_releases_without_pins(tmp_path: Path) -> None:
    sb = _chain(tmp_path)
    sb.git("rm", "-q", "-r", "staging")
    sb.git("commit", "-qm", "no staging")
    result = rt(sb, "bump", "--dev", "gamma")
    assert result.exit_code == ExitCode.OK, result.output
    assert "note: staging: no staging/pyproject.toml; not pinned" in result.stderr
    assert "gamma-v0.1.1.dev1" in git(sb.root, "tag").split()
    assert git(sb.root, "log", "-1", "--format=%s") == "release: gamma 0.1.1.dev1"
    assert git(sb.root, "status", "--porcelain") == ""
