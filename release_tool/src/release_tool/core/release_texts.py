"""The texts a release writes: its annotated-tag message and its CHANGELOG.md entry.

Both come from the notes package (``release_tool.notes``): release notes
grounded in the member's commits since its previous tag, the tag message
being the changelog entry itself. For a dry run the notes are made from the
commits: the LLM is not asked and its cache is not touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from release_tool import notes
from release_tool.notes.release import NotesOptions

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.workspace import Member, Workspace


class ReleaseTexts(NamedTuple):
    """A release's tag message and CHANGELOG.md text, and where the notes came from."""

    message: str
    changelog: str | None
    source: str
    """``llm`` or ``commits``; for a dry run: what applying the plan would use."""
    commits: int


def release_texts(
    workspace: Workspace,
    member: Member,
    version: Version,
    *,
    previous_tag: str | None,
    changelog: bool,
    dry_run: bool = False,
) -> ReleaseTexts:
    """The tag message and new CHANGELOG.md text (or None) of one release.

    With ``dry_run`` the texts are made from the commits; ``source`` still
    says ``llm`` when a real run would ask the model.
    """
    options = NotesOptions(llm=workspace.config.llm, dry_run=dry_run)
    release = notes.release_notes(
        workspace, member, version, since_tag=previous_tag, settings=options
    )
    message = notes.tag_message(release)
    text = notes.changelog_text(member.path, release) if changelog else None
    # notes stand-ins (tests) may carry only ``markdown``: default the rest
    source = getattr(release, "planned_source", None) or getattr(release, "source", "commits")
    return ReleaseTexts(message, text, str(source), int(getattr(release, "commits", 0)))
