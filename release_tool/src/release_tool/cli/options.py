"""Options every command shares, declared once, and the decorator that hands a command its state.

Commands are plain click commands: click is imported when a command runs,
never by ``release-tool --help``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from release_tool.cli.context import AppState

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
"""``--json``: data on stdout, machine-readable; messages stay on stderr."""

pass_state = click.make_pass_decorator(AppState)
"""Hands the command the ``AppState`` the global options made (its first argument)."""


def flag(name: str, text: str, *aliases: str) -> Callable[[F], F]:
    """An on/off option ``--name`` (off unless given), stored as ``name`` with ``_`` for ``-``."""
    return click.option(f"--{name}", *aliases, is_flag=True, help=text)


def members_argument() -> Callable[[F], F]:
    """The optional, repeatable ``[MEMBERS]...`` argument (an empty tuple when none is named)."""
    return click.argument("members", nargs=-1)
