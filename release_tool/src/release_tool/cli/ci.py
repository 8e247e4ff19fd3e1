"""``release-tool ci init``: write the GitHub Actions workflows of the workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption


def register(app: typer.Typer) -> None:
    ci_app = typer.Typer(name="ci", help="Continuous integration pipelines.", no_args_is_help=True)

    @ci_app.command("init")
    def init(
        ctx: typer.Context,
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite workflows that differ.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Say what would be written; write nothing.")
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Write .github/workflows/: check, dev-release and release (with its images job)."""
        from release_tool.core.ci_files import plan_workflow_files, write_workflow_files

        app_state = state(ctx)
        workspace = app_state.workspace()
        term = app_state.terminal
        dry_run = dry_run or workspace.config.dry_run
        plan = plan_workflow_files(workspace, force=force)
        if not dry_run:
            write_workflow_files(plan)
        if as_json:
            from release_tool.cli.output import CiOutput, document
            from release_tool.cli.output_rows import CiFile

            files = [CiFile.of(f) for f in plan.files]
            term.json(document(CiOutput(dry_run=dry_run, files=files, skipped=plan.skipped)))
            return
        for item in plan.files:
            term.text(f"{item.action:<10} {item.relative}")
        for reason in plan.skipped:
            term.warn(reason)
        if dry_run:
            term.info("dry run: nothing written")
        else:
            term.success(f"workflows in {plan.folder_relative} are up to date")

    app.add_typer(ci_app, name="ci")
