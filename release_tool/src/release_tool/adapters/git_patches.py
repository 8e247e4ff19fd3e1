"""Per-file patches and short status text from libgit2 diffs (for ``Repo``).

libgit2 hands out each file's patch on its own, with its line counts and a
binary flag, so nothing has to split ``git log -p`` output with a regex.
Patch text has the same shape ``git diff`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygit2
from pygit2.enums import DiffOption, FileStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
"""The id git (and libgit2) know for the empty tree without storing it."""
_WORKTREE = (
    DiffOption.INCLUDE_UNTRACKED
    | DiffOption.RECURSE_UNTRACKED_DIRS
    | DiffOption.SHOW_UNTRACKED_CONTENT
)
_INDEX_CODES = (
    (FileStatus.INDEX_NEW, "A"),
    (FileStatus.INDEX_MODIFIED, "M"),
    (FileStatus.INDEX_DELETED, "D"),
    (FileStatus.INDEX_RENAMED, "R"),
    (FileStatus.INDEX_TYPECHANGE, "T"),
)
_WORKTREE_CODES = (
    (FileStatus.WT_MODIFIED, "M"),
    (FileStatus.WT_DELETED, "D"),
    (FileStatus.WT_RENAMED, "R"),
    (FileStatus.WT_TYPECHANGE, "T"),
)


@dataclass(frozen=True)
class FilePatch:
    """One file's part of a unified diff, with its added and deleted line counts."""

    path: str
    patch: str
    added: int
    deleted: int
    binary: bool = False


def tree_patches(
    repo: pygit2.Repository, old: pygit2.Tree | None, new: pygit2.Tree, subdir: str | None
) -> list[FilePatch]:
    """``git diff -M old new -- subdir`` per file (``old`` None: the empty tree)."""
    base = old if old is not None else repo.get(EMPTY_TREE)
    assert isinstance(base, pygit2.Tree)
    diff = base.diff_to_tree(new)
    diff.find_similar()
    return _patches(diff, subdir)


def worktree_patches(
    repo: pygit2.Repository, base: pygit2.Tree | None, subdir: str | None
) -> list[FilePatch]:
    """The work tree against ``base`` per file, untracked (not ignored) files as new ones."""
    tree = base if base is not None else repo.get(EMPTY_TREE)
    assert isinstance(tree, pygit2.Tree)
    return _patches(tree.diff_to_workdir(_WORKTREE), subdir)


def short_status(status: Mapping[str, int], subdir: str | None) -> str:
    """``git status --short`` lines (``XY path``) for the status flags libgit2 reports.

    Changes to tracked files first, then untracked ones, each sorted by path, as git prints them.
    """
    lines, untracked = [], []
    for path in sorted(status):
        flags = status[path]
        if flags & FileStatus.IGNORED or flags == FileStatus.CURRENT or not _under(path, subdir):
            continue
        if flags & FileStatus.CONFLICTED:
            code = "UU"
        elif flags == FileStatus.WT_NEW:
            untracked.append(f"?? {path}")
            continue
        else:
            index = next((c for bit, c in _INDEX_CODES if flags & bit), " ")
            work = next((c for bit, c in _WORKTREE_CODES if flags & bit), " ")
            code = index + work
        lines.append(f"{code} {path}")
    return "".join(line + "\n" for line in [*lines, *untracked])


def _patches(diff: pygit2.Diff, subdir: str | None) -> list[FilePatch]:
    out = []
    for patch in diff:
        if patch is None:
            continue
        delta = patch.delta
        if not (_under(delta.new_file.path, subdir) or _under(delta.old_file.path, subdir)):
            continue
        text = patch.data.decode("utf-8", errors="replace")
        _, added, deleted = patch.line_stats
        binary = bool(delta.is_binary) or "\nBinary files " in text
        out.append(FilePatch(delta.new_file.path, text, added, deleted, binary))
    return out


def _under(path: str, subdir: str | None) -> bool:
    if subdir is None:
        return True
    prefix = subdir.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")
