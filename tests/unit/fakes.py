"""In-memory stand-ins for the core's ports (``core.ports``): no git, no disk, no network.

``FakeRepo`` keeps a linear history of commits (each naming the paths it
changes), tags, a branch, dirty paths and a remote's refs. It answers the
same questions ``adapters.git.Repo`` answers, in the same shapes, and
records every write so a test can assert what the core asked for.
``tests/test_fake_repo.py`` runs one scenario against both (real git
there) to keep them in step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.adapters.git import CommitInfo, RepoState
from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclass
class FakeCommit:
    sha: str
    message: str
    paths: frozenset[str]
    time: int


@dataclass
class FakeRepo:
    """One repo: commits oldest first on ``branch``; HEAD is the last one."""

    path: Path = field(default_factory=lambda: Path("/fake"))
    branch_name: str | None = "main"
    commits: list[FakeCommit] = field(default_factory=list)
    tag_map: dict[str, str] = field(default_factory=dict)
    tag_messages: dict[str, str] = field(default_factory=dict)
    """Annotated tags: name -> message."""
    dirty: list[str] = field(default_factory=list)
    remotes: dict[str, str] = field(default_factory=dict)
    """Remote name -> URL."""
    remote_state: dict[str, str] = field(default_factory=dict)
    """Full ref name -> id, as the remote holds them."""
    unreachable: bool = False
    writes: list[tuple[str, ...]] = field(default_factory=list)

    # -- building ---------------------------------------------------------------------
    def add_commit(self, message: str, *paths: str) -> str:
        """Append a commit changing ``paths``; return its id."""
        sha = hashlib.sha1(f"{len(self.commits)}:{message}".encode()).hexdigest()
        self.commits.append(FakeCommit(sha, message, frozenset(paths), 1_700_000_000))
        return sha

    def tag(self, name: str, sha: str | None = None) -> None:
        self.tag_map[name] = sha or self.head()

    # -- reads ------------------------------------------------------------------------
    @property
    def is_unborn(self) -> bool:
        return not self.commits

    @property
    def is_detached(self) -> bool:
        return self.branch_name is None

    def head(self) -> str:
        if not self.commits:
            raise GitError(f"{self.path}: cannot read HEAD (unborn)")
        return self.commits[-1].sha

    def branch(self) -> str | None:
        return self.branch_name

    def resolve(self, ref: str) -> str | None:
        if ref in ("HEAD", self.branch_name, f"refs/heads/{self.branch_name}"):
            return self.head() if self.commits else None
        name = ref.removeprefix("refs/tags/")
        if name in self.tag_map:
            return self.tag_map[name]
        return ref if any(c.sha == ref for c in self.commits) else None

    def rev_parse(self, ref: str) -> str:
        found = self.resolve(ref)
        if found is None:
            raise GitError(f"{self.path}: unknown revision {ref!r}")
        return found

    def ref_exists(self, ref: str) -> bool:
        return self.resolve(ref) is not None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        old, new = self.resolve(ancestor), self.resolve(descendant)
        return old is not None and new is not None and self._index(old) <= self._index(new)

    def remote_url(self, name: str) -> str | None:
        return self.remotes.get(name)

    def last_commit_message(self) -> str:
        return self.commits[-1].message

    def tags(self) -> dict[str, str]:
        return dict(self.tag_map)

    def tag_names(self) -> list[str]:
        return list(self.tag_map)

    def tag_message(self, name: str, *, strip_signature: bool = False) -> str | None:
        return self.tag_messages.get(name)

    def tag_commit(self, name: str) -> str | None:
        return self.tag_map.get(name)

    def log(
        self, head: str, since: str | None = None, subdir: str | None = None
    ) -> list[CommitInfo]:
        start = self._index(since) + 1 if since else 0
        chosen = self.commits[start : self._index(head) + 1]
        return [
            CommitInfo(c.sha, c.message, c.time)
            for c in reversed(chosen)
            if subdir is None or any(_under(p, subdir) for p in c.paths)
        ]

    def count_commits(self, head: str, since: str | None, subdir: str | None = None) -> int:
        return len(self.log(head, since, subdir))

    def count_commits_many(
        self, head: str, ranges: Mapping[str, tuple[str | None, str | None]]
    ) -> dict[str, int]:
        return {key: self.count_commits(head, since, sub) for key, (sub, since) in ranges.items()}

    def read_file_at(self, ref: str, file: str) -> str | None:
        return None

    def changed_paths(self, ignore: Sequence[str] = ()) -> list[str]:
        return sorted(p for p in self.dirty if not any(_under(p, i) for i in ignore))

    def gitlinks(self) -> dict[str, str]:
        return {}  # the fakes model no submodule pointers

    def gitlink_at(self, ref: str, path: str) -> str | None:
        return None

    def state(self, *, with_changes: bool = True) -> RepoState:
        return RepoState(
            path=self.path,
            head=self.head() if self.commits else None,
            branch=self.branch_name,
            detached=self.is_detached,
            shallow=False,
            upstream=None,
            ahead=None,
            behind=None,
            tags=self.tags(),
            changed_paths=tuple(self.changed_paths()) if with_changes else (),
        )

    # -- writes (recorded) ------------------------------------------------------------
    def commit(self, paths: Sequence[str], message: str, *, verify: bool = False) -> str:
        self.writes.append(("commit", message, *paths))
        self.dirty = [p for p in self.dirty if not any(_under(p, q) for q in paths)]
        return self.add_commit(message, *paths)

    def create_tags(self, tags: Sequence[tuple[str, str]], target: str = "HEAD") -> None:
        for name, _ in tags:
            if name in self.tag_map:
                raise GitError(f"{self.path}: tag {name} already exists")
        for name, _ in tags:
            self.writes.append(("tag", name))
            self.tag_map[name] = self.rev_parse(target)

    def delete_tags(self, names: Sequence[str]) -> list[str]:
        present = [n for n in names if n in self.tag_map]
        for name in present:
            self.writes.append(("delete-tag", name))
            del self.tag_map[name]
        return present

    def reset_to(self, commit_id: str) -> None:
        self.writes.append(("reset", commit_id))
        del self.commits[self._index(commit_id) + 1 :]

    def remote_refs(self, remote: str, refs: Sequence[str]) -> dict[str, str]:
        if self.unreachable:
            raise GitError(f"{self.path}: git ls-remote failed: could not resolve host")
        return {ref: self.remote_state[ref] for ref in refs if ref in self.remote_state}

    def push_atomic(self, remote: str, refs: Sequence[str]) -> None:
        self.writes.append(("push", remote, *refs))
        for ref in refs:
            self.remote_state[ref] = self.rev_parse(ref)

    def undo_push(
        self, remote: str, before: dict[str, str | None], after: dict[str, str]
    ) -> list[str]:
        undone = []
        for ref, old in before.items():
            if after.get(ref) not in (None, old) and self.remote_state.get(ref) == after[ref]:
                if old is None:
                    del self.remote_state[ref]
                else:
                    self.remote_state[ref] = old
                undone.append(ref)
        return undone

    # -- internals --------------------------------------------------------------------
    def _index(self, ref: str) -> int:
        sha = self.resolve(ref) or ref
        for index, commit in enumerate(self.commits):
            if commit.sha == sha:
                return index
        raise GitError(f"{self.path}: unknown commit {ref!r}")


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


class FakeRepos:
    """A ``RepoOpener``: path -> its ``FakeRepo`` (unknown paths are an error, as in git)."""

    def __init__(self, repos: dict[Path, FakeRepo]) -> None:
        self.repos = repos
        for path, repo in repos.items():
            repo.path = path

    def __call__(self, path: Path) -> FakeRepo:
        try:
            return self.repos[Path(path)]
        except KeyError:
            raise GitError(f"{path}: not a git repository") from None
