"""Helpers for the release-engine tests: sandbox layouts, snapshots, running the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from release_tool.testing.cli import CliResult, run_cli
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git

LAYOUTS = ("folder", "submodule", "mixed")


@pytest.fixture(autouse=True)
def no_github_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GitHub here: stop uv from asking api.github.com (and retrying) before using git."""
    monkeypatch.setenv("UV_NO_GITHUB_FAST_PATH", "1")


def specs_for(layout: str) -> list[MemberSpec]:
    """Three members, each depending on the one before (folder, submodule or mixed)."""
    if layout == "mixed":
        return [
            MemberSpec("pkg-000", layout="submodule", tags=("0.1.0.dev1", "0.1.0")),
            MemberSpec("pkg-001", layout="submodule", deps=("pkg-000>=0.1.0",),
                       tags=("0.1.0.dev1", "0.1.0")),
            MemberSpec("lib-x", deps=("pkg-000>=0.1",), commits=4, tags=("0.1.0", "0.2.0.dev1")),
        ]  # fmt: skip
    kind = "submodule" if layout == "submodule" else "folder"
    return [
        MemberSpec("pkg-000", layout=kind, tags=("0.1.0.dev1", "0.1.0")),
        MemberSpec("pkg-001", layout=kind, deps=("pkg-000>=0.1.0",), tags=("0.1.0.dev1", "0.1.0")),
        MemberSpec("pkg-002", layout=kind, deps=("pkg-001>=0.1.0",), tags=("0.1.0.dev1", "0.1.0")),
    ]


def make(tmp_path: Path, layout: str, *, lock: bool = False) -> Sandbox:
    return build_sandbox(tmp_path, specs_for(layout), lock=lock)


def rt(sb: Sandbox, *args: str) -> CliResult:
    """``release-tool`` in-process, in the sandbox root."""
    return run_cli(*args, cwd=sb.root)


def rt_process(
    sb: Sandbox, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``release-tool`` as a separate process (so it can be killed)."""
    import os

    script = Path(sys.executable).parent / "release-tool"
    return subprocess.run(
        [str(script), *args],
        cwd=sb.root,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def repos(sb: Sandbox) -> dict[str, Path]:
    """Every work tree of the sandbox: ``.`` and each member repo."""
    found = {".": sb.root}
    for m in sb.members.values():
        if m.repo != sb.root:
            found[m.rel_path] = m.repo
    return found


def snapshot(sb: Sandbox) -> dict[str, Any]:
    """Everything a failed run must leave as it was: heads, tags, trees, remotes, files."""
    state: dict[str, Any] = {}
    for rel, path in repos(sb).items():
        state[f"{rel}:head"] = git(path, "rev-parse", "HEAD")
        state[f"{rel}:tags"] = git(path, "tag", "--list").split()
        state[f"{rel}:status"] = git(path, "status", "--porcelain", "--ignore-submodules=none")
        state[f"{rel}:index"] = git(path, "ls-files", "-s")
    for bare in sorted(sb.remotes.glob("*.git")):
        state[f"remote:{bare.name}"] = git(
            bare, "for-each-ref", "--format=%(refname) %(objectname)"
        )
    for rel in ("pyproject.toml", "staging/pyproject.toml", "prod/pyproject.toml",
                "staging/uv.lock", "prod/uv.lock", "uv.lock"):  # fmt: skip
        path = sb.root / rel
        state[rel] = path.read_text(encoding="utf-8") if path.is_file() else None
    for m in sb.members.values():
        state[m.rel_path] = (m.path / "pyproject.toml").read_text(encoding="utf-8")
    return state


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Keys whose values differ (readable in an assertion message)."""
    return [key for key in before.keys() | after.keys() if before.get(key) != after.get(key)]


def reject_pushes(bare: Path, message: str = "rejected by policy") -> None:
    """Install a ``pre-receive`` hook that refuses every push to ``bare``."""
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)


def lock_is_fresh(folder: Path) -> bool:
    done = subprocess.run(["uv", "lock", "--check", "--offline", "-q"], cwd=folder,
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done.returncode == 0
