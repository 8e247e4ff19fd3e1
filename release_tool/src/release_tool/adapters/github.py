"""GitHub REST API through PyGithub (imported lazily): releases and pull requests.

The token comes from ``GITHUB_TOKEN`` or ``GH_TOKEN`` only; it lives inside
PyGithub's auth object and is never logged, echoed or put into an error
message. Every PyGithub or network error becomes an ``ExternalServiceError``
raised ``from None`` (no chained traceback carrying request internals), with
a message that says what failed and how to fix it.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from release_tool.core.github_repos import ROOT_KEY, parse_repo_slug
from release_tool.errors import ExternalServiceError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
__all__ = ["ROOT_KEY", "GitHubClient", "PullInfo", "ReleaseInfo", "connect", "parse_repo_slug"]


@dataclass(frozen=True)
class ReleaseInfo:
    """A GitHub release, as plain values."""

    id: int
    tag: str
    name: str
    body: str
    prerelease: bool
    draft: bool
    html_url: str


@dataclass(frozen=True)
class PullInfo:
    """A GitHub pull request, as plain values."""

    number: int
    title: str
    body: str
    head: str
    base: str
    html_url: str


def read_token(environ: Mapping[str, str] | None = None) -> str:
    """The API token from ``GITHUB_TOKEN`` (preferred) or ``GH_TOKEN``."""
    env = os.environ if environ is None else environ
    for name in TOKEN_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return value
    raise ExternalServiceError(
        "no GitHub token: set GITHUB_TOKEN or GH_TOKEN",
        hint="in GitHub Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}; "
        "locally: export GH_TOKEN=$(gh auth token)",
    )


def connect(api_url: str) -> GitHubClient:
    """The GitHub port (``core.ports.GitHubConnector``): a client with the environment's token."""
    return GitHubClient(api_url, read_token())


class GitHubClient:
    """Releases and pull requests of GitHub repositories, through PyGithub."""

    def __init__(self, api_url: str, token: str, *, throttle: bool = True) -> None:
        from github import Auth, Github
        from urllib3.util.retry import Retry

        self.api_url = api_url.rstrip("/")
        retry = Retry(
            total=2,
            connect=2,
            read=0,
            status=0,
            backoff_factor=0.2,
            allowed_methods=frozenset({"GET"}),
        )
        # GitHub asks integrations to space out writes (secondary rate limits)
        self._github = Github(
            auth=Auth.Token(token),
            base_url=self.api_url,
            timeout=30,
            retry=retry,
            seconds_between_requests=None,
            seconds_between_writes=0.5 if throttle else None,
        )
        self._repos: dict[str, Any] = {}
        self._objects: dict[tuple[str, str, int], Any] = {}

    def __repr__(self) -> str:
        return f"GitHubClient({self.api_url!r})"

    def check_repository(self, slug: str) -> str:
        """Fetch the repository (fails early: bad token, missing repo); its default branch."""
        return str(self._repo(slug).default_branch)

    def release_by_tag(self, slug: str, tag: str) -> ReleaseInfo | None:
        """The published release for ``tag``, or None."""
        repo = self._repo(slug)
        try:
            with self._errors(
                f"reading the release for tag {tag} of {slug}", slug, missing_ok=True
            ):
                release = repo.get_release(tag)
        except _Missing:
            return None
        self._objects[(slug, "release", release.id)] = release
        return _release_info(release)

    def tag_exists(self, slug: str, tag: str) -> bool:
        """Whether ``tag`` is on GitHub (creating a release for a missing tag would make one)."""
        repo = self._repo(slug)
        try:
            with self._errors(f"reading tag {tag} of {slug}", slug, missing_ok=True):
                return bool(repo.get_git_ref(f"tags/{tag}").object.sha)
        except _Missing:
            return False

    def create_release(
        self, slug: str, tag: str, *, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo:
        """Create a published release for an existing tag."""
        repo = self._repo(slug)
        with self._errors(f"creating the release for tag {tag} in {slug}", slug, tag=tag):
            release = repo.create_git_release(
                tag,
                name=name,
                message=body,
                draft=False,
                prerelease=prerelease,
                make_latest=_make_latest(prerelease),
            )
        self._objects[(slug, "release", release.id)] = release
        return _release_info(release)

    def update_release(
        self, slug: str, release_id: int, tag: str, *, name: str, body: str, prerelease: bool
    ) -> ReleaseInfo:
        """Set name, body and pre-release flag of an existing release."""
        release = self._objects.get((slug, "release", release_id))
        with self._errors(f"updating the release for tag {tag} in {slug}", slug, tag=tag):
            if release is None:
                release = self._repo(slug).get_release(release_id)
            updated = release.update_release(
                name=name,
                message=body,
                draft=False,
                prerelease=prerelease,
                tag_name=tag,
                make_latest=_make_latest(prerelease),
            )
        return _release_info(updated)

    def open_pull(self, slug: str, head: str, base: str) -> PullInfo | None:
        """The open pull request from branch ``head`` into ``base``, or None."""
        repo = self._repo(slug)
        owner = slug.split("/")[0]
        with self._errors(f"listing pull requests of {slug}", slug):
            pulls = list(repo.get_pulls(state="open", head=f"{owner}:{head}", base=base))
        if not pulls:
            return None
        self._objects[(slug, "pull", pulls[0].number)] = pulls[0]
        return _pull_info(pulls[0])

    def create_pull(self, slug: str, head: str, base: str, *, title: str, body: str) -> PullInfo:
        """Open a pull request from ``head`` into ``base``."""
        repo = self._repo(slug)
        with self._errors(f"opening a pull request {head} -> {base} in {slug}", slug):
            pull = repo.create_pull(base=base, head=head, title=title, body=body)
        return _pull_info(pull)

    def update_pull(self, slug: str, number: int, *, title: str, body: str) -> PullInfo:
        """Set title and body of an open pull request."""
        pull = self._objects.get((slug, "pull", number))
        with self._errors(f"updating pull request #{number} in {slug}", slug):
            if pull is None:
                pull = self._repo(slug).get_pull(number)
            pull.edit(title=title, body=body)
        return _pull_info(pull)

    # -- internals ---------------------------------------------------------
    def _repo(self, slug: str) -> Any:
        if slug not in self._repos:
            with self._errors(f"reading repository {slug}", slug, repo_lookup=True):
                self._repos[slug] = self._github.get_repo(slug)
        return self._repos[slug]

    @contextmanager
    def _errors(
        self,
        action: str,
        slug: str,
        *,
        tag: str | None = None,
        repo_lookup: bool = False,
        missing_ok: bool = False,
    ) -> Iterator[None]:
        """PyGithub and network errors -> ``ExternalServiceError`` (expected 404: ``_Missing``)."""
        from github import GithubException
        from requests import RequestException

        try:
            yield
        except GithubException as exc:
            error = describe_error(
                exc.status,
                exc.data,
                exc.headers,
                action=action,
                slug=slug,
                api_url=self.api_url,
                tag=tag,
                repo_lookup=repo_lookup,
                missing_ok=missing_ok,
            )
            if error is None:
                raise _Missing() from None
            raise error from None
        except RequestException as exc:
            raise ExternalServiceError(
                f"cannot reach the GitHub API at {self.api_url} while {action}: "
                f"{type(exc).__name__}",
                hint="check the network and [tool.release-tool.github].api-url",
            ) from None


class _Missing(Exception):
    """A 404 on a read that means 'not there' (not an error)."""


def describe_error(
    status: int,
    data: Any,
    headers: Mapping[str, str] | None,
    *,
    action: str,
    slug: str,
    api_url: str,
    tag: str | None = None,
    repo_lookup: bool = False,
    missing_ok: bool = False,
) -> ExternalServiceError | None:
    """A clear ``ExternalServiceError`` for a GitHub error answer (None: an expected 404)."""
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    message = data.get("message", "") if isinstance(data, dict) else str(data or "")
    if status == 401:
        return ExternalServiceError(
            f"GitHub rejected the token (401 {message or 'Bad credentials'}) while {action}",
            hint="GITHUB_TOKEN / GH_TOKEN is wrong, expired or revoked",
        )
    if status in (403, 429) and (
        lower.get("x-ratelimit-remaining") == "0" or "rate limit" in message.lower()
    ):
        return ExternalServiceError(
            f"GitHub API rate limit exceeded while {action}{_reset_text(lower)}",
            hint="wait until the reset time and re-run: finished steps are not repeated",
        )
    if status == 403:
        return ExternalServiceError(
            f"GitHub refused {action} (403 {message})",
            hint="the token lacks permission: it needs contents: write (releases) "
            "and pull-requests: write (PRs) on " + slug,
        )
    if status == 404:
        if repo_lookup:
            return ExternalServiceError(
                f"GitHub repository {slug} not found at {api_url} (or the token cannot see it)",
                hint="check the remote URL or set [tool.release-tool.github].repos; "
                "for GitHub Enterprise set [tool.release-tool.github].api-url",
            )
        if missing_ok:
            return None
    if status == 422:
        codes = (
            [
                e.get("code") or e.get("message")
                for e in data.get("errors", [])
                if isinstance(e, dict)
            ]
            if isinstance(data, dict)
            else []
        )
        if tag and "already_exists" in codes:
            return ExternalServiceError(
                f"a release for tag {tag} already exists in {slug} while {action} "
                "(a draft release? drafts are not found by tag)",
                hint="publish or delete the draft release on GitHub, then re-run",
            )
        detail = "; ".join(str(c) for c in codes if c)
        return ExternalServiceError(
            f"GitHub rejected {action} (422 {message}{': ' + detail if detail else ''})"
        )
    return ExternalServiceError(f"GitHub answered {status} {message!s} while {action}".strip())


def _reset_text(headers: Mapping[str, str]) -> str:
    reset = headers.get("x-ratelimit-reset")
    if not reset or not reset.isdigit():
        retry_after = headers.get("retry-after")
        return f"; retry after {retry_after} s" if retry_after else ""
    when = datetime.fromtimestamp(int(reset), tz=UTC)
    wait = max(0, int(reset) - int(time.time()))
    return f"; the limit resets at {when:%Y-%m-%d %H:%M:%S} UTC (in {wait} s)"


def _make_latest(prerelease: bool) -> str:
    # GitHub never marks a pre-release as latest; say so rather than send "true".
    return "false" if prerelease else "true"


def _release_info(release: Any) -> ReleaseInfo:
    return ReleaseInfo(
        id=int(release.id),
        tag=str(release.tag_name),
        name=release.name or "",
        body=release.body or "",
        prerelease=bool(release.prerelease),
        draft=bool(release.draft),
        html_url=str(release.html_url),
    )


def _pull_info(pull: Any) -> PullInfo:
    return PullInfo(
        number=int(pull.number),
        title=pull.title or "",
        body=pull.body or "",
        head=str(pull.head.ref),
        base=str(pull.base.ref),
        html_url=str(pull.html_url),
    )
