"""The journal's records as pydantic models, and reading the journal of an interrupted run.

``.release-tool/journal.jsonl``: the first line is a ``JournalHead`` (the
command and its whole plan), every further line a ``StepRecord`` (the last
line per step wins). A closed run is kept as ``last-journal.json`` (a
``Journal`` with its outcome and ``ApplyReport``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError, computed_field

from release_tool.core.plan import Plan
from release_tool.core.run_state import JOURNAL, STATE_DIR
from release_tool.errors import JournalError, LockedError, NotFoundError

if TYPE_CHECKING:
    from pathlib import Path

LAST_JOURNAL = "last-journal.json"


class ApplyReport(BaseModel):
    """What an apply did: steps done, the step that failed and why, what was undone."""

    command: str
    done: list[str] = Field(default_factory=list)
    failed: str | None = None
    error: str | None = None
    undone: list[str] = Field(default_factory=list)
    undo_errors: list[str] = Field(default_factory=list)
    resumed_from: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.failed is None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def describe_failure(self) -> str:
        lines = [f"step failed: {self.failed}", f"  {self.error}"]
        if self.undone:
            lines.append("rolled back:")
            lines += [f"  {line}" for line in self.undone]
        if self.undo_errors:
            lines.append("could NOT undo (fix by hand):")
            lines += [f"  {line}" for line in self.undo_errors]
        return "\n".join(lines)


class StepRecord(BaseModel):
    """One step's state in the journal and what undoing it needs (one JSON line each)."""

    index: int
    state: str
    """``preparing``, ``running``, ``done``, ``failed``, ``refused`` or ``retry``."""
    undo: dict[str, Any] = Field(default_factory=dict)


class JournalHead(BaseModel):
    """The journal's first line: the command and its whole plan."""

    command: str
    plan: Plan
    started: float = 0.0
    """Unix time the run started."""


class Journal(JournalHead):
    """A run's journal: its plan, every step's last state and, once closed, the outcome."""

    steps: list[StepRecord] = Field(default_factory=list)
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
    try:
        head = JournalHead.model_validate_json(lines[0])
        records: dict[int, StepRecord] = {}
        for line in lines[1:]:
            record = StepRecord.model_validate_json(line)
            records[record.index] = record
    except ValidationError as exc:
        raise JournalError(
            f"{path} cannot be read: {exc.error_count()} problem(s), first: "
            f"{exc.errors()[0]['msg']}",
            hint="move it aside by hand once you know what the interrupted run did",
        ) from None
    return Journal(**dict(head), steps=[records[i] for i in sorted(records)])


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
