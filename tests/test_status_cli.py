"""``release-tool status`` on sandbox workspaces with real git."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def mixed(tmp_path: Path) -> Sandbox:
    return build_sandbox(
        tmp_path,
        [
            MemberSpec("core-lib", layout="submodule", commits=6, tags=("0.1.0.dev1", "0.1.0")),
            MemberSpec(
                "adapter",
                layout="submodule",
                commits=4,
                tags=("0.2.0.dev1", "0.2.0.dev2"),
                deps=("core-lib>=0.1",),
            ),
            MemberSpec(
                "bench-utils", commits=5, tags=("1.0.0",), untagged_tail=2, version="1.0.1.dev0"
            ),
            MemberSpec("model-api", commits=3, tags=("0.3.0.dev1",)),
        ],
    )


def test_status_table(mixed: Sandbox) -> None:
    result = run_cli("status", cwd=mixed.root)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "member      version    dev        stable changes staging    prod     drift",
        "core-lib    0.1.0      0.1.0.dev1 0.1.0  +0      0.1.0      0.1.0    ok",
        "adapter     0.2.0.dev2 0.2.0.dev2 -      +0      0.2.0.dev2 unpinned prod-unpinned",
        "bench-utils 1.0.1.dev0 -          1.0.0  +2      1.0.0      1.0.0    unreleased",
        "model-api   0.3.0.dev1 0.3.0.dev1 -      +0      0.3.0.dev1 unpinned prod-unpinned",
        "dev, stable: latest tags; +commits since the latest tag, ~uncommitted paths",
    ]


def test_status_json_schema_and_counts(mixed: Sandbox) -> None:
    # a commit outside bench-utils' folder is not counted for it; one inside is
    mixed.commit_file("model-api", "src/model_api/extra.py", "X = 1\n", "feat: extra")
    mixed.commit_file("bench-utils", "src/bench_utils/more.py", "Y = 2\n", "fix: more")
    (mixed.member("core-lib").path / "scratch.txt").write_text("wip\n")
    git(mixed.member("adapter").path, "commit", "-q", "--allow-empty", "-m", "local only")

    result = run_cli("status", "--json", "bench-utils", "core_lib", "adapter", cwd=mixed.root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "release-tool.status/1"
    assert data["modes"] == {
        "staging": {"present": True, "path": "staging"},
        "prod": {"present": True, "path": "prod"},
    }
    rows = {m["name"]: m for m in data["members"]}
    assert list(rows) == ["core-lib", "adapter", "bench-utils"]  # dependency order
    bench = rows["bench-utils"]
    assert bench["layout"] == "folder"
    assert bench["commits_since_tag"] == 3
    assert bench["latest_stable_tag"]["name"] == "bench-utils-v1.0.0"
    assert bench["pins"]["prod"] == {
        "git": "https://github.com/example-org/workspace.git",
        "tag": "bench-utils-v1.0.0",
        "subdirectory": "packages/bench-utils",
        "version": "1.0.0",
    }
    core = rows["core-lib"]
    assert core["uncommitted_changes"] == 1 and core["changed_paths"] == ["scratch.txt"]
    assert core["layout"] == "submodule"
    assert "uncommitted" in core["drift"]
    adapter = rows["adapter"]
    assert (adapter["branch"], adapter["upstream"], adapter["ahead"], adapter["behind"]) == (
        "main",
        "origin/main",
        1,
        0,
    )
    assert adapter["commits_since_tag"] == 1


def test_detached_head_is_shown_and_warned(mixed: Sandbox) -> None:
    git(mixed.member("core-lib").path, "checkout", "-q", "--detach", "HEAD~1")
    result = run_cli("status", "--json", cwd=mixed.root)
    assert result.exit_code == 0
    core = next(m for m in json.loads(result.stdout)["members"] if m["name"] == "core-lib")
    assert core["detached"] is True and core["branch"] is None
    assert "detached-head" in core["drift"]
    assert "core-lib: HEAD is detached" in result.stderr


def test_uninitialized_submodule_is_an_error(mixed: Sandbox) -> None:
    git(mixed.root, "submodule", "deinit", "-q", "-f", "packages/adapter")
    result = run_cli("status", cwd=mixed.root)
    assert result.exit_code == ExitCode.GIT
    assert "submodule(s) not initialized: packages/adapter" in result.stderr
    assert "git submodule update --init packages/adapter" in result.stderr


def test_unknown_member(mixed: Sandbox) -> None:
    result = run_cli("status", "nope", cwd=mixed.root)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "unknown member 'nope'" in result.stderr


def test_shallow_clone_without_tags(tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path / "sb", [MemberSpec("solo", commits=3, tags=("0.1.0",))])
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-tags", f"file://{sb.root}", str(shallow))
    result = run_cli("status", "--json", cwd=shallow)
    assert result.exit_code == 0
    solo = json.loads(result.stdout)["members"][0]
    assert solo["latest_stable_tag"] is None
    assert "shallow-no-tags" in solo["drift"]
    assert "git fetch --unshallow --tags" in result.stderr


def test_branch_column_when_member_repos_differ(mixed: Sandbox) -> None:
    git(mixed.member("adapter").path, "switch", "-q", "-c", "dev")
    result = run_cli("status", cwd=mixed.root)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0].split()[:6] == ["member", "version", "dev", "stable", "changes", "branch"]
    rows = {line.split()[0]: line.split() for line in lines[1:5]}
    assert rows["adapter"][5] == "dev" and rows["core-lib"][5] == "main"


def test_branch_column_on_wide_terminals(mixed: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    result = run_cli("status", cwd=mixed.root)
    assert "branch" in result.stdout.splitlines()[0].split()
