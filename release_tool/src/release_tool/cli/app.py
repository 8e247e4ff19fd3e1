"""The ``release-tool`` entry point: global options, command modules, one error handler.

Start-up is kept short: click is imported only when a command runs, and
then only the module of the command named on the command line is imported
and registered. ``release-tool``, ``--help`` and ``-h`` print the command
list from ``COMMANDS`` without importing click; ``tests/test_cli_app.py``
checks that list against the registered commands. (typer was dropped for
plain click: its per-run parameter conversion through pydantic cost ~0.1 s
of every command's start; bench/README.md has the figures.)
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from release_tool.errors import ExitCode, ReleaseToolError

if TYPE_CHECKING:
    import click

SUMMARY = "Move the members of a uv workspace through dev, staging and prod."

# command name -> (module under release_tool.cli exposing ``register(app)``, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "status": ("status", "Show each member's version, tags, unreleased commits, pins and drift."),
    "check": (
        "check",
        "Check pins, tags, versions, constraints, locks and submodules. Exit 5 on failure.",
    ),
    "init": (
        "init",
        "Pin every member in staging/ (latest dev tag) and prod/ (latest stable tag).",
    ),
    "changes": (
        "changes",
        "Collect each member's uncommitted diff and its commits and diff since its latest tag.",
    ),
    "commit": (
        "commit",
        "Commit each member with uncommitted changes, with a Conventional Commits message.",
    ),
    "changelog": ("changelog", "Insert a Keep a Changelog entry into each member's CHANGELOG.md."),
    "exit-codes": ("exit_codes", "List the exit codes release-tool uses."),
    "github": ("github", "GitHub releases and pull requests."),
    "ci": ("ci", "Continuous integration pipelines."),
    "bump": (
        "bump",
        "Give members a new version (default --dev), commit, tag, re-pin and re-lock staging.",
    ),
    "promote": (
        "promote",
        "promote prod: stable versions, tags, prod pins and lock, then the next dev cycle.",
    ),
    "resume": (
        "resume",
        "Finish the run recorded in .release-tool/journal.jsonl (after a crash or kill).",
    ),
    "push": (
        "push",
        "Push every pending branch and tag: member repos first, one atomic push per repo.",
    ),
    "dev-branch": (
        "dev_branch",
        "Check out the dev branch in the root and every member repo, created or fast-forwarded.",
    ),
    "docker": ("docker", "Build and smoke-test the workspace's container images."),
}
COMMAND_MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))

_GLOBAL_OPTIONS = (
    ("--root, -C PATH", "Workspace root (default: search upward from cwd)."),
    ("--debug", "Show tracebacks on errors."),
    ("--quiet, -q", "Less output on stderr."),
    ("--help, -h", "Show this message and exit."),
)
_TAKES_VALUE = {"--root", "-C"}


def build_app(only: str | None = None) -> click.Group:
    """The click group with every command, or only the command ``only`` (a name in COMMANDS)."""
    from release_tool.cli.global_options import cli as app

    modules = [COMMANDS[only][0]] if only in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(f"release_tool.cli.{name}").register(app)
    return app


def quick_help() -> str:
    """The top-level help, from ``COMMANDS``: what ``--help`` prints without importing click."""
    lines = ["Usage: release-tool [OPTIONS] COMMAND [ARGS]...", "", SUMMARY, "", "Options:"]
    lines += [f"  {flag:<18} {text}" for flag, text in _GLOBAL_OPTIONS]
    lines += ["", "Commands:"]
    lines += [f"  {name:<12} {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run `release-tool COMMAND --help` for a command's options."]
    return "\n".join(lines) + "\n"


def command_name(argv: list[str]) -> str | None:
    """The command named in ``argv`` (after the global options), or None."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _TAKES_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map ``ReleaseToolError`` to its exit code, message on stderr.

    Usage errors are click's (exit 2); anything else unexpected exits 1 with
    a one-line message, and a traceback (without locals) only with ``--debug``.
    With ``--json`` a usage or release-tool error is also printed on stdout
    as a ``release-tool.error/1`` document.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--help"], ["-h"]):
        sys.stdout.write(quick_help())
        sys.exit(int(ExitCode.OK))
    if not args:
        sys.stdout.write(quick_help())
        sys.exit(int(ExitCode.USAGE))  # as click's no_args_is_help does
    debug = "--debug" in args
    import click

    try:
        app = build_app(command_name(args))
        code = app.main(args=args, prog_name="release-tool", standalone_mode=False)
    except click.ClickException as exc:  # usage errors: click's message and exit code (2)
        if "--json" in args:
            from release_tool.cli.output import ErrorOutput, document
            from release_tool.cli.terminal import Terminal

            output = ErrorOutput(error=exc.format_message(), exit_code=exc.exit_code)
            Terminal().json(document(output))
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
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


def __getattr__(name: str) -> Any:
    if name == "app":  # the full app, for tools that introspect it
        return build_app()
    raise AttributeError(name)
