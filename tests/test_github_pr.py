"""``release-tool github pr``: one PR dev -> main per repo with changes, created or updated."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from release_tool.adapters.git import Repo
from release_tool.adapters.github import GitHubClient
from release_tool.core.github_pr import plan_pulls, publish_pulls
from release_tool.core.workspace import load_workspace
from release_tool.testing.cli import run_cli
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git, member_pyproject

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TOKEN = "ghp_pr_token"
ROOT = "example-org/workspace"
BETA = "example-org/beta"


@pytest.fixture
def server() -> Iterator[GitHubServer]:
    with GitHubServer(token=TOKEN) as srv:
        srv.add_repo(ROOT)
        srv.add_repo(BETA)
        yield srv


def start_dev(sb: Sandbox, member: str, version: str, message: str) -> None:
    """Put ``member`` on a pushed dev branch with one change and a dev version."""
    m = sb.member(member)
    if git(m.repo, "branch", "--show-current") != "dev":
        git(m.repo, "checkout", "-q", "-b", "dev")
    sb.commit_file(member, "pyproject.toml", member_pyproject(m.spec, version), message)
    git(m.repo, "push", "-q", "origin", "dev")


@pytest.fixture
def sandbox(tmp_path: Path, server: GitHubServer, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    specs = [
        MemberSpec("alpha", tags=("0.1.0",)),
        MemberSpec("beta", layout="submodule", tags=("0.1.0",)),
        MemberSpec("gamma", tags=("1.0.0",)),
    ]
    config = f'github = {{ api-url = "{server.base_url}" }}\n'
    sb = build_sandbox(tmp_path, specs, modes=False, config=config)
    start_dev(sb, "alpha", "0.2.0.dev1", "feat(alpha): faster timer")
    start_dev(sb, "beta", "0.1.1.dev1", "fix(beta): rounding")
    return sb


def client(server: GitHubServer) -> GitHubClient:
    return GitHubClient(server.base_url, TOKEN, throttle=False)


def test_plan_has_one_pull_per_repo_ahead_of_main(sandbox: Sandbox) -> None:
    proposals = plan_pulls(load_workspace(sandbox.root), Repo)
    assert [(p.slug, p.head, p.base, p.title) for p in proposals] == [
        (ROOT, "dev", "main", "Release alpha 0.2.0"),
        (BETA, "dev", "main", "Release beta 0.1.1"),
    ]
    root = proposals[0]
    assert [m.name for m in root.members] == ["alpha"]  # gamma has no change on dev
    sha = git(sandbox.root, "rev-parse", "--short=7", "dev")
    assert root.body.startswith(
        "Merging this pull request into `main` runs `release-tool promote prod`, which releases:\n"
        "\n| member | dev version | release |\n| --- | --- | --- |\n"
        "| alpha | 0.2.0.dev1 | 0.2.0 |\n\n### alpha\n\n"
        f"- feat(alpha): faster timer ({sha})\n"
    )


def test_publish_creates_then_rerun_is_unchanged_then_updates(
    sandbox: Sandbox, server: GitHubServer
) -> None:
    workspace = load_workspace(sandbox.root)
    first = publish_pulls(
        workspace, dry_run=False, open_repo=Repo, connect=lambda _url: client(server)
    )
    assert [(o.proposal.slug, o.action) for o in first] == [(ROOT, "create"), (BETA, "create")]
    post = server.writes()[0]
    assert (post.method, post.path) == ("POST", f"/repos/{ROOT}/pulls")
    assert post.body == {
        "title": "Release alpha 0.2.0",
        "body": first[0].proposal.body,
        "head": "dev",
        "base": "main",
    }
    listing = [r for r in server.requests if r.method == "GET" and r.path.endswith("/pulls")]
    assert listing[0].query == {"state": "open", "head": "example-org:dev", "base": "main"}
    assert {r.authorization for r in server.requests} == {f"token {TOKEN}"}

    second = publish_pulls(
        workspace, dry_run=False, open_repo=Repo, connect=lambda _url: client(server)
    )
    assert [o.action for o in second] == ["unchanged", "unchanged"]
    assert len(server.writes()) == 2

    start_dev(sandbox, "beta", "0.2.0.dev1", "feat(beta): new api")
    third = publish_pulls(
        load_workspace(sandbox.root),
        dry_run=False,
        open_repo=Repo,
        connect=lambda _url: client(server),
    )
    assert [o.action for o in third] == ["unchanged", "update"]
    patch = server.writes()[-1]
    assert (patch.method, patch.path) == ("PATCH", f"/repos/{BETA}/pulls/1")
    assert patch.body["title"] == "Release beta 0.2.0"
    assert "feat(beta): new api" in patch.body["body"]
    assert [len(r.pulls) for r in server.repos.values()] == [1, 1]


def test_nothing_ahead_means_no_pull(tmp_path: Path, server: GitHubServer) -> None:
    sb = build_sandbox(tmp_path, [MemberSpec("alpha", tags=("0.1.0",))], modes=False)
    git(sb.root, "push", "-q", "origin", "main:dev")
    git(sb.root, "fetch", "-q", "origin")
    assert plan_pulls(load_workspace(sb.root), Repo) == []
    result = run_cli("github", "pr", cwd=sb.root)
    assert result.exit_code == 0
    assert "nothing to propose" in result.stderr and result.stdout == ""
    assert server.requests == []


def test_cli_dry_run_and_json(sandbox: Sandbox, server: GitHubServer) -> None:
    dry = run_cli("github", "pr", "--dry-run", cwd=sandbox.root)
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[:5] == [
        "create-or-update example-org/workspace  dev -> main  Release alpha 0.2.0",
        "                   GET /repos/example-org/workspace",
        "                   GET /repos/example-org/workspace/pulls?state=open&head=example-org:"
        "dev&base=main",
        "                   POST /repos/example-org/workspace/pulls",
        "                   PATCH /repos/example-org/workspace/pulls/{number}",
    ]
    assert server.requests == []

    real = run_cli("github", "pr", "--json", cwd=sandbox.root)
    assert real.exit_code == 0, real.output
    data = json.loads(real.stdout)
    assert [(p["slug"], p["action"], p["url"]) for p in data["pulls"]] == [
        (ROOT, "create", f"{server.origin}/{ROOT}/pull/1"),
        (BETA, "create", f"{server.origin}/{BETA}/pull/1"),
    ]
    assert data["pulls"][1]["members"] == [
        {"name": "beta", "dev_version": "0.1.1.dev1", "release_version": "0.1.1", "commits": 1}
    ]


def test_pull_already_open_on_github_is_updated_not_duplicated(
    sandbox: Sandbox, server: GitHubServer
) -> None:
    server.add_pull(ROOT, "dev", "main", title="WIP", body="old")
    outcomes = publish_pulls(
        load_workspace(sandbox.root),
        dry_run=False,
        open_repo=Repo,
        connect=lambda _url: client(server),
    )
    assert [o.action for o in outcomes] == ["update", "create"]
    assert len(server.repos[ROOT].pulls) == 1
    assert server.repos[ROOT].pulls[0]["title"] == "Release alpha 0.2.0"
