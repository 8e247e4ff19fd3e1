"""Conventional Commits messages for a member's uncommitted changes.

One request carries the status, the diff statistics and as many (redacted)
hunks as fit the budget. Without a model, or when it fails, the message is
made from the changed paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from release_tool.notes import prompt
from release_tool.notes.ask import Asker, AskStats, NotesFailed
from release_tool.notes.budget import Budget, estimate_tokens, excluded_reason, fit_patches
from release_tool.notes.collect import stat_text
from release_tool.notes.payload import Outgoing
from release_tool.notes.redact import check_policy
from release_tool.notes.validate import check_commit_message

if TYPE_CHECKING:
    from release_tool.core.ports import ChatModel
    from release_tool.notes.collect import MemberChanges
    from release_tool.notes.release import NotesOptions

_DOC_SUFFIXES = {".md", ".rst", ".txt"}


@dataclass
class CommitMessage:
    """The message for one member's commit and how it was made."""

    member: str
    message: str
    source: str
    request: list[dict[str, str]]
    outgoing: Outgoing
    stats: AskStats = field(default_factory=AskStats)
    fallback_reason: str | None = None

    @property
    def request_tokens(self) -> int:
        return sum(estimate_tokens(m["content"]) for m in self.request)


def commit_message(
    changes: MemberChanges,
    options: NotesOptions,
    *,
    client: ChatModel | None,
    call: bool = True,
) -> CommitMessage:
    """The commit message for ``changes``; ``call=False`` only prepares the request.

    ``client`` is the LLM port for the configured endpoint (None: no model
    configured, the message is made from the changed paths).
    """
    from release_tool.notes.release import answer_cache

    request, outgoing = commit_request(changes, options)
    result = CommitMessage(changes.member, fallback_message(changes), "paths", request, outgoing)
    check_policy(outgoing.redactions, fail_on_secret=options.fail_on_secret)
    if client is None or not options.use_llm:
        result.fallback_reason = "no LLM configured" if client is None else "LLM not used"
        return result
    if not call:
        result.fallback_reason = "dry run: the model was not called"
        return result
    asker = Asker(client, answer_cache(options), options.llm.output_tokens)
    result.stats = asker.stats
    try:
        result.message = asker.ask("commit", request, check_commit_message).value
        result.source = "llm"
    except NotesFailed as exc:
        result.fallback_reason = str(exc)
    return result


def commit_request(
    changes: MemberChanges, options: NotesOptions
) -> tuple[list[dict[str, str]], Outgoing]:
    """The redacted request describing the uncommitted changes of one member."""
    out = Outgoing(Budget(options.llm.context_tokens, options.llm.output_tokens))
    extra = list(options.llm.exclude)
    status = out.clean(changes.status.strip(), "git status")
    stat = stat_text(changes.uncommitted_files)
    for diff in changes.uncommitted_files:
        reason = excluded_reason(diff, extra)
        if reason:
            stat += f"\n {diff.path}: not shown ({reason})"
    frame = f"Package: {changes.member}\n\nStatus:\n{status}\n\nDiff statistics:\n{stat}\n\nDiff:\n"
    left = max(0, out.budget.for_payload(prompt.COMMIT_SYSTEM + frame))
    fitted = fit_patches(out.patches(changes.uncommitted_files, left, extra), left)
    out.omitted_for_size += list(fitted.omitted) + [f"{p} (cut)" for p in fitted.truncated]
    return prompt.messages(prompt.COMMIT_SYSTEM, frame + fitted.text), out


def fallback_message(changes: MemberChanges) -> str:
    """A message made from the changed paths alone."""
    paths = [f.path for f in changes.uncommitted_files] or [
        line[3:] for line in changes.status.splitlines() if len(line) > 3
    ]
    kind = "chore"
    if paths and all(_is_test(p) for p in paths):
        kind = "test"
    elif paths and all(_is_doc(p) for p in paths):
        kind = "docs"
    what = PurePosixPath(paths[0]).name if len(paths) == 1 else f"{len(paths)} files"
    body = "\n".join(f"- {line.strip()}" for line in changes.status.splitlines() if line.strip())
    return f"{kind}({changes.member}): update {what}\n\n{body}\n"


def _is_test(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return "tests" in parts or PurePosixPath(path).name.startswith("test_")


def _is_doc(path: str) -> bool:
    pure = PurePosixPath(path)
    return "docs" in pure.parts or pure.suffix.lower() in _DOC_SUFFIXES
