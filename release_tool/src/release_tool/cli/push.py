"""``release-tool push``: publish everything the remotes lack for a clone to be whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.cli.options import json_option, pass_state
from release_tool.cli.release_common import dry_run_option, run_plan

if TYPE_CHECKING:
    import click

    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    @app.command("push")
    @dry_run_option
    @json_option
    @pass_state
    def push(app_state: AppState, dry_run: bool, as_json: bool) -> None:
        """Push every pending branch and tag: member repos first, one atomic push per repo.

        Pending: a branch the remote is behind on (it holds the submodule
        pointers), tags pinned in staging/ and prod/ and release tags on
        HEAD that the remote lacks. A local tag that differs from the
        remote's, or a diverged branch, is refused (nothing is forced).
        """
        from release_tool.core.pending_push import plan_push

        workspace = app_state.workspace()
        dry = dry_run or workspace.config.dry_run
        plan = plan_push(workspace, app_state.open_repo, dry_run=dry)
        run_plan(app_state.terminal, workspace.root, plan, as_json=as_json)
