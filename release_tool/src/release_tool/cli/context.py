"""State shared by every command: global options, lazily loaded workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.cli.terminal import Terminal

if TYPE_CHECKING:
    import click

    from release_tool.core.ports import BranchRepoOpener, ChatOpener, GitHubConnector
    from release_tool.core.workspace import Workspace


@dataclass
class AppState:
    """Global options; ``workspace()`` loads the model once, on first use."""

    root: Path | None
    debug: bool = False
    quiet: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    @property
    def terminal(self) -> Terminal:
        return Terminal(debug=self.debug, quiet=self.quiet)

    def workspace_root(self) -> Path:
        from release_tool.core.workspace import find_root

        return find_root(self.root or Path.cwd())

    @property
    def open_repo(self) -> BranchRepoOpener:
        """The git port the core reads and writes repos through (``adapters.git.Repo``)."""
        from release_tool.adapters.git import Repo

        return Repo

    @property
    def github(self) -> GitHubConnector:
        """The GitHub port: opens the API (with the environment's token) when first called."""
        from release_tool.adapters.github import connect

        return connect

    @property
    def chat(self) -> ChatOpener:
        """The LLM port: a chat client for the configured endpoint, None when none is set."""
        from release_tool.adapters.llm import chat_client

        return chat_client

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from release_tool.core.workspace import load_workspace

            self._workspace = load_workspace(self.workspace_root())
        return self._workspace


def state(ctx: click.Context) -> AppState:
    """The ``AppState`` of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj
