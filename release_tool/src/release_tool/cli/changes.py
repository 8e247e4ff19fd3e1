"""``release-tool changes``: uncommitted work and changes since the latest tag, per member."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import flag, json_option, members_argument, pass_state

if TYPE_CHECKING:
    from release_tool.cli.context import AppState


def register(app: click.Group) -> None:
    app.add_command(changes)


@click.command("changes")
@members_argument()
@json_option
@flag("no-files", "Do not write the changes files.")
@flag("dry-run", "Say which files would be written; write none.")
@pass_state
def changes(
    app_state: AppState, members: tuple[str, ...], as_json: bool, no_files: bool, dry_run: bool
) -> None:
    """Collect each member's uncommitted diff and its commits and diff since its latest tag.

    Writes changes_uncommitted.txt and changes_since_tag.txt per member
    under the configured changes folder (default .release-tool/changes).
    MEMBERS: default all.
    """
    from release_tool.notes.collect import collect_members
    from release_tool.notes.report import (
        SINCE_TAG_FILE,
        UNCOMMITTED_FILE,
        changes_json,
        write_change_files,
    )

    term = app_state.terminal
    ws = app_state.workspace()
    dry_run = dry_run or ws.config.dry_run
    folder = ws.root / ws.config.changes_dir
    results = []
    selected = ws.select(list(members) or None)
    for member, found in zip(selected, collect_members(ws, selected), strict=True):
        data = changes_json(found)
        if dry_run:
            data["would_write"] = [
                str(folder / member.name / name) for name in (UNCOMMITTED_FILE, SINCE_TAG_FILE)
            ]
        elif not no_files:
            data["written"] = [str(p) for p in write_change_files(found, folder)]
        results.append(data)
        if not as_json:
            since = found.since_tag or "the first commit"
            dirty = f", {len(found.uncommitted_files)} uncommitted file(s)" if found.dirty else ""
            term.text(f"{member.name}: {len(found.commits)} commit(s) since {since}{dirty}")
    if as_json:
        from release_tool.cli.output import ChangesOutput, document

        term.json(document(ChangesOutput(dry_run=dry_run, members=results)))
    elif dry_run:
        term.info(f"would write the changes files under {folder}")
    elif not no_files:
        term.info(f"wrote the changes files under {folder}")
