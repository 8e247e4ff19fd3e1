"""Helpers for the lifecycle suite: what a user on another machine gets from the remotes."""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

from release_tool.testing.sandbox import Sandbox, git

if TYPE_CHECKING:
    from pathlib import Path


def fresh_clone(sb: Sandbox, name: str, branch: str | None = None) -> Path:
    """``git clone --recurse-submodules`` of the remote root (fails if a pointer is unpublished)."""
    dest = sb.tmp / "clones" / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    which = ["-b", branch] if branch else []
    done = subprocess.run(
        ["git", "clone", "-q", "--recurse-submodules", *which, sb.root_url, str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"clone of the remote root failed:\n{done.stderr}"
    return dest


def assert_clone_syncs(sb: Sandbox, name: str, branch: str | None = None) -> Path:
    """A fresh clone of the remote, then ``uv sync --frozen`` in its staging/ and prod/."""
    clone = fresh_clone(sb, name, branch)
    for mode in ("staging", "prod"):
        folder = clone / mode
        env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(folder / ".venv")}
        env.pop("VIRTUAL_ENV", None)
        done = subprocess.run(
            ["uv", "sync", "--frozen", "-q", "--no-install-project"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{name}: uv sync --frozen in {mode}/ failed:\n{done.stderr}"
    return clone


def remote_tags(sb: Sandbox) -> set[str]:
    """Every tag on every remote of the sandbox, as ``repo.git:tag``."""
    found = set()
    for bare in sorted(sb.remotes.glob("*.git")):
        out = git(bare, "tag", "--list")
        found |= {f"{bare.name}:{t}" for t in out.split()}
    return found
