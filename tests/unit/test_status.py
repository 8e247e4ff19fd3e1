"""core.status rows against in-memory repos: tags by layout, commits since tag, dirty paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import FakeRepo, FakeRepos
from workspaces import member, workspace

from release_tool.core.status import member_tags, workspace_status
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


def test_newest_tags_are_the_ends_of_the_sorted_tag_list(tmp_path: Path) -> None:
    """Status picks the newest dev and stable tags without sorting; they must be what
    ``member_tags`` (sorted by version, then name) ends with, equal versions included."""
    alpha = member(tmp_path, "alpha")
    repo = FakeRepo()
    names = [
        "alpha-v1.0",
        "alpha-v1.0.0",  # the same version as alpha-v1.0
        "alpha-v0.9",
        "alpha-v1.1.0rc1",
        "alpha-v1.1.0rc01",  # the same version as rc1, on a later commit, sorted first
        "alpha-v1.1.0.dev2",
        "alpha-v1.1.0.dev2+local",
        "alpha-v0.8.post1",
        "beta-v9.0",  # another member's
        "alpha-latest",  # no version
    ]
    for index, name in enumerate(names):
        repo.add_commit(f"c{index}", "packages/alpha/a.py")
        repo.tag(name)
    repo.add_commit("after", "packages/alpha/b.py")
    ws = workspace(tmp_path, alpha)
    row = workspace_status(ws, open_repo=FakeRepos({tmp_path: repo})).members[0]
    listed = member_tags(ws.members["alpha"], repo.tags())
    dev = [t for t in listed if t.version.is_prerelease]
    stable = [t for t in listed if not t.version.is_prerelease]
    assert row.latest_dev == dev[-1]
    assert row.latest_stable == stable[-1]
    assert row.latest_stable is not None and row.latest_stable.name == "alpha-v1.0.0"
    since = max(listed, key=lambda t: t.version)  # the first of the highest version
    assert (since.name, row.latest_dev and row.latest_dev.name) == (
        "alpha-v1.1.0rc01",
        "alpha-v1.1.0rc1",
    )
    assert row.commits_since_tag == len(names) - names.index(since.name)
