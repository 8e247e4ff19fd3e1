"""Release notes, changelogs, tag and commit messages: from commits, or grounded LLM text.

The release engine calls ``release_notes`` then ``write_changelog`` and
``tag_message``; the ``changes``, ``commit`` and ``changelog`` commands use
the same parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.adapters.files import write_text_atomic as write_atomic
from release_tool.notes.changelog import insert_entry
from release_tool.notes.release import NotesOptions, ReleaseNotes, release_notes

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "NotesOptions",
    "ReleaseNotes",
    "changelog_text",
    "release_notes",
    "tag_message",
    "write_changelog",
]

CHANGELOG = "CHANGELOG.md"


def write_changelog(member_path: Path, notes: ReleaseNotes) -> Path:
    """Insert ``notes`` into ``member_path/CHANGELOG.md`` (created if absent), atomically.

    Writing the same version again replaces its entry, so a resumed release
    does not duplicate it.
    """
    path = member_path / CHANGELOG
    write_atomic(path, changelog_text(member_path, notes))
    return path


def changelog_text(member_path: Path, notes: ReleaseNotes) -> str:
    """The member's CHANGELOG.md text with ``notes`` inserted (the file is not written)."""
    path = member_path / CHANGELOG
    existing = path.read_text(encoding="utf-8") if path.is_file() else None
    return insert_entry(existing, notes.markdown)


def tag_message(notes: ReleaseNotes) -> str:
    """The annotated tag message: the changelog entry itself.

    Create the tag with ``git tag -a --cleanup=verbatim -F <file>``: the
    default cleanup strips lines starting with ``#``, i.e. every heading.
    """
    return notes.markdown
