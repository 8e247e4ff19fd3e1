"""``release-tool init``: write staging/ and prod/ and the config table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.cli.options import flag, json_option, pass_state

if TYPE_CHECKING:
    import click

    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    @app.command("init")
    @flag("force", "Overwrite existing mode files.")
    @flag("dry-run", "Show what would be written; write nothing.")
    @json_option
    @pass_state
    def init(app_state: AppState, force: bool, dry_run: bool, as_json: bool) -> None:
        """Pin every member in staging/ (latest dev tag) and prod/ (latest stable tag)."""
        from release_tool.core.init import apply_init, plan_init
        from release_tool.core.status import workspace_status

        workspace = app_state.workspace()
        term = app_state.terminal
        status = workspace_status(workspace, open_repo=app_state.open_repo)
        plan = plan_init(workspace, status, force=force)
        dry_run = dry_run or workspace.config.dry_run
        if not dry_run:
            apply_init(plan)
        if as_json:
            from release_tool.cli.output import InitOutput, document
            from release_tool.cli.output_rows import InitFile

            files = [InitFile.of(w, plan.root) for w in plan.writes]
            doc = InitOutput(
                files=files,
                pins=plan.pins,
                notes=plan.notes,
                translated=plan.translated,
                dry_run=dry_run,
            )
            term.json(document(doc))
        verb = "would write" if dry_run else "wrote"
        for write in plan.writes:
            rel = write.path.relative_to(workspace.root).as_posix()
            suffix = " (replacing)" if write.exists and write.path.parent != workspace.root else ""
            term.info(f"{verb} {rel}{suffix}")
            if dry_run and not as_json:
                term.text(f"--- {rel}\n{write.content}")
        for line in plan.translated:
            term.info(line)
        for note in plan.notes:
            term.warn(note)
        if not dry_run:
            modes = " ".join(
                w.path.parent.relative_to(workspace.root).as_posix()
                for w in plan.writes
                if w.path.parent != workspace.root
            )
            term.info(f"next: lock the modes (for d in {modes}; do uv lock --directory $d; done)")
