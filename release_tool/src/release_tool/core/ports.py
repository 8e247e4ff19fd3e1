"""The small interfaces the core works against: git, uv, GitHub, the LLM and the clock.

The CLI wires the real adapters (``adapters.git.Repo``, ``adapters.uv``,
``adapters.github.connect``, ``adapters.llm.chat_client``,
``adapters.clock.SystemClock``); the unit tier (``tests/unit``) passes
in-memory fakes of the same shape, so core logic is tested in seconds
without git, uv, a network or a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from release_tool.adapters.git import CommitInfo, RepoState
    from release_tool.adapters.github import PullInfo, ReleaseInfo
    from release_tool.adapters.llm import Completion, Endpoint
    from release_tool.core.config import LLMSettings


class GitRepo(Protocol):
    """One git repository, as ``adapters.git.Repo`` offers it (plain values in and out)."""

    path: Path

    @property
    def is_unborn(self) -> bool: ...
    @property
    def is_detached(self) -> bool: ...
    def head(self) -> str: ...
    def branch(self) -> str | None: ...
    def resolve(self, ref: str) -> str | None: ...
    def rev_parse(self, ref: str) -> str: ...
    def ref_exists(self, ref: str) -> bool: ...
    def is_ancestor(self, ancestor: str, descendant: str) -> bool: ...
    def remote_url(self, name: str) -> str | None: ...
    def last_commit_message(self) -> str: ...
    def tags(self) -> dict[str, str]: ...
    def tag_names(self) -> list[str]: ...
    def tag_message(self, name: str, *, strip_signature: bool = False) -> str | None: ...
    def tag_commit(self, name: str) -> str | None: ...
    def log(
        self, head: str, since: str | None = None, subdir: str | None = None
    ) -> list[CommitInfo]: ...
    def count_commits(self, head: str, since: str | None, subdir: str | None = None) -> int: ...
    def count_commits_many(
        self, head: str, ranges: Mapping[str, tuple[str | None, str | None]]
    ) -> dict[str, int]: ...
    def read_file_at(self, ref: str, file: str) -> str | None: ...
    def changed_paths(self, ignore: Sequence[str] = ()) -> list[str]: ...
    def gitlinks(self) -> dict[str, str]: ...
    def has_commit(self, sha: str) -> bool: ...
    def gitlink_at(self, ref: str, path: str) -> str | None: ...
    def state(self, *, with_changes: bool = True) -> RepoState: ...
    def commit(self, paths: Sequence[str], message: str, *, verify: bool = False) -> str: ...
    def create_tags(self, tags: Sequence[tuple[str, str]], target: str = "HEAD") -> None: ...
    def delete_tags(self, names: Sequence[str]) -> list[str]: ...
    def reset_to(self, commit_id: str) -> None: ...
    def remote_refs(self, remote: str, refs: Sequence[str]) -> dict[str, str]: ...
    def push_atomic(self, remote: str, refs: Sequence[str]) -> None: ...
    def undo_push(
        self, remote: str, before: dict[str, str | None], after: dict[str, str]
    ) -> list[str]: ...


RepoOpener = Callable[["Path"], GitRepo]
"""Opens the repo whose work tree is a path (``adapters.git.Repo`` itself is one)."""


class Locker(Protocol):
    """``uv lock`` for a mode folder (``adapters.uv.lock``)."""

    def __call__(self, folder: Path, *, redirects: Mapping[str, Path] | None = None) -> None: ...


class LockCheck(Protocol):
    """``uv lock --check`` in a folder: None when its ``uv.lock`` is fresh, else why not
    (``adapters.uv.lock_problem``)."""

    def __call__(self, folder: Path, *, timeout: float) -> str | None: ...


class BranchRepo(GitRepo, Protocol):
    """A repo whose branches are switched (``dev-branch``): stash, fast-forward, check out."""

    def stash(self, message: str) -> bool: ...
    def stash_pop(self) -> None: ...
    def checkout(self, ref: str) -> None: ...
    def create_or_fast_forward_branch(self, branch: str, start: str) -> str: ...


BranchRepoOpener = Callable[["Path"], BranchRepo]


class ReleaseApi(Protocol):
    """What publishing releases needs from GitHub."""

    def check_repository(self, slug: str) -> str: ...
    def release_by_tag(self, slug: str, tag: str) -> ReleaseInfo | None: ...
    def tag_exists(self, slug: str, tag: str) -> bool: ...
    def create_release(
        self, slug: str, tag: str, *, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo: ...
    def update_release(
        self, slug: str, release_id: int, tag: str, *, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo: ...


class PullApi(Protocol):
    """What proposing pull requests needs from GitHub."""

    def check_repository(self, slug: str) -> str: ...
    def open_pull(self, slug: str, head: str, base: str) -> PullInfo | None: ...
    def create_pull(
        self, slug: str, head: str, base: str, *, title: str, body: str
    ) -> PullInfo: ...
    def update_pull(self, slug: str, number: int, *, title: str, body: str) -> PullInfo: ...


class GitHubApi(ReleaseApi, PullApi, Protocol):
    """The whole GitHub port (``adapters.github.GitHubClient``)."""


GitHubConnector = Callable[[str], GitHubApi]
"""Opens the GitHub API at a base URL (``adapters.github.connect`` reads the token). Called
only when a call is about to be made, so a dry run needs no token."""


class ChatModel(Protocol):
    """An OpenAI-compatible chat endpoint (``adapters.llm.ChatClient``).

    ``complete`` raises an ``errors.ExternalServiceError`` when the endpoint fails.
    """

    endpoint: Endpoint

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
    ) -> Completion: ...


ChatOpener = Callable[["LLMSettings"], "ChatModel | None"]
"""A chat client for the configured endpoint, None when no endpoint is configured
(``adapters.llm.chat_client``)."""


class Clock(Protocol):
    """Today's date for changelogs and tag messages (``adapters.clock.SystemClock``)."""

    def today(self) -> dt.date: ...
