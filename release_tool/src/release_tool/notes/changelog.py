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
    """The ``## [version] - date`` block with its sections, breaking changes first in each.

    ``[Unreleased]`` has no date: nothing was released yet.
    """
    unreleased = version.lower() == "unreleased" or not date
    lines = [f"## [{version}]" if unreleased else f"## [{version}] - {date}"]
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
    present replaces it (keeping the items written there by hand), so
    writing twice gives the same file. A released version's block takes in
    the ``[Unreleased]`` items it covers (``fold_unreleased``).
    """
    if not existing or not existing.strip():
        return HEADER + "\n" + block
    version = _VERSION_HEADING.match(block)
    text = existing if existing.endswith("\n") else existing + "\n"
    if version is not None:
        name = version.group("version")
        block = _with_items(block, _by_hand(text, name, block))
        text = _remove_version(text, name)
        if name.lower() != "unreleased":
            text, block = fold_unreleased(text, block)
    released = [
        m for m in _VERSION_HEADING.finditer(text) if m.group("version").lower() != "unreleased"
    ]
    at = released[0].start() if released else len(text)  # below [Unreleased], above the rest
    before, after = text[:at], text[at:]
    if not before.endswith("\n\n"):
        before = before.rstrip("\n") + "\n\n"
    return before + block + ("\n" + after if after else "")


_REFS = re.compile(r" \((?P<refs>[0-9a-f]{7,40}(?:, [0-9a-f]{7,40})*)\)$", re.MULTILINE)


def fold_unreleased(text: str, block: str) -> tuple[str, str]:
    """Move what ``[Unreleased]`` says about this release into its block (Keep a Changelog).

    An item citing commits (`` (abc1234)``, as ``changelog`` writes them) is
    covered when the block cites them all: it is dropped; one citing other
    commits stays, as work not in this release. An item citing none was
    written by hand: it joins the block under its section, unless the block
    says the same. ``[Unreleased]`` goes once nothing is left in it.
    """
    section = _section_span(text, "unreleased")
    if section is None:
        return text, block
    start, end = section
    cited = {ref for m in _REFS.finditer(block) for ref in m["refs"].split(", ")}
    kept: dict[str | None, list[str]] = {}
    for heading, item in _items(text[start:end]):
        refs = _REFS.search(item.split("\n", 1)[0])
        if refs is not None and not all(_cited(sha, cited) for sha in refs["refs"].split(", ")):
            kept.setdefault(heading, []).append(item)
    moved = _by_hand(text, "Unreleased", block)
    rest = _render_section("## [Unreleased]", kept) if kept else ""
    return text[:start] + rest + text[end:], _with_items(block, moved)


def _by_hand(text: str, version: str, block: str) -> dict[str | None, list[str]]:
    """The items of ``text``'s ``## [version]`` section that cite no commit (written by
    hand) and that ``block`` does not already say, by ``###`` heading."""
    section = _section_span(text, version.lower())
    out: dict[str | None, list[str]] = {}
    if section is None:
        return out
    said = set(block.splitlines())
    for heading, item in _items(text[section[0] : section[1]]):
        first = item.split("\n", 1)[0]
        if _REFS.search(first) is None and first not in said:
            out.setdefault(heading, []).append(item)
    return out


def _cited(sha: str, cited: set[str]) -> bool:
    return any(c.startswith(sha) or sha.startswith(c) for c in cited)


def _render_section(title: str, items: dict[str | None, list[str]]) -> str:
    lines = [title]
    for heading, bullets in items.items():
        lines += ["", f"### {heading}", ""] if heading else [""]
        lines += bullets
    return "\n".join(lines) + "\n\n"


def _section_span(text: str, version: str) -> tuple[int, int] | None:
    """Where the ``## [version]`` section of ``text`` starts and ends (case-insensitive)."""
    matches = list(_VERSION_HEADING.finditer(text))
    for i, match in enumerate(matches):
        if match.group("version").lower() == version:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            return match.start(), end
    return None


def _items(section: str) -> list[tuple[str | None, str]]:
    """(``### heading`` or None, bullet text with its continuation lines) in a section."""
    out: list[tuple[str | None, str]] = []
    heading: str | None = None
    for line in section.splitlines()[1:]:
        if line.startswith("### "):
            heading = line[4:].strip()
        elif line.startswith(("- ", "* ")):
            out.append((heading, line))
        elif line.strip() and out and line.startswith((" ", "\t")):
            out[-1] = (out[-1][0], out[-1][1] + "\n" + line)
    return out


def _with_items(block: str, moved: dict[str | None, list[str]]) -> str:
    """``block`` with ``moved`` items appended to their ``###`` sections (made if missing)."""
    if not moved:
        return block
    lines = block.rstrip("\n").split("\n")
    if "No user-facing changes." in lines:
        lines.remove("No user-facing changes.")
        while lines and not lines[-1]:
            lines.pop()
    for heading, items in moved.items():
        title = f"### {heading}" if heading else None
        if title is not None and title in lines:
            at = lines.index(title) + 2
            while at < len(lines) and lines[at] and not lines[at].startswith("### "):
                at += 1
            lines[at:at] = items
        elif title is not None:
            lines += ["", title, "", *items]
        else:
            lines[1:1] = ["", *items]
    return "\n".join(lines) + "\n"


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
