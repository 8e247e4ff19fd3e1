"""uv through its CLI: ``uv lock``, ``uv lock --check``, ``uv version``.

``lock`` can redirect git URLs to local repos for that one uv process, so a
mode is locked against tags that exist only locally before ``--push``
while ``uv.lock`` still records the real URLs (and the commit ids that the
push will publish). Every ``uv lock`` run is counted, so the benchmark and
the tests can assert one lock per mode per command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.errors import UvError

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass
class UvStats:
    """How many ``uv lock`` runs this process made and how long they took."""

    locks: list[tuple[str, float]] = field(default_factory=list)

    @property
    def lock_seconds(self) -> float:
        return sum(seconds for _, seconds in self.locks)

    def reset(self) -> None:
        self.locks.clear()


STATS = UvStats()


def uv_binary() -> str:
    """The ``uv`` executable (``$UV`` wins, as uv itself sets it for subprocesses)."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise UvError(
            "uv is not installed or not on PATH", hint="install uv: https://docs.astral.sh/uv/"
        )
    return found


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


def lock_problem(folder: Path, *, timeout: float = 600) -> str | None:
    """None when ``uv lock --check`` passes in ``folder``, else the last line uv said (the
    ``LockCheck`` port of ``core.check_base``)."""
    result = lock_check(folder, timeout=timeout)
    if result.ok:
        return None
    return (result.stderr.strip().splitlines() or ["uv lock --check failed"])[-1]


def lock(
    folder: Path,
    *,
    redirects: Mapping[str, Path] | None = None,
    check: bool = False,
    offline: bool = False,
) -> None:
    """Run ``uv lock`` (or ``uv lock --check``) in ``folder``.

    ``redirects`` maps a git URL as written in the pins to a local repo; git
    fetches from the local repo, uv records the URL as written.
    """
    args = [uv_binary(), "lock", "--quiet", "--no-progress"]
    if check:
        args.append("--check")
    if offline:
        args.append("--offline")
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    if redirects:
        # uv asks api.github.com for a tag's commit before fetching with git; that
        # bypasses the redirect (and the tags that exist only locally), so turn it off.
        env["UV_NO_GITHUB_FAST_PATH"] = "1"
    with _redirect_config(env, redirects or {}) as env:
        started = time.perf_counter()
        done = subprocess.run(
            args, cwd=folder, env=env, capture_output=True, text=True, check=False
        )
        if not check:
            STATS.locks.append((str(folder), time.perf_counter() - started))
    if done.returncode != 0:
        what = "uv lock --check" if check else "uv lock"
        detail = (done.stderr or done.stdout).strip()
        raise UvError(f"{folder}: {what} failed:\n{detail}")


def lock_is_fresh(folder: Path, *, redirects: Mapping[str, Path] | None = None) -> bool:
    """Whether ``uv lock --check`` passes in ``folder``."""
    try:
        lock(folder, redirects=redirects, check=True)
    except UvError:
        return False
    return True


def version(folder: Path) -> str:
    """The project version as ``uv version --short`` reports it."""
    done = subprocess.run(
        [uv_binary(), "version", "--short", "--no-sync", "--offline"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise UvError(f"{folder}: uv version failed: {done.stderr.strip()}")
    return done.stdout.strip()


class _redirect_config:
    """A temporary global git config: our ``insteadOf`` rules first, then the user's config.

    git picks the longest matching ``insteadOf`` and, on a tie, the first
    one read; listing ours before an ``[include]`` of the user's global
    config makes ours win over an identical rule there (tests redirect the
    same URLs to bare remotes).
    """

    def __init__(self, env: dict[str, str], redirects: Mapping[str, Path]) -> None:
        self.env = env
        self.redirects = redirects
        self.path: str | None = None

    def __enter__(self) -> dict[str, str]:
        if not self.redirects:
            return self.env
        lines = []
        for url, local in sorted(self.redirects.items()):
            lines += [f'[url "file://{Path(local).resolve()}"]', f"\tinsteadOf = {url}"]
        for user_config in _user_global_configs(self.env):
            lines += ["[include]", f"\tpath = {user_config}"]
        fd, self.path = tempfile.mkstemp(prefix="release-tool-git-", suffix=".config")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        env = dict(self.env)
        env["GIT_CONFIG_GLOBAL"] = self.path
        return env

    def __exit__(self, *exc: object) -> None:
        if self.path:
            Path(self.path).unlink(missing_ok=True)


def _user_global_configs(env: Mapping[str, str]) -> list[str]:
    if env.get("GIT_CONFIG_GLOBAL"):
        return [env["GIT_CONFIG_GLOBAL"]]
    home = Path(env.get("HOME", str(Path.home())))
    xdg = Path(env.get("XDG_CONFIG_HOME", str(home / ".config"))) / "git" / "config"
    return [str(p) for p in (xdg, home / ".gitconfig") if p.is_file()]
