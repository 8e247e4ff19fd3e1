"""``release-tool bump``: new versions, release commits, tags, staging pins and lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    import click

    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    @app.command("bump")
    @members_argument()
    @flag("major", "Bump the major version.")
    @flag("minor", "Bump the minor version.")
    @flag("patch", "Bump the patch version.")
    @flag("stable", "Drop pre/dev/post segments.")
    @flag("alpha", "Next alpha pre-release.")
    @flag("beta", "Next beta pre-release.")
    @flag("rc", "Next release candidate.")
    @flag("post", "Next post-release.")
    @flag("dev", "Next dev release (the default).")
    @changed_option
    @all_option
    @flag("force", "Allow a version that does not increase.")
    @push_option
    @dry_run_option
    @json_option
    @resume_option
    @pass_state
    def bump(
        app_state: AppState,
        members: tuple[str, ...],
        major: bool,
        minor: bool,
        patch: bool,
        stable: bool,
        alpha: bool,
        beta: bool,
        rc: bool,
        post: bool,
        dev: bool,
        changed: bool,
        all_: bool,
        force: bool,
        push: bool,
        dry_run: bool,
        as_json: bool,
        resume: bool,
    ) -> None:
        """Give members a new version (default --dev), commit, tag, re-pin and re-lock staging.

        Parts combine like `uv version --bump` (--patch --dev); --dev alone on a
        version without a dev segment starts the next patch's dev series.
        Dependents whose constraint no longer holds get it updated and a
        release of the same kind. MEMBERS: the members to release (or use
        --changed / --all).
        """
        from release_tool.core.release import ReleaseOptions, plan_bump
        from release_tool.core.versions import BumpPart, validate_parts

        term = app_state.terminal
        if resume:
            dry = dry_run or dry_by_default(app_state)
            root = app_state.workspace_root()
            run_resume(term, root, as_json=as_json, command="bump", dry_run=dry)
            return
        flags = {
            BumpPart.MAJOR: major, BumpPart.MINOR: minor, BumpPart.PATCH: patch,
            BumpPart.STABLE: stable, BumpPart.ALPHA: alpha, BumpPart.BETA: beta,
            BumpPart.RC: rc, BumpPart.POST: post, BumpPart.DEV: dev,
        }  # fmt: skip
        parts = [part for part, on in flags.items() if on] or [BumpPart.DEV]
        validate_parts(parts)
        workspace = app_state.workspace()
        options = ReleaseOptions(
            selection=parse_selection(members, changed, all_),
            parts=tuple(parts),
            force=force,
            push=push,
            dry_run=dry_run or workspace.config.dry_run,
        )
        if not options.dry_run:  # a pending run explains a dirty tree better than "uncommitted"
            from release_tool.core.guard import refuse_pending

            refuse_pending(workspace.root)
        plan = plan_bump(workspace, options, open_repo=app_state.open_repo)
        run_plan(term, workspace.root, plan, as_json=as_json)
