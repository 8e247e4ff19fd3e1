"""What ``bump``, ``promote`` and ``resume`` share: showing a plan, applying it, reporting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from release_tool.cli.options import flag

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.cli.context import AppState
    from release_tool.cli.terminal import Terminal
    from release_tool.core.journal import ApplyReport
    from release_tool.core.plan import Plan, Step

changed_option = flag("changed", "Members with commits since their latest tag.")
all_option = click.option("--all", "all_", is_flag=True, help="Every member of the workspace.")
dry_run_option = flag(
    "dry-run", "Print the plan; change nothing, call no LLM and no network.", "-n"
)
push_option = flag("push", "Push branches and tags (git push --atomic, members first).")
resume_option = flag("resume", "Finish an interrupted run from its journal.")


def dry_by_default(app_state: AppState) -> bool:
    """``dry-run = true`` in the config, read leniently: resuming must work on a broken tree."""
    from release_tool.errors import ReleaseToolError

    try:
        return app_state.workspace().config.dry_run
    except ReleaseToolError:
        return False


def publisher() -> Any:
    """The publisher for PUBLISH steps (GitHub releases), wired to the git and GitHub ports."""
    from functools import partial

    from release_tool.adapters.git import Repo
    from release_tool.adapters.github import connect
    from release_tool.core.github_release import publish_step

    return partial(publish_step, open_repo=Repo, connect=connect)


def run_plan(term: Terminal, root: Path, plan: Plan, *, as_json: bool) -> None:
    """Show ``plan``; unless it is a dry-run plan, apply it and report what was done.

    A failed apply raises ``ApplyFailedError``; with ``--json`` the entry
    point prints it as an error document holding the report.
    """
    from release_tool.cli.output import PlanOutput, document
    from release_tool.core.journal import apply_plan, pending_journal
    from release_tool.errors import LockedError

    pending = pending_journal(root)
    if pending is not None:
        message = f"an interrupted run ({pending.command}) awaits --resume"
        if not plan.dry_run:
            raise LockedError(
                message, hint="finish it with `release-tool resume`, or undo it with --abort"
            )
        term.warn(message)
    if plan.dry_run or plan.empty:
        if as_json:
            term.json(document(PlanOutput(dry_run=plan.dry_run, plan=plan)))
        else:
            for line in plan.render():
                term.text(line)
        return
    if not as_json:
        for line in plan.render():
            term.info(line)
    report = apply_plan(root, plan, progress=_progress(term), publisher=publisher())
    _report(term, plan, report, as_json)


def run_resume(
    term: Terminal, root: Path, *, as_json: bool, command: str | None, dry_run: bool
) -> None:
    """Finish the interrupted run of ``command`` (None: any); ``dry_run`` only shows it."""
    from release_tool.core.journal import pending_journal, resume

    if dry_run:
        show_pending(term, root, as_json=as_json, command=command)
        return
    journal = pending_journal(root)
    if journal is not None:
        term.info(f"resuming: {journal.command}")
    report = resume(root, progress=_progress(term), publisher=publisher(), command=command)
    assert journal is not None  # resume() raised NotFoundError otherwise
    _report(term, journal.plan, report, as_json)


def show_pending(term: Terminal, root: Path, *, as_json: bool, command: str | None) -> None:
    """What ``resume`` would do: the interrupted run's steps and which of them are done.

    Reads the journal only; refuses like ``resume`` when it belongs to
    another command than ``command``.
    """
    from release_tool.cli.output import PendingOutput, PendingStep, document
    from release_tool.core.journal import require_journal

    journal = require_journal(root, command)
    states = journal.states()
    rows = [
        PendingStep(index=i + 1, step=step.summary, state=states.get(i, "pending"))
        for i, step in enumerate(journal.plan.steps)
    ]
    if as_json:
        term.json(document(PendingOutput(command=journal.command, steps=rows)))
        return
    term.text(f"interrupted run: {journal.command}")
    for row in rows:
        term.text(f"  {row.index:>3}. [{row.state}] {row.step}")
    term.info("resume would finish the steps not done; `resume --abort` would undo the done ones")


def _report(term: Terminal, plan: Plan, report: ApplyReport, as_json: bool) -> None:
    from release_tool.cli.output import PlanOutput, document

    if as_json:
        term.json(document(PlanOutput(dry_run=False, plan=plan, applied=report)))
        return
    term.success(f"{plan.command}: {len(report.done)} step(s) done")
    for release in plan.releases:
        term.text(f"{release.member} {release.new_version} {release.tag or ''}".rstrip())


def _progress(term: Terminal) -> Any:
    def show(index: int, step: Step, event: str) -> None:
        if event == "done":
            term.info(f"  ✓ {index + 1}. {step.summary}")
        elif event == "undone":
            term.info(f"  ↩ undone {index + 1}. {step.summary}")

    return show


def parse_selection(members: tuple[str, ...], changed: bool, all_: bool) -> Any:
    """The ``Selection`` from the shared member options (names, ``--changed``, ``--all``)."""
    from release_tool.core.selection import Selection

    if all_ and members:
        raise click.BadParameter("--all cannot be combined with member names")
    return Selection(names=tuple(members or ()), changed=changed, all=all_)
