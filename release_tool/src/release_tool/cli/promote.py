"""``release-tool promote staging|prod``: move members to the next mode."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption
from release_tool.cli.release_common import (
    AllOpt,
    ChangedOpt,
    DryRunOpt,
    MembersArg,
    PushOpt,
    ResumeOpt,
    dry_by_default,
    parse_selection,
    run_plan,
    run_resume,
)


class Target(StrEnum):
    staging = "staging"
    prod = "prod"


def register(app: typer.Typer) -> None:
    @app.command("promote")
    def promote(
        ctx: typer.Context,
        target: Annotated[
            Target | None, typer.Argument(help="staging or prod.", show_default=False)
        ] = None,
        members: MembersArg = None,
        changed: ChangedOpt = False,
        all_: AllOpt = False,
        push: PushOpt = False,
        github_release: Annotated[
            bool,
            typer.Option("--github-release", help="Publish GitHub releases (prod, after push)."),
        ] = False,
        no_changelog: Annotated[
            bool, typer.Option("--no-changelog", help="Do not write CHANGELOG.md entries.")
        ] = False,
        dry_run: DryRunOpt = False,
        as_json: JsonOption = False,
        resume: ResumeOpt = False,
    ) -> None:
        """promote prod: stable versions, tags, prod pins and lock, then the next dev cycle.

        promote staging: pin staging to each member's newest existing tag and
        re-lock; no new versions.
        """
        from release_tool.core.release import (
            ReleaseOptions,
            plan_promote_prod,
            plan_promote_staging,
        )

        app_state = state(ctx)
        term = app_state.terminal
        if resume:
            dry = dry_run or dry_by_default(app_state)
            family = f"promote {target.value}" if target is not None else "promote"
            root = app_state.workspace_root()
            run_resume(term, root, as_json=as_json, command=family, dry_run=dry)
            return
        if target is None:
            raise typer.BadParameter("name the mode to promote to: staging or prod")
        if github_release and not push:
            raise typer.BadParameter("--github-release needs --push (releases point at tags)")
        workspace = app_state.workspace()
        options = ReleaseOptions(
            selection=parse_selection(members, changed, all_),
            push=push,
            github_release=github_release,
            changelog=not no_changelog,
            dry_run=dry_run or workspace.config.dry_run,
        )
        planner = plan_promote_prod if target is Target.prod else plan_promote_staging
        plan = planner(workspace, options, open_repo=app_state.open_repo)
        run_plan(term, workspace.root, plan, as_json=as_json)
