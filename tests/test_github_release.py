"""GitHub releases of a sandbox workspace (real git, both layouts) against the local server."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING

import pytest

from release_tool.adapters.git import Repo
from release_tool.core.github_release import plan_release_targets, publish_releases
from release_tool.core.workspace import load_workspace
from release_tool.errors import ExternalServiceError, NotFoundError, PlanRefusedError
from release_tool.testing.cli import run_cli
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TOKEN = "ghs_release_token_value"
ROOT = "example-org/workspace"
BETA = "example-org/beta"


@pytest.fixture
def server() -> Iterator[GitHubServer]:
    with GitHubServer(token=TOKEN) as srv:
        srv.add_repo(ROOT)
        srv.add_repo(BETA)
        yield srv


@pytest.fixture
def sandbox(tmp_path: Path, server: GitHubServer, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    specs = [
        MemberSpec("alpha", commits=4, tags=("0.1.0.dev1", "0.1.0")),
        MemberSpec("beta", layout="submodule", commits=6, tags=("0.1.0", "0.2.0.dev1", "0.2.0")),
        MemberSpec("gamma", commits=2, tags=("0.1.0.dev1",)),
    ]
    config = f'github = {{ api-url = "{server.base_url}" }}\n'
    sb = build_sandbox(tmp_path, specs, modes=False, config=config)
    link(server, sb)
    return sb


def link(server: GitHubServer, sb: Sandbox) -> None:
    """Let the bare remotes answer for the fake GitHub repos' tags."""
    for repo in server.repos.values():
        repo.git_dir = sb.remotes / f"{repo.name.removesuffix('-mirror')}.git"


def publish(sb: Sandbox, items: list[str] | None = None, **kwargs):
    from release_tool.adapters.github import GitHubClient

    workspace = load_workspace(sb.root)
    client = GitHubClient(workspace.config.github.api_url, TOKEN, throttle=False)
    kwargs = {"dry_run": False, "open_repo": Repo, **kwargs}
    return publish_releases(workspace, items, connect=lambda _url: client, **kwargs)


def test_one_release_per_stable_tag_in_the_repo_holding_it(
    sandbox: Sandbox, server: GitHubServer
) -> None:
    outcomes = publish(sandbox)

    assert [(o.target.slug, o.target.tag, o.action) for o in outcomes] == [
        (ROOT, "alpha-v0.1.0", "create"),
        (BETA, "v0.2.0", "create"),
    ]
    posts = [(r.path, r.body) for r in server.writes()]
    assert posts == [
        (
            f"/repos/{ROOT}/releases",
            {
                "tag_name": "alpha-v0.1.0",
                "name": "alpha 0.1.0",
                "body": "Release alpha 0.1.0",
                "draft": False,
                "prerelease": False,
                "generate_release_notes": False,
                "make_latest": "true",
            },
        ),
        (
            f"/repos/{BETA}/releases",
            {
                "tag_name": "v0.2.0",
                "name": "beta 0.2.0",
                "body": "Release beta 0.2.0",
                "draft": False,
                "prerelease": False,
                "generate_release_notes": False,
                "make_latest": "true",
            },
        ),
    ]
    # every read happens before the first write
    methods = [r.method for r in server.requests]
    assert methods.index("POST") > max(i for i, m in enumerate(methods) if m == "GET")
    assert {r.authorization for r in server.requests} == {f"token {TOKEN}"}


def test_rerun_creates_nothing_twice(sandbox: Sandbox, server: GitHubServer) -> None:
    publish(sandbox)
    writes = len(server.writes())
    again = publish(sandbox)
    assert [o.action for o in again] == ["unchanged", "unchanged"]
    assert len(server.writes()) == writes
    assert [len(r.releases) for r in server.repos.values()] == [1, 1]


def test_existing_release_with_other_notes_is_updated(
    sandbox: Sandbox, server: GitHubServer
) -> None:
    old = server.add_release(BETA, "v0.2.0", name="beta 0.2.0", body="stale notes")
    outcomes = publish(sandbox, ["beta"])
    assert [o.action for o in outcomes] == ["update"]
    (patch,) = server.writes()
    assert (patch.method, patch.path) == ("PATCH", f"/repos/{BETA}/releases/{old['id']}")
    assert patch.body["body"] == "Release beta 0.2.0"
    assert len(server.repos[BETA].releases) == 1


def test_tag_names_members_and_changelog_fallback(sandbox: Sandbox) -> None:
    sb = sandbox
    (sb.root / "packages/alpha/CHANGELOG.md").write_text(
        "# Changelog\n\n## 0.1.1 (2026-01-03)\n\n- fix the timer\n\n### Details\n\nmore\n\n"
        "## 0.1.0\n\n- first\n",
        encoding="utf-8",
    )
    sb.git("add", "-A")
    sb.git("commit", "-q", "-m", "changelog")
    sb.git("tag", "alpha-v0.1.1")  # lightweight: no message
    targets = plan_release_targets(
        load_workspace(sb.root), ["alpha-v0.1.1", "v0.2.0"], open_repo=Repo
    )
    assert [(t.member, t.tag, t.body_source) for t in targets] == [
        ("alpha", "alpha-v0.1.1", "CHANGELOG.md"),
        ("beta", "v0.2.0", "tag message"),
    ]
    assert targets[0].body == "- fix the timer\n\n### Details\n\nmore"
    by_member = plan_release_targets(load_workspace(sb.root), ["Alpha"], open_repo=Repo)
    assert by_member[0].tag == "alpha-v0.1.1"


def test_dev_tags_need_the_prerelease_flag(sandbox: Sandbox, server: GitHubServer) -> None:
    workspace = load_workspace(sandbox.root)
    with pytest.raises(PlanRefusedError, match="--prerelease-dev"):
        plan_release_targets(workspace, ["gamma-v0.1.0.dev1"], open_repo=Repo)
    with pytest.raises(NotFoundError, match="no stable tag"):
        plan_release_targets(workspace, ["gamma"], open_repo=Repo)
    with pytest.raises(NotFoundError, match="neither a member nor a release tag"):
        plan_release_targets(workspace, ["v9.9.9"], open_repo=Repo)
    outcomes = publish(sandbox, ["gamma"], prerelease_dev=True)
    (post,) = server.writes()
    assert outcomes[0].target.tag == "gamma-v0.1.0.dev1"
    assert post.body["prerelease"] is True and post.body["make_latest"] == "false"


def test_bad_token_stops_before_any_write(sandbox: Sandbox, server: GitHubServer) -> None:
    from release_tool.adapters.github import GitHubClient

    workspace = load_workspace(sandbox.root)
    client = GitHubClient(server.base_url, "not-the-token", throttle=False)
    with pytest.raises(ExternalServiceError, match="401"):
        publish_releases(
            workspace, None, dry_run=False, open_repo=Repo, connect=lambda _url: client
        )
    assert server.writes() == []


def test_missing_repo_stops_before_any_write(sandbox: Sandbox, server: GitHubServer) -> None:
    del server.repos[BETA]
    with pytest.raises(ExternalServiceError, match=f"{BETA} not found"):
        publish(sandbox)
    assert server.writes() == []  # alpha's repo exists, but nothing was created there either


def test_rate_limit_midway_names_what_finished_and_rerun_completes(
    sandbox: Sandbox, server: GitHubServer
) -> None:
    reset = int(time.time()) + 600
    server.fail(
        "POST",
        f"/repos/{BETA}/releases",
        403,
        "API rate limit exceeded for 1.2.3.4.",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    with pytest.raises(ExternalServiceError) as info:
        publish(sandbox)
    message = str(info.value)
    assert "rate limit exceeded" in message and "resets at" in message
    assert "finished before the failure: alpha-v0.1.0 (create)" in message
    again = publish(sandbox)
    assert [o.action for o in again] == ["unchanged", "create"]
    assert [len(r.releases) for r in server.repos.values()] == [1, 1]


def test_tag_missing_on_github_is_refused(sandbox: Sandbox, server: GitHubServer) -> None:
    sandbox.git("tag", "-a", "alpha-v0.1.1", "-m", "Release alpha 0.1.1")  # not pushed
    with pytest.raises(PlanRefusedError, match=r"tag alpha-v0\.1\.1 is not on GitHub"):
        publish(sandbox, ["alpha", "beta"])
    assert server.writes() == []
    assert server.requests[-1].path == f"/repos/{ROOT}/git/ref/tags/alpha-v0.1.1"
    sandbox.push(None, "alpha-v0.1.1")
    assert [o.action for o in publish(sandbox, ["alpha"])] == ["create"]


def test_repo_override_in_config(
    tmp_path: Path, server: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.add_repo("other-org/beta-mirror")
    config = (
        f'github = {{ api-url = "{server.base_url}", '
        'repos = { "beta" = "other-org/beta-mirror" } }\n'
    )
    sb = build_sandbox(
        tmp_path,
        [MemberSpec("beta", layout="submodule", tags=("1.0.0",))],
        modes=False,
        config=config,
    )
    link(server, sb)
    publish(sb)
    assert [r.path for r in server.writes()] == ["/repos/other-org/beta-mirror/releases"]


def test_cli_dry_run_prints_calls_without_token_or_network(
    sandbox: Sandbox, server: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    result = run_cli("github", "release", "--dry-run", cwd=sandbox.root)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "create-or-update example-org/workspace  alpha-v0.1.0  (release, notes: tag message)\n"
        "                   GET /repos/example-org/workspace\n"
        "                   GET /repos/example-org/workspace/releases/tags/alpha-v0.1.0\n"
        "                   GET /repos/example-org/workspace/git/ref/tags/alpha-v0.1.0\n"
        "                   POST /repos/example-org/workspace/releases\n"
        "                   PATCH /repos/example-org/workspace/releases/{id}\n"
        "create-or-update example-org/beta  v0.2.0  (release, notes: tag message)\n"
        "                   GET /repos/example-org/beta\n"
        "                   GET /repos/example-org/beta/releases/tags/v0.2.0\n"
        "                   GET /repos/example-org/beta/git/ref/tags/v0.2.0\n"
        "                   POST /repos/example-org/beta/releases\n"
        "                   PATCH /repos/example-org/beta/releases/{id}\n"
    )
    assert server.requests == []


def test_cli_json_and_rerun(sandbox: Sandbox, server: GitHubServer) -> None:
    first = run_cli("github", "release", "beta", "--json", cwd=sandbox.root)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["dry_run"] is False
    (release,) = data["releases"]
    assert (release["repo"], release["tag"], release["action"]) == (BETA, "v0.2.0", "create")
    assert release["url"] == f"{server.origin}/{BETA}/releases/tag/v0.2.0"
    second = run_cli("github", "release", "beta", cwd=sandbox.root)
    assert second.exit_code == 0
    assert second.stdout.startswith("unchanged        example-org/beta  v0.2.0  (release")


def test_cli_error_never_shows_the_token(
    sandbox: Sandbox, server: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.fail("GET", f"/repos/{ROOT}", 500, "Server Error")
    result = run_cli("--debug", "github", "release", cwd=sandbox.root)
    assert result.exit_code == 11
    assert "GitHub answered 500 Server Error" in result.stderr
    assert TOKEN not in result.output
    monkeypatch.delenv("GITHUB_TOKEN")
    missing = run_cli("github", "release", cwd=sandbox.root)
    assert missing.exit_code == 11 and "set GITHUB_TOKEN or GH_TOKEN" in missing.stderr


def test_folder_member_without_github_remote_asks_for_override(tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path, [MemberSpec("solo", tags=("1.0.0",))], modes=False)
    git(sb.root, "remote", "set-url", "origin", str(sb.remotes / "workspace.git"))
    pyproject = sb.root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(re.sub(r"repo-urls = .*\n", "", text), encoding="utf-8")
    from release_tool.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[tool.release-tool.github\].repos"):
        plan_release_targets(load_workspace(sb.root), None, open_repo=Repo)


def test_engine_publish_step_releases_a_tag_held_by_several_member_repos(
    tmp_path: Path, server: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from release_tool.adapters.github import connect
    from release_tool.core.github_release import publish_step

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    server.add_repo("example-org/delta")
    specs = [
        MemberSpec("beta", layout="submodule", tags=("0.1.0", "0.2.0")),
        MemberSpec("delta", layout="submodule", tags=("0.2.0",)),
    ]
    config = f'github = {{ api-url = "{server.base_url}" }}\n'
    sb = build_sandbox(tmp_path, specs, modes=False, config=config)
    link(server, sb)
    step = SimpleNamespace(tags=("v0.2.0", "v0.2.0"))  # what promote prod's PUBLISH step holds
    publish_step(sb.root, step, open_repo=Repo, connect=connect)
    publish_step(sb.root, step, open_repo=Repo, connect=connect)  # --resume: nothing made twice
    assert [(r.path, r.body["tag_name"]) for r in server.writes()] == [
        (f"/repos/{BETA}/releases", "v0.2.0"),
        ("/repos/example-org/delta/releases", "v0.2.0"),
    ]


def test_since_keeps_only_the_tags_made_after_a_root_revision(sandbox: Sandbox) -> None:
    """``--since REV``: the release workflow publishes this release's tags, not older ones."""
    start = sandbox.git("rev-parse", "HEAD")
    workspace = load_workspace(sandbox.root)
    assert plan_release_targets(workspace, None, open_repo=Repo, since=start) == []

    beta = sandbox.member("beta")
    (beta.repo / "fix.txt").write_text("x\n", encoding="utf-8")
    git(beta.repo, "add", "-A")
    git(beta.repo, "commit", "-q", "-m", "fix: beta")
    git(beta.repo, "tag", "-a", "v0.2.1", "-m", "beta 0.2.1")
    (sandbox.root / sandbox.member("alpha").rel_path / "fix.txt").write_text("x\n")
    sandbox.git("add", "-A")
    sandbox.git("commit", "-q", "-m", "fix: alpha; beta's pointer")
    sandbox.git("tag", "-a", "alpha-v0.1.1", "-m", "alpha 0.1.1")

    targets = plan_release_targets(workspace, None, open_repo=Repo, since=start)
    assert [(t.member, t.tag) for t in targets] == [("alpha", "alpha-v0.1.1"), ("beta", "v0.2.1")]
    moved = sandbox.git("rev-parse", "HEAD")
    assert plan_release_targets(workspace, None, open_repo=Repo, since=moved) == []
    with pytest.raises(NotFoundError, match="not a commit"):
        plan_release_targets(workspace, None, open_repo=Repo, since="no-such-rev")

    result = run_cli("github", "release", "--since", start, "--dry-run", cwd=sandbox.root)
    assert result.exit_code == 0, result.output
    assert "alpha-v0.1.1" in result.output and "alpha-v0.1.0" not in result.output
