"""``release-tool resume``: finish (or ``--abort``: undo) an interrupted release run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import flag, json_option, pass_state
from release_tool.cli.release_common import dry_by_default, dry_run_option, run_resume

if TYPE_CHECKING:
    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    @app.command("resume")
    @flag("abort", "Undo the interrupted run instead of finishing it.")
    @flag("delete-published", "With --abort: also delete refs the run already pushed (asks first).")
    @flag("yes", "Confirm --delete-published without asking.")
    @dry_run_option
    @json_option
    @pass_state
    def resume(
        app_state: AppState,
        abort: bool,
        delete_published: bool,
        yes: bool,
        dry_run: bool,
        as_json: bool,
    ) -> None:
        """Finish the run recorded in .release-tool/journal.jsonl (after a crash or kill).

        --abort undoes the run's local steps; once the run has pushed, it
        stops and lists the published refs (finish forward with `resume`)
        unless --delete-published is given and confirmed.
        """
        term = app_state.terminal
        root = app_state.workspace_root()
        dry_run = dry_run or dry_by_default(app_state)
        if dry_run or not abort:
            run_resume(term, root, as_json=as_json, command=None, dry_run=dry_run)
            return
        from release_tool.cli.output import AbortOutput, document
        from release_tool.core.abort_policy import abort_guard
        from release_tool.core.journal import abort as abort_run

        def confirm(published: list[str]) -> bool:
            if yes:
                return True
            term.warn("deleting published refs: " + ", ".join(published))
            return click.confirm("Delete these published refs?", default=False, err=True)

        guard = abort_guard(delete_published=delete_published, confirm=confirm)
        report = abort_run(root, guard=guard)
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
