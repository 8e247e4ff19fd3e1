"""``release-tool changelog``: write each member's CHANGELOG.md entry for its version."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from release_tool.cli.context import state
from release_tool.cli.options import JsonOption


def register(app: typer.Typer) -> None:
    @app.command("changelog")
    def changelog(
        ctx: typer.Context,
        members: Annotated[list[str] | None, typer.Argument(help="Members (default: all).")] = None,
        version: Annotated[
            str | None, typer.Option("--version", help="Heading version (default: the member's).")
        ] = None,
        since: Annotated[
            str | None, typer.Option("--since", help="Start tag (default: the latest tag).")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show the entry and what would be sent.")
        ] = False,
        as_json: JsonOption = False,
        no_llm: Annotated[bool, typer.Option("--no-llm", help="Notes from commits only.")] = False,
        fail_on_secret: Annotated[
            bool, typer.Option("--fail-on-secret", help="Refuse if a secret would be sent.")
        ] = False,
    ) -> None:
        """Insert a Keep a Changelog entry into each member's CHANGELOG.md.

        The entry covers the member's commits since its latest tag, written by
        the configured LLM (validated against the commits) or from the commits.
        --dry-run prints the commit-based entry and what would be sent, and
        calls no model.
        """
        from release_tool.adapters.llm import resolve_endpoint
        from release_tool.notes import write_changelog
        from release_tool.notes.collect import LATEST, collect_member
        from release_tool.notes.release import NotesOptions, notes_from_changes, plan_requests
        from release_tool.notes.report import outgoing_json, outgoing_lines

        app_state = state(ctx)
        term = app_state.terminal
        ws = app_state.workspace()
        dry_run = dry_run or ws.config.dry_run
        options = NotesOptions(
            llm=ws.config.llm, use_llm=not no_llm, fail_on_secret=fail_on_secret, dry_run=dry_run
        )
        results: list[dict[str, Any]] = []
        for member in ws.select(members):
            heading = version or member.version_text or "Unreleased"
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
