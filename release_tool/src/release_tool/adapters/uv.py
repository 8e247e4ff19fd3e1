"""uv through its command line: lock, lock --check, version."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from release_tool.errors import UvError

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class UvResult:
    """Exit code and output of one uv call."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def uv_binary() -> str:
    """The uv executable (``$UV`` when uv runs us, else from PATH)."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise UvError("uv is not installed", hint="install it: python3 -m pip install uv")
    return found


def run_uv(
    args: list[str], cwd: Path, *, timeout: float = 600, env: dict[str, str] | None = None
) -> UvResult:
    """Run ``uv ARGS`` in ``cwd`` and capture its output (never raises on a non-zero exit)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("VIRTUAL_ENV", None)  # the mode folder is its own project
    try:
        proc = subprocess.run(
            [uv_binary(), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UvError(f"uv {' '.join(args)} timed out after {timeout:.0f}s in {cwd}") from None
    return UvResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)


def lock_check(folder: Path, *, timeout: float = 600) -> UvResult:
    """``uv lock --check`` in ``folder``: is ``uv.lock`` up to date with its pyproject?"""
    return run_uv(["lock", "--check"], folder, timeout=timeout)
