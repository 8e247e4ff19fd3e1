"""``release-tool dev-branch``: create or fast-forward the dev branch in every repo (stage 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import flag, json_option, pass_state

if TYPE_CHECKING:
    from release_tool.cli.context import AppState
from release_tool.cli.release_common import dry_run_option


def register(app: click.Group) -> None:
    @app.command("dev-branch")
    @click.option("--branch", help="Dev branch (default: config dev-branch).")
    @click.option("--from", "start", help="Branch to start from (default: config main-branch).")
    @flag("no-stash", "Refuse instead of stashing uncommitted work.")
    @dry_run_option
    @json_option
    @pass_state
    def dev_branch(
        app_state: AppState,
        branch: str | None,
        start: str | None,
        no_stash: bool,
        dry_run: bool,
        as_json: bool,
    ) -> None:
        """Check out the dev branch in the root and every member repo, created or fast-forwarded.

        Uncommitted work is stashed and re-applied on the dev branch; with
        --no-stash such a repo stops the command before anything changes.
        """
        import msgspec

        from release_tool.cli.output import DevBranchOutput, document
        from release_tool.cli.output_rows import BranchRow
        from release_tool.core.dev_branch import apply_dev_branch, plan_dev_branch

        term = app_state.terminal
        workspace = app_state.workspace()
        dry_run = dry_run or workspace.config.dry_run
        actions = plan_dev_branch(
            workspace, app_state.open_repo, branch=branch, start=start, stash=not no_stash
        )
        rows = [msgspec.convert(a, BranchRow, from_attributes=True) for a in actions]
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
