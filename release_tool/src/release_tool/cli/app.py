"""The ``release-tool`` entry point: global options, command modules, one error handler."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from release_tool.cli.context import AppState
from release_tool.errors import ExitCode, ReleaseToolError

# Each module exposes ``register(app)``; add new commands here.
COMMAND_MODULES = (
    "status",
    "check",
    "init",
    "changes",
    "commit",
    "changelog",
    "exit_codes",
    "github",
    "ci",
    "bump",
    "promote",
    "resume",
    "push",
    "dev_branch",
    "docker",
)

app = typer.Typer(
    name="release-tool",
    help="Move the members of a uv workspace through dev, staging and prod.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option("--root", "-C", help="Workspace root (default: search upward from cwd)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Less output on stderr.")] = False,
) -> None:
    ctx.obj = AppState(root=root, debug=debug, quiet=quiet)


for _name in COMMAND_MODULES:
    importlib.import_module(f"release_tool.cli.{_name}").register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map ``ReleaseToolError`` to its exit code, message on stderr.

    Usage errors are click's (exit 2); anything else unexpected exits 1 with
    a one-line message, and a traceback (without locals) only with ``--debug``.
    With ``--json`` a usage or release-tool error is also printed on stdout
    as a ``release-tool.error/1`` document.
    """
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    try:
        code = app(args=argv, prog_name="release-tool", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: click's message and exit code (2)
        if "--json" in args:
            from release_tool.cli.output import ErrorOutput, document
            from release_tool.cli.terminal import Terminal

            output = ErrorOutput(error=exc.format_message(), exit_code=exc.exit_code)
            Terminal().json(document(output))
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            sys.stderr.write(f"Error: {exc.format_message()}\n")
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("Aborted!\n")
        sys.exit(int(ExitCode.FAILURE))
    except ReleaseToolError as exc:
        from release_tool.cli.terminal import Terminal

        if debug:
            import traceback

            traceback.print_exc()
        terminal = Terminal()
        if "--json" in args and not exc.reported:
            terminal.json(error_document(exc))
        terminal.error(str(exc))
        sys.exit(int(exc.exit_code))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a bug: say so plainly
        if debug:
            raise
        sys.stderr.write(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "  hint: re-run with --debug for a traceback and report it\n"
        )
        sys.exit(int(ExitCode.FAILURE))
    if isinstance(code, int) and code:  # ``ctx.exit(code)`` returns it without standalone mode
        sys.exit(code)


def error_document(exc: ReleaseToolError) -> dict[str, object]:
    """The ``release-tool.error/1`` document of ``exc`` (with the apply report, if any)."""
    from release_tool.cli.output import ErrorOutput, document

    report = getattr(exc, "report", None)
    output = ErrorOutput(
        error=exc.message,
        exit_code=int(exc.exit_code),
        hint=exc.hint,
        applied=report.to_json() if report is not None else None,
    )
    return document(output)
