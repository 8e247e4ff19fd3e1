"""The options every command takes (before the command name): root, debug, quiet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from release_tool.cli.context import AppState


def global_options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option("--root", "-C", help="Workspace root (default: search upward from cwd)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Less output on stderr.")] = False,
) -> None:
    ctx.obj = AppState(root=root, debug=debug, quiet=quiet)
