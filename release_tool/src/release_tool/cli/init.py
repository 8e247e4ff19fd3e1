"""``release-tool init``: write staging/ and prod/ and the config table."""

from __future__ import annotations

from typing import Annotated

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        ctx: typer.Context,
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite existing mode files.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Pin every member in staging/ (latest dev tag) and prod/ (latest stable tag)."""
        from release_tool.core.init import apply_init, plan_init
        from release_tool.core.status import workspace_status

        app_state = state(ctx)
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
