"""One history walk for all folder members agrees with git asked per member."""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.adapters.git import Repo
from release_tool.core.status import workspace_status
from release_tool.core.workspace import load_workspace
from release_tool.testing import workspaces as fixtures
from release_tool.testing.sandbox import git

if TYPE_CHECKING:
    from pathlib import Path


def git_count(repo: Path, since: str | None, subdir: str | None) -> int:
    revs = f"{since}..HEAD" if since else "HEAD"
    return int(git(repo, "rev-list", "--count", revs, *(["--", subdir] if subdir else [])))


def test_status_counts_match_git_on_a_long_linear_history(tmp_path: Path) -> None:
    ws = fixtures.long_history(tmp_path, members=12, commits=400, tags=8)
    status = workspace_status(load_workspace(ws.root), open_repo=Repo)
    assert len(status.members) == 12
    for row in status.members:
        latest = row.latest_tag
        expected = git_count(ws.repo, latest.commit if latest else None, row.member.git_subdir)
        assert row.commits_since_tag == expected, row.member.name
    assert [len(row.changed_paths) for row in status.members[:4]] == [1, 1, 1, 0]
    untagged = [row for row in status.members if row.latest_tag is None]
    assert untagged, "the fixture leaves some members without a tag (whole-history counts)"


def test_counts_match_git_across_merges_and_a_tag_off_the_main_line(tmp_path: Path) -> None:
    ws = fixtures.build(
        tmp_path,
        {
            "pyproject.toml": fixtures.workspace_root(),
            "packages/a/pyproject.toml": fixtures.package("a"),
            "packages/ab/pyproject.toml": fixtures.package("ab"),
            "packages/b/pyproject.toml": fixtures.package("b"),
        },
    )
    repo = ws.repo
    git(repo, "tag", "base")
    git(repo, "checkout", "-q", "-b", "side")
    fixtures.commit(ws, "packages/a/x.py", "1\n", "a on side")
    git(repo, "tag", "side-tag")
    fixtures.commit(ws, "packages/ab/x.py", "1\n", "ab on side")
    git(repo, "checkout", "-q", "main")
    fixtures.commit(ws, "packages/b/x.py", "1\n", "b on main")
    git(repo, "merge", "-q", "--no-ff", "side", "-m", "merge side")
    fixtures.commit(ws, "packages/a/y.py", "2\n", "a on main")
    head = git(repo, "rev-parse", "HEAD")
    base = git(repo, "rev-parse", "base")
    side = git(repo, "rev-parse", "side-tag")
    ranges = {
        "a-base": ("packages/a", base),
        "a-side": ("packages/a", side),
        "ab-side": ("packages/ab", side),
        "b-base": ("packages/b", base),
        "all-base": (None, base),
        "a-all": ("packages/a", None),
    }
    counts = Repo(repo).count_commits_many(head, ranges)
    for key, (subdir, since) in ranges.items():
        assert counts[key] == git_count(repo, since, subdir), key


def test_ranges_starting_at_head_count_nothing(tmp_path: Path) -> None:
    ws = fixtures.long_history(tmp_path, members=3, commits=12, tags=0)
    head = git(ws.repo, "rev-parse", "HEAD")
    ranges = {"a": ("packages/plugin-000", head), "all": (None, head)}
    assert Repo(ws.repo).count_commits_many(head, ranges) == {"a": 0, "all": 0}
    ranges["b"] = ("packages/plugin-001", None)
    counts = Repo(ws.repo).count_commits_many(head, ranges)
    assert counts == {"a": 0, "all": 0, "b": git_count(ws.repo, None, "packages/plugin-001")}
