"""``release-tool resume``: finish (or ``--abort``: undo) an interrupted release run."""

from __future__ import annotations

from typing import Annotated

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption
from release_tool.cli.release_common import DryRunOpt, dry_by_default, run_resume


def register(app: typer.Typer) -> None:
    @app.command("resume")
    def resume(
        ctx: typer.Context,
        abort: Annotated[
            bool, typer.Option("--abort", help="Undo the interrupted run instead of finishing it.")
        ] = False,
        dry_run: DryRunOpt = False,
        as_json: JsonOption = False,
    ) -> None:
        """Finish the run recorded in .release-tool/journal.jsonl (after a crash or kill)."""
        app_state = state(ctx)
        term = app_state.terminal
        root = app_state.workspace_root()
        dry_run = dry_run or dry_by_default(app_state)
        if dry_run or not abort:
            run_resume(term, root, as_json=as_json, command=None, dry_run=dry_run)
            return
        from release_tool.cli.output import AbortOutput, document
        from release_tool.core.journal import abort as abort_run

        report = abort_run(root)
        if as_json:
            output = AbortOutput(
                command=report.command, undone=report.undone, undo_errors=report.undo_errors
            )
            term.json(document(output))
            return
        for line in report.undone:
            term.info(f"  ↩ {line}")
        for line in report.undo_errors:
            term.warn(line)
        term.success(f"aborted {report.command}: {len(report.undone)} change(s) undone")
