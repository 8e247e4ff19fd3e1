"""core.github_release against in-memory ports: fake repos, a fake GitHub API, no network.

The end-to-end tests (``tests/test_github_release.py``) run the same code
against real git and a local HTTP server; here the decisions are checked
alone: which tags become which releases, what is created, updated or left
alone, and that a dry run never opens the API.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from fakes import FakeRepo, FakeRepos
from workspaces import member, workspace

from release_tool.adapters.github import PullInfo, ReleaseInfo
from release_tool.core.github_release import plan_release_targets, publish_releases
from release_tool.core.workspace import Layout
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.workspace import Workspace


@dataclass
class FakeGitHub:
    """GitHub's releases in memory (``core.ports.GitHubApi``), recording every write."""

    remote_tags: dict[str, set[str]] = field(default_factory=dict)
    """slug -> tags GitHub has."""
    releases: dict[tuple[str, str], ReleaseInfo] = field(default_factory=dict)
    writes: list[tuple[str, str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def check_repository(self, slug: str) -> str:
        assert slug in self.remote_tags, slug
        return slug

    def release_by_tag(self, slug: str, tag: str) -> ReleaseInfo | None:
        return self.releases.get((slug, tag))

    def tag_exists(self, slug: str, tag: str) -> bool:
        return tag in self.remote_tags[slug]

    def create_release(
        self, slug: str, tag: str, *, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo:
        self.writes.append(("create", slug, tag))
        return self._store(slug, next(self._ids), tag, name, body, prerelease)

    def update_release(
        self, slug: str, release_id: int, tag: str, *, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo:
        self.writes.append(("update", slug, tag))
        return self._store(slug, release_id, tag, name, body, prerelease)

    def open_pull(self, slug: str, head: str, base: str) -> PullInfo | None:
        raise NotImplementedError

    def create_pull(self, slug: str, head: str, base: str, *, title: str, body: str) -> PullInfo:
        raise NotImplementedError

    def update_pull(self, slug: str, number: int, *, title: str, body: str) -> PullInfo:
        raise NotImplementedError

    def _store(
        self, slug: str, rid: int, tag: str, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo:
        url = f"https://github.com/{slug}/releases/tag/{tag}"
        info = ReleaseInfo(rid, tag, name, body, prerelease, False, url)
        self.releases[(slug, tag)] = info
        return info


def two_repos(tmp_path: Path) -> tuple[Workspace, FakeRepos]:
    """alpha: a folder of the root repo (org/ws); gamma: its own repo (org/gamma)."""
    alpha, gamma = member(tmp_path, "alpha"), member(tmp_path, "gamma", Layout.OWN_REPO)
    ws = workspace(tmp_path, alpha, gamma)
    root = FakeRepo(remotes={"origin": "https://github.com/org/ws.git"})
    root.add_commit("feat(alpha): one", "packages/alpha/a.py")
    root.tag("alpha-v0.1.0")
    root.tag_messages["alpha-v0.1.0"] = "## Added\n- one\n"
    root.add_commit("feat(alpha): two", "packages/alpha/b.py")
    root.tag("alpha-v0.2.0.dev1")
    own = FakeRepo(path=tmp_path / "packages/gamma", remotes={"origin": "git@github.com:org/gamma"})
    own.add_commit("init", "pyproject.toml")
    own.tag("v0.3.0")
    assert gamma.repo_root is not None
    return ws, FakeRepos({tmp_path: root, gamma.repo_root: own})


def test_latest_stable_tag_of_each_member_becomes_a_release_in_its_repo(tmp_path: Path) -> None:
    ws, repos = two_repos(tmp_path)

    targets = plan_release_targets(ws, None, open_repo=repos)

    got = [(t.member, t.slug, t.tag, t.prerelease, t.body_source) for t in targets]
    assert got == [
        ("alpha", "org/ws", "alpha-v0.1.0", False, "tag message"),
        ("gamma", "org/gamma", "v0.3.0", False, "none"),
    ]
    assert targets[0].body == "## Added\n- one\n"
    dev = plan_release_targets(ws, ["alpha"], open_repo=repos, prerelease_dev=True)
    assert [(t.tag, t.prerelease) for t in dev] == [("alpha-v0.2.0.dev1", True)]


def test_publish_creates_then_leaves_alone_then_updates(tmp_path: Path) -> None:
    ws, repos = two_repos(tmp_path)
    api = FakeGitHub({"org/ws": {"alpha-v0.1.0"}, "org/gamma": {"v0.3.0"}})
    opened: list[str] = []

    def connect(url: str) -> FakeGitHub:
        opened.append(url)
        return api

    first = publish_releases(ws, None, dry_run=False, open_repo=repos, connect=connect)
    second = publish_releases(ws, None, dry_run=False, open_repo=repos, connect=connect)
    repos.repos[tmp_path].tag_messages["alpha-v0.1.0"] = "## Fixed\n- the notes\n"
    third = publish_releases(ws, ["alpha"], dry_run=False, open_repo=repos, connect=connect)

    assert [o.action for o in first] == ["create", "create"]
    assert [o.action for o in second] == ["unchanged", "unchanged"]
    assert [o.action for o in third] == ["update"]
    assert api.writes == [
        ("create", "org/ws", "alpha-v0.1.0"),
        ("create", "org/gamma", "v0.3.0"),
        ("update", "org/ws", "alpha-v0.1.0"),
    ]
    assert opened == [ws.config.github.api_url] * 3


def test_dry_run_never_opens_the_api(tmp_path: Path) -> None:
    ws, repos = two_repos(tmp_path)

    def connect(url: str) -> FakeGitHub:
        raise AssertionError("a dry run must not open the GitHub API")

    outcomes = publish_releases(ws, None, dry_run=True, open_repo=repos, connect=connect)

    assert {o.action for o in outcomes} == {"create-or-update"}
    assert [c.method for c in outcomes[0].calls] == ["GET", "GET", "GET", "POST", "PATCH"]


def test_a_tag_github_lacks_stops_the_run_before_any_write(tmp_path: Path) -> None:
    ws, repos = two_repos(tmp_path)
    api = FakeGitHub({"org/ws": {"alpha-v0.1.0"}, "org/gamma": set()})

    with pytest.raises(PlanRefusedError, match=r"v0\.3\.0 is not on GitHub"):
        publish_releases(ws, None, dry_run=False, open_repo=repos, connect=lambda _url: api)

    assert api.writes == []
