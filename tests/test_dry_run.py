"""``--dry-run`` is dry: no file, ref, remote ref or cache changes, no LLM or GitHub request.

Every command that has ``--dry-run`` runs against a sandbox whose LLM points
at a scripted local server and whose GitHub API points at a local fake;
both must receive nothing. Every file under the sandbox (work trees,
``.git`` folders with refs and packed-refs, the bare remotes) and the LLM
answer cache are hashed before and after each command.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from release_support import rt, rt_process, specs_for

from release_tool.errors import ExitCode
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.llm_server import ScriptedLLMServer
from release_tool.testing.sandbox import Sandbox, build_sandbox, git

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[1]
TOKEN = "dry-run-token"


@pytest.fixture
def llm() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer() as server:
        yield server


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    with GitHubServer(token=TOKEN) as server:
        yield server


@pytest.fixture
def sandbox(
    tmp_path: Path,
    llm: ScriptedLLMServer,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Sandbox:
    """The mixed layout with an LLM and GitHub configured, new commits and an uncommitted edit."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = (
        f'github = {{ api-url = "{github.base_url}" }}\n'
        f'\n[tool.release-tool.llm]\nbase-url = "{llm.url}"\nmodel = "scripted"\n'
    )
    sb = build_sandbox(tmp_path / "sb", specs_for("mixed"), config=config, lock=True)
    for name in ("pkg-000", "lib-x"):
        sb.commit_file(name, "src/extra.py", "VALUE = 1\n", "feat: add a value")
    (sb.root / "docker").mkdir()
    shutil.copy2(REPO / "docker" / "Dockerfile-uv", sb.root / "docker" / "Dockerfile-uv")
    git(sb.root, "add", "-A")
    git(sb.root, "commit", "-q", "-m", "chore: image recipe, pkg-000 pointer")
    return sb


def dirty(sb: Sandbox) -> None:
    """Uncommitted work in a submodule member and a folder member (for ``commit``)."""
    for name in ("pkg-001", "lib-x"):
        (sb.member(name).path / "work.py").write_text("WORK = 1\n", encoding="utf-8")


def fingerprint(sb: Sandbox) -> dict[str, str]:
    """A hash of every file under the sandbox (trees, .git, remotes) and the LLM cache."""
    found: dict[str, str] = {}
    for base in (sb.tmp, sb.tmp.parent / "cache"):
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_symlink():
                found[str(path)] = "link:" + str(path.readlink())
            elif path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_dir():
                found[str(path)] = "dir"
    return found


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


DRY_COMMANDS = [
    ("bump", "--dev", "--changed", "--push"),
    ("bump", "--minor", "--all"),
    ("promote", "prod", "--all", "--push", "--github-release"),
    ("promote", "staging", "--all", "--push"),
    ("changes",),
    ("changelog",),
    ("init", "--force"),
    ("ci", "init", "--force"),
    ("github", "release"),
    ("github", "pr"),
    ("docker", "build", "--mode", "staging"),
    ("dev-branch",),
]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_every_dry_run_changes_nothing_and_calls_nothing(
    sandbox: Sandbox, llm: ScriptedLLMServer, github: GitHubServer, as_json: bool
) -> None:
    extra = ("--json",) if as_json else ()
    for command in DRY_COMMANDS:
        before = fingerprint(sandbox)
        result = rt(sandbox, *command, "--dry-run", *extra)
        assert result.exit_code == ExitCode.OK, (command, result.output)
        assert changed(before, fingerprint(sandbox)) == [], command
        if as_json:  # one versioned JSON document, nothing else on stdout
            assert json.loads(result.stdout)["schema"].startswith("release-tool."), command
    assert llm.received == []
    assert github.requests == []


def test_commit_dry_run_with_uncommitted_work(sandbox: Sandbox, llm: ScriptedLLMServer) -> None:
    dirty(sandbox)
    for extra in ((), ("--json",)):
        before = fingerprint(sandbox)
        result = rt(sandbox, "commit", "--dry-run", *extra)
        assert result.exit_code == ExitCode.OK, result.output
        assert changed(before, fingerprint(sandbox)) == []
    assert "lib-x: would commit" in result.stdout or "lib-x" in result.stdout
    assert llm.received == []


def test_release_dry_run_says_who_would_write_the_notes(sandbox: Sandbox) -> None:
    result = rt(sandbox, "promote", "prod", "--all", "--dry-run")
    assert result.exit_code == ExitCode.OK, result.output
    assert re.search(
        r"^release notes:\n  pkg-000 v0\.1\.1: would be written by the LLM from \d+ commits?$",
        result.stdout,
        re.MULTILINE,
    ), result.stdout
    data = json.loads(rt(sandbox, "promote", "prod", "--all", "--dry-run", "--json").stdout)
    assert data["schema"] == "release-tool.plan/1" and data["dry_run"] is True
    notes = {n["member"]: n for n in data["plan"]["release_notes"]}
    assert notes["pkg-000"]["commits"] >= 1
    assert notes["pkg-000"] == {
        "member": "pkg-000",
        "tag": "v0.1.1",
        "source": "llm",
        "commits": notes["pkg-000"]["commits"],
        "written": False,
    }


def test_resume_dry_run_with_a_pending_journal_changes_nothing(
    sandbox: Sandbox, llm: ScriptedLLMServer
) -> None:
    killed = rt_process(
        sandbox, "bump", "--dev", "--all", env={"RELEASE_TOOL_KILL_AFTER_STEP": "4"}
    )
    assert killed.returncode == -9, killed.stderr
    requests_before = len(llm.received)
    for command in (
        ("bump", "--resume", "--dry-run"),
        ("bump", "--resume", "--dry-run", "--json"),
        ("resume", "--dry-run"),
        ("resume", "--abort", "--dry-run", "--json"),
        ("bump", "--dev", "--all", "--dry-run"),
        ("promote", "prod", "--resume", "--dry-run"),
    ):
        before = fingerprint(sandbox)
        result = rt(sandbox, *command)
        assert changed(before, fingerprint(sandbox)) == [], command
        if command[:2] == ("promote", "prod"):
            assert result.exit_code == ExitCode.LOCKED, result.output
            assert "bump --dev --all" in result.stderr
        else:
            assert result.exit_code == ExitCode.OK, (command, result.output)
    assert len(llm.received) == requests_before
    shown = json.loads(rt(sandbox, "bump", "--resume", "--dry-run", "--json").stdout)
    assert shown["dry_run"] is True and shown["command"].startswith("bump --dev --all")
    assert shown["schema"] == "release-tool.resume/1"
    assert [row["state"] for row in shown["steps"]].count("done") == 4


def test_resume_only_resumes_the_same_command(sandbox: Sandbox) -> None:
    killed = rt_process(
        sandbox, "bump", "--dev", "--all", env={"RELEASE_TOOL_KILL_AFTER_STEP": "3"}
    )
    assert killed.returncode == -9, killed.stderr
    before = fingerprint(sandbox)
    for command in (("promote", "prod", "--resume"), ("promote", "--resume")):
        refused = rt(sandbox, *command)
        assert refused.exit_code == ExitCode.LOCKED, refused.output
        assert "pending run is `bump --dev --all`" in refused.stderr
        assert "release-tool bump --resume" in refused.stderr
    refused = rt(sandbox, "promote", "prod", "--resume", "--json")
    error = json.loads(refused.stdout)
    assert error["schema"] == "release-tool.error/1"
    assert error["exit_code"] == ExitCode.LOCKED and "bump --dev --all" in error["error"]
    assert error["hint"]
    assert changed(before, fingerprint(sandbox)) == []
    resumed = rt(sandbox, "bump", "--resume")
    assert resumed.exit_code == ExitCode.OK, resumed.output
    assert not (sandbox.root / ".release-tool/journal.jsonl").exists()


def test_dry_run_from_the_config_is_dry_too(
    tmp_path: Path, llm: ScriptedLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dry-run = true`` in ``[tool.release-tool]``: every command plans and changes nothing."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = f'dry-run = true\n\n[tool.release-tool.llm]\nbase-url = "{llm.url}"\nmodel = "x"\n'
    sb = build_sandbox(tmp_path / "sb", specs_for("folder"), config=config)
    sb.commit_file("pkg-000", "src/extra.py", "VALUE = 1\n", "feat: add a value")
    before = fingerprint(sb)
    for command in (
        ("bump", "--dev", "--changed"),
        ("promote", "prod", "--all"),
        ("promote", "staging", "--all"),
        ("changelog",),
        ("init", "--force"),
        ("dev-branch",),
    ):
        result = rt(sb, *command)
        assert result.exit_code == ExitCode.OK, (command, result.output)
    assert changed(before, fingerprint(sb)) == []
    assert llm.received == []
