"""The GitHub adapter against the local REST server: requests, auth, errors, slugs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from release_tool.adapters.github import (
    GitHubClient,
    parse_repo_slug,
    read_token,
)
from release_tool.errors import ExternalServiceError
from release_tool.testing.github_server import GitHubServer

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "ghp_secret_value_123"
SLUG = "example-org/bench_utils"


@pytest.fixture
def server() -> Iterator[GitHubServer]:
    with GitHubServer(token=TOKEN) as srv:
        srv.add_repo(SLUG)
        yield srv


def client_for(server: GitHubServer, token: str = TOKEN) -> GitHubClient:
    return GitHubClient(server.base_url, token, throttle=False)


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/example-org/bench_utils.git", "example-org/bench_utils"),
        ("https://github.com/example-org/bench_utils", "example-org/bench_utils"),
        ("https://x-access-token@github.com/example-org/bench_utils/", "example-org/bench_utils"),
        ("git@github.com:example-org/bench_utils.git", "example-org/bench_utils"),
        ("ssh://git@github.com/example-org/bench_utils.git", "example-org/bench_utils"),
        ("ssh://git@github.com:22/example-org/bench_utils", "example-org/bench_utils"),
        ("git://github.com/example-org/bench_utils.git", "example-org/bench_utils"),
        ("https://ghe.example.com/team/model-interface.git", "team/model-interface"),
        ("git@ghe.example.com:team/model-interface", "team/model-interface"),
        ("file:///tmp/remotes/bench_utils.git", None),
        ("/tmp/remotes/bench_utils.git", None),
        ("../bench_utils.git", None),
        ("https://github.com/only-owner", None),
        ("", None),
    ],
)
def test_parse_repo_slug(url: str, slug: str | None) -> None:
    assert parse_repo_slug(url) == slug


def test_token_from_github_token_then_gh_token() -> None:
    assert read_token({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}) == "a"
    assert read_token({"GH_TOKEN": "b"}) == "b"
    assert read_token({"GITHUB_TOKEN": " ", "GH_TOKEN": "b"}) == "b"
    with pytest.raises(ExternalServiceError, match="set GITHUB_TOKEN or GH_TOKEN"):
        read_token({})


def test_create_then_find_then_update_release(server: GitHubServer) -> None:
    client = client_for(server)
    assert client.release_by_tag(SLUG, "v0.2.0") is None
    created = client.create_release(
        SLUG, "v0.2.0", name="bench-utils 0.2.0", body="- faster timer", prerelease=False
    )
    found = client.release_by_tag(SLUG, "v0.2.0")
    assert found == created
    updated = client.update_release(
        SLUG,
        created.id,
        "v0.2.0",
        name="bench-utils 0.2.0",
        body="- faster timer\n- fix",
        prerelease=False,
    )
    assert updated.body == "- faster timer\n- fix"

    calls = [(r.method, r.path) for r in server.requests]
    assert calls == [
        ("GET", f"/repos/{SLUG}"),
        ("GET", f"/repos/{SLUG}/releases/tags/v0.2.0"),
        ("POST", f"/repos/{SLUG}/releases"),
        ("GET", f"/repos/{SLUG}/releases/tags/v0.2.0"),
        ("PATCH", f"/repos/{SLUG}/releases/{created.id}"),
    ]
    post = server.requests[2].body
    assert post == {
        "tag_name": "v0.2.0",
        "name": "bench-utils 0.2.0",
        "body": "- faster timer",
        "draft": False,
        "prerelease": False,
        "generate_release_notes": False,
        "make_latest": "true",
    }
    patch = server.requests[4].body
    assert patch["body"] == "- faster timer\n- fix" and patch["tag_name"] == "v0.2.0"
    assert {r.authorization for r in server.requests} == {f"token {TOKEN}"}
    assert len(server.repos[SLUG].releases) == 1


def test_tag_with_slash_and_name_is_quoted(server: GitHubServer) -> None:
    client = client_for(server)
    assert client.release_by_tag(SLUG, "bench-utils-v0.2.0+local") is None
    assert server.requests[-1].path == f"/repos/{SLUG}/releases/tags/bench-utils-v0.2.0%2Blocal"


def test_pull_requests_list_create_update(server: GitHubServer) -> None:
    client = client_for(server)
    assert client.open_pull(SLUG, "dev", "main") is None
    pull = client.create_pull(SLUG, "dev", "main", title="Release", body="notes")
    assert (pull.number, pull.head, pull.base) == (1, "dev", "main")
    again = client.open_pull(SLUG, "dev", "main")
    assert again is not None and again.number == 1
    edited = client.update_pull(SLUG, 1, title="Release 2", body="more notes")
    assert edited.title == "Release 2"
    listing = [r for r in server.requests if r.path == f"/repos/{SLUG}/pulls" and r.method == "GET"]
    assert listing[0].query == {"state": "open", "head": "example-org:dev", "base": "main"}
    posts = [r.body for r in server.writes()]
    assert posts == [
        {"title": "Release", "body": "notes", "base": "main", "head": "dev"},
        {"title": "Release 2", "body": "more notes"},
    ]


def test_bad_token_is_a_clear_401(server: GitHubServer) -> None:
    with pytest.raises(ExternalServiceError) as info:
        client_for(server, token="wrong-token").check_repository(SLUG)
    message = str(info.value)
    assert "401 Bad credentials" in message and "GITHUB_TOKEN" in message
    assert "wrong-token" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_rate_limit_names_the_reset_time(server: GitHubServer) -> None:
    reset = int(time.time()) + 120
    server.fail(
        "GET",
        f"/repos/{SLUG}",
        403,
        "API rate limit exceeded for user ID 1.",
        headers={
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        },
    )
    with pytest.raises(ExternalServiceError, match="rate limit exceeded") as info:
        client_for(server).check_repository(SLUG)
    assert time.strftime("%H:%M:%S", time.gmtime(reset)) in str(info.value)
    assert len(server.requests) == 1  # no retry loop, no sleeping until reset


def test_forbidden_without_rate_limit_names_permissions(server: GitHubServer) -> None:
    server.fail("POST", f"/repos/{SLUG}/releases", 403, "Resource not accessible by integration")
    client = client_for(server)
    with pytest.raises(ExternalServiceError, match="contents: write"):
        client.create_release(SLUG, "v1.0.0", name="x", body="y", prerelease=False)


def test_missing_repo_is_a_clear_404(server: GitHubServer) -> None:
    with pytest.raises(ExternalServiceError, match=r"example-org/nope not found") as info:
        client_for(server).release_by_tag("example-org/nope", "v1.0.0")
    assert "[tool.release-tool.github].repos" in str(info.value)


def test_release_already_exists_is_a_clear_422(server: GitHubServer) -> None:
    server.add_release(SLUG, "v0.1.0", draft=True)  # a draft: invisible by tag
    client = client_for(server)
    assert client.release_by_tag(SLUG, "v0.1.0") is None
    with pytest.raises(ExternalServiceError, match=r"release for tag v0\.1\.0 already exists"):
        client.create_release(SLUG, "v0.1.0", name="x", body="y", prerelease=False)


def test_enterprise_base_url_with_path_prefix() -> None:
    with GitHubServer(token=TOKEN, prefix="/api/v3") as srv:
        srv.add_repo("team/model-interface")
        client = GitHubClient(srv.base_url, TOKEN, throttle=False)
        client.create_release("team/model-interface", "v1.0.0", name="n", body="b", prerelease=True)
        assert [r.path for r in srv.requests] == [
            "/api/v3/repos/team/model-interface",
            "/api/v3/repos/team/model-interface/releases",
        ]
        assert srv.repos["team/model-interface"].releases[0]["prerelease"] is True


def test_unreachable_api_is_a_clear_error() -> None:
    with GitHubServer(token=TOKEN) as srv:
        url = srv.base_url
    with pytest.raises(ExternalServiceError, match="cannot reach the GitHub API"):
        GitHubClient(url, TOKEN, throttle=False).check_repository(SLUG)


def test_pygithub_is_imported_lazily() -> None:
    """``--help`` and commands that never talk to GitHub do not pay for importing PyGithub."""
    import subprocess
    import sys

    code = "import sys, release_tool.cli.app; print('github' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
