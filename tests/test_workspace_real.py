"""Real uv workspaces adopted unedited (issue 11 points 1, 2, 3, 6).

Each fixture reproduces a structure met in public workspaces (see
``release_tool.testing.workspaces``); membership is checked against
``uv workspace list`` itself, and release commands run for real.
"""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import pytest
from packaging.utils import canonicalize_name

from release_tool.core.workspace import find_root, load_workspace, uv_member_names
from release_tool.errors import ExitCode
from release_tool.testing import workspaces as fixtures
from release_tool.testing.cli import run_cli
from release_tool.testing.sandbox import build_sandbox, git, make_specs

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

BUILDERS: dict[str, Callable[[Path], fixtures.BuiltWorkspace]] = {
    "dev-group-cycle": fixtures.dev_group_cycle,
    "extra-cycle": fixtures.extra_cycle,
    "runtime-cycle": fixtures.runtime_cycle,
    "subfolder-root": fixtures.subfolder_root,
    "root-package": fixtures.root_package,
    "lockstep-vcs": fixtures.lockstep_vcs,
    "build-hook": fixtures.build_hook_version,
}


def uv_list(root: Path) -> set[str]:
    out = subprocess.run(
        ["uv", "workspace", "list", "--offline"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {canonicalize_name(line) for line in out.split()}


def status_json(root: Path) -> dict:
    result = run_cli("status", "--json", cwd=root)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def tags(repo: Path) -> list[str]:
    return git(repo, "tag", "--list").split()


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_members_are_exactly_uvs(tmp_path: Path, kind: str) -> None:
    ws = BUILDERS[kind](tmp_path)
    assert uv_member_names(load_workspace(ws.root)) == uv_list(ws.root)


def test_sandbox_members_and_its_virtual_root_are_uvs(tmp_path: Path) -> None:
    sandbox = build_sandbox(tmp_path, make_specs(3, layout="submodule"), modes=False)
    workspace = load_workspace(sandbox.root)
    assert uv_member_names(workspace) == uv_list(sandbox.root)
    assert workspace.virtual_root == "sandbox-workspace"  # tool.uv.package = false: never built
    assert "sandbox-workspace" not in workspace.members


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_read_only_commands_never_fail_on_the_graph(tmp_path: Path, kind: str) -> None:
    ws = BUILDERS[kind](tmp_path)
    for command in (["status"], ["status", "--json"], ["check"]):
        result = run_cli(*command, cwd=ws.root)
        assert "cycle" not in result.stderr.lower() or result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        if command[0] == "status":
            assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("kind", "edge_kind", "cycle", "edge"),
    [
        ("dev-group-cycle", "dev", ["core", "test-utils"], ("core", "test-utils", "test")),
        ("extra-cycle", "extra", ["framework", "plugin-a"], ("framework", "plugin-a", "plugins")),
    ],
)
def test_dev_group_and_extra_cycles_are_shown_not_errors(
    tmp_path: Path, kind: str, edge_kind: str, cycle: list[str], edge: tuple[str, str, str]
) -> None:
    ws = BUILDERS[kind](tmp_path)
    data = status_json(ws.root)
    assert data["cycles"][edge_kind] == [cycle]
    assert data["release_groups"] == []
    rows = {m["name"]: m for m in data["members"]}
    source, target, via = edge
    assert {"name": target, "kind": edge_kind, "via": via} == {
        k: v for k, v in rows[source]["dependencies"][0].items() if k != "requirement"
    }
    assert all(m["release_group"] is None for m in data["members"])
    plan = run_cli("bump", "--all", "--dry-run", cwd=ws.root)
    assert plan.exit_code == 0, plan.output
    assert "Traceback" not in plan.output


def test_runtime_cycle_is_one_release_group_named_once(tmp_path: Path) -> None:
    ws = fixtures.runtime_cycle(tmp_path)
    data = status_json(ws.root)
    assert data["release_groups"] == [["alpha", "beta"]]
    rows = {m["name"]: m for m in data["members"]}
    assert rows["alpha"]["release_group"] == ["alpha", "beta"]
    assert rows["gamma"]["release_group"] is None
    assert [m["name"] for m in data["members"]] == ["alpha", "beta", "gamma"]
    human = run_cli("status", cwd=ws.root)
    assert human.exit_code == 0
    assert human.stderr.count("release group") == 1, human.stderr

    result = run_cli("bump", "beta", "--dev", cwd=ws.root)
    assert result.exit_code == 0, result.output
    # naming one member of the group releases the group, in one commit
    assert sorted(tags(ws.repo)) == ["alpha-v0.1.1.dev1", "beta-v0.1.1.dev1"]
    assert 'version = "0.1.1.dev1"' in (ws.root / "packages/alpha/pyproject.toml").read_text()


def test_subfolder_root_reads_and_tags_the_enclosing_repo(tmp_path: Path) -> None:
    ws = fixtures.subfolder_root(tmp_path)
    data = status_json(ws.root)
    rows = {m["name"]: m for m in data["members"]}
    assert rows["agent-core"]["latest_stable_tag"]["name"] == "agent-core-v0.1.0"
    assert rows["agent-core"]["commits_since_tag"] == 1
    assert rows["agent-ext"]["commits_since_tag"] == 0
    assert rows["agent-core"]["path"] == "packages/agent-core"
    workspace = load_workspace(find_root(ws.root / "packages" / "agent-core"))
    assert workspace.git_root == ws.repo.resolve()
    assert workspace.members["agent-core"].subdirectory() == "python/packages/agent-core"

    (ws.root / "packages/agent-ext/NOTES.md").write_text("dirty\n")
    assert status_json(ws.root)["members"][1]["changed_paths"] == [
        "python/packages/agent-ext/NOTES.md"
    ]
    (ws.root / "packages/agent-ext/NOTES.md").unlink()

    result = run_cli("bump", "agent-core", "--dev", cwd=ws.root)
    assert result.exit_code == 0, result.output
    assert "agent-core-v0.1.1.dev1" in tags(ws.repo)
    assert git(ws.repo, "status", "--porcelain") == ""
    assert 'version = "0.1.1.dev1"' in (ws.root / "packages/agent-core/pyproject.toml").read_text()
    shown = git(
        ws.repo,
        "diff-tree",
        "--no-commit-id",
        "--name-only",
        "-r",
        "agent-core-v0.1.1.dev1^{commit}",
    )
    assert shown.split() == ["python/packages/agent-core/pyproject.toml"]


def test_root_package_is_a_member_and_releases(tmp_path: Path) -> None:
    ws = fixtures.root_package(tmp_path)
    data = status_json(ws.root)
    rows = {m["name"]: m for m in data["members"]}
    assert rows["observe-sdk"]["path"] == "."
    assert rows["observe-sdk"]["version"] == "0.1.0"
    assert [m["name"] for m in data["members"]] == ["observe-core", "observe-sdk"]
    result = run_cli("bump", "observe-sdk", "--dev", cwd=ws.root)
    assert result.exit_code == 0, result.output
    assert tags(ws.repo) == ["observe-sdk-v0.1.1.dev1"]
    assert 'version = "0.1.1.dev1"' in (ws.root / "pyproject.toml").read_text()


def test_lockstep_vcs_versions_come_from_tags_and_release_as_one_tag(tmp_path: Path) -> None:
    ws = fixtures.lockstep_vcs(tmp_path)
    data = status_json(ws.root)
    rows = {m["name"]: m for m in data["members"]}
    assert {name: row["version"] for name, row in rows.items()} == {
        "agents": "0.4.9",
        "agents-cli": "0.4.9",
        "agents-tools": "0.4.9",
    }
    assert rows["agents"]["version_source"] == "vcs"
    assert rows["agents"]["version_backend"] == "hatch-vcs"
    assert rows["agents-cli"]["version_backend"] == "uv-dynamic-versioning"
    assert rows["agents"]["version_problem"] is None
    assert rows["agents"]["commits_since_tag"] == 0
    assert rows["agents-tools"]["commits_since_tag"] == 1
    assert rows["agents"]["latest_stable_tag"]["name"] == "python-v0.4.9"  # v9.9.9 ignored

    before = {p: p.read_text() for p in ws.root.rglob("pyproject.toml")}
    result = run_cli("bump", "agents-tools", "--patch", cwd=ws.root)
    assert result.exit_code == 0, result.output
    assert sorted(tags(ws.repo)) == ["python-v0.4.10", "python-v0.4.8", "python-v0.4.9", "v9.9.9"]
    assert {p: p.read_text() for p in ws.root.rglob("pyproject.toml")} == before
    after = status_json(ws.root)
    assert {m["version"] for m in after["members"]} == {"0.4.10"}


def test_unmanageable_version_is_shown_and_left_out_with_a_documented_exit_code(
    tmp_path: Path,
) -> None:
    ws = fixtures.build_hook_version(tmp_path)
    rows = {m["name"]: m for m in status_json(ws.root)["members"]}
    assert rows["hooked"]["version_source"] == "unmanaged"
    assert "read from src/hooked/__about__.py by hatch" in rows["hooked"]["version_problem"]
    assert "unmanaged-version" in rows["hooked"]["drift"]

    plan = run_cli("bump", "--all", "--dev", "--dry-run", cwd=ws.root)
    assert plan.exit_code == 0, plan.output
    assert "hooked: left out: dynamic version read from src/hooked/__about__.py" in plan.output
    assert "plain" in plan.output

    refused = run_cli("bump", "hooked", "--dev", cwd=ws.root)
    assert refused.exit_code == ExitCode.PLAN_REFUSED
    assert "hooked: dynamic version read from" in refused.stderr
    assert "Traceback" not in refused.output
    assert tags(ws.repo) == []


def test_init_and_check_on_vcs_and_unmanaged_versions(tmp_path: Path) -> None:
    ws = fixtures.lockstep_vcs(tmp_path / "vcs")
    git(ws.repo, "remote", "add", "origin", "https://github.com/example-org/agents.git")
    result = run_cli("init", cwd=ws.root)
    assert result.exit_code == 0, result.output
    prod = (ws.root / "prod/pyproject.toml").read_text()
    assert prod.count('tag = "python-v0.4.9"') == 3
    checks = json.loads(run_cli("check", "--json", cwd=ws.root).stdout)
    states = {c["name"]: c["state"] for c in checks["checks"]}
    assert states["tag-version"] == "pass"  # the version of a VCS member is its tag
    assert states["pinned"] == "pass"

    hooked = fixtures.build_hook_version(tmp_path / "hook")
    notes = run_cli("init", "--dry-run", cwd=hooked.root)
    assert notes.exit_code == 0, notes.output
    assert "hooked: not pinned in staging: dynamic version read from" in notes.stderr
    assert "bump --dev hooked" not in notes.output


def test_subfolder_root_pins_repo_relative_subdirectories_and_checks_tags(tmp_path: Path) -> None:
    ws = fixtures.subfolder_root(tmp_path)
    git(ws.repo, "remote", "add", "origin", "https://github.com/example-org/agents.git")
    result = run_cli("init", cwd=ws.root)
    assert result.exit_code == 0, result.output
    prod = (ws.root / "prod/pyproject.toml").read_text()
    assert 'subdirectory = "python/packages/agent-core"' in prod
    assert 'tag = "agent-core-v0.1.0"' in prod
    checks = json.loads(run_cli("check", "--json", cwd=ws.root).stdout)
    states = {c["name"]: c["state"] for c in checks["checks"]}
    assert states["tag-version"] == "pass"
    assert states["pinned-tags-exist"] == "pass"
