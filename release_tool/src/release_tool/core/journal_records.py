"""The journal's records as msgspec structs, and reading the journal of an interrupted run.

``.release-tool/journal.jsonl``: the first line is a ``JournalHead`` (the
command and its whole plan), every further line a ``StepRecord`` (the last
line per step wins). A closed run is kept as ``last-journal.json`` (a
``Journal`` with its outcome and ``ApplyReport``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from release_tool.core.jsonable import decode, dump
from release_tool.core.plan import Plan
from release_tool.core.run_state import JOURNAL, STATE_DIR
from release_tool.errors import JournalError, LockedError, NotFoundError

if TYPE_CHECKING:
    from pathlib import Path

LAST_JOURNAL = "last-journal.json"


class ApplyReport(msgspec.Struct, kw_only=True):
    """What an apply did: steps done, the step that failed and why, what was undone."""

    command: str
    done: list[str] = msgspec.field(default_factory=list)
    failed: str | None = None
    error: str | None = None
    undone: list[str] = msgspec.field(default_factory=list)
    undo_errors: list[str] = msgspec.field(default_factory=list)
    resumed_from: int | None = None
    ok: bool = True
    """No step failed. Always ``failed is None``: set from it on creation and by ``fail``;
    a field (not a property) so the JSON of a report, alone or nested, carries it last."""

    def __post_init__(self) -> None:
        self.ok = self.failed is None

    def fail(self, step: str, error: str) -> None:
        """Record the step that failed and why."""
        self.failed, self.error, self.ok = step, error, False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = dump(self)
        return data

    def describe_failure(self) -> str:
        lines = [f"step failed: {self.failed}", f"  {self.error}"]
        if self.undone:
            lines.append("rolled back:")
            lines += [f"  {line}" for line in self.undone]
        if self.undo_errors:
            lines.append("could NOT undo (fix by hand):")
            lines += [f"  {line}" for line in self.undo_errors]
        return "\n".join(lines)


class StepRecord(msgspec.Struct, kw_only=True):
    """One step's state in the journal and what undoing it needs (one JSON line each)."""

    index: int
    state: str
    """``preparing``, ``running``, ``done``, ``failed``, ``refused`` or ``retry``."""
    undo: dict[str, Any] = msgspec.field(default_factory=dict)


class JournalHead(msgspec.Struct, kw_only=True):
    """The journal's first line: the command and its whole plan."""

    command: str
    plan: Plan
    started: float = 0.0
    """Unix time the run started."""


class Journal(JournalHead, kw_only=True):
    """A run's journal: its plan, every step's last state and, once closed, the outcome."""

    steps: list[StepRecord] = msgspec.field(default_factory=list)
    outcome: str | None = None
    report: ApplyReport | None = None

    def states(self) -> dict[int, str]:
        """Step index -> last recorded state."""
        return {record.index: record.state for record in self.steps}


def pending_journal(root: Path) -> Journal | None:
    """The journal of an interrupted run, or None."""
    path = root / STATE_DIR / JOURNAL
    if not path.is_file():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    if not lines:
        return None
    number = 1
    try:
        head = decode(JournalHead, lines[0])
        records: dict[int, StepRecord] = {}
        for number in range(2, len(lines) + 1):  # 1-based, for the error
            record = decode(StepRecord, lines[number - 1])
            records[record.index] = record
    except msgspec.DecodeError as exc:  # bad JSON, or a record that does not fit (ValidationError)
        raise JournalError(
            f"{path} cannot be read: line {number}: {exc}",
            hint="move it aside by hand once you know what the interrupted run did",
        ) from None
    fields = msgspec.structs.asdict(head)
    return Journal(**fields, steps=[records[i] for i in sorted(records)])


def command_matches(pending: str, wanted: str | None) -> bool:
    """Whether a journal of ``pending`` (``bump --dev --all``) is one ``wanted`` may resume.

    ``wanted`` is the command's leading words (``bump``, ``promote prod``,
    ``promote``); None (``release-tool resume``) resumes any command.
    """
    if wanted is None:
        return True
    return pending.split()[: len(wanted.split())] == wanted.split()


def command_family(command: str) -> str:
    """The words naming a plan's command: ``promote prod`` of ``promote prod --all``."""
    words = command.split()
    return " ".join(words[:2] if words[:1] == ["promote"] else words[:1])


def require_journal(root: Path, command: str | None = None) -> Journal:
    """The pending journal, which must belong to ``command`` (None: any command)."""
    journal = pending_journal(root)
    if journal is None:
        raise NotFoundError("no interrupted run to resume (no .release-tool/journal.jsonl)")
    if not command_matches(journal.command, command):
        family = command_family(journal.command)
        raise LockedError(
            f"no interrupted `{command}` run to resume: the pending run is `{journal.command}`",
            hint=f"finish it with `release-tool {family} --resume` (or `release-tool resume`), "
            "or undo it with `release-tool resume --abort`",
        )
    return journal
