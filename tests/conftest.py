"""Shared fixtures: an isolated environment for every test (HOME, git config, colours)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

FIXED_DATE = "2026-01-02T03:04:05+00:00"


@pytest.fixture(autouse=True)
def isolation(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Temp HOME and global git config, fixed identity and dates, no colour, 80 columns.

    Tests that redirect GitHub URLs to local bare repos add ``insteadOf``
    entries to this global git config (see ``release_tool.testing.sandbox``).
    """
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test Author\n\temail = author@example.org\n"
        "[init]\n\tdefaultBranch = main\n"
        '[protocol "file"]\n\tallow = always\n'
        "[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    keep_uv_cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("UV_CACHE_DIR", keep_uv_cache)
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, FIXED_DATE)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.org")
    # uv asks api.github.com for a tag's commit before using git; offline that
    # only costs retries, and the sandboxes' GitHub URLs are served by git.
    monkeypatch.setenv("UV_NO_GITHUB_FAST_PATH", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767322800")  # changelog dates: 2026-01-02
    for var in (
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "RELEASE_TOOL_LLM_BASE_URL",
        "RELEASE_TOOL_LLM_MODEL",
        "VIRTUAL_ENV",
    ):
        monkeypatch.delenv(var, raising=False)
    yield home
