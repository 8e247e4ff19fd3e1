"""core.status rows against in-memory repos: tags by layout, commits since tag, dirty paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import FakeRepo, FakeRepos
from workspaces import member, workspace

from release_tool.core.status import workspace_status
from release_tool.core.workspace import Layout

if TYPE_CHECKING:
    from pathlib import Path


def test_folder_and_own_repo_members_read_their_own_tags_and_commits(tmp_path: Path) -> None:
    alpha, gamma = member(tmp_path, "alpha"), member(tmp_path, "gamma", Layout.OWN_REPO)
    ws = workspace(tmp_path, alpha, gamma)
    root = FakeRepo()
    root.add_commit("chore: layout", "packages/alpha/pyproject.toml")
    root.tag("alpha-v0.1.0")
    root.add_commit("feat(alpha): x", "packages/alpha/x.py")
    root.tag("alpha-v0.2.0.dev1")
    root.add_commit("feat(alpha): y", "packages/alpha/y.py")
    root.add_commit("docs: root only", "README.md")
    root.tag("v9.9.9")  # the root repo's own tag: not alpha's, not gamma's
    root.dirty = ["packages/alpha/y.py", "README.md"]
    own = FakeRepo(branch_name="dev")
    own.add_commit("init", "pyproject.toml")
    own.tag("v0.3.0")
    own.add_commit("fix: z", "src/z.py")
    repos = FakeRepos({tmp_path: root, alpha.path: own})
    # own-repo members are opened at their repo_root: here alpha.path stands in for gamma's
    repos.repos[gamma.repo_root] = repos.repos.pop(alpha.path)  # type: ignore[index]

    rows = {row.member.name: row for row in workspace_status(ws, open_repo=repos).members}

    a, g = rows["alpha"], rows["gamma"]
    assert (a.latest_stable and a.latest_stable.name, a.latest_dev and a.latest_dev.name) == (
        "alpha-v0.1.0",
        "alpha-v0.2.0.dev1",
    )
    assert a.commits_since_tag == 1  # "feat(alpha): y"; the README commit is not alpha's
    assert a.changed_paths == ("packages/alpha/y.py",)
    assert a.branch == "main"
    assert g.latest_stable is not None and g.latest_stable.name == "v0.3.0"
    assert g.latest_dev is None
    assert g.commits_since_tag == 1
    assert g.branch == "dev"


def test_a_member_without_tags_counts_its_whole_history(tmp_path: Path) -> None:
    alpha = member(tmp_path, "alpha")
    repo = FakeRepo()
    repo.add_commit("one", "packages/alpha/a.py")
    repo.add_commit("two", "packages/beta/b.py")
    repo.add_commit("three", "packages/alpha/c.py")
    row = workspace_status(workspace(tmp_path, alpha), open_repo=FakeRepos({tmp_path: repo}))
    assert row.members[0].latest_tag is None
    assert row.members[0].commits_since_tag == 2
