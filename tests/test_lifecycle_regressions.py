"""Each broken step of the everyday path (issue 10, "Why") as a regression test.

The dry-run and seed-migration bullets live with their own suites
(``test_dry_run_*``, ``test_init_*``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from release_support import (  # noqa: F401  (no_github_fast_path is an autouse fixture)
    diff,
    make,
    no_github_fast_path,
    rt,
    rt_process,
    snapshot,
)

from release_tool.errors import ExitCode
from release_tool.testing.sandbox import MemberSpec, build_sandbox, git

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.testing.sandbox import Sandbox


def _releases(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == ExitCode.OK, result.output
    return {r["member"]: r["new_version"] for r in json.loads(result.stdout)["plan"]["releases"]}


def _ok(sb: Sandbox, *args: str) -> None:
    result = rt(sb, *args)
    assert result.exit_code == ExitCode.OK, result.output


# -- promote prod acts on what staging holds ---------------------------------


def test_promote_prod_without_names_takes_what_staging_holds(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    _ok(sb, "bump", "--dev", "pkg-001")
    assert _releases(rt(sb, "promote", "prod", "--dry-run", "--json")) == {"pkg-001": "0.1.1"}
    assert _releases(rt(sb, "promote", "prod", "--changed", "--dry-run", "--json")) == {
        "pkg-001": "0.1.1"
    }
    _ok(sb, "promote", "prod")
    prod = (sb.root / "prod/pyproject.toml").read_text()
    assert 'tag = "v0.1.1"' in prod
    # nothing left that staging holds newer than prod
    again = rt(sb, "promote", "prod", "--dry-run", "--json")
    assert _releases(again) == {}


def test_promote_prod_refuses_commits_staging_never_saw(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    _ok(sb, "bump", "--dev", "pkg-000")
    late = sb.commit_file("pkg-000", "src/pkg_000/late.py", "X = 1\n", "fix: late change")
    before = snapshot(sb)
    result = rt(sb, "promote", "prod")
    assert result.exit_code == ExitCode.PLAN_REFUSED, result.output
    assert (
        f"pkg-000: 1 commit(s) after the staged tag v0.1.1.dev1: {late[:7]} fix: late change"
        in (result.stderr)
    )
    assert "release-tool bump --dev pkg-000" in result.stderr
    assert "--release-head" in result.stderr
    assert diff(before, snapshot(sb)) == []
    # asked for explicitly, HEAD is released
    head = _releases(rt(sb, "promote", "prod", "--release-head", "--dry-run", "--json"))
    assert head == {"pkg-000": "0.1.1"}


# -- notes cover the release --------------------------------------------------


def test_stable_notes_cover_every_commit_since_the_previous_stable_tag(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    sb.commit_file("pkg-000", "src/pkg_000/timing.py", "T = 1\n", "feat: add timing helper")
    _ok(sb, "bump", "--dev", "pkg-000")
    sb.commit_file(
        "pkg-000",
        "src/pkg_000/api.py",
        "A = 2\n",
        "feat!: drop the old API\n\nBREAKING CHANGE: gone",
    )
    _ok(sb, "bump", "--dev", "pkg-000")
    repo = sb.member("pkg-000").repo
    dev_message = git(repo, "tag", "-l", "--format=%(contents)", "v0.1.1.dev2")
    assert "old API" in dev_message and "timing" not in dev_message  # since the previous tag
    _ok(sb, "promote", "prod")
    message = git(repo, "tag", "-l", "--format=%(contents)", "v0.1.1")
    changelog = git(repo, "show", "v0.1.1:CHANGELOG.md")
    for text in (message, changelog):
        assert "Add timing helper" in text, text
        assert "old API" in text and "BREAKING" in text, text
        assert "No user-facing changes" not in text


def test_changelog_files_new_work_under_unreleased_and_keeps_released_entries(
    tmp_path: Path,
) -> None:
    sb = make(tmp_path, "folder")
    hand = "# Changelog\n\n## [0.1.0] - 2025-01-01\n\n- written by hand\n"
    sb.commit_file("pkg-000", "CHANGELOG.md", hand, "docs: changelog")
    sb.commit_file("pkg-000", "src/pkg_000/timing.py", "T = 1\n", "feat: add timing helper")
    path = sb.member("pkg-000").path / "CHANGELOG.md"

    for bad, code in (("banana", ExitCode.USAGE), ("0.1.0", ExitCode.PLAN_REFUSED)):
        result = rt(sb, "changelog", "pkg-000", "--version", bad)
        assert result.exit_code == code, result.output
        assert path.read_text() == hand
    assert "not higher than its latest tag pkg-000-v0.1.0" in result.stderr

    _ok(sb, "changelog", "pkg-000")
    text = path.read_text()
    assert "## [Unreleased]\n\n### Added\n\n- Add timing helper" in text
    assert text.index("## [Unreleased]") < text.index(
        "## [0.1.0] - 2025-01-01\n\n- written by hand"
    )


def test_the_release_entry_takes_in_unreleased(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    sb.commit_file("pkg-000", "src/pkg_000/timing.py", "T = 1\n", "feat: add timing helper")
    _ok(sb, "changelog", "pkg-000")
    path = sb.member("pkg-000").path / "CHANGELOG.md"
    by_hand = path.read_text().replace(
        "### Added\n\n", "### Added\n\n- Timing helper documented in the README\n", 1
    )
    sb.commit_file("pkg-000", "CHANGELOG.md", by_hand, "docs: changelog by hand")
    _ok(sb, "bump", "--dev", "pkg-000")
    _ok(sb, "promote", "prod")
    text = path.read_text()
    assert "## [Unreleased]" not in text, text  # the release covers all of it
    release = text.split("## [0.1.1] - ", 1)[1]
    assert "- Timing helper documented in the README" in release
    assert text.count("Add timing helper") == 1, text


# -- pushes leave clones whole -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["submodule", "mixed"])
def test_release_pushed_in_pieces_leaves_a_remote_that_clones_and_syncs(
    tmp_path: Path, layout: str
) -> None:
    from lifecycle_support import assert_clone_syncs, fresh_clone

    sb = make(tmp_path, layout, lock=True)
    sb.commit_file("pkg-000", "src/pkg_000/a.py", "A = 1\n", "feat: local work")
    _ok(sb, "bump", "--dev", "--changed")
    _ok(sb, "promote", "prod")
    # nothing pushed yet: check says so, and names the fix
    check = rt(sb, "check", "--only", "published")
    assert check.exit_code == ExitCode.CHECK_FAILED, check.output
    assert "is not on the remote" in check.stdout and "release-tool push" in check.stdout
    planned = json.loads(rt(sb, "push", "--dry-run", "--json").stdout)["plan"]["steps"]
    assert [s["repo"] for s in planned][-1] == "."  # members first, the root last

    # a later run with --push publishes the earlier runs' refs too
    sb.commit_file("pkg-001", "src/pkg_001/b.py", "B = 1\n", "feat: more work")
    _ok(sb, "bump", "--dev", "--changed", "--push")
    assert_clone_syncs(sb, "after-later-push")
    _ok(sb, "check")
    assert json.loads(rt(sb, "push", "--dry-run", "--json").stdout)["plan"]["steps"] == []

    # and `release-tool push` alone publishes a local promote
    _ok(sb, "promote", "prod")
    assert rt(sb, "check", "--only", "published").exit_code == ExitCode.CHECK_FAILED
    _ok(sb, "push")
    clone = assert_clone_syncs(sb, "after-push")
    assert (clone / "prod/pyproject.toml").read_text() == (
        sb.root / "prod/pyproject.toml"
    ).read_text()
    fresh_clone(sb, "again")


def test_check_fails_on_a_local_tag_that_differs_from_the_remote(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    repo = sb.member("pkg-000").repo
    git(repo, "tag", "-d", "v0.1.0")
    git(repo, "tag", "-a", "v0.1.0", "-m", "moved", "HEAD~1")
    result = rt(sb, "check", "--only", "published")
    assert result.exit_code == ExitCode.CHECK_FAILED, result.output
    assert "tag v0.1.0 differs from the one on origin" in result.stdout
    refused = rt(sb, "push")
    assert refused.exit_code == ExitCode.PLAN_REFUSED, refused.output


def test_check_fails_on_a_stale_root_lock(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder", lock=True)
    _ok(sb, "check", "--only", "dev-lock-fresh")
    pyproject = sb.member("pkg-000").path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.5"'))
    result = rt(sb, "check", "--only", "dev-lock-fresh")
    assert result.exit_code == ExitCode.CHECK_FAILED, result.output


# -- abort never un-publishes -------------------------------------------------


def test_abort_after_a_push_keeps_published_refs(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    steps = json.loads(rt(sb, "bump", "--dev", "pkg-000", "--push", "--dry-run", "--json").stdout)
    kinds = [s["kind"] for s in steps["plan"]["steps"]]
    first_push = kinds.index("push") + 1
    killed = rt_process(
        sb,
        "bump",
        "--dev",
        "pkg-000",
        "--push",
        env={"RELEASE_TOOL_KILL_AFTER_STEP": str(first_push)},
    )
    assert killed.returncode == -9
    assert "v0.1.1.dev1" in sb.remote_tags("pkg-000")

    refused = rt(sb, "resume", "--abort")
    assert refused.exit_code == ExitCode.PLAN_REFUSED, refused.output
    assert "packages/pkg-000: refs/tags/v0.1.1.dev1" in refused.stderr
    assert "release-tool resume" in refused.stderr
    assert "v0.1.1.dev1" in sb.remote_tags("pkg-000")
    assert rt(sb, "status").stderr.startswith("warning: an interrupted run") or (
        "interrupted run" in rt(sb, "status").stderr
    )

    deleted = rt(sb, "resume", "--abort", "--delete-published", "--yes")
    assert deleted.exit_code == ExitCode.OK, deleted.output
    assert "v0.1.1.dev1" not in sb.remote_tags("pkg-000")


# -- constraints ------------------------------------------------------------------


def _capped(tmp_path: Path) -> Sandbox:
    tags = ("0.1.0.dev1", "0.1.1")
    return build_sandbox(
        tmp_path,
        [
            MemberSpec("pkg-000", layout="submodule", tags=tags),
            MemberSpec("pkg-001", layout="submodule", deps=("pkg-000>=0.1.1,<0.2",), tags=tags),
        ],
    )


def test_constraints_keep_their_cap_and_stable_releases_drop_dev_bounds(tmp_path: Path) -> None:
    sb = _capped(tmp_path)
    result = rt(sb, "bump", "--minor", "--dev", "pkg-000", "--json")
    plan = json.loads(result.stdout)["plan"]
    [dependent] = [r for r in plan["releases"] if r["member"] == "pkg-001"]
    assert dependent["constraint_updates"] == [
        {"dependency": "pkg-000", "old": "pkg-000>=0.1.1,<0.2", "new": "pkg-000>=0.2.0.dev1,<0.3"}
    ]
    # the dependent alone cannot go to prod: its dependency is not released there
    before = snapshot(sb)
    refused = rt(sb, "promote", "prod", "pkg-001")
    assert refused.exit_code == ExitCode.PLAN_REFUSED, refused.output
    assert "pkg-001 needs pkg-000>=0.2.0" in refused.stderr
    assert "promote prod pkg-000 pkg-001" in refused.stderr
    assert diff(before, snapshot(sb)) == []

    _ok(sb, "promote", "prod")
    repo = sb.member("pkg-001").repo
    released = git(repo, "show", "v0.1.2:pyproject.toml")
    assert '"pkg-000>=0.2.0,<0.3"' in released and ".dev" not in released.split("[project]")[1]


# -- state is visible ------------------------------------------------------------------


def test_a_pending_run_is_named_before_anything_else(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    killed = rt_process(sb, "bump", "--dev", "pkg-000", env={"RELEASE_TOOL_KILL_AFTER_STEP": "2"})
    assert killed.returncode == -9
    (sb.member("pkg-001").path / "scratch.py").write_text("x = 1\n")  # and a dirty tree

    for args in (("bump", "--dev", "pkg-001"), ("promote", "prod"), ("commit", "--no-llm"),
                 ("changelog", "pkg-000", "--no-llm")):  # fmt: skip
        result = rt(sb, *args)
        assert result.exit_code == ExitCode.LOCKED, (args, result.output)
        assert "an interrupted run (bump --dev pkg-000) awaits --resume" in result.stderr
    status = rt(sb, "status", "--json")
    assert status.stderr.splitlines()[0].startswith(
        "warning: an interrupted run (bump --dev pkg-000)"
    )
    assert json.loads(status.stdout)["pending_run"] == {"command": "bump --dev pkg-000"}
    check = rt(sb, "check", "--only", "no-pending-run")
    assert check.exit_code == ExitCode.CHECK_FAILED and "awaits resume" in check.stdout
    assert check.stdout.splitlines()[0].startswith("FAIL  no-pending-run")


def test_commit_and_changelog_honour_the_workspace_lock(tmp_path: Path) -> None:
    from release_tool.core.journal import workspace_lock

    sb = make(tmp_path, "folder")
    (sb.member("pkg-000").path / "new.py").write_text("x = 1\n")
    with workspace_lock(sb.root, "bump --dev --all"):
        for args in (("commit", "--no-llm"), ("changelog", "pkg-000", "--no-llm")):
            result = rt(sb, *args)
            assert result.exit_code == ExitCode.LOCKED, (args, result.output)
    assert "?? packages/pkg-000/new.py" in git(sb.root, "status", "--porcelain")


def test_status_does_not_call_the_next_dev_cycle_unreleased(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    _ok(sb, "bump", "--dev", "--all")
    _ok(sb, "promote", "prod")
    rows = json.loads(rt(sb, "status", "--json").stdout)["members"]
    assert [row["drift"] for row in rows if "unreleased" in row["drift"]] == []
    assert _releases(rt(sb, "bump", "--changed", "--dry-run", "--json")) == {}
    sb.commit_file("pkg-000", "src/pkg_000/c.py", "C = 1\n", "fix: real change")
    rows = {r["name"]: r for r in json.loads(rt(sb, "status", "--json").stdout)["members"]}
    assert "unreleased" in rows["pkg-000"]["drift"]


@pytest.mark.slow
def test_abort_after_a_failed_github_publish_keeps_the_stable_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from release_tool.testing.github_server import GitHubServer

    monkeypatch.setenv("GITHUB_TOKEN", "ghs_abort")
    with GitHubServer(token="ghs_abort") as server:
        config = f'github = {{ api-url = "{server.base_url}" }}\n'
        specs = [MemberSpec("pkg-000", layout="submodule", tags=("0.1.0", "0.1.1.dev1"))]
        sb = build_sandbox(tmp_path, specs, config=config)
        server.add_repo("example-org/pkg-000", git_dir=sb.remotes / "pkg-000.git")
        server.fail("POST", "/repos/example-org/pkg-000/releases", 403, "Resource not accessible")
        failed = rt(sb, "promote", "prod", "--push", "--github-release")
        assert failed.exit_code in (ExitCode.EXTERNAL, ExitCode.APPLY_FAILED), failed.output
        assert "pushes are kept" in failed.stderr
        main_after_push = git(sb.remotes / "workspace.git", "rev-parse", "main")
        assert "v0.1.1" in sb.remote_tags("pkg-000")

        refused = rt(sb, "resume", "--abort")
        assert refused.exit_code == ExitCode.PLAN_REFUSED, refused.output
        assert "packages/pkg-000: refs/tags/v0.1.1" in refused.stderr
        assert "v0.1.1" in sb.remote_tags("pkg-000")
        assert git(sb.remotes / "workspace.git", "rev-parse", "main") == main_after_push

        finished = rt(sb, "resume")  # forward: the GitHub release is made now
        assert finished.exit_code == ExitCode.OK, finished.output
        assert [r.body["tag_name"] for r in server.writes()] == ["v0.1.1", "v0.1.1"]


def test_promote_prod_without_modes_takes_dev_tags_newer_than_stable(tmp_path: Path) -> None:
    specs = [
        MemberSpec("pkg-000", tags=("0.1.0", "0.1.1.dev1")),
        MemberSpec("pkg-001", tags=("0.1.0.dev1", "0.1.0")),
    ]
    sb = build_sandbox(tmp_path, specs, modes=False)
    assert _releases(rt(sb, "promote", "prod", "--dry-run", "--json")) == {"pkg-000": "0.1.1"}


def test_promote_prod_after_a_squash_merge_releases_the_staged_content(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    git(sb.root, "checkout", "-q", "-b", "dev")
    sb.commit_file("pkg-000", "src/pkg_000/timing.py", "T = 1\n", "feat: add timing helper")
    _ok(sb, "bump", "--dev", "pkg-000")
    git(sb.root, "checkout", "-q", "main")
    git(sb.root, "merge", "-q", "--squash", "dev")
    git(sb.root, "commit", "-q", "-m", "Release (#1)")  # the tag's commit is not on main
    assert _releases(rt(sb, "promote", "prod", "--dry-run", "--json")) == {"pkg-000": "0.1.1"}
    sb.commit_file("pkg-000", "src/pkg_000/late.py", "L = 1\n", "fix: only on main")
    refused = rt(sb, "promote", "prod", "--dry-run")
    assert refused.exit_code == ExitCode.PLAN_REFUSED, refused.output
    assert "fix: only on main" in refused.stderr
