"""``release-tool bump``: new versions, release commits, tags, staging pins and lock."""

from __future__ import annotations

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


def _flag(name: str, text: str) -> object:
    return typer.Option(f"--{name}", help=text)


def register(app: typer.Typer) -> None:
    @app.command("bump")
    def bump(
        ctx: typer.Context,
        members: MembersArg = None,
        major: Annotated[bool, _flag("major", "Bump the major version.")] = False,
        minor: Annotated[bool, _flag("minor", "Bump the minor version.")] = False,
        patch: Annotated[bool, _flag("patch", "Bump the patch version.")] = False,
        stable: Annotated[bool, _flag("stable", "Drop pre/dev/post segments.")] = False,
        alpha: Annotated[bool, _flag("alpha", "Next alpha pre-release.")] = False,
        beta: Annotated[bool, _flag("beta", "Next beta pre-release.")] = False,
        rc: Annotated[bool, _flag("rc", "Next release candidate.")] = False,
        post: Annotated[bool, _flag("post", "Next post-release.")] = False,
        dev: Annotated[bool, _flag("dev", "Next dev release (the default).")] = False,
        changed: ChangedOpt = False,
        all_: AllOpt = False,
        force: Annotated[
            bool, typer.Option("--force", help="Allow a version that does not increase.")
        ] = False,
        push: PushOpt = False,
        dry_run: DryRunOpt = False,
        as_json: JsonOption = False,
        resume: ResumeOpt = False,
    ) -> None:
        """Give members a new version (default --dev), commit, tag, re-pin and re-lock staging.

        Parts combine like `uv version --bump` (--patch --dev); --dev alone on a
        version without a dev segment starts the next patch's dev series.
        Dependents whose constraint no longer holds get it updated and a
        release of the same kind.
        """
        from release_tool.core.release import ReleaseOptions, plan_bump
        from release_tool.core.versions import BumpPart, validate_parts

        app_state = state(ctx)
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
        plan = plan_bump(workspace, options, open_repo=app_state.open_repo)
        run_plan(term, workspace.root, plan, as_json=as_json)
