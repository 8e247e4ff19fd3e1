"""What ``resume --abort`` may undo: never what is already public, unless told twice.

Once a run pushed a tag or a branch (or published a GitHub release),
others may have fetched it, CI may have built it and prod may pin it.
Undoing the local steps of such a run is fine; deleting the published
refs is not something to do silently. So an abort of a run with
published refs stops and lists them (``release-tool resume`` finishes the
run forward instead), and deletes them only with an explicit flag and a
confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.adapters.git import Repo
from release_tool.core.plan import Plan, StepKind
from release_tool.errors import PlanRefusedError, ReleaseToolError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from release_tool.core.journal_records import Journal

_STARTED = ("running", "failed", "done", "retry")


class PublishedRefsError(PlanRefusedError):
    """The interrupted run already published refs; aborting would un-publish them."""


def published_refs(root: Path, plan: Plan, journal: Journal) -> list[str]:
    """``repo: ref`` for each ref this run pushed that the remote still holds at the pushed value.

    Done GitHub publish steps are listed too (``github: releases for ...``).
    An unreachable remote counts its pushed refs as published (we cannot
    tell otherwise, and assuming so is the safe side).
    """
    found: list[str] = []
    for record in journal.steps:
        step = plan.steps[record.index]
        if record.state not in _STARTED:
            continue
        if step.kind is StepKind.PUBLISH and record.state == "done":
            found.append("github: releases for " + ", ".join(step.tags))
            continue
        undo = record.undo or {}
        if step.kind is not StepKind.PUSH or "after" not in undo:
            continue
        before: dict[str, str | None] = undo.get("before", {})
        after: dict[str, str] = undo["after"]
        moved = [ref for ref, new in after.items() if before.get(ref) != new]
        if not moved:
            continue
        try:
            now = Repo(root / step.repo).remote_refs(step.remote or "origin", moved)
        except ReleaseToolError:
            now = {ref: after[ref] for ref in moved}
        found += [f"{step.repo}: {ref}" for ref in moved if now.get(ref) == after[ref]]
    return found


def abort_guard(
    *, delete_published: bool, confirm: Callable[[list[str]], bool]
) -> Callable[[Path, Plan, Journal], None]:
    """The check ``journal.abort`` runs before undoing anything.

    Without ``delete_published`` a run with published refs is refused,
    naming them; with it, ``confirm`` must agree (a prompt, or ``--yes``).
    """

    def guard(root: Path, plan: Plan, journal: Journal) -> None:
        published = published_refs(root, plan, journal)
        if not published:
            return
        listed = "\n  ".join(published)
        if not delete_published:
            raise PublishedRefsError(
                f"{plan.command}: these refs are already published:\n  {listed}",
                hint="finish the run instead: release-tool resume; to delete them anyway "
                "(others may have fetched them): release-tool resume --abort --delete-published",
            )
        if not confirm(published):
            raise PublishedRefsError(
                "not confirmed: nothing was undone", hint="the journal is kept; see above"
            )

    return guard
