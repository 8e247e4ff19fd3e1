"""The changes, commit and changelog commands, run like a user runs them."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import pytest
from notes_support import LLM_ENV, commit, git, make_workspace, write

from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.llm_server import ScriptedLLMServer

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "ws")
    commit(root, "feat: add greet", {"packages/alpha/src/alpha/greet.py": "G = 1\n"})
    commit(root, "fix(beta): repair", {"packages/beta/src/beta/b.py": "B = 1\n"})
    return root


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch):
    with ScriptedLLMServer() as server:
        monkeypatch.setenv("RELEASE_TOOL_LLM_BASE_URL", server.url)
        monkeypatch.setenv("RELEASE_TOOL_LLM_MODEL", "scripted")
        yield server


def test_changes_writes_both_files_and_prints_json(ws: Path) -> None:
    write(ws / "packages/alpha/new.py", "N = 1\n")
    result = run_cli("changes", "alpha", "--json", cwd=ws)
    assert result.exit_code == 0, result.stderr
    [data] = json.loads(result.stdout)["members"]
    assert data["since_tag"] == "alpha-v0.1.0"
    assert [c["subject"] for c in data["commits"]] == ["feat: add greet"]
    assert data["uncommitted"]["status"] == "?? packages/alpha/new.py\n"
    folder = ws / ".release-tool/changes/alpha"
    since = (folder / "changes_since_tag.txt").read_text()
    assert "feat: add greet" in since and "+G = 1" in since
    assert "+N = 1" in (folder / "changes_uncommitted.txt").read_text()
    assert git(ws, "status", "--short").strip() == "?? packages/alpha/new.py"  # folder is ignored


def test_changes_text_output(ws: Path) -> None:
    result = run_cli("changes", "--no-files", cwd=ws)
    assert result.exit_code == 0
    assert result.stdout == (
        "alpha: 1 commit(s) since alpha-v0.1.0\nbeta: 1 commit(s) since beta-v0.1.0\n"
    )


def test_changelog_from_commits_is_written_once_per_version(ws: Path) -> None:
    first = run_cli("changelog", "alpha", "--version", "0.2.0", cwd=ws)
    assert first.exit_code == 0, first.stderr
    path = ws / "packages/alpha/CHANGELOG.md"
    text = path.read_text()
    assert text.startswith("# Changelog\n")
    assert "## [0.2.0] - " in text and "### Added\n\n- Add greet (" in text
    again = run_cli("changelog", "alpha", "--version", "0.2.0", cwd=ws)
    assert again.exit_code == 0
    assert path.read_text() == text


def test_changelog_dry_run_writes_nothing_and_calls_nothing(ws: Path, llm_env) -> None:
    result = run_cli("changelog", "alpha", "--dry-run", cwd=ws)
    assert result.exit_code == 0, result.stderr
    assert "would send 1 request(s), about" in result.stdout
    assert "## [0.1.0] - " in result.stdout
    assert not (ws / "packages/alpha/CHANGELOG.md").exists()
    assert llm_env.received == []


def test_changelog_with_llm_reports_source_in_json(ws: Path, llm_env) -> None:
    result = run_cli("changelog", "alpha", "--json", "--version", "0.2.0", cwd=ws)
    assert result.exit_code == 0, result.stderr
    [data] = json.loads(result.stdout)["members"]
    assert data["source"] == "llm"
    assert data["stats"]["calls"] == 1
    assert "- Notes: feat: add greet" in (ws / "packages/alpha/CHANGELOG.md").read_text()


def test_commit_dry_run_shows_the_request_and_commits_nothing(ws: Path, llm_env) -> None:
    write(ws / "packages/alpha/.env", "TOKEN=abc123abc123abc\n")
    write(ws / "packages/alpha/src/alpha/x.py", 'password = "hunter2hunter2"\n')
    head = git(ws, "rev-parse", "HEAD")
    result = run_cli("commit", "alpha", "--dry-run", cwd=ws)
    assert result.exit_code == 0, result.stderr
    assert "not sent: packages/alpha/.env (sensitive)" in result.stdout
    assert "redacted: packages/alpha/src/alpha/x.py:" in result.stdout
    assert "chore(alpha): update 2 files" in result.stdout
    assert git(ws, "rev-parse", "HEAD") == head
    assert llm_env.received == []


def test_commit_uses_the_model_message_and_commits_only_that_member(ws: Path, llm_env) -> None:
    write(ws / "packages/alpha/src/alpha/x.py", "X = 2\n")
    write(ws / "packages/beta/src/beta/y.py", "Y = 2\n")
    result = run_cli("commit", "alpha", "--json", cwd=ws)
    assert result.exit_code == 0, result.stderr
    [data] = json.loads(result.stdout)["members"]
    assert data["source"] == "llm"
    assert git(ws, "log", "-1", "--format=%B").strip() == (
        "feat: update the package\n\nScripted commit message."
    )
    assert git(ws, "status", "--short").strip() == "?? packages/beta/src/beta/y.py"


def test_commit_edit_and_push(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(ws, "remote", "add", "origin", str(remote))
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text('fix(alpha): edited by hand\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    write(ws / "packages/alpha/src/alpha/x.py", "X = 3\n")
    result = run_cli("commit", "alpha", "--edit", "--push", "--no-llm", cwd=ws)
    assert result.exit_code == 0, result.stderr
    assert git(ws, "log", "-1", "--format=%s").strip() == "fix(alpha): edited by hand"
    assert git(remote, "log", "-1", "--format=%s", "main").strip() == "fix(alpha): edited by hand"


def test_commit_fail_on_secret_refuses(ws: Path, llm_env) -> None:
    write(
        ws / "packages/alpha/src/alpha/x.py",
        'GITHUB_TOKEN = "ghp_R9aT4kLm2Qx8Vb7Nc6Zp1Hs3Jd5Fg0Wy2Ek4"\n',
    )
    result = run_cli("commit", "alpha", "--fail-on-secret", cwd=ws)
    assert result.exit_code == ExitCode.PLAN_REFUSED
    assert "secrets found in the text for the model" in result.stderr
    assert "ghp_R9a" not in result.output
    assert llm_env.received == []


def test_llm_configured_in_pyproject(tmp_path: Path) -> None:
    with ScriptedLLMServer() as server:
        extra = f'\n[tool.release-tool.llm]\nbase-url = "{server.url}"\nmodel = "scripted"\n'
        root = make_workspace(tmp_path / "ws", extra=extra)
        commit(root, "feat: add greet", {"packages/alpha/src/alpha/greet.py": "G = 1\n"})
        result = run_cli("changelog", "alpha", "--json", cwd=root)
    assert result.exit_code == 0, result.stderr
    [data] = json.loads(result.stdout)["members"]
    assert data["source"] == "llm"
    assert server.chat_requests[0].body["model"] == "scripted"


def test_changes_dry_run_writes_nothing(ws: Path) -> None:
    result = run_cli("changes", "beta", "--dry-run", "--json", cwd=ws)
    assert result.exit_code == 0, result.stderr
    [data] = json.loads(result.stdout)["members"]
    assert data["would_write"][0].endswith(".release-tool/changes/beta/changes_uncommitted.txt")
    assert not (ws / ".release-tool").exists()
