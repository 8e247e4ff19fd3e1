"""``release-tool ci init``: write the GitHub Actions workflows of the workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.cli.options import flag, json_option, pass_state

if TYPE_CHECKING:
    import click

    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    @app.group("ci", no_args_is_help=True)
    def ci_app() -> None:
        """Continuous integration pipelines."""

    @ci_app.command("init")
    @flag("force", "Overwrite workflows that differ.")
    @flag("dry-run", "Say what would be written; write nothing.")
    @json_option
    @pass_state
    def init(app_state: AppState, force: bool, dry_run: bool, as_json: bool) -> None:
        """Write .github/workflows/: check, dev-release and release (with its images job)."""
        from release_tool.core.ci_files import plan_workflow_files, write_workflow_files

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
