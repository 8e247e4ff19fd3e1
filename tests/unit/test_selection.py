"""core.selection against in-memory repos: --changed, preflight of repos and tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import FakeRepo, FakeRepos
from workspaces import member, workspace

from release_tool.core.selection import (
    NEXT_DEV_SUBJECT,
    RemoteUnreachableError,
    Selection,
    has_changes,
    preflight_repos,
    preflight_tags,
    select_members,
)
from release_tool.core.status import workspace_status
from release_tool.core.workspace import Layout
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from pathlib import Path


def _root_repo(root: Path) -> tuple[FakeRepo, FakeRepos]:
    repo = FakeRepo()
    repo.add_commit(
        "chore: layout", "packages/alpha/pyproject.toml", "packages/beta/pyproject.toml"
    )
    repo.tag("alpha-v0.1.0")
    repo.tag("beta-v0.1.0")
    return repo, FakeRepos({root: repo})


def test_changed_picks_members_with_commits_in_their_folder(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"), member(tmp_path, "beta"))
    repo, repos = _root_repo(tmp_path)
    repo.add_commit("feat(beta): more", "packages/beta/src/beta/more.py")
    status = workspace_status(ws, open_repo=repos)
    chosen = select_members(ws, status, Selection(changed=True), repos)
    assert [row.member.name for row in chosen] == ["beta"]
    assert has_changes(status.members[1], repos) is True


def test_next_dev_cycle_commit_alone_is_not_a_change(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"))
    repo, repos = _root_repo(tmp_path)
    repo.add_commit(f"{NEXT_DEV_SUBJECT} (alpha 0.1.1.dev0)", "packages/alpha/pyproject.toml")
    row = workspace_status(ws, open_repo=repos).members[0]
    assert row.commits_since_tag == 1
    assert has_changes(row, repos) is False
    repo.add_commit("fix(alpha): a real fix", "packages/alpha/src/alpha/x.py")
    assert has_changes(workspace_status(ws, open_repo=repos).members[0], repos) is True


def test_member_without_a_tag_always_counts_as_changed(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"))
    repo = FakeRepo()
    repo.add_commit("chore: layout", "packages/alpha/pyproject.toml")
    repos = FakeRepos({tmp_path: repo})
    row = workspace_status(ws, open_repo=repos).members[0]
    assert row.latest_tag is None
    assert has_changes(row, repos) is True


def test_names_come_back_in_dependency_order(tmp_path: Path) -> None:
    ws = workspace(
        tmp_path, member(tmp_path, "alpha"), member(tmp_path, "beta"), deps={"alpha": ["beta"]}
    )
    _, repos = _root_repo(tmp_path)
    status = workspace_status(ws, open_repo=repos)
    chosen = select_members(ws, status, Selection(names=("alpha", "beta")), repos)
    assert [row.member.name for row in chosen] == ["beta", "alpha"]


def test_nothing_selected_is_refused(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"))
    _, repos = _root_repo(tmp_path)
    with pytest.raises(PlanRefusedError, match="no members selected"):
        select_members(ws, workspace_status(ws, open_repo=repos), Selection(), repos)


def test_preflight_returns_branches_and_ignores_tool_state_and_submodules(tmp_path: Path) -> None:
    sub = member(tmp_path, "gamma", Layout.SUBMODULE)
    ws = workspace(tmp_path, member(tmp_path, "alpha"), sub)
    root, repos = _root_repo(tmp_path)
    root.dirty = [".release-tool/journal.jsonl", "packages/gamma"]
    gamma = FakeRepo(branch_name="dev")
    gamma.add_commit("init", "pyproject.toml")
    repos.repos[tmp_path / "packages/gamma"] = gamma
    gamma.path = tmp_path / "packages/gamma"
    assert preflight_repos(ws, [".", "packages/gamma"], repos) == {
        ".": "main",
        "packages/gamma": "dev",
    }


def test_preflight_refuses_dirty_and_detached_repos_naming_each(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"), member(tmp_path, "gamma", Layout.OWN_REPO))
    root, repos = _root_repo(tmp_path)
    root.dirty = ["packages/alpha/x.py"]
    gamma = FakeRepo(branch_name=None)
    gamma.add_commit("init", "pyproject.toml")
    repos.repos[tmp_path / "packages/gamma"] = gamma
    with pytest.raises(PlanRefusedError) as caught:
        preflight_repos(ws, [".", "packages/gamma"], repos)
    message = str(caught.value)
    assert ".: uncommitted changes (packages/alpha/x.py)" in message
    assert "packages/gamma: HEAD is detached" in message


def test_preflight_tags_finds_local_and_remote_clashes(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"))
    root, repos = _root_repo(tmp_path)
    root.remote_state = {"refs/tags/alpha-v0.3.0": "f" * 40}
    planned = {".": ["alpha-v0.2.0", "alpha-v0.3.0"]}
    preflight_tags(ws, planned, {".": set()}, remote=None, open_repo=repos)  # no push: no ask
    with pytest.raises(PlanRefusedError) as caught:
        preflight_tags(ws, planned, {".": {"alpha-v0.2.0"}}, remote="origin", open_repo=repos)
    assert "tag alpha-v0.2.0 already exists locally" in str(caught.value)
    assert "tag alpha-v0.3.0 already exists on origin" in str(caught.value)


def test_an_unreachable_remote_is_its_own_error(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"))
    root, repos = _root_repo(tmp_path)
    root.unreachable = True
    with pytest.raises(RemoteUnreachableError, match=r"cannot reach remote 'origin'"):
        preflight_tags(ws, {".": ["alpha-v0.2.0"]}, {}, remote="origin", open_repo=repos)
