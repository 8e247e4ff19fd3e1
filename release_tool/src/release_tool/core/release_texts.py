"""The texts a release writes: its annotated-tag message and its CHANGELOG.md entry.

Both come from the notes package (``release_tool.notes``): release notes
grounded in the member's commits since its previous tag, the tag message
being the changelog entry itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool import notes

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.workspace import Member, Workspace


def release_texts(
    workspace: Workspace,
    member: Member,
    version: Version,
    *,
    previous_tag: str | None,
    changelog: bool,
) -> tuple[str, str | None]:
    """(tag message, new CHANGELOG.md text or None) for one release."""
    release = notes.release_notes(
        workspace, member, version, since_tag=previous_tag, settings=workspace.config
    )
    message = notes.tag_message(release)
    if not changelog:
        return message, None
    return message, notes.changelog_text(member.path, release)
