"""``release-tool changelog``: write each member's CHANGELOG.md entry for its version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from release_tool.cli.options import flag, json_option, members_argument, pass_state

if TYPE_CHECKING:
    from release_tool.cli.context import AppState
    from release_tool.core.ports import RepoOpener
    from release_tool.core.workspace import Member, Workspace


def register(app: click.Group) -> None:
    @app.command("changelog")
    @members_argument()
    @click.option(
        "--version", help="Heading version, higher than the latest tag (default: Unreleased)."
    )
    @click.option("--since", help="Start tag (default: the latest tag).")
    @flag("dry-run", "Show the entry and what would be sent.")
    @json_option
    @flag("no-llm", "Notes from commits only.")
    @flag("fail-on-secret", "Refuse if a secret would be sent.")
    @pass_state
    def changelog(
        app_state: AppState,
        members: tuple[str, ...],
        version: str | None,
        since: str | None,
        dry_run: bool,
        as_json: bool,
        no_llm: bool,
        fail_on_secret: bool,
    ) -> None:
        """Insert a Keep a Changelog entry into each member's CHANGELOG.md.

        The entry covers the member's commits since its latest tag, filed under
        ## [Unreleased] (or --version, which must be higher than that tag),
        written by the configured LLM (validated against the commits) or from
        the commits. A released version's entry is never rewritten.
        --dry-run prints the commit-based entry and what would be sent, and
        calls no model.
        """
        from release_tool.adapters.llm import resolve_endpoint
        from release_tool.notes import write_changelog
        from release_tool.notes.collect import LATEST, collect_member
        from release_tool.notes.release import NotesOptions, notes_from_changes, plan_requests
        from release_tool.notes.report import outgoing_json, outgoing_lines

        term = app_state.terminal
        ws = app_state.workspace()
        dry_run = dry_run or ws.config.dry_run
        options = NotesOptions(
            llm=ws.config.llm, use_llm=not no_llm, fail_on_secret=fail_on_secret, dry_run=dry_run
        )
        results: list[dict[str, Any]] = []
        selected = ws.select(list(members) or None)
        headings = changelog_headings(ws, selected, version, app_state.open_repo)
        if not dry_run:  # the workspace lock, held until the command ends
            from release_tool.core.guard import mutating

            click.get_current_context().with_resource(mutating(ws.root, "changelog"))
        for member in selected:
            heading = headings[member.name]
            changes = collect_member(ws, member, since_tag=since or LATEST, uncommitted=False)
            notes = notes_from_changes(changes, heading, options)
            data = notes.to_json()
            if dry_run:
                planned = plan_requests(changes, heading, options)
                data["would_send"] = outgoing_json(planned.planned(), planned.outgoing)
                results.append(data)
                if not as_json:
                    term.text(
                        f"{member.name}: would add to {member.path / 'CHANGELOG.md'} "
                        f"(notes {notes.describe_source()})"
                    )
                    configured = resolve_endpoint(ws.config.llm) is not None
                    for line in outgoing_lines(data["would_send"], llm_configured=configured):
                        term.text(line)
                    term.text(notes.markdown)
                continue
            if (
                notes.source != "llm"
                and not no_llm
                and notes.fallback_reason != "no LLM configured"
            ):
                term.warn(f"{member.name}: notes made from commits ({notes.fallback_reason})")
            data["written"] = str(write_changelog(member.path, notes))
            results.append(data)
            if not as_json:
                term.success(f"{member.name}: {data['written']} ({notes.source})")
                term.text(notes.markdown)
        if as_json:
            from release_tool.cli.output import ChangelogOutput, document

            term.json(document(ChangelogOutput(dry_run=dry_run, members=results)))


def changelog_headings(
    ws: Workspace, members: list[Member], version: str | None, open_repo: RepoOpener
) -> dict[str, str]:
    """Each member's entry heading: ``Unreleased``, or ``version`` checked against its tags.

    Work after the latest tag is not that tag's release, and a released
    version's entry is history: ``--version`` must be a valid PEP 440
    version higher than every member's latest tag.
    """
    from packaging.version import InvalidVersion, Version

    from release_tool.core.status import workspace_status
    from release_tool.core.versions import BumpUsageError
    from release_tool.errors import PlanRefusedError

    if version is None:
        return {m.name: "Unreleased" for m in members}
    try:
        wanted = Version(version)
    except InvalidVersion:
        raise BumpUsageError(f"{version!r} is not a valid PEP 440 version") from None
    rows = workspace_status(ws, [m.name for m in members], open_repo=open_repo).members
    for row in rows:
        latest = row.latest_tag
        if latest is not None and wanted <= latest.version:
            raise PlanRefusedError(
                f"{row.member.name}: --version {wanted} is not higher than its latest tag "
                f"{latest.name}; a released version's entry is not rewritten",
                hint="omit --version (the entry goes under [Unreleased]) or name a higher one",
            )
    return {m.name: str(wanted) for m in members}
