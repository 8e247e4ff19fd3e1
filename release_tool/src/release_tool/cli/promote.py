"""``release-tool promote staging|prod``: move members to the next mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import flag, json_option, members_argument, pass_state
from release_tool.cli.release_common import (
    all_option,
    changed_option,
    dry_by_default,
    dry_run_option,
    parse_selection,
    push_option,
    resume_option,
    run_plan,
    run_resume,
)

if TYPE_CHECKING:
    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    @app.command("promote")
    @click.argument("target", type=click.Choice(["staging", "prod"]), required=False)
    @members_argument()
    @changed_option
    @all_option
    @push_option
    @flag("github-release", "Publish GitHub releases (prod, after push).")
    @flag("no-changelog", "Do not write CHANGELOG.md entries.")
    @flag("release-head", "prod: release HEAD even with commits after the staged dev tag.")
    @dry_run_option
    @json_option
    @resume_option
    @pass_state
    def promote(
        app_state: AppState,
        target: str | None,
        members: tuple[str, ...],
        changed: bool,
        all_: bool,
        push: bool,
        github_release: bool,
        no_changelog: bool,
        release_head: bool,
        dry_run: bool,
        as_json: bool,
        resume: bool,
    ) -> None:
        """promote prod: stable versions, tags, prod pins and lock, then the next dev cycle.

        Without names, prod gets every member whose staging pin is newer than
        its prod pin, released from the staged dev tag's content; commits
        after that tag are refused (bump --dev first) unless --release-head.

        promote staging: pin staging to each member's newest existing tag and
        re-lock (default: every member); no new versions.
        """
        from release_tool.core.release import (
            ReleaseOptions,
            plan_promote_prod,
            plan_promote_staging,
        )

        term = app_state.terminal
        if resume:
            dry = dry_run or dry_by_default(app_state)
            family = f"promote {target}" if target is not None else "promote"
            root = app_state.workspace_root()
            run_resume(term, root, as_json=as_json, command=family, dry_run=dry)
            return
        if target is None:
            raise click.BadParameter("name the mode to promote to: staging or prod")
        if github_release and not push:
            raise click.BadParameter("--github-release needs --push (releases point at tags)")
        workspace = app_state.workspace()
        options = ReleaseOptions(
            selection=parse_selection(members, changed, all_),
            push=push,
            github_release=github_release,
            changelog=not no_changelog,
            release_head=release_head,
            dry_run=dry_run or workspace.config.dry_run,
        )
        if not options.dry_run:  # a pending run explains a dirty tree better than "uncommitted"
            from release_tool.core.guard import refuse_pending

            refuse_pending(workspace.root)
        planner = plan_promote_prod if target == "prod" else plan_promote_staging
        plan = planner(workspace, options, open_repo=app_state.open_repo)
        run_plan(term, workspace.root, plan, as_json=as_json)
