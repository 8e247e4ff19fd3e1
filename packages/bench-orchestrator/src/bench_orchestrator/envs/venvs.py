"""Venvs synced from a mode's uv lock, once per machine and lock content.

The venv's folder is named by a digest of ``uv.lock``, ``pyproject.toml``
and the extras, so a changed lock gets a new venv and an unchanged one is
reused by every cell and every later run. ``uv sync --frozen`` installs
exactly the lock (no resolution); a file lock keeps concurrent cells from
syncing the same venv twice.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from typing import TYPE_CHECKING

from filelock import FileLock

from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from pathlib import Path

MARKER = ".hyperbench-synced"


def lock_digest(lock_dir: Path, extras: list[str]) -> str:
    """Digest of the lock, the project file and the extras (the venv's identity)."""
    digest = hashlib.sha256()
    for name in ("uv.lock", "pyproject.toml"):
        path = lock_dir / name
        if not path.is_file():
            raise EnvironmentSetupError(
                f"{lock_dir} has no {name}: expected a mode folder (e.g. prod/) with a uv.lock"
            )
        digest.update(path.read_bytes())
    digest.update("\0".join(sorted(extras)).encode())
    return digest.hexdigest()[:16]


def child_environment(venv: Path | None = None) -> dict[str, str]:
    """os.environ without the calling venv, optionally pointing uv at ``venv``."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    if venv is not None:
        env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    return env


def synced_venv(lock_dir: Path, extras: list[str], cache_dir: Path) -> Path:
    """The venv of ``lock_dir`` under ``cache_dir/envs``, synced on first use."""
    key = lock_digest(lock_dir, extras)
    venv = cache_dir / "envs" / key
    venv.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv) + ".lock"):
        if (venv / MARKER).is_file():
            return venv
        uv = os.environ.get("UV") or shutil.which("uv")
        if not uv:
            raise EnvironmentSetupError("uv is not on PATH; it is needed to sync model venvs")
        command = [uv, "sync", "--frozen", "--no-dev", "--project", str(lock_dir)]
        for extra in extras:
            command += ["--extra", extra]
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, env=child_environment(venv)
        )
        if result.returncode != 0:
            raise EnvironmentSetupError(
                f"uv sync of {lock_dir} failed (exit {result.returncode}):\n{result.stderr[-3000:]}"
            )
        if not (venv / "bin" / "hyperbench").is_file():
            raise EnvironmentSetupError(
                f"the venv of {lock_dir} has no 'hyperbench' command: the lock must include "
                "bench-utils[serve] and the model's backend"
            )
        (venv / MARKER).write_text(key, encoding="utf-8")
    return venv
