"""Apply a plan with a journal: roll back on failure, resume after a crash, one run at a time.

The journal (``.release-tool/journal.jsonl``) is append-only: its first
line holds the whole plan, every further line one step's state (preparing,
running, done, failed) with what undoing it needs. A line is written and
flushed before and after every step, so a process killed at any point
leaves enough to ``resume`` or ``abort``; appending keeps the cost per
step constant however large the plan. Runs hold the workspace lock
(``core.run_state``); the journal's lines are msgspec structs
(``core.journal_records``), validated when read.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import msgspec

from release_tool.adapters.toml_files import write_text_atomic
from release_tool.core.journal_records import (
    JOURNAL,
    LAST_JOURNAL,
    ApplyReport,
    Journal,
    JournalHead,
    StepRecord,
    command_family,
    command_matches,
    pending_journal,
    require_journal,
)
from release_tool.core.jsonable import encode
from release_tool.core.plan import Plan, Step, StepKind
from release_tool.core.run_state import LOCK, LOCK_OWNER, STATE_DIR, state_dir, workspace_lock
from release_tool.core.step_runner import Publisher, StepRunner
from release_tool.errors import ApplyError, LockedError, ReleaseToolError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [  # the records and the lock live in their own modules; callers may import here
    "JOURNAL",
    "LAST_JOURNAL",
    "LOCK",
    "LOCK_OWNER",
    "STATE_DIR",
    "ApplyFailedError",
    "ApplyReport",
    "Journal",
    "StepRecord",
    "abort",
    "apply_plan",
    "command_family",
    "command_matches",
    "pending_journal",
    "require_journal",
    "resume",
    "state_dir",
    "workspace_lock",
]

KILL_AFTER_ENV = "RELEASE_TOOL_KILL_AFTER_STEP"
"""Testing seam: SIGKILL this process right after step N (1-based) is journaled as done."""

Progress = Callable[[int, Step, str], None]


class ApplyFailedError(ApplyError):
    """A step failed; the report says what failed and what was rolled back."""

    def __init__(self, report: ApplyReport) -> None:
        super().__init__(
            report.describe_failure(),
            hint="nothing of this run is left behind"
            if not report.undo_errors
            else "see the lines above; the journal is kept in .release-tool/last-journal.json",
        )
        self.report = report


def apply_plan(
    root: Path,
    plan: Plan,
    *,
    progress: Progress | None = None,
    publisher: Publisher | None = None,
) -> ApplyReport:
    """Run every step of ``plan`` under the lock; on failure undo local steps and remote pushes.

    Raises ``ApplyFailedError`` (with the report) when a step failed, and
    ``LockedError`` when another run is active or an interrupted one
    awaits ``resume``/``abort``.
    """
    with workspace_lock(root, plan.command):
        if pending_journal(root) is not None:
            raise LockedError(
                "an interrupted run left a journal in .release-tool/journal.jsonl",
                hint="finish it with --resume, or undo it with `release-tool resume --abort`",
            )
        if plan.dry_run:
            raise ApplyError("a dry-run plan is never applied (it was built read-only)")
        head = JournalHead(command=plan.command, plan=plan, started=time.time())
        folder = state_dir(root)
        write_text_atomic(folder / JOURNAL, encode(head).decode() + "\n")
        journal = Journal(command=head.command, plan=head.plan, started=head.started)
        return _run(root, plan, journal, progress, publisher)


def resume(
    root: Path,
    *,
    progress: Progress | None = None,
    publisher: Publisher | None = None,
    command: str | None = None,
) -> ApplyReport:
    """Finish the interrupted run recorded in the journal, from its first unfinished step.

    With ``command`` (``bump``, ``promote prod``) only a journal of that
    command is resumed; another one is refused with ``LockedError`` naming it.
    """
    require_journal(root, command)  # refuse another command's journal before locking anything
    with workspace_lock(root, "resume"):
        journal = require_journal(root, command)
        plan = journal.plan
        runner = StepRunner(root, state_dir(root), publisher)
        kept = []
        for record in journal.steps:  # steps that were running when the process died
            if record.state == "done":
                kept.append(record)
            elif record.state in ("running", "failed") and runner.already_done(
                plan.steps[record.index], record.undo
            ):
                record.state = "done"
                kept.append(record)
            elif record.state != "preparing" and record.undo:
                record.state = "retry"  # run again, with the undo data taken before
                kept.append(record)
        journal.steps = kept
        start = sum(1 for r in kept if r.state == "done")
        report = _run(root, plan, journal, progress, publisher)
        report.resumed_from = start + 1
        return report


def abort(root: Path, *, guard: Callable[[Path, Plan, Journal], None] | None = None) -> ApplyReport:
    """Undo every step of the interrupted run recorded in the journal.

    ``guard`` runs first and may refuse (``core.abort_policy``: published
    refs are not deleted without an explicit flag and a confirmation).
    """
    with workspace_lock(root, "abort"):
        journal = require_journal(root)
        plan = journal.plan
        if guard is not None:
            guard(root, plan, journal)
        report = ApplyReport(command=plan.command)
        _rollback(root, plan, journal, report, None)
        _close(root, journal, "aborted")
        return report


def _run(
    root: Path,
    plan: Plan,
    journal: Journal,
    progress: Progress | None,
    publisher: Publisher | None,
) -> ApplyReport:
    """Run every step not done yet; member-repo chains run side by side, all else in order."""
    folder = state_dir(root)
    state = _RunState(
        runner=StepRunner(root, folder, publisher),
        folder=folder,
        plan=plan,
        records={r.index: r for r in journal.steps},
        journal=journal,
        progress=progress,
        kill_after=int(os.environ.get(KILL_AFTER_ENV, "0") or 0),
    )
    report = state.report
    report.done = [
        plan.steps[i].summary for i, r in sorted(state.records.items()) if r.state == "done"
    ]
    for chains in _segments(plan):
        todo = [
            [i for i in chain if i not in state.records or state.records[i].state != "done"]
            for chain in chains
        ]
        todo = [chain for chain in todo if chain]
        if len(todo) > 1:
            with ThreadPoolExecutor(max_workers=min(PARALLEL_REPOS, len(todo))) as pool:
                list(pool.map(state.run_chain, todo))
        else:
            for chain in todo:
                state.run_chain(chain)
        if state.failed_index is not None:
            break
    if state.failed_index is not None:
        journal.steps = [state.records[i] for i in sorted(state.records)]
        if _after_last_push(plan, state.failed_index):
            # Pushed refs are public now: keep them, let --resume retry the rest.
            report.undo_errors.append("pushes are kept; run with --resume to retry")
            raise ApplyFailedError(report)
        _rollback(root, plan, journal, report, progress)
        _close(root, journal, "rolled-back", report)
        raise ApplyFailedError(report)
    journal.steps = [state.records[i] for i in sorted(state.records)]
    _close(root, journal, "done", report)
    return report


PARALLEL_REPOS = 4
"""How many member repos get their release commits and tags at the same time."""


def _segments(plan: Plan) -> list[list[list[int]]]:
    """Split the steps into segments run one after another; each is a list of chains.

    A run of edit/commit/tag steps forms one segment: one chain per member
    repo (those run side by side, each in order), then the root repo's
    steps in order (git in the superproject may look into submodules, so it
    never runs while they are being written). Every other step (locks,
    pushes, publishing) is a segment of its own.
    """
    local = {StepKind.EDIT, StepKind.COMMIT, StepKind.TAG}
    segments: list[list[list[int]]] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        chains: dict[str, list[int]] = {}
        for index in run:
            chains.setdefault(plan.steps[index].repo, []).append(index)
        root_chain = chains.pop(".", None)
        if chains:
            segments.append(list(chains.values()))
        if root_chain:
            segments.append([root_chain])
        run.clear()

    for index, step in enumerate(plan.steps):
        if step.kind in local:
            run.append(index)
        else:
            flush()
            segments.append([[index]])
    flush()
    return segments


@dataclass
class _RunState:
    """Shared by the threads of one apply: journal records, the report, the first failure."""

    runner: StepRunner
    folder: Path
    plan: Plan
    records: dict[int, StepRecord]
    journal: Journal
    progress: Progress | None
    kill_after: int
    report: ApplyReport = field(init=False)
    failed_index: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.report = ApplyReport(command=self.plan.command)

    def run_chain(self, chain: list[int]) -> None:
        for index in chain:
            if self.failed_index is not None:
                return  # another chain failed: start nothing new
            if not self.run_step(index):
                return

    def run_step(self, index: int) -> bool:
        step = self.plan.steps[index]
        with self.lock:
            if self.progress:
                self.progress(index, step, "start")
            record = self.records.get(index)
            if record is None:
                record = self.records[index] = StepRecord(index=index, state="preparing")
        try:
            if record.state == "preparing":
                record.undo = self.runner.prepare(index, step)
            record.state = "running"
            with self.lock:
                _save(self.folder, record)
            record.undo.update(self.runner.run(step, record.undo))
        except (ReleaseToolError, OSError) as exc:
            with self.lock:
                # refused in prepare: the step did nothing, so there is nothing to undo
                record.state = "refused" if record.state == "preparing" else "failed"
                _save(self.folder, record)
                if self.failed_index is None:
                    self.failed_index = index
                    self.report.fail(f"{index + 1}. {step.summary}", str(exc))
            return False
        with self.lock:
            record.state = "done"
            _save(self.folder, record)
            self.report.done.append(step.summary)
            if self.progress:
                self.progress(index, step, "done")
            finished = sum(1 for r in self.records.values() if r.state == "done")
            if self.kill_after and finished == self.kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
        return True


def _rollback(
    root: Path,
    plan: Plan,
    journal: Journal,
    report: ApplyReport,
    progress: Progress | None,
) -> None:
    """Undo recorded steps in reverse: remote pushes first, then tags, commits and files."""
    runner = StepRunner(root, state_dir(root))
    records = [r for r in journal.steps if r.state not in ("preparing", "refused")]
    ordered = sorted(
        records, key=lambda r: (plan.steps[r.index].kind is not StepKind.PUSH, -r.index)
    )
    for record in ordered:
        step = plan.steps[record.index]
        try:
            line = runner.undo(step, record.undo)
        except (ReleaseToolError, OSError) as exc:
            report.undo_errors.append(f"{step.summary}: {exc}")
            continue
        if line:
            report.undone.append(line)
            if progress:
                progress(record.index, step, "undone")


def _after_last_push(plan: Plan, index: int) -> bool:
    pushes = [i for i, s in enumerate(plan.steps) if s.kind is StepKind.PUSH]
    return bool(pushes) and index > pushes[-1]


def _save(folder: Path, record: StepRecord) -> None:
    """Append one step's state to the journal (the last line per step wins)."""
    with open(folder / JOURNAL, "a", encoding="utf-8") as handle:
        handle.write(encode(record).decode() + "\n")
        handle.flush()


def _close(root: Path, journal: Journal, outcome: str, report: ApplyReport | None = None) -> None:
    """Move the journal aside as ``last-journal.json`` with its outcome and report."""
    folder = state_dir(root)
    journal.outcome = outcome
    journal.report = report
    write_text_atomic(
        folder / LAST_JOURNAL, msgspec.json.format(encode(journal), indent=1).decode()
    )
    (folder / JOURNAL).unlink(missing_ok=True)
    backups = folder / "backups"
    if backups.is_dir():
        for item in backups.iterdir():
            item.unlink()
