"""Which tags belong to which member, and what a release says: tag message or changelog.

Pure reads (git through pygit2, files): used by GitHub releases to turn
``members_or_tags`` into (member, tag, version, notes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.workspace import Member, Workspace

_SIGNATURE = re.compile(r"\n?-----BEGIN (PGP|SSH) SIGNATURE-----.*\Z", re.DOTALL)


@dataclass(frozen=True)
class MemberTag:
    """A release tag of one member, in the repo that holds it."""

    member: str
    tag: str
    version: Version
    repo_root: Path

    @property
    def is_stable(self) -> bool:
        return not (self.version.is_prerelease or self.version.is_devrelease)


def tag_template(workspace: Workspace, member: Member) -> str:
    """The tag template of ``member``: ``repo`` for own repos, ``folder`` in the root repo."""
    templates = workspace.config.tag_template
    return templates.repo if member.layout.has_own_repo else templates.folder


def tag_pattern(workspace: Workspace, member: Member) -> re.Pattern[str]:
    """A regex matching the member's tags, capturing ``version``."""
    names = sorted({member.name, member.display_name}, key=len, reverse=True)
    out = ""
    for literal, placeholder in _split(tag_template(workspace, member)):
        out += re.escape(literal)
        if placeholder == "version":
            out += r"(?P<version>[0-9][0-9A-Za-z.+!-]*)"
        elif placeholder == "name":
            out += "(?:" + "|".join(re.escape(n) for n in names) + ")"
    return re.compile(out)


def member_tags(workspace: Workspace, member: Member) -> list[MemberTag]:
    """Every tag of ``member`` with a valid version, oldest version first."""
    from release_tool.adapters.git_read import open_repo, read_tags

    if member.repo_root is None:
        return []
    pattern = tag_pattern(workspace, member)
    found = []
    for tag in read_tags(open_repo(member.repo_root)):
        match = pattern.fullmatch(tag)
        if not match:
            continue
        try:
            version = Version(match["version"])
        except InvalidVersion:
            continue
        found.append(MemberTag(member.name, tag, version, member.repo_root))
    return sorted(found, key=lambda t: t.version)


def tag_message(repo_root: Path, tag: str) -> str | None:
    """The message of an annotated tag (signature removed), or None for a lightweight tag."""
    import pygit2

    from release_tool.adapters.git_read import open_repo

    repo = open_repo(repo_root)
    try:
        obj = repo.revparse_single(f"refs/tags/{tag}")
    except (KeyError, pygit2.GitError):
        return None
    if not isinstance(obj, pygit2.Tag):
        return None
    text = _SIGNATURE.sub("", obj.message or "").strip()
    return text or None


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


def _split(template: str) -> list[tuple[str, str | None]]:
    import string

    return [(literal, field) for literal, field, _, _ in string.Formatter().parse(template)]
