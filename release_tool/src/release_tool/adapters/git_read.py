"""Fast, read-only git queries through libgit2 (pygit2), in-process.

``status`` asks every member repo the same handful of questions; one
process per question (the seed tool's way) dominates its run time, so the
reads live here. Writes (commits, tags, pushes) go through GitPython in
``git_write``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pygit2
from pygit2.enums import FileStatus, SortMode

from release_tool.errors import GitError

_CLEAN = {FileStatus.CURRENT, FileStatus.IGNORED}
_SIGNATURE = re.compile(r"\n?-----BEGIN (PGP|SSH) SIGNATURE-----.*\Z", re.DOTALL)


@dataclass(frozen=True)
class RepoState:
    """What ``status`` needs to know about one git repo."""

    path: Path
    head: str | None
    branch: str | None
    detached: bool
    shallow: bool
    upstream: str | None
    ahead: int | None
    behind: int | None
    tags: dict[str, str] = field(default_factory=dict)
    """Tag name -> the commit id it points to (peeled)."""
    changed_paths: tuple[str, ...] = ()
    """Paths with uncommitted changes (untracked included), relative to the repo."""


def open_repo(path: Path) -> pygit2.Repository:
    """Open the repo whose work tree is ``path``."""
    try:
        return pygit2.Repository(str(path))
    except (pygit2.GitError, KeyError) as exc:
        raise GitError(f"{path}: not a git repository ({exc})") from None


def read_state(path: Path, *, with_changes: bool = True) -> RepoState:
    """Branch, upstream distance, tags and dirty paths of the repo at ``path``."""
    repo = _cached_repo(str(path))
    head = None if repo.head_is_unborn else str(repo.head.target)
    branch = None
    upstream = ahead = behind = None
    if not repo.head_is_unborn and not repo.head_is_detached:
        branch = repo.head.shorthand
        local = repo.branches.local.get(branch)
        remote = local.upstream if local is not None else None
        if local is not None and remote is not None:
            upstream = remote.shorthand
            ahead, behind = repo.ahead_behind(local.target, remote.target)
    elif repo.head_is_unborn:
        branch = repo.head.shorthand if hasattr(repo.head, "shorthand") else None
    changes: tuple[str, ...] = ()
    if with_changes:
        changes = tuple(
            sorted(
                p
                for p, flags in repo.status(untracked_files="normal").items()
                if flags not in _CLEAN
            )
        )
    return RepoState(
        path=path,
        head=head,
        branch=branch,
        detached=repo.head_is_detached,
        shallow=repo.is_shallow,
        upstream=upstream,
        ahead=ahead,
        behind=behind,
        tags=read_tags(repo),
        changed_paths=changes,
    )


def read_tags(repo: pygit2.Repository) -> dict[str, str]:
    """Tag name -> peeled commit id for every tag of ``repo``."""
    out: dict[str, str] = {}
    for ref_name in repo.references:
        if not ref_name.startswith("refs/tags/"):
            continue
        try:
            target = repo.revparse_single(ref_name).peel(pygit2.Commit)
        except (pygit2.GitError, KeyError, ValueError):
            continue  # a tag of a tree or blob: not a release tag
        out[ref_name[len("refs/tags/") :]] = str(target.id)
    return out


def list_tag_names(path: Path) -> list[str]:
    """The names of every tag of the repo at ``path`` (no peeling: cheap)."""
    repo = open_repo(path)  # a handle of its own: callers may run on any thread
    return [ref[len("refs/tags/") :] for ref in repo.references if ref.startswith("refs/tags/")]


def tag_message(path: Path, tag: str) -> str | None:
    """The message of an annotated tag (signature removed), or None for a lightweight tag."""
    repo = open_repo(path)
    try:
        obj = repo.revparse_single(f"refs/tags/{tag}")
    except (KeyError, pygit2.GitError):
        return None
    if not isinstance(obj, pygit2.Tag):
        return None
    text = _SIGNATURE.sub("", obj.message or "").strip()
    return text or None


def count_commits(path: Path, head: str, since: str | None, subdir: str | None = None) -> int:
    """Commits reachable from ``head`` but not ``since``; only those touching ``subdir`` if set."""
    repo = _cached_repo(str(path))
    walker = repo.walk(pygit2.Oid(hex=head), SortMode.TOPOLOGICAL)
    if since:
        walker.hide(pygit2.Oid(hex=since))
    if subdir is None:
        return sum(1 for _ in walker)
    return sum(1 for commit in walker if _touches(commit, subdir))


def read_file_at(path: Path, ref: str, file: str) -> str | None:
    """Text of ``file`` at ``ref`` (a tag, branch or commit), or None if absent."""
    repo = _cached_repo(str(path))
    try:
        commit = repo.revparse_single(ref).peel(pygit2.Commit)
    except (KeyError, pygit2.GitError, ValueError):
        return None
    entry = _tree_entry(commit.tree, file)
    if entry is None or entry.type_str != "blob":
        return None
    blob = repo[entry.id]
    assert isinstance(blob, pygit2.Blob)
    return blob.data.decode("utf-8", errors="replace")


def has_commit(path: Path, sha: str) -> bool:
    """Whether the repo at ``path`` holds commit ``sha``."""
    try:
        repo = pygit2.Repository(str(path))
        return isinstance(repo.get(sha), pygit2.Commit)
    except (pygit2.GitError, KeyError, ValueError):
        return False


def gitlinks(path: Path) -> dict[str, str]:
    """Submodule path -> recorded commit, from the index of the repo at ``path``."""
    repo = open_repo(path)
    return {entry.path: str(entry.id) for entry in repo.index if entry.mode == 0o160000}


def clear_cache() -> None:
    """Forget cached repo handles (after writes by another process)."""
    _cached_repo.cache_clear()


@lru_cache(maxsize=512)
def _cached_repo(path: str) -> pygit2.Repository:
    return open_repo(Path(path))


def cached_repo(path: str) -> pygit2.Repository:
    """The shared handle of the repo at ``path`` (one per thread of use: see status)."""
    return _cached_repo(path)


def _touches(commit: pygit2.Commit, subdir: str) -> bool:
    mine = _entry_id(commit.tree, subdir)
    if not commit.parents:
        return mine is not None
    return any(_entry_id(parent.tree, subdir) != mine for parent in commit.parents)


def _entry_id(tree: pygit2.Tree, subdir: str) -> str | None:
    entry = _tree_entry(tree, subdir)
    return None if entry is None else str(entry.id)


def _tree_entry(tree: pygit2.Tree, rel: str) -> pygit2.Object | None:
    try:
        return tree[rel]
    except KeyError:
        return None


def remote_url(path: Path, name: str) -> str | None:
    """The URL of remote ``name`` of the repo at ``path`` (None if there is no such remote)."""
    try:
        return _cached_repo(str(path)).remotes[name].url
    except (KeyError, ValueError, pygit2.GitError):
        return None
