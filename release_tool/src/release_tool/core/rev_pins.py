"""Pins by commit (``pin-ref = "rev"``): what version a rev pin names.

A rev pin carries no version in its name. The version is that of a release
tag pointing at the commit when the clone has one, else the member's
``[project].version`` in its pyproject at that commit: a fresh clone of a
repo whose tags never left the machine that made them still reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from release_tool.adapters.toml_files import get_path, parse_toml, unwrap
from release_tool.errors import ReleaseToolError

if TYPE_CHECKING:
    from release_tool.core.modes import Pin
    from release_tool.core.ports import GitRepo
    from release_tool.core.workspace import Member


def pyproject_in_repo(member: Member) -> str:
    """The member's pyproject path inside its own repo."""
    return "pyproject.toml" if member.layout.has_own_repo else f"{member.rel_path}/pyproject.toml"


def version_at(member: Member, repo: GitRepo, ref: str) -> str | None:
    """``[project].version`` of the member's pyproject at ``ref``, as written (None: absent)."""
    text = repo.read_file_at(ref, pyproject_in_repo(member))
    if text is None:
        return None
    try:
        version = get_path(unwrap(parse_toml(text, f"{member.name}@{ref}")), "project", "version")
    except ReleaseToolError:
        return None
    return None if version is None else str(version)


def rev_version(member: Member, repo: GitRepo, rev: str) -> Version | None:
    """The version commit ``rev`` of the member releases (a tag's, else its pyproject's)."""
    commit = repo.resolve(rev)
    if commit is None:
        return None
    tagged = [
        v
        for name, target in repo.tags().items()
        if target == commit and (v := member.tag_scheme.parse(name)) is not None
    ]
    if tagged:
        return max(tagged)
    text = version_at(member, repo, commit)
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def pinned_version(member: Member, pin: Pin, repo: GitRepo | None) -> Version | None:
    """The version ``pin`` names: its tag's, or the version released at its rev.

    ``repo`` is the member's repo (None without git: a rev pin then has no version).
    """
    if pin.tag is not None:
        return member.tag_scheme.parse(pin.tag)
    if pin.rev is not None and repo is not None:
        return rev_version(member, repo, pin.rev)
    return None
