"""How a member is pinned in a mode: git URL, tag, subdirectory, and overrides.

A folder member built from a tag of the root repo resolves its sibling
members as workspace members of that same commit; when a mode pins those
siblings to other tags, uv sees two URLs for one package. Listing every
pinned member that other members depend on in ``override-dependencies``
makes the mode's pins win everywhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from release_tool.adapters.git import Repo
from release_tool.errors import WorkspaceError

if TYPE_CHECKING:
    from release_tool.core.workspace import Member, Workspace

_SCP = re.compile(r"^(?P<user>[\w.-]+)@(?P<host>[\w.-]+):(?P<path>.+)$")


def normalize_url(url: str) -> str:
    """A remote URL as uv and CI can fetch it: scp-style ssh becomes https."""
    match = _SCP.match(url)
    if match:
        return f"https://{match['host']}/{match['path']}"
    return url


def member_url(workspace: Workspace, member: Member) -> str:
    """The git URL pins of ``member`` use (config override, else the repo's remote)."""
    overrides = workspace.config.repo_urls
    key = member.name if member.layout.has_own_repo else "."
    if key in overrides:
        return overrides[key]
    if member.layout.has_own_repo and member.rel_path in workspace.submodules:
        listed = workspace.submodules[member.rel_path]
        if listed and not listed.startswith("."):
            return normalize_url(listed)
    repo = member.repo_root
    url = Repo(repo).remote_url(workspace.config.git_remote) if repo else None
    if not url:
        where = "its repo" if member.layout.has_own_repo else "the root repo"
        raise WorkspaceError(
            f"{member.name}: {where} has no remote {workspace.config.git_remote!r} to pin to",
            hint=f'add the remote, or set [tool.release-tool.repo-urls] "{key}" = "https://..."',
        )
    return normalize_url(url)


def pin_source(workspace: Workspace, member: Member, tag: str) -> dict[str, str]:
    """The ``[tool.uv.sources]`` entry pinning ``member`` to ``tag``."""
    source = {"git": member_url(workspace, member), "tag": tag}
    subdirectory = member.subdirectory()
    if subdirectory:
        source["subdirectory"] = subdirectory
    return source


def override_requirement(name: str, source: dict[str, str]) -> str:
    """A PEP 508 direct reference equal to ``source`` (for ``override-dependencies``)."""
    from release_tool.core.pin_edits import PinUpdate

    return f"{name} @ {PinUpdate(name=name, **source).direct_url()}"


def needs_override(workspace: Workspace) -> set[str]:
    """Members that other members depend on: their pins go into overrides too."""
    return {dep.name for m in workspace.members.values() for dep in m.dependencies}
