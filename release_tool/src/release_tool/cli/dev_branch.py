"""``release-tool dev-branch``: create or fast-forward the dev branch in every repo (stage 0)."""

from __future__ import annotations

from typing import Annotated

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption
from release_tool.cli.release_common import DryRunOpt


def register(app: typer.Typer) -> None:
    @app.command("dev-branch")
    def dev_branch(
        ctx: typer.Context,
        branch: Annotated[
            str | None, typer.Option("--branch", help="Dev branch (default: config dev-branch).")
        ] = None,
        start: Annotated[
            str | None,
            typer.Option("--from", help="Branch to start from (default: config main-branch)."),
        ] = None,
        no_stash: Annotated[
            bool, typer.Option("--no-stash", help="Refuse instead of stashing uncommitted work.")
        ] = False,
        dry_run: DryRunOpt = False,
        as_json: JsonOption = False,
    ) -> None:
        """Check out the dev branch in the root and every member repo, created or fast-forwarded.

        Uncommitted work is stashed and re-applied on the dev branch; with
        --no-stash such a repo stops the command before anything changes.
        """
        from release_tool.cli.output import DevBranchOutput, document
        from release_tool.cli.output_rows import BranchRow
        from release_tool.core.dev_branch import apply_dev_branch, plan_dev_branch

        app_state = state(ctx)
        term = app_state.terminal
        workspace = app_state.workspace()
        dry_run = dry_run or workspace.config.dry_run
        actions = plan_dev_branch(
            workspace, app_state.open_repo, branch=branch, start=start, stash=not no_stash
        )
        rows = [BranchRow.model_validate(a, from_attributes=True) for a in actions]
        if dry_run:
            if as_json:
                term.json(document(DevBranchOutput(dry_run=True, actions=rows)))
            else:
                for action in actions:
                    term.text(action.describe())
            return
        done = apply_dev_branch(workspace, actions, app_state.open_repo)
        if as_json:
            term.json(document(DevBranchOutput(dry_run=False, actions=rows)))
            return
        for line in done:
            term.text(line)
