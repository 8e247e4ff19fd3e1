"""A failure after the pushes (GitHub releases) keeps the pushed refs; ``resume`` finishes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from release_support import no_github_fast_path, rt  # noqa: F401

from release_tool.errors import ExitCode
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.sandbox import MemberSpec, build_sandbox

if TYPE_CHECKING:
    from pathlib import Path

TOKEN = "ghs_publish_token"


def test_publish_failure_keeps_pushes_and_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with GitHubServer(token=TOKEN) as server:
        specs = [
            MemberSpec("pkg-000", layout="submodule", tags=("0.1.0.dev1",), version="0.1.0.dev1")
        ]
        config = f'github = {{ api-url = "{server.base_url}" }}\n'
        sb = build_sandbox(tmp_path, specs, config=config)
        server.add_repo("example-org/workspace", git_dir=sb.remotes / "workspace.git")
        server.add_repo("example-org/pkg-000", git_dir=sb.remotes / "pkg-000.git")
        server.fail("POST", r"/repos/example-org/pkg-000/releases", 422, "Validation Failed")

        result = rt(sb, "promote", "prod", "--all", "--push", "--github-release")
        assert result.exit_code == ExitCode.APPLY_FAILED, result.output
        assert "publish GitHub releases for v0.1.0" in result.stderr
        assert "pushes are kept; run with --resume to retry" in result.stderr
        assert "v0.1.0" in sb.remote_tags("pkg-000")  # public now: not rolled back
        assert (sb.root / ".release-tool/journal.jsonl").is_file()

        blocked = rt(sb, "promote", "prod", "--all")
        assert blocked.exit_code == ExitCode.LOCKED

        resumed = rt(sb, "resume")
        assert resumed.exit_code == ExitCode.OK, resumed.output
        assert [(r.path, r.body["tag_name"]) for r in server.writes() if r.method == "POST"][
            -1
        ] == ("/repos/example-org/pkg-000/releases", "v0.1.0")
        assert not (sb.root / ".release-tool/journal.jsonl").exists()
