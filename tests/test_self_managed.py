"""This repository releases itself: a fresh clone (no tags) passes ``status`` and ``check``.

CI gets a fresh clone of ``main`` and no tags: tags made where releases are
cut never reach it. So ``staging/`` and ``prod/`` pin the members by commit
(``pin-ref = "rev"``) to the canonical URL, and a clone that cannot reach
that URL redirects it to itself with git's ``insteadOf`` (README: "How this
repository releases itself"). This test does exactly what CI does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from release_tool.adapters.toml_files import get_path, read_toml, unwrap
from release_tool.core.modes import load_mode
from release_tool.core.workspace import load_workspace
from release_tool.testing.sandbox import git

REPO = Path(__file__).resolve().parents[1]


def _canonical_url() -> str:
    config = unwrap(get_path(read_toml(REPO / "pyproject.toml"), "tool", "release-tool"))
    assert config["pin-ref"] == "rev"
    url: str = config["repo-urls"]["."]
    return url


def _redirect_env(url: str, clone: Path) -> dict[str, str]:
    """The CI recipe: the canonical URL fetched from the clone itself."""
    return {
        **os.environ,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.file://{clone}.insteadOf",
        "GIT_CONFIG_VALUE_0": url,
        "UV_NO_GITHUB_FAST_PATH": "1",
        "VIRTUAL_ENV": "",  # the clone's own environment, not this test's
    }


def test_modes_pin_every_member_by_rev() -> None:
    url = _canonical_url()
    for mode in ("staging", "prod"):
        state = load_mode(mode, REPO / mode)
        assert state.present and (REPO / mode / "uv.lock").is_file()
        assert set(state.pins) == set(load_workspace(REPO).members)
        for name, pin in state.pins.items():
            assert pin.git == url and pin.tag is None, f"{mode}:{name}: {pin}"
            assert pin.rev is not None and len(pin.rev) == 40
            assert git(REPO, "cat-file", "-t", pin.rev) == "commit"


def test_redirect_fetches_every_pinned_commit(tmp_path: Path) -> None:
    """uv fetches git sources with git: the recipe makes each pinned rev fetchable from the
    clone alone (no global git config; whether the canonical URL answers does not matter)."""
    url = _canonical_url()
    clone = tmp_path / "hyperbench"
    git(tmp_path, "clone", "-q", "--no-tags", str(REPO), str(clone))
    (tmp_path / "empty.gitconfig").write_text("")
    empty = tmp_path / "fetcher"
    git(tmp_path, "init", "-q", str(empty))
    revs = {
        pin.rev
        for mode in ("staging", "prod")
        for pin in load_mode(mode, clone / mode).pins.values()
    }
    for rev in sorted(r for r in revs if r):
        env = {**_redirect_env(url, clone), "GIT_CONFIG_GLOBAL": str(tmp_path / "empty.gitconfig")}
        fetch = ["git", "fetch", "-q", url, rev]
        done = subprocess.run(
            fetch, cwd=empty, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_fresh_clone_status_and_check(tmp_path: Path) -> None:
    url = _canonical_url()
    clone = tmp_path / "hyperbench"
    git(tmp_path, "clone", "-q", "--no-tags", str(REPO), str(clone))
    assert git(clone, "tag") == ""
    env = _redirect_env(url, clone)
    for command in ("status", "check"):
        done = subprocess.run(
            ["uv", "run", "--frozen", "release-tool", command],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
        if command == "check":
            assert "locks-fresh" in done.stdout and "✓ all" in done.stdout + done.stderr
