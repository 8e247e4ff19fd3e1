"""The README's lifecycle block, run verbatim on a mixed sandbox with a local GitHub.

Every line of the first ``console`` block under "The release lifecycle" is
run as written (comments dropped, ``&&`` honoured): the README cannot
promise a path that does not work.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lifecycle_support import assert_clone_syncs
from release_support import no_github_fast_path, specs_for  # noqa: F401

from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.sandbox import build_sandbox, git

if TYPE_CHECKING:
    from release_tool.testing.sandbox import Sandbox

TOKEN = "ghs_readme_token"
README = Path(__file__).parents[1] / "README.md"


def lifecycle_commands() -> list[list[str]]:
    """The README lifecycle block: one list of argv per command, in order."""
    section = README.read_text(encoding="utf-8").split("## The release lifecycle", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        text = line.split("#", 1)[0].strip()
        for part in filter(None, (p.strip() for p in text.split("&&"))):
            argv = shlex.split(part)
            assert argv[0] == "release-tool", line
            commands.append(argv[1:])
    return commands


def test_the_block_is_the_lifecycle() -> None:
    names = [argv[0] for argv in lifecycle_commands()]
    assert names == ["dev-branch", "changes", "commit", "bump", "github", "promote", "check"]


@pytest.mark.slow
def test_readme_lifecycle_runs_verbatim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with GitHubServer(token=TOKEN) as server:
        config = f'github = {{ api-url = "{server.base_url}" }}\n'
        sb = build_sandbox(tmp_path, specs_for("mixed"), lock=True, config=config)
        for repo in ("workspace", "pkg-000", "pkg-001"):
            server.add_repo(f"example-org/{repo}", git_dir=sb.remotes / f"{repo}.git")
        _work(sb)
        for argv in lifecycle_commands():
            result = run_cli(*argv, cwd=sb.root)
            assert result.exit_code == ExitCode.OK, (
                f"release-tool {shlex.join(argv)}\n{result.output}"
            )
        tags = {r.body["tag_name"] for r in server.writes() if r.path.endswith("/releases")}
        assert "v0.1.1" in tags  # pkg-000's stable release, published on GitHub
        pulls = [r for r in server.writes() if r.path.endswith("/pulls")]
        assert pulls, "github pr opened no pull request"
    assert_clone_syncs(sb, "readme", branch="dev")


def _work(sb: Sandbox) -> None:
    """Uncommitted work in a submodule member and a folder member, for changes/commit."""
    (sb.member("pkg-000").path / "src/pkg_000/timing.py").write_text("T = 1\n")
    (sb.member("lib-x").path / "src/lib_x/extra.py").write_text("E = 1\n")
    assert git(sb.root, "status", "--porcelain")
