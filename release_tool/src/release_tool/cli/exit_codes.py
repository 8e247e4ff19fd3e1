"""``release-tool exit-codes``: the exit code table, generated from ``ExitCode``."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import click

from release_tool.cli.options import json_option, pass_state
from release_tool.errors import ExitCode

if TYPE_CHECKING:
    from release_tool.cli.context import AppState


def exit_code_table() -> list[tuple[int, str, str]]:
    """(code, name, meaning) for every exit code, from the enum's docstrings."""
    import ast
    import inspect

    source = inspect.getsource(ExitCode)
    docs: dict[str, str] = {}
    body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
    for node, nxt in itertools.pairwise(body):
        if isinstance(node, ast.Assign) and isinstance(nxt, ast.Expr):
            docs[node.targets[0].id] = nxt.value.value  # type: ignore[attr-defined]
    return [(int(code), code.name, docs.get(code.name, "")) for code in ExitCode]


def register(app: click.Group) -> None:
    app.add_command(exit_codes)


@click.command("exit-codes")
@json_option
@pass_state
def exit_codes(app_state: AppState, as_json: bool) -> None:
    """List the exit codes release-tool uses."""
    term = app_state.terminal
    rows = exit_code_table()
    if as_json:
        from release_tool.cli.output import ExitCodeRow, ExitCodesOutput, document

        codes = [ExitCodeRow(code=c, name=n, meaning=m) for c, n, m in rows]
        term.json(document(ExitCodesOutput(codes=codes)))
        return
    for code, name, meaning in rows:
        term.text(f"{code:>3}  {name:<13} {meaning}")
