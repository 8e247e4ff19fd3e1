"""Build what is sent to the model: redacted, within budget, with exclusions recorded.

Small ranges go in one request (commit list, diff statistics and hunks).
Bigger ones are summarized per commit, several commits per request packed
within the budget, and the summaries are combined in one final request;
diffs are never concatenated past the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.notes import prompt
from release_tool.notes.budget import (
    Budget,
    cut_text,
    estimate_tokens,
    excluded_reason,
    fit_patches,
    pack,
)
from release_tool.notes.collect import stat_text
from release_tool.notes.redact import Redaction, redact

if TYPE_CHECKING:
    from collections.abc import Iterable

    from release_tool.notes.collect import Commit, FileDiff

BODY_CHARS = 400
MIN_COMMIT_SHARE = 200
MAX_COMMIT_SHARE = 1200
"""Tokens of one commit's diff in a summary request: enough for one sentence about it."""


@dataclass
class Outgoing:
    """Redacted text for the model plus what was left out or masked."""

    budget: Budget
    excluded: dict[str, str] = field(default_factory=dict)
    """Path -> why it was not sent."""
    omitted_for_size: list[str] = field(default_factory=list)
    redactions: list[Redaction] = field(default_factory=list)

    def clean(self, text: str, where: str, *, record: bool = True) -> str:
        """``text`` redacted; ``record=False`` for text already counted once."""
        out, found = redact(text, where)
        if record:
            self.redactions += found
        return out

    def patches(
        self, files: Iterable[FileDiff], limit_tokens: int, extra: list[str]
    ) -> list[tuple[str, str]]:
        """Redacted patches of the files that may be sent, each cut near ``limit_tokens``."""
        out = []
        for diff in files:
            reason = excluded_reason(diff, extra)
            if reason:
                self.excluded[diff.path] = reason
                continue
            raw = cut_text(diff.patch, int(limit_tokens * 1.2) + 50)
            out.append((diff.path, self.clean(raw, diff.path)))
        return out


@dataclass
class NotesRequests:
    """Every request release notes need; the final one waits for summaries in per-commit mode."""

    mode: str
    """``single`` (one request) or ``per-commit`` (summary batches, then one final request)."""
    outgoing: Outgoing
    known: dict[str, str]
    """Short id shown to the model -> full commit id."""
    single: list[dict[str, str]] | None = None
    batches: list[list[dict[str, str]]] = field(default_factory=list)
    batch_ids: list[dict[str, str]] = field(default_factory=list)
    frame: tuple[str, str, str | None, str, str] | None = None

    def final(self, summaries: dict[str, str]) -> list[dict[str, str]]:
        """The combining request, given full id -> summary."""
        assert self.frame is not None
        member, version, since, commit_lines, stat = self.frame
        lines = "\n".join(f"[{full[:10]}] {text}" for full, text in summaries.items())
        user = prompt.notes_user(member, version, since, commit_lines, stat, "Commit summaries", "")
        left = self.outgoing.budget.for_payload(prompt.NOTES_SYSTEM + user) - 8
        if estimate_tokens(lines) > left:
            lines = cut_text(lines, left)
            self.outgoing.omitted_for_size.append("(some commit summaries)")
        user = prompt.notes_user(
            member, version, since, commit_lines, stat, "Commit summaries", lines
        )
        return prompt.messages(prompt.NOTES_SYSTEM, user)

    def planned(self) -> list[list[dict[str, str]]]:
        """Every request as it would be sent (the final one with subjects standing in)."""
        if self.mode == "single":
            return [self.single] if self.single else []
        stand_in = {full: f"(summary of commit {full[:10]})" for full in self.known.values()}
        return [*self.batches, self.final(stand_in)]


def build_requests(
    member: str,
    version: str,
    since: str | None,
    commits: list[Commit] | tuple[Commit, ...],
    range_files: tuple[FileDiff, ...],
    budget: Budget,
    extra_excluded: list[str],
) -> NotesRequests:
    """The redacted requests for one member's release notes."""
    out = Outgoing(budget)
    known = {c.short: c.sha for c in commits}
    for diff in range_files:
        reason = excluded_reason(diff, extra_excluded)
        if reason:
            out.excluded[diff.path] = reason
    stat = stat_text(range_files)
    for path, reason in out.excluded.items():
        stat += f"\n {path}: not shown ({reason})"
    commit_lines = commit_list(commits, out)
    frame_user = prompt.notes_user(member, version, since, commit_lines, stat, "Diff hunks", "")
    left = budget.for_payload(prompt.NOTES_SYSTEM + frame_user)
    if left < 0:
        commit_lines = commit_list(commits, out, bodies=False, record=False)
        frame_user = prompt.notes_user(member, version, since, commit_lines, stat, "Diff hunks", "")
        left = budget.for_payload(prompt.NOTES_SYSTEM + frame_user)
        if left < 0:
            commit_lines = cut_text(commit_lines, max(0, estimate_tokens(commit_lines) + left))
            out.omitted_for_size.append("(part of the commit list)")
            left = 0
    sendable = [d for d in range_files if not excluded_reason(d, extra_excluded)]
    raw_tokens = 0
    for diff in sendable:  # stop counting once it cannot fit: a 5 MB diff is not read twice
        raw_tokens += estimate_tokens(diff.patch) + 1
        if raw_tokens * 1.1 > left:
            break
    requests = NotesRequests(
        "single", out, known, frame=(member, version, since, commit_lines, stat)
    )
    if raw_tokens * 1.1 <= left:
        fitted = fit_patches(out.patches(sendable, left, extra_excluded), left)
        out.omitted_for_size += list(fitted.omitted) + [f"{p} (cut)" for p in fitted.truncated]
        user = prompt.notes_user(
            member, version, since, commit_lines, stat, "Diff hunks", fitted.text
        )
        requests.single = prompt.messages(prompt.NOTES_SYSTEM, user)
        return requests
    requests.mode = "per-commit"
    _summary_batches(requests, commits, extra_excluded)
    return requests


def commit_list(
    commits: Iterable[Commit], out: Outgoing, *, bodies: bool = True, record: bool = True
) -> str:
    """``[id] subject`` lines (bodies indented and cut short), redacted."""
    lines = []
    for commit in commits:
        lines.append(f"[{commit.short}] {commit.subject}")
        if bodies and commit.body:
            body = (
                commit.body if len(commit.body) <= BODY_CHARS else commit.body[:BODY_CHARS] + "..."
            )
            lines += ["    " + line for line in body.splitlines() if line.strip()]
    return out.clean("\n".join(lines), "commit messages", record=record)


def _summary_batches(
    requests: NotesRequests, commits: Iterable[Commit], extra_excluded: list[str]
) -> None:
    out = requests.outgoing
    left = out.budget.for_payload(prompt.SUMMARY_SYSTEM + "Commits:\n")
    share = max(MIN_COMMIT_SHARE, min(MAX_COMMIT_SHARE, left // 3))
    items: list[tuple[str, str]] = []
    for commit in commits:
        head = commit_list([commit], out, record=False)  # counted in the full list
        room = max(0, share - estimate_tokens(head) - 8)
        fitted = fit_patches(out.patches(commit.files, room, extra_excluded), room)
        out.omitted_for_size += [f"{p} in {commit.short}" for p in fitted.omitted]
        out.omitted_for_size += [f"{p} in {commit.short} (cut)" for p in fitted.truncated]
        text = f"{head}\n{fitted.text}" if fitted.text else head
        items.append((commit.sha, cut_text(text, left)))
    for group in pack([estimate_tokens(text) + 2 for _, text in items], left):
        body = "\n\n".join(items[i][1] for i in group)
        requests.batches.append(prompt.messages(prompt.SUMMARY_SYSTEM, f"Commits:\n{body}"))
        requests.batch_ids.append({items[i][0][:10]: items[i][0] for i in group})
