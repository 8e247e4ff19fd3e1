"""Versions of VCS-versioned members: the latest tag matching the member's tag scheme.

Build backends such as hatch-vcs compute the version from ``git describe``;
the tool reads the same answer from the tags (without a process) so plans,
pins and dependents see a version. No matching tag: no version yet, and
the first release starts from 0.0.0.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from packaging.version import Version

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.workspace import Workspace


def with_vcs_versions(workspace: Workspace) -> Workspace:
    """``workspace`` with each VCS member's version set from its latest matching tag."""
    from release_tool.adapters.git import Repo

    tags_by_repo: dict[Path, dict[str, str]] = {}
    members = dict(workspace.members)
    for name, member in members.items():
        if not member.vcs_version or member.repo_root is None:
            continue
        if member.repo_root not in tags_by_repo:
            tags_by_repo[member.repo_root] = Repo(member.repo_root).tags()
        found = member.tag_scheme.latest(tags_by_repo[member.repo_root])
        latest = found.version if found else Version("0.0.0")
        members[name] = replace(member, version=latest, version_text=str(latest))
    return replace(workspace, members=members)
