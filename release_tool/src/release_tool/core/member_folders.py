"""Where a workspace's members are: member globs as uv expands them, the enclosing git
repo, and the submodules ``.gitmodules`` declares (plain file-system reads)."""

from __future__ import annotations

import configparser
import fnmatch
from typing import TYPE_CHECKING

from release_tool.errors import GitError

if TYPE_CHECKING:
    from pathlib import Path


def find_git_root(folder: Path) -> Path | None:
    """The work tree root of the git repo holding ``folder`` (itself or a parent), or None."""
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            return candidate
    return None


def read_gitmodules(root: Path) -> dict[str, str]:
    """Submodule path -> URL from ``root/.gitmodules`` (empty if none)."""
    path = root / ".gitmodules"
    if not path.is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except configparser.Error as exc:
        raise GitError(f"{path}: cannot parse: {exc}") from None
    out: dict[str, str] = {}
    for section in parser.sections():
        if section.startswith("submodule ") and parser.has_option(section, "path"):
            out[parser.get(section, "path").strip().rstrip("/")] = parser.get(
                section, "url", fallback=""
            ).strip()
    return out


def expand_globs(root: Path, include: list[str], exclude: list[str]) -> list[Path]:
    """The member folders ``include`` globs match under ``root`` minus ``exclude``, as uv
    finds them (links resolved, ``__pycache__`` skipped), in first-match order."""
    found: dict[Path, None] = {}
    root = root.resolve()
    parents: dict[Path, Path] = {}  # folder -> resolved: siblings share one resolve
    for pattern in include:
        for match, is_link in glob_folders(root, pattern):
            if match.name == "__pycache__":
                continue
            if is_link:
                found[match.resolve()] = None
                continue
            parent = parents.get(match.parent)
            if parent is None:
                parent = parents[match.parent] = match.parent.resolve()
            found[parent / match.name] = None
    excluded = [p.rstrip("/") for p in exclude]
    return [
        path
        for path in found
        if not any(fnmatch.fnmatch(path.relative_to(root).as_posix(), p) for p in excluded)
    ]


def glob_folders(root: Path, pattern: str) -> list[tuple[Path, bool]]:
    """The folders ``root.glob(pattern)`` matches, sorted, each with whether it is a link.

    The usual pattern, ``<folder>/*``, is one directory listing whose entries
    already say what they are; ``Path.glob`` would stat every match again.
    """
    import os

    parts = pattern.split("/")
    literal = parts[:-1]
    if parts[-1] == "*" and literal and all(_plain(part) for part in literal):
        folder = root.joinpath(*literal)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return []
        return [(folder / e.name, e.is_symlink()) for e in entries if e.is_dir()]
    return [(match, match.is_symlink()) for match in sorted(root.glob(pattern)) if match.is_dir()]


def _plain(part: str) -> bool:
    """A path component with no glob syntax that names a child folder."""
    return part not in ("", ".", "..") and not any(c in part for c in "*?[]")
