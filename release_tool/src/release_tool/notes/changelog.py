"""Keep a Changelog rendering and insertion of a version's entry into CHANGELOG.md.

The entry text is also the annotated tag message and the GitHub release
body, so it is rendered once here. Files are replaced atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from release_tool.notes.conventional import SECTIONS

if TYPE_CHECKING:
    from pathlib import Path

HEADER = (
    "# Changelog\n\n"
    "All notable changes to this project are documented in this file.\n\n"
    "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\n"
    "and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n"
)
BREAKING_MARK = "**BREAKING:**"
_VERSION_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\]", re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    """One changelog line: its section, text and the commits it is grounded in."""

    section: str
    text: str
    commits: tuple[str, ...] = ()
    breaking: bool = False

    def render(self) -> str:
        text = " ".join(self.text.split())
        if self.breaking and not text.startswith(BREAKING_MARK):
            text = f"{BREAKING_MARK} {text}"
        refs = f" ({', '.join(c[:7] for c in self.commits)})" if self.commits else ""
        return f"- {text}{refs}"


def render_entries(version: str, date: str, entries: list[Entry] | tuple[Entry, ...]) -> str:
    """The ``## [version] - date`` block with its sections, breaking changes first in each."""
    lines = [f"## [{version}] - {date}"]
    for section in SECTIONS:
        chosen = [e for e in entries if e.section == section]
        if not chosen:
            continue
        chosen.sort(key=lambda e: not e.breaking)
        lines += ["", f"### {section}", ""]
        lines += [e.render() for e in chosen]
    if len(lines) == 1:
        lines += ["", "No user-facing changes."]
    return "\n".join(lines) + "\n"


def insert_entry(existing: str | None, block: str) -> str:
    """CHANGELOG.md text with ``block`` inserted above the newest version.

    An ``[Unreleased]`` section stays on top; a block for a version already
    present replaces it, so writing twice gives the same file.
    """
    if not existing or not existing.strip():
        return HEADER + "\n" + block
    version = _VERSION_HEADING.match(block)
    text = existing if existing.endswith("\n") else existing + "\n"
    if version is not None:
        text = _remove_version(text, version.group("version"))
    released = [
        m for m in _VERSION_HEADING.finditer(text) if m.group("version").lower() != "unreleased"
    ]
    at = released[0].start() if released else len(text)  # below [Unreleased], above the rest
    before, after = text[:at], text[at:]
    if not before.endswith("\n\n"):
        before = before.rstrip("\n") + "\n\n"
    return before + block + ("\n" + after if after else "")


def _remove_version(text: str, version: str) -> str:
    matches = list(_VERSION_HEADING.finditer(text))
    for i, match in enumerate(matches):
        if match.group("version") == version:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            return text[: match.start()] + text[end:]
    return text


def changelog_section(member_path: Path, version: str) -> str | None:
    """The body of the ``CHANGELOG.md`` section whose heading names ``version``."""
    path = member_path / "CHANGELOG.md"
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    wanted = re.compile(r"(?<![\w.])v?" + re.escape(version) + r"(?![\w.])")
    start = level = None
    for index, line in enumerate(lines):
        heading = re.match(r"(#{1,6})\s", line)
        if not heading:
            continue
        if start is None and wanted.search(line):
            start, level = index + 1, len(heading[1])
        elif start is not None and len(heading[1]) <= (level or 0):
            return "\n".join(lines[start:index]).strip() or None
    return "\n".join(lines[start:]).strip() or None if start is not None else None
