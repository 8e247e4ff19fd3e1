"""GitHub releases for release tags: plan the API calls, then create or update idempotently.

``publish_releases`` is what ``promote prod --github-release`` and
``release-tool github release`` call. All reads (repository, release by tag)
happen before the first write, so a bad token, a missing repo or a rate
limit stops the run before anything is created; a re-run updates the
releases an earlier run made instead of duplicating them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from packaging.utils import canonicalize_name

from release_tool.core.github_repos import ROOT_KEY, repo_slug
from release_tool.core.tag_schemes import read_tags_through
from release_tool.errors import ExternalServiceError, NotFoundError, PlanRefusedError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from packaging.version import Version

    from release_tool.adapters.github import ReleaseInfo
    from release_tool.core.ports import GitHubConnector, ReleaseApi, RepoOpener
    from release_tool.core.workspace import Member, Workspace

Action = Literal["create", "update", "unchanged", "create-or-update"]


@dataclass(frozen=True)
class ApiCall:
    """One REST call, for ``--dry-run`` output and ``--json``."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    def describe(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class MemberTag:
    """A release tag of one member, in the repo that holds it."""

    member: str
    tag: str
    version: Version
    repo_root: Path

    @property
    def is_stable(self) -> bool:
        return not (self.version.is_prerelease or self.version.is_devrelease)


def member_tags(member: Member, open_repo: RepoOpener) -> list[MemberTag]:
    """Every release tag of ``member`` (its ``TagScheme``), lowest version first."""
    if member.repo_root is None:
        return []
    names = open_repo(member.repo_root).tag_names()
    return [
        MemberTag(member.name, t.name, t.version, member.repo_root)
        for t in member.tag_scheme.list_tags(names)
    ]


@dataclass(frozen=True)
class ReleaseTarget:
    """One GitHub release to make: a tag of a member, in the repo that holds it."""

    member: str
    slug: str
    tag: str
    version: str
    name: str
    body: str
    body_source: str
    """Where the body came from: ``tag message``, ``CHANGELOG.md`` or ``none``."""
    prerelease: bool

    def payload(self) -> dict[str, Any]:
        return {
            "tag_name": self.tag,
            "name": self.name,
            "body": self.body,
            "draft": False,
            "prerelease": self.prerelease,
        }


@dataclass(frozen=True)
class ReleaseOutcome:
    """What was (or, with ``dry_run``, would be) done for one target."""

    target: ReleaseTarget
    action: Action
    calls: tuple[ApiCall, ...]
    url: str | None = None


@dataclass
class _Decision:
    target: ReleaseTarget
    existing: ReleaseInfo | None
    calls: list[ApiCall] = field(default_factory=list)


def plan_release_targets(
    workspace: Workspace,
    members_or_tags: list[str] | None,
    *,
    open_repo: RepoOpener,
    prerelease_dev: bool = False,
    since: str | None = None,
) -> list[ReleaseTarget]:
    """Resolve member names or tag names into release targets (reads git, no network).

    A member name means its latest stable tag (its latest tag of any kind
    with ``prerelease_dev``); no names means every member with such a tag.
    ``since`` (a root revision) keeps only the tags made after it: see
    ``tags_made_since``.
    """
    read_tags_through(workspace.members.values(), open_repo)
    tags = _resolve(workspace, members_or_tags or [], prerelease_dev, open_repo)
    if since is not None:
        tags = tags_made_since(workspace, tags, since, open_repo)
    targets = []
    for tag in tags:
        member = workspace.members[tag.member]
        key = member.name if member.layout.has_own_repo else ROOT_KEY
        version = str(tag.version)
        body, source = _notes(tag, member.path, version, open_repo)
        targets.append(
            ReleaseTarget(
                member=member.name,
                slug=repo_slug(workspace, key, open_repo),
                tag=tag.tag,
                version=version,
                name=f"{member.display_name} {version}",
                body=body,
                body_source=source,
                prerelease=not tag.is_stable,
            )
        )
    return targets


def publish_releases(
    workspace: Workspace,
    members_or_tags: list[str] | None,
    *,
    dry_run: bool,
    open_repo: RepoOpener,
    connect: Callable[[str], ReleaseApi],
    prerelease_dev: bool = False,
    since: str | None = None,
) -> list[ReleaseOutcome]:
    """Create or update one GitHub release per tag; with ``dry_run``, only say which calls.

    ``dry_run`` makes no network call and needs no token (``connect`` is not
    called). Otherwise every
    repository and existing release is read first, then releases are created
    (missing), updated (different) or left alone (identical).
    """
    targets = plan_release_targets(
        workspace,
        members_or_tags,
        open_repo=open_repo,
        prerelease_dev=prerelease_dev,
        since=since,
    )
    if dry_run or not targets:
        return [_dry_outcome(t) for t in targets]
    api = connect(workspace.config.github.api_url)
    for slug in dict.fromkeys(t.slug for t in targets):
        api.check_repository(slug)
    decisions = [_decide(api, t) for t in targets]
    outcomes: list[ReleaseOutcome] = []
    for decision in decisions:
        try:
            outcomes.append(_apply(api, decision))
        except ExternalServiceError as exc:
            done = ", ".join(f"{o.target.tag} ({o.action})" for o in outcomes) or "none"
            raise ExternalServiceError(
                f"{exc.message}\n  releases finished before the failure: {done}",
                hint=exc.hint or "re-run: finished releases are updated, not duplicated",
            ) from None
    return outcomes


def publish_step(root: Path, step: Any, *, open_repo: RepoOpener, connect: GitHubConnector) -> None:
    """The release engine's PUBLISH step: releases for ``step.tags`` (safe to re-run on resume)."""
    from release_tool.core.workspace import load_workspace

    publish_releases(
        load_workspace(root), list(step.tags), dry_run=False, open_repo=open_repo, connect=connect
    )


def _decide(api: ReleaseApi, target: ReleaseTarget) -> _Decision:
    quoted = _quote(target.tag)
    decision = _Decision(target, api.release_by_tag(target.slug, target.tag))
    decision.calls.append(ApiCall("GET", f"/repos/{target.slug}/releases/tags/{quoted}"))
    if decision.existing is None:
        # GitHub would create a missing tag at the default branch's head: refuse instead
        decision.calls.append(ApiCall("GET", f"/repos/{target.slug}/git/ref/tags/{quoted}"))
        if not api.tag_exists(target.slug, target.tag):
            raise PlanRefusedError(
                f"tag {target.tag} is not on GitHub ({target.slug}): no release made",
                hint="push the tag first (release-tool promote prod --push does)",
            )
    return decision


def _apply(api: ReleaseApi, decision: _Decision) -> ReleaseOutcome:
    t, existing = decision.target, decision.existing
    calls = list(decision.calls)
    if existing is None:
        info = api.create_release(t.slug, t.tag, name=t.name, body=t.body, prerelease=t.prerelease)
        calls.append(ApiCall("POST", f"/repos/{t.slug}/releases", t.payload()))
        return ReleaseOutcome(t, "create", tuple(calls), info.html_url)
    same = (existing.name, existing.body.strip(), existing.prerelease) == (
        t.name,
        t.body.strip(),
        t.prerelease,
    )
    if same:
        return ReleaseOutcome(t, "unchanged", tuple(calls), existing.html_url)
    info = api.update_release(
        t.slug, existing.id, t.tag, name=t.name, body=t.body, prerelease=t.prerelease
    )
    calls.append(ApiCall("PATCH", f"/repos/{t.slug}/releases/{existing.id}", t.payload()))
    return ReleaseOutcome(t, "update", tuple(calls), info.html_url)


def _dry_outcome(t: ReleaseTarget) -> ReleaseOutcome:
    calls = (
        ApiCall("GET", f"/repos/{t.slug}"),
        ApiCall("GET", f"/repos/{t.slug}/releases/tags/{_quote(t.tag)}"),
        ApiCall("GET", f"/repos/{t.slug}/git/ref/tags/{_quote(t.tag)}"),
        ApiCall("POST", f"/repos/{t.slug}/releases", t.payload()),
        ApiCall("PATCH", f"/repos/{t.slug}/releases/{{id}}", t.payload()),
    )
    return ReleaseOutcome(t, "create-or-update", calls)


def _resolve(
    workspace: Workspace, items: list[str], prerelease_dev: bool, open_repo: RepoOpener
) -> list[MemberTag]:
    chosen: dict[tuple[str, str], MemberTag] = {}
    if not items:
        for member in workspace.ordered():
            tag = _latest(member_tags(member, open_repo), prerelease_dev)
            if tag is not None:
                chosen[(tag.member, tag.tag)] = tag
        return list(chosen.values())
    for item in items:
        key = canonicalize_name(item)
        if key in workspace.members:
            member = workspace.members[key]
            tag = _latest(member_tags(member, open_repo), prerelease_dev)
            if tag is None:
                kind = "release tag" if prerelease_dev else "stable tag"
                raise NotFoundError(
                    f"member {member.name!r} has no {kind} yet",
                    hint="run release-tool promote prod first",
                )
            found = [tag]
        else:
            found = _find_tags(workspace, item, open_repo)
        for tag in found:
            if not tag.is_stable and not prerelease_dev:
                raise PlanRefusedError(
                    f"{tag.tag} is not a stable tag",
                    hint="pass --prerelease-dev to publish dev tags as pre-releases",
                )
            chosen[(tag.member, tag.tag)] = tag
    return list(chosen.values())


def tags_made_since(
    workspace: Workspace, tags: list[MemberTag], since: str, open_repo: RepoOpener
) -> list[MemberTag]:
    """The tags on the checked-out history that ``since`` (a root revision) does not contain.

    What the release workflow publishes: the tags the push (and its release
    job) made, also on a re-run after a failed publish, and no older tag that
    happens to lack a release. A member in its own repo is compared with its
    submodule pointer at ``since`` (none there: every tag on its history).
    """
    root = open_repo(workspace.root)
    base = root.resolve(f"{since}^{{commit}}")
    if base is None:
        raise NotFoundError(f"--since {since!r} is not a commit of {workspace.root}")
    kept = []
    for tag in tags:
        repo = open_repo(tag.repo_root)
        commit = repo.tag_commit(tag.tag)
        if commit is None or not repo.is_ancestor(commit, "HEAD"):
            continue
        start: str | None = base
        if tag.repo_root != workspace.root:
            rel = tag.repo_root.relative_to(workspace.root).as_posix()
            start = root.gitlink_at(base, rel)
        if start is None or not repo.is_ancestor(commit, start):
            kept.append(tag)
    return kept


def _find_tags(workspace: Workspace, tag: str, open_repo: RepoOpener) -> list[MemberTag]:
    """Every member whose repo holds ``tag`` (``v1.0.0`` can be in several member repos)."""
    found = []
    for member in workspace.ordered():
        if member.tag_scheme.match(tag):
            found += [c for c in member_tags(member, open_repo) if c.tag == tag]
    if not found:
        raise NotFoundError(
            f"{tag!r} is neither a member nor a release tag of one",
            hint="members: " + ", ".join(workspace.members) if workspace.members else None,
        )
    return found


def _latest(tags: list[MemberTag], prerelease_dev: bool) -> MemberTag | None:
    eligible = [t for t in tags if prerelease_dev or t.is_stable]
    return eligible[-1] if eligible else None


def _notes(
    tag: MemberTag, member_path: Any, version: str, open_repo: RepoOpener
) -> tuple[str, str]:
    from release_tool.notes.changelog import changelog_section

    message = open_repo(tag.repo_root).tag_message(tag.tag, strip_signature=True)
    if message:
        return message, "tag message"
    section = changelog_section(member_path, version)
    if section:
        return section, "CHANGELOG.md"
    return "", "none"


def _quote(tag: str) -> str:
    from urllib.parse import quote

    return quote(tag, safe="")
