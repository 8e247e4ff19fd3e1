"""Workspace models built in memory for the unit tier (no pyproject files, no git)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import Version

from release_tool.core.config import Config
from release_tool.core.graph import DependencyGraph
from release_tool.core.workspace import Layout, Member, Workspace, _with_tag_schemes

if TYPE_CHECKING:
    from pathlib import Path


def member(root: Path, name: str, layout: Layout = Layout.FOLDER, version: str = "0.1.0") -> Member:
    """A member under ``packages/<name>``: a folder of the root repo or its own repo."""
    rel = f"packages/{name}"
    return Member(
        name=name,
        display_name=name,
        path=root / rel,
        rel_path=rel,
        layout=layout,
        repo_root=root if layout is Layout.FOLDER else root / rel,
        version=Version(version),
        version_text=version,
        dynamic_version=False,
    )


def workspace(root: Path, *members: Member, deps: dict[str, list[str]] | None = None) -> Workspace:
    """A workspace of ``members``; ``deps`` maps a member to those it depends on."""
    edges = {m.name: (deps or {}).get(m.name, []) for m in members}
    submodules = {m.rel_path: "" for m in members if m.layout is Layout.SUBMODULE}
    config = Config.from_values({})
    return Workspace(
        root=root,
        config=config,
        # Tags for scheme detection are read through the caller's repo port (status does).
        members=_with_tag_schemes(config, {m.name: m for m in members}),
        graph=DependencyGraph(edges),
        is_git_repo=True,
        submodules=submodules,
    )
