"""``release-tool check``: run the named checks, print problems with their fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import json_option, pass_state

if TYPE_CHECKING:
    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    app.add_command(check)


@click.command("check")
@click.option("--only", multiple=True, help="Run only these checks (repeatable).")
@json_option
@click.option("--list", "list_checks", is_flag=True, help="List the checks and exit.")
@pass_state
def check(app_state: AppState, only: tuple[str, ...], as_json: bool, list_checks: bool) -> None:
    """Check pins, tags, versions, constraints, locks and submodules. Exit 5 on failure."""
    from release_tool.core.checks import CHECKS, CheckContext, run_checks
    from release_tool.core.status import workspace_status
    from release_tool.errors import CheckFailedError, NotFoundError

    term = app_state.terminal
    if list_checks:
        for chk in CHECKS.values():
            term.text(f"{chk.name:<22} {chk.description}")
        return
    unknown = sorted(set(only or []) - set(CHECKS))
    if unknown:
        raise NotFoundError(
            f"unknown check(s): {', '.join(unknown)}", hint="known: " + ", ".join(CHECKS)
        )
    workspace = app_state.workspace()
    status = workspace_status(workspace, open_repo=app_state.open_repo)
    from release_tool.adapters.uv import lock_problem

    context = CheckContext(
        workspace, status, open_repo=app_state.open_repo, lock_check=lock_problem
    )
    results = run_checks(context, list(only) or None)
    failed = [r for r in results if not r.passed]
    if as_json:
        from release_tool.cli.status_output import CheckOut, CheckOutput

        output = CheckOutput(
            root=str(workspace.root),
            passed=not failed,
            checks=[CheckOut.of(r) for r in results],
        )
        term.json(output.to_json())
    else:
        marks = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "skipped": "skip"}
        for result in results:
            term.text(f"{marks[result.state]}  {result.name:<22} {result.description}")
            for problem in result.problems:
                term.text(f"      {problem.subject}: {problem.message}")
                term.text(f"        fix: {problem.fix}")
    if failed:
        raise CheckFailedError(
            f"{len(failed)} of {len(results)} checks failed: " + ", ".join(r.name for r in failed)
        )
    term.success(f"all {len(results)} checks passed")
