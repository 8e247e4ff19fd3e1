"""Pull requests from the dev branch to main, one per repo with changes, from the release plan.

For the root repo and each member with its own repo: the commits on the
dev branch that main lacks (remote-tracking refs first, so only what was
pushed is proposed) decide whether a PR is needed; the title and body list
each changed member's dev version, the stable version ``promote prod``
will give it, and its commit subjects.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from packaging.version import InvalidVersion, Version

from release_tool.core.github_release import ApiCall
from release_tool.core.github_repos import ROOT_KEY, repo_slug
from release_tool.errors import ExternalServiceError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from release_tool.adapters.github import PullInfo
    from release_tool.core.ports import GitRepo, PullApi, RepoOpener
    from release_tool.core.workspace import Member, Workspace

Action = Literal["create", "update", "unchanged", "create-or-update"]
MAX_TITLE = 200
MAX_SUBJECTS = 50


@dataclass(frozen=True)
class MemberChange:
    """A member with commits on dev that main lacks."""

    name: str
    dev_version: str | None
    release_version: str | None
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class PullProposal:
    """The PR one repo should have."""

    repo: str
    """``"."`` for the root repo, else the member name."""
    slug: str
    head: str
    base: str
    title: str
    body: str
    commits: int
    members: tuple[MemberChange, ...]


@dataclass(frozen=True)
class PullOutcome:
    proposal: PullProposal
    action: Action
    calls: tuple[ApiCall, ...]
    url: str | None = None


def plan_pulls(workspace: Workspace, open_repo: RepoOpener) -> list[PullProposal]:
    """One proposal per repo (root first, then member repos) whose dev branch is ahead of main."""
    proposals = []
    folder_members = [m for m in workspace.ordered() if not m.layout.has_own_repo]
    repos: list[tuple[str, Path, list[Member]]] = []
    if workspace.is_git_repo:
        repos.append((ROOT_KEY, workspace.root, folder_members))
    repos += [
        (m.name, m.repo_root, [m])
        for m in workspace.ordered()
        if m.layout.has_own_repo and m.repo_root is not None
    ]
    for key, repo_root, members in repos:
        found = _changes(workspace, open_repo(repo_root), members, own_repo=key != ROOT_KEY)
        if found is None:
            continue
        count, changes = found
        title, body = _describe(workspace, changes, count)
        proposals.append(
            PullProposal(
                repo=key,
                slug=repo_slug(workspace, key, open_repo),
                head=workspace.config.dev_branch,
                base=workspace.config.main_branch,
                title=title,
                body=body,
                commits=count,
                members=tuple(changes),
            )
        )
    return proposals


def publish_pulls(
    workspace: Workspace,
    *,
    dry_run: bool,
    open_repo: RepoOpener,
    connect: Callable[[str], PullApi],
) -> list[PullOutcome]:
    """Open or update each proposed PR; with ``dry_run``, only say which calls."""
    proposals = plan_pulls(workspace, open_repo)
    if dry_run or not proposals:
        return [_dry_outcome(p) for p in proposals]
    api = connect(workspace.config.github.api_url)
    for slug in dict.fromkeys(p.slug for p in proposals):
        api.check_repository(slug)
    existing = [api.open_pull(p.slug, p.head, p.base) for p in proposals]
    outcomes: list[PullOutcome] = []
    for proposal, pull in zip(proposals, existing, strict=True):
        try:
            outcomes.append(_apply(api, proposal, pull))
        except ExternalServiceError as exc:
            done = ", ".join(f"{o.proposal.slug} ({o.action})" for o in outcomes) or "none"
            raise ExternalServiceError(
                f"{exc.message}\n  pull requests finished before the failure: {done}",
                hint=exc.hint or "re-run: open pull requests are updated, not duplicated",
            ) from None
    return outcomes


def _apply(api: PullApi, p: PullProposal, pull: PullInfo | None) -> PullOutcome:
    owner = p.slug.split("/")[0]
    calls = [ApiCall("GET", _list_path(p, owner))]
    if pull is None:
        info = api.create_pull(p.slug, p.head, p.base, title=p.title, body=p.body)
        calls.append(
            ApiCall(
                "POST",
                f"/repos/{p.slug}/pulls",
                {"title": p.title, "body": p.body, "head": p.head, "base": p.base},
            )
        )
        return PullOutcome(p, "create", tuple(calls), info.html_url)
    if (pull.title, pull.body.strip()) == (p.title, p.body.strip()):
        return PullOutcome(p, "unchanged", tuple(calls), pull.html_url)
    info = api.update_pull(p.slug, pull.number, title=p.title, body=p.body)
    calls.append(
        ApiCall("PATCH", f"/repos/{p.slug}/pulls/{pull.number}", {"title": p.title, "body": p.body})
    )
    return PullOutcome(p, "update", tuple(calls), info.html_url)


def _dry_outcome(p: PullProposal) -> PullOutcome:
    owner = p.slug.split("/")[0]
    payload = {"title": p.title, "body": p.body}
    return PullOutcome(
        p,
        "create-or-update",
        (
            ApiCall("GET", f"/repos/{p.slug}"),
            ApiCall("GET", _list_path(p, owner)),
            ApiCall("POST", f"/repos/{p.slug}/pulls", {**payload, "head": p.head, "base": p.base}),
            ApiCall("PATCH", f"/repos/{p.slug}/pulls/{{number}}", payload),
        ),
    )


def _list_path(p: PullProposal, owner: str) -> str:
    return f"/repos/{p.slug}/pulls?state=open&head={owner}:{p.head}&base={p.base}"


def _changes(
    workspace: Workspace, repo: GitRepo, members: list[Member], *, own_repo: bool
) -> tuple[int, list[MemberChange]] | None:
    config = workspace.config
    head = _branch_commit(repo, config.git_remote, config.dev_branch)
    base = _branch_commit(repo, config.git_remote, config.main_branch)
    if head is None or base is None:
        return None
    commits = repo.log(head, base)
    if not commits:
        return None
    changes = []
    for member in members:
        rel = None if own_repo else member.git_subdir
        touching = commits if rel is None else repo.log(head, base, rel)
        subjects = tuple(f"{c.subject} ({c.sha[:7]})" for c in touching)
        if subjects:
            pyproject = "pyproject.toml" if rel is None else f"{rel}/pyproject.toml"
            dev = _version_at(repo.read_file_at(head, pyproject))
            changes.append(MemberChange(member.name, dev, _release_of(dev), subjects))
    return len(commits), changes


def _describe(workspace: Workspace, changes: list[MemberChange], count: int) -> tuple[str, str]:
    config = workspace.config
    names = [f"{c.name} {c.release_version}" if c.release_version else c.name for c in changes]
    title = (
        ("Release " + ", ".join(names))
        if names
        else (f"Merge {config.dev_branch} into {config.main_branch}")
    )
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    lines = [
        f"Merging this pull request into `{config.main_branch}` runs "
        "`release-tool promote prod`, which releases:",
        "",
    ]
    if changes:
        lines += ["| member | dev version | release |", "| --- | --- | --- |"]
        lines += [
            f"| {c.name} | {c.dev_version or '?'} | {c.release_version or '?'} |" for c in changes
        ]
    else:
        lines.append(f"no member changes ({count} commit(s) in this repository only)")
    for change in changes:
        lines += ["", f"### {change.name}", ""]
        lines += [f"- {s}" for s in change.subjects[:MAX_SUBJECTS]]
        if len(change.subjects) > MAX_SUBJECTS:
            lines.append(f"- … and {len(change.subjects) - MAX_SUBJECTS} more")
    lines += ["", "_Opened by `release-tool github pr`._"]
    return title, "\n".join(lines) + "\n"


def _branch_commit(repo: GitRepo, remote: str, branch: str) -> str | None:
    """The dev or main branch as pushed (remote-tracking ref), else the local branch."""
    for ref in (f"refs/remotes/{remote}/{branch}", f"refs/heads/{branch}"):
        found = repo.resolve(ref)
        if found is not None:
            return found
    return None


def _version_at(text: str | None) -> str | None:
    """``[project].version`` of a pyproject's text, or None."""
    if text is None:
        return None
    try:
        version = tomllib.loads(text)["project"]["version"]
    except (KeyError, ValueError, tomllib.TOMLDecodeError):
        return None
    return str(version)


def _release_of(dev_version: str | None) -> str | None:
    """The stable version ``promote prod`` makes of a dev version: ``0.2.0.dev3`` -> ``0.2.0``."""
    if dev_version is None:
        return None
    try:
        return Version(dev_version).base_version
    except InvalidVersion:
        return None
