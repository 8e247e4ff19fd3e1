"""``Repo``: the one way every layer reaches git.

Reads go through libgit2 (pygit2), in-process: ``status`` asks every member
repo the same handful of questions, and one process per question (the seed
tool's way) dominates its run time. Writes (commits, tags, pushes, resets,
checkouts) go through the git CLI (``git_cli.run_git``) so hooks, signing
and credential helpers apply. Every method takes and returns plain values
(paths, ids, strings), so the plan runner can journal them and the core can
be tested against an in-memory fake of the same shape (``core.ports``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pygit2
from pygit2.enums import FileStatus, ObjectType

from release_tool.adapters.git_cli import GitCliWrites
from release_tool.adapters.git_history import CommitInfo, GitHistoryReads, info_of
from release_tool.adapters.git_tag_refs import read_tag_refs
from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Sequence


_CLEAN = {FileStatus.CURRENT, FileStatus.IGNORED}
_GITLINK = 0o160000

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


class Repo(GitHistoryReads, GitCliWrites):
    """The git repository whose work tree is ``path``.

    Reads are the methods below; writes (``commit``, ``create_tags``,
    ``push``, ...) come from ``git_cli.GitCliWrites``. The libgit2 handle is
    opened on first read and dropped after every write this object makes,
    so reads see the write. A ``Repo`` is not
    shared between threads (neither is a libgit2 repository).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: pygit2.Repository | None = None
        self._merged: dict[str, str] | None = None
        self._status: dict[str, int] | None = None

    def _wrote(self) -> None:
        """Forget what was read: the repo changed (our own write or a git command)."""
        self._handle = None
        self._merged = self._status = None

    def __repr__(self) -> str:
        return f"Repo({str(self.path)!r})"

    @property
    def _repo(self) -> pygit2.Repository:
        if self._handle is None:
            try:
                self._handle = pygit2.Repository(str(self.path))
            except (pygit2.GitError, KeyError) as exc:
                raise GitError(f"{self.path}: not a git repository ({exc})") from None
        return self._handle

    # -- reads: HEAD, branches, refs ------------------------------------------------------

    @property
    def is_unborn(self) -> bool:
        """No commit yet on the checked-out branch."""
        return bool(self._repo.head_is_unborn)

    @property
    def is_detached(self) -> bool:
        return bool(self._repo.head_is_detached)

    def head(self) -> str:
        """The commit id HEAD points to (``GitError`` before the first commit)."""
        try:
            return str(self._repo.head.target)
        except (pygit2.GitError, KeyError) as exc:
            raise GitError(f"{self.path}: cannot read HEAD ({exc})") from None

    def head_commit(self) -> CommitInfo | None:
        """HEAD's commit, or None before the first commit."""
        if self.is_unborn:
            return None
        return info_of(self._repo.head.peel(pygit2.Commit))

    def branch(self) -> str | None:
        """The checked-out branch (also before its first commit); None when detached."""
        if self._repo.head_is_detached:
            return None
        target = self._repo.references["HEAD"].target
        return str(target).removeprefix("refs/heads/") if isinstance(target, str) else None

    def resolve(self, ref: str) -> str | None:
        """The commit ``ref`` (branch, tag, remote ref or id) names, or None."""
        try:
            return str(self._repo.revparse_single(ref).peel(pygit2.Commit).id)
        except (KeyError, pygit2.GitError, ValueError):
            return None

    def rev_parse(self, ref: str) -> str:
        """The object id ``ref`` names (a tag ref gives the tag object, not the commit)."""
        try:
            return str(self._repo.revparse_single(ref).id)
        except (KeyError, pygit2.GitError, ValueError) as exc:
            raise GitError(f"{self.path}: unknown revision {ref!r} ({exc})") from None

    def ref_exists(self, ref: str) -> bool:
        """Whether ``ref`` (a full ref name) exists."""
        return self._repo.references.get(ref) is not None

    def has_commit(self, sha: str) -> bool:
        """Whether the repo holds commit ``sha``."""
        try:
            return isinstance(self._repo.get(sha), pygit2.Commit)
        except (GitError, pygit2.GitError, KeyError, ValueError):
            return False

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant`` (both refs or ids)."""
        old, new = self.resolve(ancestor), self.resolve(descendant)
        if old is None or new is None:
            return False
        return old == new or bool(self._repo.descendant_of(new, old))

    def remote_url(self, name: str) -> str | None:
        """The configured URL of remote ``name`` (``insteadOf`` not applied), or None."""
        try:
            return str(self._repo.config[f"remote.{name}.url"])
        except (GitError, KeyError, ValueError, pygit2.GitError):
            return None

    def last_commit_message(self) -> str:
        """The full message of HEAD (to recognise a commit made before a crash)."""
        return str(self._repo.head.peel(pygit2.Commit).message)

    # -- reads: tags ----------------------------------------------------------------------

    def tags(self) -> dict[str, str]:
        """Every local tag of a commit: name -> the commit it points to (peeled).

        Read from the ref files (``adapters.git_tag_refs``); only objects that
        ``packed-refs`` does not peel are looked up, each once.
        """
        repo = self._repo
        refs = read_tag_refs(Path(repo.path))
        if refs is None:
            return self._tags_through_libgit2()
        commits: dict[str, str | None] = {}  # object id -> the commit it peels to, or None
        out: dict[str, str] = {}
        for name, ref in refs.items():
            oid = ref.peeled or ref.target
            if oid not in commits:
                commits[oid] = self._commit_of(oid)
            commit = commits[oid]
            if commit is not None:
                out[name] = commit
        return out

    def _tags_through_libgit2(self) -> dict[str, str]:
        """``tags()`` asking libgit2 ref by ref (ref stores the file reader cannot read)."""
        out: dict[str, str] = {}
        for ref_name in self._repo.references:
            if not ref_name.startswith("refs/tags/"):
                continue
            try:
                target = self._repo.revparse_single(ref_name).peel(pygit2.Commit)
            except (pygit2.GitError, KeyError, ValueError):
                continue  # a tag of a tree or blob: not a release tag
            out[ref_name[len("refs/tags/") :]] = str(target.id)
        return out

    def _commit_of(self, oid: str) -> str | None:
        """The commit object ``oid`` is or peels to; None for a tree, a blob or a missing id.

        The object's header is enough for a commit (most tags): reading and
        parsing the whole object costs four times more.
        """
        try:
            kind = self._repo.odb.read_header(oid)[0]
            if kind == ObjectType.COMMIT:
                return oid
            if kind != ObjectType.TAG:
                return None  # a tag of a tree or blob: not a release tag
            return str(self._repo[oid].peel(pygit2.Commit).id)
        except (pygit2.GitError, KeyError, ValueError):
            return None

    def tag_commit(self, name: str) -> str | None:
        """The commit tag ``name`` points to (peeled), or None if there is no such tag."""
        ref = self._repo.references.get(f"refs/tags/{name}")
        if ref is None:
            return None
        try:
            return str(ref.peel(pygit2.Commit).id)
        except (pygit2.GitError, KeyError, ValueError):
            return None

    def tag_names(self) -> list[str]:
        """The name of every local tag, unpeeled (cheap: no object is read)."""
        refs = read_tag_refs(Path(self._repo.path))
        if refs is not None:
            return list(refs)
        return [r[len("refs/tags/") :] for r in self._repo.references if r.startswith("refs/tags/")]

    def tag_message(self, name: str, *, strip_signature: bool = False) -> str | None:
        """The message of annotated tag ``name``, verbatim; None for a lightweight or missing tag.

        ``strip_signature`` drops a PGP/SSH signature block and surrounding
        blank space (what a release body shows); an empty result is then None.
        """
        try:
            obj = self._repo.revparse_single(f"refs/tags/{name}")
        except (KeyError, pygit2.GitError):
            return None
        if not isinstance(obj, pygit2.Tag):
            return None
        message = str(obj.message or "")
        if not strip_signature:
            return message
        return _SIGNATURE.sub("", message).strip() or None

    def merged_tags(self) -> dict[str, str]:
        """Those of ``tags()`` whose commit HEAD contains (``git tag --merged HEAD``).

        Read once per ``Repo`` until it writes: it walks the whole history,
        and ``changes`` asks it once per member of a monorepo.
        """
        if self._merged is None:
            if self.is_unborn:
                return {}
            tags = self.tags()
            seen = {str(commit.id) for commit in self._walk(self.head())}
            self._merged = {name: sha for name, sha in tags.items() if sha in seen}
        return dict(self._merged)

    def read_file_at(self, ref: str, file: str) -> str | None:
        """Text of ``file`` at ``ref`` (a tag, branch or commit), or None if absent."""
        try:
            commit = self._repo.revparse_single(ref).peel(pygit2.Commit)
            entry = commit.tree[file]
        except (KeyError, pygit2.GitError, ValueError):
            return None
        blob = self._repo[entry.id]
        if not isinstance(blob, pygit2.Blob):
            return None
        return blob.data.decode("utf-8", errors="replace")

    # -- reads: work tree and index -------------------------------------------------------

    def changed_paths(self, ignore: Sequence[str] = ()) -> list[str]:
        """Paths with uncommitted changes (untracked included), minus those under ``ignore``."""
        return sorted(
            p
            for p, flags in self._repo.status(untracked_files="normal").items()
            if flags not in _CLEAN and not _under(p, ignore)
        )

    def untracked(self, paths: Sequence[str]) -> list[str]:
        """Those of ``paths`` that are not in the index."""
        index = self._repo.index
        index.read()
        return [p for p in paths if p not in index]

    def gitlinks(self) -> dict[str, str]:
        """Submodule path -> recorded commit, from the index."""
        return {e.path: str(e.id) for e in self._repo.index if e.mode == _GITLINK}

    def gitlink_at(self, ref: str, path: str) -> str | None:
        """The commit the submodule at ``path`` pointed at in ``ref``, or None."""
        try:
            entry = self._repo.revparse_single(ref).peel(pygit2.Commit).tree[path]
        except (KeyError, pygit2.GitError, ValueError):
            return None
        return str(entry.id) if entry.filemode == _GITLINK else None

    def state(self, *, with_changes: bool = True) -> RepoState:
        """Branch, upstream distance, tags and dirty paths, for ``status``."""
        repo = self._repo
        head, branch = self._head_and_branch()
        upstream = ahead = behind = None
        if head is not None and branch is not None:
            local = repo.branches.local.get(branch)
            remote = local.upstream if local is not None else None
            if local is not None and remote is not None:
                upstream = remote.shorthand
                if local.target == remote.target:
                    ahead, behind = 0, 0  # in step: no need to walk both histories
                else:
                    ahead, behind = repo.ahead_behind(local.target, remote.target)
        return RepoState(
            path=self.path,
            head=head,
            branch=branch,
            detached=branch is None and head is not None,
            shallow=repo.is_shallow,
            upstream=upstream,
            ahead=ahead,
            behind=behind,
            tags=self.tags(),
            changed_paths=tuple(self.changed_paths()) if with_changes else (),
        )

    def _head_and_branch(self) -> tuple[str | None, str | None]:
        """(HEAD's commit or None if unborn, the checked-out branch or None if detached),
        from one read of HEAD (``is_unborn``, ``head`` and ``branch`` read it once each)."""
        repo = self._repo
        ref = repo.references.get("HEAD")
        if ref is None:
            return None, None
        target = ref.target
        if not isinstance(target, str):
            return str(target), None  # detached
        branch = target.removeprefix("refs/heads/")
        resolved = repo.references.get(target)
        if resolved is None:
            return None, branch  # unborn: the branch has no commit yet
        return str(resolved.resolve().target), branch


def _under(path: str, prefixes: Sequence[str]) -> bool:
    path = path.rstrip("/")
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)
