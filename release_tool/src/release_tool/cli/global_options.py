"""The top-level ``release-tool`` group and the options it takes before the command name."""

from __future__ import annotations

from pathlib import Path

import click

from release_tool.cli.context import AppState


@click.group(
    name="release-tool",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--root",
    "-C",
    type=click.Path(path_type=Path),
    help="Workspace root (default: search upward from cwd).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--quiet", "-q", is_flag=True, help="Less output on stderr.")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, debug: bool, quiet: bool) -> None:
    """Move the members of a uv workspace through dev, staging and prod."""
    ctx.obj = AppState(root=root, debug=debug, quiet=quiet)
