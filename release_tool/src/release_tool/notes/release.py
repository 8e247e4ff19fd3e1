"""Release notes for one member and version: from the LLM when configured, else from commits.

The commit-based entries are always computed; they are the result when no
model is configured, when the endpoint fails, or when its answer fails
validation twice, and they fill in whatever the model's answer left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from release_tool.core.config import LLMSettings
from release_tool.notes.ask import Asker, AskStats, NotesFailed
from release_tool.notes.budget import Budget
from release_tool.notes.cache import AnswerCache, default_cache_dir
from release_tool.notes.changelog import Entry, render_entries
from release_tool.notes.collect import LATEST, MemberChanges, collect_member
from release_tool.notes.conventional import must_be_covered, parse_message, section_for
from release_tool.notes.payload import NotesRequests, build_requests
from release_tool.notes.redact import check_policy, redact
from release_tool.notes.validate import check_notes, check_summaries

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.adapters.llm import ChatClient
    from release_tool.core.config import Config
    from release_tool.core.ports import Clock
    from release_tool.core.workspace import Member, Workspace
    from release_tool.notes.collect import Commit


@dataclass(frozen=True)
class NotesOptions:
    """How notes are made: the endpoint settings plus run-time switches."""

    llm: LLMSettings = field(default_factory=lambda: LLMSettings.from_values({}))
    use_llm: bool = True
    fail_on_secret: bool = False
    cache_dir: Path | None = None
    """None: the user cache folder; caching off when ``llm.cache`` is false."""
    date: str | None = None
    """Release date (ISO); default ``clock``'s today."""
    clock: Clock | None = None
    """The ``Clock`` port; None: ``adapters.clock.SystemClock`` (UTC, ``SOURCE_DATE_EPOCH``)."""
    dry_run: bool = False
    """Plan only: say the LLM would write the notes, but call nothing and cache nothing."""


@dataclass
class ReleaseNotes:
    """A version's Keep a Changelog entry and how it was made."""

    member: str
    version: str
    since_tag: str | None
    markdown: str
    source: str
    """``llm`` or ``commits``."""
    entries: tuple[Entry, ...]
    commits: int
    mode: str
    excluded: dict[str, str]
    omitted_for_size: list[str]
    redactions: list[str]
    stats: AskStats
    fallback_reason: str | None = None
    planned_source: str | None = None
    """``llm`` when a dry run skipped the model that would have written these notes."""

    def describe_source(self) -> str:
        """``written by the LLM from 3 commits``, ``would be written ...`` or ``from 3 commits``."""
        commits = f"{self.commits} commit" + ("" if self.commits == 1 else "s")
        if self.planned_source == "llm":
            return f"would be written by the LLM from {commits}"
        if self.source == "llm":
            return f"written by the LLM from {commits}"
        return f"from {commits}" + (f" ({self.fallback_reason})" if self.fallback_reason else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "version": self.version,
            "since_tag": self.since_tag,
            "source": self.source,
            "commits": self.commits,
            "mode": self.mode,
            "fallback_reason": self.fallback_reason,
            "planned_source": self.planned_source,
            "excluded": self.excluded,
            "omitted_for_size": self.omitted_for_size,
            "redactions": self.redactions,
            "stats": self.stats.to_json(),
            "markdown": self.markdown,
        }


def release_notes(
    workspace: Workspace,
    member: Member,
    new_version: object,
    *,
    since_tag: str | None = LATEST,
    settings: Config | LLMSettings | NotesOptions | None = None,
    client: ChatClient | None = None,
) -> ReleaseNotes:
    """The notes for ``member`` at ``new_version``, covering commits since ``since_tag``.

    ``since_tag`` None means the whole history (first release); the default
    is the member's latest tag. ``settings`` defaults to the workspace's
    ``[tool.release-tool.llm]``.
    """
    options = as_options(settings if settings is not None else workspace.config.llm)
    changes = collect_member(workspace, member, since_tag=since_tag, uncommitted=False)
    return notes_from_changes(changes, str(new_version), options, client=client)


def as_options(settings: Config | LLMSettings | NotesOptions) -> NotesOptions:
    """Options from the whole config or its ``llm`` table (as the engine passes them)."""
    if isinstance(settings, NotesOptions):
        return settings
    if isinstance(settings, LLMSettings):
        return NotesOptions(llm=settings)
    return NotesOptions(llm=settings.llm)


def notes_from_changes(
    changes: MemberChanges,
    version: str,
    options: NotesOptions,
    *,
    client: ChatClient | None = None,
) -> ReleaseNotes:
    """Notes from collected changes; the LLM is asked only when configured."""
    from release_tool.adapters.llm import ChatClient, resolve_endpoint

    commits = list(changes.commits)
    fallback = [e for e in (commit_entry(c) for c in commits) if e is not None]
    endpoint = resolve_endpoint(options.llm) if client is None else client.endpoint
    result = ReleaseNotes(
        member=changes.member,
        version=version,
        since_tag=changes.since_tag,
        markdown="",
        source="commits",
        entries=tuple(fallback),
        commits=len(commits),
        mode="none",
        excluded={},
        omitted_for_size=[],
        redactions=[],
        stats=AskStats(),
    )
    asking = options.use_llm and endpoint is not None and bool(commits)
    requests = None
    if asking or options.fail_on_secret:  # redaction costs time: only when it matters
        requests = plan_requests(changes, version, options)
        check_policy(requests.outgoing.redactions, fail_on_secret=options.fail_on_secret)
        result.mode = requests.mode
        result.excluded = requests.outgoing.excluded
        result.omitted_for_size = requests.outgoing.omitted_for_size
        result.redactions = [r.describe() for r in requests.outgoing.redactions]
    if not options.use_llm or endpoint is None:
        result.fallback_reason = "no LLM configured" if endpoint is None else "LLM not used"
    elif not commits:
        result.fallback_reason = "no commits in range"
    elif options.dry_run:
        result.fallback_reason = "dry run: the LLM is not called"
        result.planned_source = "llm"
    else:
        assert requests is not None and endpoint is not None
        asker = Asker(
            client or ChatClient(endpoint), answer_cache(options), options.llm.output_tokens
        )
        result.stats = asker.stats
        try:
            result.entries = tuple(_ask_notes(asker, requests, commits, fallback))
            result.source = "llm"
        except NotesFailed as exc:
            result.fallback_reason = str(exc)
    result.markdown = render_entries(version, release_date(options), result.entries)
    return result


def plan_requests(changes: MemberChanges, version: str, options: NotesOptions) -> NotesRequests:
    """The redacted requests notes for ``changes`` need (shown by ``--dry-run``)."""
    budget = Budget(options.llm.context_tokens, options.llm.output_tokens)
    return build_requests(
        changes.member,
        version,
        changes.since_tag,
        changes.commits,
        changes.range_files,
        budget,
        list(options.llm.exclude),
    )


def commit_entry(commit: Commit) -> Entry | None:
    """The deterministic changelog line of one commit, or None if users do not see it."""
    parsed = parse_message(commit.subject, commit.body)
    section = section_for(parsed)
    if section is None:
        return None
    text = parsed.description
    text = text[:1].upper() + text[1:]
    if parsed.scope:
        text = f"{parsed.scope}: {text}"
    if parsed.breaking_note and parsed.breaking_note not in text:
        text = f"{text} ({parsed.breaking_note})"
    return Entry(section, text, (commit.sha,), parsed.breaking)


def release_date(options: NotesOptions) -> str:
    """The date written in the heading: ``options.date``, else the clock's today."""
    if options.date:
        return options.date
    clock = options.clock
    if clock is None:
        from release_tool.adapters.clock import SystemClock

        clock = SystemClock()
    return clock.today().isoformat()


def _ask_notes(
    asker: Asker, requests: NotesRequests, commits: list[Commit], fallback: list[Entry]
) -> list[Entry]:
    by_sha = {c.sha: c for c in commits}
    required = {
        e.commits[0]: e
        for e in fallback
        if must_be_covered(parse_message(by_sha[e.commits[0]].subject, by_sha[e.commits[0]].body))
    }
    breaking = {e.commits[0] for e in fallback if e.breaking}

    def check(data: dict[str, Any]) -> Any:
        return check_notes(data, requests.known, required, breaking)

    if requests.mode == "single":
        assert requests.single is not None
        return list(asker.ask("notes", requests.single, check, list(requests.known)).value)
    summaries: dict[str, str] = {}
    for messages, ids in zip(requests.batches, requests.batch_ids, strict=True):
        answer = asker.ask("summaries", messages, partial(check_summaries, known=ids), list(ids))
        summaries.update(answer.value)
    for sha in by_sha:  # a commit the model skipped: its (redacted) subject stands in
        if sha not in summaries:
            summaries[sha] = redact(by_sha[sha].subject, "commit messages")[0]
    ordered = {sha: summaries[sha] for sha in by_sha}
    return list(asker.ask("notes", requests.final(ordered), check, list(requests.known)).value)


def answer_cache(options: NotesOptions) -> AnswerCache:
    """The cache validated answers go to (disabled by ``llm.cache = false``)."""
    if not options.llm.cache:
        return AnswerCache(None)
    return AnswerCache(options.cache_dir or default_cache_dir())
