"""``release-tool status``: one row per member — versions, tags, pins, drift."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from release_tool.cli.options import json_option, members_argument, pass_state
from release_tool.cli.text_table import TextTable, terminal_width

if TYPE_CHECKING:
    from release_tool.cli.context import AppState
    from release_tool.core.status import MemberStatus, WorkspaceStatus


def register(app: click.Group) -> None:
    app.add_command(status)


@click.command("status")
@members_argument()
@json_option
@pass_state
def status(app_state: AppState, members: tuple[str, ...], as_json: bool) -> None:
    """Show each member's version, tags, unreleased commits, pins and drift.

    MEMBERS: the members to show (default: all).
    """
    from release_tool.core.status import workspace_status
    from release_tool.core.tag_schemes import detected_notes
    from release_tool.errors import GitError

    workspace = app_state.workspace()
    term = app_state.terminal
    if workspace.uninitialized:
        paths = " ".join(workspace.uninitialized)
        raise GitError(
            f"submodule(s) not initialized: {paths}",
            hint=f"run: git submodule update --init {paths}",
        )
    from release_tool.core.run_state import has_journal

    pending = None
    if has_journal(workspace.root):  # the journal's models are imported only when there is one
        from release_tool.core.journal_records import pending_journal

        pending = pending_journal(workspace.root)
    if pending is not None:  # first: the tree is mid-run, every row below may be stale
        term.warn(
            f"an interrupted run ({pending.command}) awaits `release-tool resume` "
            "(or `release-tool resume --abort`)"
        )
    result = workspace_status(workspace, list(members) or None, open_repo=app_state.open_repo)
    if as_json:
        from release_tool.cli.status_output import StatusOutput

        term.json(
            StatusOutput.of(result, pending_run=pending.command if pending else None).to_json()
        )
    else:
        term.write(render_table(result, width=terminal_width()).render())
    for group in result.release_groups:
        term.info(f"release group (runtime dependency cycle): {', '.join(group)}")
    schemes = {row.member.name: row.member.tag_scheme for row in result.members}
    for line in detected_notes(schemes, workspace.members):
        term.info(line)
    for row in result.members:
        if "detached-head" in row.drift:
            term.warn(f"{row.member.name}: HEAD is detached (release commands need a branch)")
        if "shallow-no-tags" in row.drift:
            term.warn(
                f"{row.member.name}: shallow clone without tags; run `git fetch --unshallow --tags`"
            )


def render_table(result: WorkspaceStatus, *, width: int = 80) -> TextTable:
    """The status table (one row per member).

    The branch column is shown on wide terminals, and on narrow ones when
    the member repos are not all on one branch (then it matters most).
    """
    branches = {_branch(row) for row in result.members if row.member.layout.has_own_repo}
    show_branch = bool(branches) and (width >= 100 or len(branches) > 1)

    columns = ["member", "version", "dev", "stable", "changes"]
    if show_branch:
        columns.append("branch")
    columns += [mode for mode, state_ in result.modes.items() if state_.present]
    columns.append("drift")
    table = TextTable(
        columns,
        caption="dev, stable: latest tags; +commits since the latest tag, ~uncommitted paths",
    )
    for row in result.members:
        cells = _cells(row, result)
        if show_branch:
            cells.insert(5, _branch(row) if row.member.layout.has_own_repo else "")
        table.add_row(*cells)
    return table


def pin_version(result: WorkspaceStatus, row: MemberStatus, mode: str) -> object:
    """The version a member's pin in ``mode`` points at (None if not a release tag)."""
    return row.pinned_versions.get(mode)


def _branch(row: MemberStatus) -> str:
    return "(detached)" if row.detached else (row.branch or "-")


def _changes(row: MemberStatus) -> str:
    parts = []
    if row.commits_since_tag is not None:
        parts.append(f"+{row.commits_since_tag}")
    if row.changed_paths:
        parts.append(f"~{len(row.changed_paths)}")
    if row.ahead or row.behind:
        parts.append(f"↑{row.ahead}↓{row.behind}")
    return " ".join(parts) or "-"


def _cells(row: MemberStatus, result: WorkspaceStatus) -> list[str]:
    member = row.member
    cells = [
        member.name,
        member.version_text or ("dynamic" if member.dynamic_version else "-"),
        str(row.latest_dev.version) if row.latest_dev else "-",
        str(row.latest_stable.version) if row.latest_stable else "-",
        _changes(row),
    ]
    for mode, state_ in result.modes.items():
        if state_.present:
            pin = row.pins.get(mode)
            pinned = pin_version(result, row, mode)
            cells.append(str(pinned) if pinned else (pin.describe() if pin else "unpinned"))
    cells.append("\n".join(row.drift) or "ok")
    return cells
