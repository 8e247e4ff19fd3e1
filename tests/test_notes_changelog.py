"""Keep a Changelog rendering, insertion into CHANGELOG.md and the tag message."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from notes_support import git, make_workspace

from release_tool.notes import ReleaseNotes, tag_message, write_changelog
from release_tool.notes.ask import AskStats
from release_tool.notes.changelog import HEADER, Entry, insert_entry, render_entries

if TYPE_CHECKING:
    from pathlib import Path

ENTRIES = (
    Entry("Fixed", "Crash on empty input", ("a" * 40,)),
    Entry("Added", "New   exporter", ("b" * 40, "c" * 40)),
    Entry("Added", "Config moved", ("d" * 40,), breaking=True),
)


def test_render_orders_sections_and_puts_breaking_first() -> None:
    assert render_entries("1.2.0", "2026-01-02", ENTRIES) == (
        "## [1.2.0] - 2026-01-02\n\n"
        "### Added\n\n"
        "- **BREAKING:** Config moved (ddddddd)\n"
        "- New exporter (bbbbbbb, ccccccc)\n\n"
        "### Fixed\n\n"
        "- Crash on empty input (aaaaaaa)\n"
    )


def test_render_without_entries_says_so() -> None:
    assert render_entries("1.0.1", "2026-01-02", ()) == (
        "## [1.0.1] - 2026-01-02\n\nNo user-facing changes.\n"
    )


def test_insert_into_new_file_adds_the_header() -> None:
    block = render_entries("0.2.0", "2026-01-02", ENTRIES[:1])
    assert insert_entry(None, block) == HEADER + "\n" + block


def test_insert_keeps_unreleased_on_top_and_replaces_the_same_version() -> None:
    existing = (
        "# Changelog\n\n## [Unreleased]\n\n- Later work (eeeeeee)\n\n"
        "## [0.1.0] - 2025-01-01\n\n### Added\n\n- first\n"
    )
    v2 = render_entries("0.2.0", "2026-01-02", ENTRIES[:1])
    once = insert_entry(existing, v2)
    assert once == (
        "# Changelog\n\n## [Unreleased]\n\n- Later work (eeeeeee)\n\n"
        + v2
        + "\n## [0.1.0] - 2025-01-01\n\n### Added\n\n- first\n"
    )
    v2b = render_entries("0.2.0", "2026-01-03", ENTRIES[1:2])
    twice = insert_entry(once, v2b)
    assert twice.count("## [0.2.0]") == 1 and "2026-01-03" in twice and "Crash" not in twice


UNRELEASED = (
    "# Changelog\n\n## [Unreleased]\n\n### Added\n\n"
    "- New exporter (bbbbbbb, ccccccc)\n"
    "- Docs for the exporter, by hand\n  on two lines\n"
    "- Not in this release (9999999)\n\n"
    "### Security\n\n- Rotated the signing key\n\n"
    "## [0.1.0] - 2025-01-01\n\n- first\n"
)


def test_a_release_folds_in_what_unreleased_says_about_it() -> None:
    block = render_entries("0.2.0", "2026-01-02", ENTRIES[1:2])
    text = insert_entry(UNRELEASED, block)
    assert text == (
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Not in this release (9999999)\n\n"
        "## [0.2.0] - 2026-01-02\n\n### Added\n\n"
        "- New exporter (bbbbbbb, ccccccc)\n"  # cited by the release: once, from the block
        "- Docs for the exporter, by hand\n  on two lines\n\n"  # by hand: moved
        "### Security\n\n- Rotated the signing key\n"  # a section the block lacked
        "\n## [0.1.0] - 2025-01-01\n\n- first\n"
    )
    assert insert_entry(text, block) == text  # a resumed release writes the same file


def test_unreleased_goes_when_the_release_covers_all_of_it() -> None:
    existing = "# Changelog\n\n## [Unreleased]\n\n- Crash on empty input (aaaaaaa)\n"
    text = insert_entry(existing, render_entries("0.2.0", "2026-01-02", ENTRIES[:1]))
    assert "[Unreleased]" not in text and text.count("Crash on empty input") == 1


def test_rewriting_unreleased_keeps_the_lines_written_by_hand() -> None:
    block = render_entries("Unreleased", "", ENTRIES[1:2])
    text = insert_entry(UNRELEASED, block)
    assert "- Docs for the exporter, by hand\n  on two lines" in text
    assert "- Rotated the signing key" in text
    assert "Not in this release" not in text  # commit-based items are regenerated


def _notes(markdown: str) -> ReleaseNotes:
    return ReleaseNotes(
        "alpha", "0.2.0", None, markdown, "commits", (), 0, "single", {}, [], [], AskStats()
    )


def test_write_changelog_is_atomic_and_idempotent(tmp_path: Path) -> None:
    notes = _notes(render_entries("0.2.0", "2026-01-02", ENTRIES))
    path = write_changelog(tmp_path, notes)
    first = path.read_text()
    write_changelog(tmp_path, notes)
    assert path.read_text() == first
    assert [p.name for p in tmp_path.iterdir()] == ["CHANGELOG.md"]  # no temp files left


def test_tag_message_keeps_headings_with_verbatim_cleanup(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    message = tag_message(_notes(render_entries("0.2.0", "2026-01-02", ENTRIES)))
    file = tmp_path / "tag.md"
    file.write_text(message)
    subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "tag",
            "-a",
            "--cleanup=verbatim",
            "-F",
            str(file),
            "alpha-v0.2.0",
        ],
        check=True,
    )
    stored = git(root, "tag", "-l", "--format=%(contents)", "alpha-v0.2.0")
    assert stored.rstrip("\n") == message.rstrip("\n")
    assert "### Added" in stored
