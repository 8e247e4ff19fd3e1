"""What ``bump``, ``promote`` and ``resume`` share: showing a plan, applying it, reporting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.cli.terminal import Terminal
    from release_tool.core.journal import ApplyReport
    from release_tool.core.plan import Plan, Step

MembersArg = Annotated[
    list[str] | None, typer.Argument(help="Members to release (or use --changed / --all).")
]
ChangedOpt = Annotated[
    bool, typer.Option("--changed", help="Members with commits since their latest tag.")
]
AllOpt = Annotated[bool, typer.Option("--all", help="Every member of the workspace.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="Print the plan; change nothing.")]
PushOpt = Annotated[
    bool,
    typer.Option("--push", help="Push branches and tags (git push --atomic, members first)."),
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Finish an interrupted run from its journal.")
]


def publisher() -> Any:
    """The publisher for PUBLISH steps (GitHub releases)."""
    from release_tool.core.github_release import publish_step

    return publish_step


def run_plan(term: Terminal, root: Path, plan: Plan, *, dry_run: bool, as_json: bool) -> None:
    """Show ``plan``; unless ``dry_run``, apply it and report what was done."""
    from release_tool.core.journal import apply_plan, pending_journal
    from release_tool.errors import LockedError

    pending = pending_journal(root)
    if pending is not None:
        message = f"an interrupted run ({pending['command']}) awaits --resume"
        if not dry_run:
            raise LockedError(
                message, hint="finish it with `release-tool resume`, or undo it with --abort"
            )
        term.warn(message)
    if dry_run or plan.empty:
        if as_json:
            term.json({"dry_run": dry_run, "plan": plan.to_json(), "applied": None})
        else:
            for line in plan.render():
                term.text(line)
        return
    if not as_json:
        for line in plan.render():
            term.info(line)
    from release_tool.core.journal import ApplyFailedError

    try:
        report = apply_plan(root, plan, progress=_progress(term), publisher=publisher())
    except ApplyFailedError as exc:
        if as_json:  # what failed and what was undone, for machines too
            term.json({"dry_run": False, "plan": plan.to_json(), "applied": exc.report.to_json()})
        raise
    _report(term, plan, report, as_json)


def run_resume(term: Terminal, root: Path, *, as_json: bool) -> None:
    """Finish the interrupted run of the journal."""
    from release_tool.core.journal import pending_journal, resume
    from release_tool.core.plan import Plan

    journal = pending_journal(root)
    if journal is not None:
        term.info(f"resuming: {journal['command']}")
    report = resume(root, progress=_progress(term), publisher=publisher())
    plan = Plan.from_json(journal["plan"]) if journal else Plan(command="resume")
    _report(term, plan, report, as_json)


def _report(term: Terminal, plan: Plan, report: ApplyReport, as_json: bool) -> None:
    if as_json:
        term.json({"dry_run": False, "plan": plan.to_json(), "applied": report.to_json()})
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


def parse_selection(members: list[str] | None, changed: bool, all_: bool) -> Any:
    """The ``Selection`` from the shared member options (names, ``--changed``, ``--all``)."""
    from release_tool.core.selection import Selection

    if all_ and members:
        raise typer.BadParameter("--all cannot be combined with member names")
    return Selection(names=tuple(members or ()), changed=changed, all=all_)
