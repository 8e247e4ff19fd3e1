"""``release-tool github release|pr``: GitHub releases for tags, PRs from dev to main."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import flag, json_option, members_argument, pass_state

if TYPE_CHECKING:
    from release_tool.cli.context import AppState
    from release_tool.cli.terminal import Terminal
    from release_tool.core.github_release import ApiCall

dry_run_option = flag("dry-run", "Print the API calls it would make; call nothing.")


def register(app: click.Group) -> None:
    @app.group("github", no_args_is_help=True)
    def github_app() -> None:
        """GitHub releases and pull requests."""

    @github_app.command("release")
    @members_argument()
    @flag("prerelease-dev", "Publish dev tags as pre-releases.")
    @click.option(
        "--since",
        metavar="REV",
        help="Only tags made after root revision REV (member repos: its pointers).",
    )
    @dry_run_option
    @json_option
    @pass_state
    def release(
        app_state: AppState,
        members: tuple[str, ...],
        prerelease_dev: bool,
        since: str | None,
        dry_run: bool,
        as_json: bool,
    ) -> None:
        """Create or update one GitHub release per release tag, body = its changelog entry.

        MEMBERS: members (their latest stable tag) or tag names; default: all.
        """
        from release_tool.core.github_release import publish_releases

        workspace = app_state.workspace()
        dry_run = dry_run or workspace.config.dry_run
        outcomes = publish_releases(
            workspace,
            list(members),
            dry_run=dry_run,
            open_repo=app_state.open_repo,
            connect=app_state.github,
            prerelease_dev=prerelease_dev,
            since=since,
        )
        term = app_state.terminal
        if as_json:
            from release_tool.cli.output import GitHubReleaseOutput, document
            from release_tool.cli.output_rows import ReleaseRow

            rows = [ReleaseRow.of(o) for o in outcomes]
            term.json(document(GitHubReleaseOutput(dry_run=dry_run, releases=rows)))
            return
        if not outcomes:
            term.info("no release tags to publish")
        for outcome in outcomes:
            t = outcome.target
            kind = "pre-release" if t.prerelease else "release"
            term.text(f"{outcome.action:<16} {t.slug}  {t.tag}  ({kind}, notes: {t.body_source})")
            if dry_run:
                _calls(term, outcome.calls)
            elif outcome.url:
                term.text(f"{'':<16} {outcome.url}")
        if dry_run and outcomes:
            term.info("dry run: no API call made (POST when the release is new, else PATCH)")

    @github_app.command("pr")
    @dry_run_option
    @json_option
    @pass_state
    def pull_request(app_state: AppState, dry_run: bool, as_json: bool) -> None:
        """Open or update the pull request from the dev branch to main in each repo with changes."""
        from release_tool.core.github_pr import publish_pulls

        workspace = app_state.workspace()
        dry_run = dry_run or workspace.config.dry_run
        outcomes = publish_pulls(
            workspace, dry_run=dry_run, open_repo=app_state.open_repo, connect=app_state.github
        )
        term = app_state.terminal
        if as_json:
            from release_tool.cli.output import GitHubPullOutput, document
            from release_tool.cli.output_rows import PullRow

            pulls = [PullRow.of(o) for o in outcomes]
            term.json(document(GitHubPullOutput(dry_run=dry_run, pulls=pulls)))
            return
        if not outcomes:
            term.info(
                f"nothing to propose: no repo has commits on {workspace.config.dev_branch} "
                f"that are not on {workspace.config.main_branch}"
            )
        for outcome in outcomes:
            p = outcome.proposal
            term.text(f"{outcome.action:<16} {p.slug}  {p.head} -> {p.base}  {p.title}")
            if dry_run:
                _calls(term, outcome.calls)
            elif outcome.url:
                term.text(f"{'':<16} {outcome.url}")


def _calls(term: Terminal, calls: tuple[ApiCall, ...]) -> None:
    for call in calls:
        term.text(f"{'':<16}   {call.describe()}")
