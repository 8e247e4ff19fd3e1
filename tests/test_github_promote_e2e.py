"""``promote prod --push --github-release`` on a sandbox: the releases the local GitHub receives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from release_tool.testing.cli import run_cli
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.sandbox import MemberSpec, build_sandbox, git

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip(
    "release_tool.core.release", reason="the release engine (promote) is not merged"
)

TOKEN = "ghs_e2e_token"


@pytest.mark.slow
def test_promote_prod_with_github_release_then_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with GitHubServer(token=TOKEN) as server:
        specs = [
            MemberSpec("pkg-000", layout="submodule", tags=("0.1.0.dev1",), version="0.1.0.dev1"),
            MemberSpec("lib-x", commits=4, tags=("0.2.0.dev1",)),
        ]
        config = f'github = {{ api-url = "{server.base_url}" }}\n'
        sb = build_sandbox(tmp_path, specs, lock=True, config=config)
        server.add_repo("example-org/workspace", git_dir=sb.remotes / "workspace.git")
        server.add_repo("example-org/pkg-000", git_dir=sb.remotes / "pkg-000.git")

        result = run_cli("promote", "prod", "--all", "--push", "--github-release", cwd=sb.root)
        assert result.exit_code == 0, result.output

        posts = [
            (r.method, r.path, r.body["tag_name"], r.body["prerelease"]) for r in server.writes()
        ]
        assert sorted(posts) == [
            ("POST", "/repos/example-org/pkg-000/releases", "v0.1.0", False),
            ("POST", "/repos/example-org/workspace/releases", "lib-x-v0.2.0", False),
        ]
        repo_of = {"v0.1.0": sb.member("pkg-000").repo, "lib-x-v0.2.0": sb.root}
        for request in server.writes():
            assert request.authorization == f"token {TOKEN}"
            tag = request.body["tag_name"]
            message = git(repo_of[tag], "tag", "-l", "--format=%(contents)", tag)
            assert request.body["body"] == message.strip()  # the tag's changelog entry

        again = run_cli("github", "release", cwd=sb.root)
        assert again.exit_code == 0, again.output
        assert len(server.writes()) == 2  # nothing created twice
        assert [len(r.releases) for r in server.repos.values()] == [1, 1]
