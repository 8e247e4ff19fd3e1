"""``release-tool resume``: finish (or ``--abort``: undo) an interrupted release run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption
from release_tool.cli.release_common import DryRunOpt, run_resume
from release_tool.cli.terminal import Terminal


def register(app: typer.Typer) -> None:
    @app.command("resume")
    def resume(
        ctx: typer.Context,
        abort: Annotated[
            bool, typer.Option("--abort", help="Undo the interrupted run instead of finishing it.")
        ] = False,
        delete_published: Annotated[
            bool,
            typer.Option(
                "--delete-published",
                help="With --abort: also delete refs the run already pushed (asks first).",
            ),
        ] = False,
        yes: Annotated[
            bool, typer.Option("--yes", help="Confirm --delete-published without asking.")
        ] = False,
        dry_run: DryRunOpt = False,
        as_json: JsonOption = False,
    ) -> None:
        """Finish the run recorded in .release-tool/journal.jsonl (after a crash or kill).

        --abort undoes the run's local steps; once the run has pushed, it
        stops and lists the published refs (finish forward with `resume`)
        unless --delete-published is given and confirmed.
        """
        app_state = state(ctx)
        term = app_state.terminal
        root = app_state.workspace_root()
        if dry_run:
            show_pending(term, root, as_json=as_json)
            return
        if not abort:
            run_resume(term, root, as_json=as_json)
            return
        from release_tool.core.abort_policy import abort_guard
        from release_tool.core.journal import abort as abort_run

        def confirm(published: list[str]) -> bool:
            if yes:
                return True
            term.warn("deleting published refs: " + ", ".join(published))
            return typer.confirm("Delete these published refs?", default=False, err=True)

        guard = abort_guard(delete_published=delete_published, confirm=confirm)
        report = abort_run(root, guard=guard)
        if as_json:
            term.json({"aborted": True, "undone": report.undone, "undo_errors": report.undo_errors})
            return
        for line in report.undone:
            term.info(f"  ↩ {line}")
        for line in report.undo_errors:
            term.warn(line)
        term.success(f"aborted {report.command}: {len(report.undone)} change(s) undone")


def show_pending(term: Terminal, root: Path, *, as_json: bool) -> None:
    """What ``resume`` would do: the interrupted run's steps and which of them are done."""
    from release_tool.core.journal import pending_journal
    from release_tool.core.plan import Plan
    from release_tool.errors import NotFoundError

    journal = pending_journal(root)
    if journal is None:
        raise NotFoundError("no interrupted run to resume (no .release-tool/journal.jsonl)")
    plan = Plan.from_json(journal["plan"])
    states = {record["index"]: record["state"] for record in journal["steps"]}
    rows = [
        {"index": i + 1, "step": step.summary, "state": states.get(i, "pending")}
        for i, step in enumerate(plan.steps)
    ]
    if as_json:
        term.json({"dry_run": True, "command": plan.command, "steps": rows})
        return
    term.text(f"interrupted run: {plan.command}")
    for row in rows:
        term.text(f"  {row['index']:>3}. [{row['state']}] {row['step']}")
    term.info("resume would finish the steps not done; `resume --abort` would undo the done ones")
