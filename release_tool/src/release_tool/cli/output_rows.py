"""The typed rows inside the ``--json`` documents of ``init``, ``ci``, ``dev-branch``,
``commit`` and ``github``.

The core returns plain dataclasses (plans and outcomes); these msgspec
structs fix the JSON shape of each row in one place, so the shape is
validated and documented instead of spelled out by a ``to_json`` method on
every core type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from release_tool.notes.ask import AskStats

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.ci_files import WorkflowFile
    from release_tool.core.github_pr import PullOutcome
    from release_tool.core.github_release import ApiCall, ReleaseOutcome
    from release_tool.core.init import FileWrite
    from release_tool.notes.commit_message import CommitMessage


class InitFile(msgspec.Struct, kw_only=True):
    """A file ``init`` writes."""

    path: str
    """Relative to the workspace root."""
    overwrite: bool

    @classmethod
    def of(cls, write: FileWrite, root: Path) -> InitFile:
        return cls(path=write.path.relative_to(root).as_posix(), overwrite=write.exists)


class CiFile(msgspec.Struct, kw_only=True):
    """A workflow ``ci init`` writes (or would)."""

    path: str
    action: str
    content: str

    @classmethod
    def of(cls, item: WorkflowFile) -> CiFile:
        return cls(path=item.relative, action=item.action, content=item.content)


class BranchRow(msgspec.Struct, kw_only=True):
    """What ``dev-branch`` does in one repo."""

    repo: str
    action: str
    branch: str
    start: str
    stash: bool


class Call(msgspec.Struct, kw_only=True):
    """One GitHub REST call (made, or with ``--dry-run`` planned)."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    @classmethod
    def of(cls, call: ApiCall) -> Call:
        return cls(method=call.method, path=call.path, body=call.body)


class ReleaseRow(msgspec.Struct, kw_only=True):
    """One GitHub release of ``github release``."""

    member: str
    repo: str
    tag: str
    version: str
    name: str
    prerelease: bool
    body_source: str
    action: str
    url: str | None
    calls: list[Call]

    @classmethod
    def of(cls, outcome: ReleaseOutcome) -> ReleaseRow:
        t = outcome.target
        return cls(
            member=t.member,
            repo=t.slug,
            tag=t.tag,
            version=t.version,
            name=t.name,
            prerelease=t.prerelease,
            body_source=t.body_source,
            action=outcome.action,
            url=outcome.url,
            calls=[Call.of(c) for c in outcome.calls],
        )


class PullMember(msgspec.Struct, kw_only=True):
    name: str
    dev_version: str | None
    release_version: str | None
    commits: int


class PullRow(msgspec.Struct, kw_only=True):
    """One pull request of ``github pr``."""

    repo: str
    slug: str
    head: str
    base: str
    title: str
    body: str
    commits: int
    action: str
    url: str | None
    members: list[PullMember]
    calls: list[Call]

    @classmethod
    def of(cls, outcome: PullOutcome) -> PullRow:
        p = outcome.proposal
        return cls(
            repo=p.repo,
            slug=p.slug,
            head=p.head,
            base=p.base,
            title=p.title,
            body=p.body,
            commits=p.commits,
            action=outcome.action,
            url=outcome.url,
            members=[
                PullMember(
                    name=m.name,
                    dev_version=m.dev_version,
                    release_version=m.release_version,
                    commits=len(m.subjects),
                )
                for m in p.members
            ],
            calls=[Call.of(c) for c in outcome.calls],
        )


class CommitRow(msgspec.Struct, kw_only=True):
    """One member of ``commit``: the message and how it was made (``commit`` adds more keys)."""

    member: str
    message: str
    source: str
    fallback_reason: str | None
    request_tokens: int
    excluded: dict[str, str]
    """Path -> why it was not sent."""
    omitted_for_size: list[str]
    redactions: list[str]
    stats: AskStats

    @classmethod
    def of(cls, written: CommitMessage) -> CommitRow:
        return cls(
            member=written.member,
            message=written.message,
            source=written.source,
            fallback_reason=written.fallback_reason,
            request_tokens=written.request_tokens,
            excluded=dict(written.outgoing.excluded),
            omitted_for_size=list(written.outgoing.omitted_for_size),
            redactions=[r.describe() for r in written.outgoing.redactions],
            stats=written.stats,
        )
