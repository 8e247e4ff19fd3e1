"""Turn decided releases into plan steps: edits, commits, tags, pins, locks, pushes.

``release`` decides who gets which version; this module knows how a
release is written down: one commit per repo (all folder members of the
root repo together), its tags, the next dev cycle after a stable release,
the re-pinned modes with one ``uv lock`` each, the root commit (modes,
submodule pointers, dev lock) and the atomic pushes, member repos first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.core import pin_edits
from release_tool.core.mode_steps import mode_steps, pin_update, root_commit, status_pinned
from release_tool.core.pending_push import PendingPushes, pending_pushes, publish_steps
from release_tool.core.plan import (
    ConstraintUpdate,
    PinChange,
    Plan,
    PlannedNotes,
    Release,
    Step,
    StepKind,
)
from release_tool.core.release_texts import release_texts
from release_tool.core.selection import (
    NEXT_DEV_SUBJECT,
    Selection,
    preflight_repos,
    preflight_tags,
    repo_rel,
)
from release_tool.core.status import MemberStatus, TagRef, WorkspaceStatus, load_modes
from release_tool.core.versions import BumpPart, next_dev_cycle

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.ports import RepoOpener
    from release_tool.core.workspace import Member, Workspace


@dataclass(frozen=True)
class ReleaseOptions:
    """Command-line choices shared by ``bump`` and ``promote``."""

    selection: Selection
    parts: tuple[BumpPart, ...] = ()
    force: bool = False
    push: bool = False
    github_release: bool = False
    changelog: bool = True
    release_head: bool = False
    """``promote prod``: release HEAD even when it has commits staging never saw."""
    dry_run: bool = False
    """Plan read-only: no LLM call, no cache write, no network (remote tags not checked)."""


@dataclass
class ReleaseChange:
    """One member's decided release, filled in while its steps are written."""

    member: Member
    row: MemberStatus
    new: Version
    reason: str
    updates: list[tuple[str, str, str]] = field(default_factory=list)
    tag: str = ""
    released_text: str = ""
    notes: PlannedNotes | None = None


def build_plan(
    workspace: Workspace,
    status: WorkspaceStatus,
    changes: list[ReleaseChange],
    options: ReleaseOptions,
    command: str,
    *,
    modes: list[str],
    next_dev: bool = False,
    notes: list[str] | None = None,
    open_repo: RepoOpener,
) -> Plan:
    notes = list(notes or [])
    if not changes:
        notes = notes or ["no member needs a release"]
        return Plan(command=command, notes=tuple(notes), dry_run=options.dry_run)
    mode_states = load_modes(workspace)
    remote = workspace.config.git_remote
    for change in changes:
        change.tag = change.member.tag_scheme.format(change.new)
    repos = [repo_rel(workspace, c.member) for c in changes]
    branches = preflight_repos(workspace, [*repos, "."], open_repo)
    planned_tags: dict[str, list[str]] = {}
    for change in changes:
        tags = planned_tags.setdefault(repo_rel(workspace, change.member), [])
        if change.tag not in tags:  # a lockstep group shares one tag
            tags.append(change.tag)
    local_tags = {rel: set(open_repo(workspace.root / rel).tags()) for rel in planned_tags}
    pushed_to = remote if options.push and not options.dry_run else None
    preflight_tags(workspace, planned_tags, local_tags, remote=pushed_to, open_repo=open_repo)
    if options.push and options.dry_run:
        notes.append(f"dry run: tags on {remote} not checked (no network)")

    steps: list[Step] = []
    stripped: set[str] = set()
    steps += _release_steps(workspace, changes, options, stripped)
    if next_dev:
        steps += _next_dev_steps(workspace, changes)
    mode_updates: dict[str, list[pin_edits.PinUpdate]] = {}
    pin_rows: list[tuple[str, str, str | None, str]] = []
    touched_modes = []
    for mode in modes:
        state = mode_states[mode]
        if not state.present:
            notes.append(f"{mode}: no {state.path.name}/pyproject.toml; not pinned")
            continue
        for change in changes:
            pinned = state.pins.get(change.member.name)
            if mode == "staging" and next_dev:
                # after a stable release staging must not stay behind prod
                old = status_pinned(workspace, change.member, pinned, open_repo)
                if old is not None and old >= change.new:
                    continue
            mode_updates.setdefault(mode, []).append(
                pin_update(workspace, change.member, change.tag, mode_states)
            )
            pin_rows.append((mode, change.member.name, pinned.ref if pinned else None, change.tag))
        if mode in mode_updates:
            touched_modes.append(mode)
    root_pyproject_edit = None
    if stripped:
        text = (workspace.root / "pyproject.toml").read_text(encoding="utf-8")
        new = pin_edits.ensure_workspace_sources(text, sorted(stripped), "pyproject.toml")
        if new != text:
            root_pyproject_edit = Step(
                StepKind.EDIT,
                "edit pyproject.toml: workspace sources for " + ", ".join(sorted(stripped)),
                path="pyproject.toml",
                content=new,
            )
    lock_dev = (workspace.root / "uv.lock").is_file()
    if root_pyproject_edit:
        steps.append(root_pyproject_edit)
    steps += mode_steps(workspace, mode_updates, mode_states, lock_dev=lock_dev)
    pointer_paths = sorted({c.member.rel_path for c in changes if c.member.layout.has_own_repo})
    if touched_modes or pointer_paths or lock_dev or root_pyproject_edit is not None:
        steps.append(
            root_commit(
                touched_modes, pointer_paths, lock_dev, root_pyproject_edit is not None, pin_rows
            )
        )
    if options.push:
        written = {repo_rel(workspace, c.member) for c in changes} | {"."}
        steps += publish_steps(
            workspace,
            # a dry run reads no remote: it shows this run's pushes only
            PendingPushes() if options.dry_run else pending_pushes(workspace, open_repo, remote),
            branches={rel: branches[rel] for rel in written},
            planned_tags=planned_tags,
            remote=remote,
        )
    if options.github_release:
        steps.append(
            Step(
                StepKind.PUBLISH,
                "publish GitHub releases for " + ", ".join(dict.fromkeys(c.tag for c in changes)),
                tags=tuple(dict.fromkeys(c.tag for c in changes)),
            )
        )
    releases = tuple(
        Release(
            member=c.member.name,
            old_version=str(c.member.version),
            new_version=str(c.new),
            tag=c.tag,
            repo=repo_rel(workspace, c.member),
            reason=c.reason,
            constraint_updates=tuple(ConstraintUpdate(*u) for u in c.updates),
        )
        for c in changes
    )
    return Plan(
        command=command,
        releases=releases,
        steps=tuple(steps),
        pins=tuple(PinChange(*row) for row in pin_rows),
        notes=tuple(notes),
        release_notes=tuple(c.notes for c in changes if c.notes is not None),
        dry_run=options.dry_run,
    )


def _release_steps(
    workspace: Workspace, changes: list[ReleaseChange], options: ReleaseOptions, stripped: set[str]
) -> list[Step]:
    """Edits, one commit per repo and the annotated tags of the releases."""
    by_repo: dict[str, list[ReleaseChange]] = {}
    for change in changes:
        by_repo.setdefault(repo_rel(workspace, change.member), []).append(change)
    steps: list[Step] = []
    order = [r for r in by_repo if r != "."] + (["."] if "." in by_repo else [])
    for rel in order:
        group = by_repo[rel]
        paths: list[str] = []
        messages = {}
        for change in group:
            member = change.member
            edit = _pyproject_edit(change, rel, stripped)
            if edit is not None:
                steps.append(edit)
                paths.append(_in_repo(workspace, member, "pyproject.toml"))
            previous = notes_start(change.row, change.new)
            texts = release_texts(
                workspace,
                member,
                change.new,
                previous_tag=previous.name if previous else None,
                changelog=options.changelog and not change.new.is_prerelease,
                dry_run=options.dry_run,
            )
            change.notes = PlannedNotes(
                member.name, change.tag, texts.source, texts.commits, not options.dry_run
            )
            messages[change.tag] = texts.message
            changelog = texts.changelog
            if changelog is not None:
                steps.append(
                    Step(
                        StepKind.EDIT,
                        f"edit {member.rel_path}/CHANGELOG.md: {change.new}",
                        repo=rel,
                        path=f"{member.rel_path}/CHANGELOG.md",
                        content=changelog,
                    )
                )
                paths.append(_in_repo(workspace, member, "CHANGELOG.md"))
        title = ", ".join(f"{c.member.display_name} {c.new}" for c in group)
        if paths:  # VCS-versioned members without requirement edits: a tag, no commit
            steps.append(
                Step(
                    StepKind.COMMIT,
                    f"commit in {rel}: release {title}",
                    repo=rel,
                    paths=tuple(paths),
                    message=f"release: {title}\n",
                )
            )
        tags = list(dict.fromkeys(c.tag for c in group))  # a lockstep group shares one tag
        steps.append(
            Step(
                StepKind.TAG,
                f"tag {', '.join(tags)} in {rel}",
                repo=rel,
                tags=tuple(tags),
                messages=tuple(messages[t] for t in tags),
            )
        )
    return steps


def notes_start(row: MemberStatus, new: Version) -> TagRef | None:
    """Where a release's notes start: the previous stable tag for a stable release.

    A stable release covers its whole cycle (every dev release in it); a
    dev or pre-release covers what came since the previous tag of any kind.
    """
    if new.is_prerelease:
        return row.latest_tag
    return row.latest_stable


def _pyproject_edit(change: ReleaseChange, rel: str, stripped: set[str]) -> Step | None:
    """The release edit of a member's pyproject: version and requirements.

    A VCS-versioned member's version is its tag, so only changed requirements
    are written (and nothing when there are none).
    """
    member = change.member
    text = member.pyproject.read_text(encoding="utf-8")
    updates = {old: nw for _, old, nw in change.updates}
    if member.vcs_version:
        change.released_text = text
        if not updates:
            return None
        new = pin_edits.update_requirements(text, updates, str(member.pyproject))
        what = f"{len(updates)} requirement(s)"
    else:
        new, removed = pin_edits.release_edit(text, str(change.new), updates, str(member.pyproject))
        stripped.update(removed)
        what = f"version {member.version} -> {change.new}" + (
            f", {len(updates)} requirement(s)" if updates else ""
        )
    change.released_text = new
    return Step(
        StepKind.EDIT,
        f"edit {member.rel_path}/pyproject.toml: {what}",
        repo=rel,
        path=f"{member.rel_path}/pyproject.toml",
        content=new,
    )


def _next_dev_steps(workspace: Workspace, changes: list[ReleaseChange]) -> list[Step]:
    """After stable releases: ``x.y.(z+1).dev0`` in each member, one commit per repo."""
    by_repo: dict[str, list[ReleaseChange]] = {}
    for change in changes:
        by_repo.setdefault(repo_rel(workspace, change.member), []).append(change)
    steps: list[Step] = []
    for rel in [r for r in by_repo if r != "."] + (["."] if "." in by_repo else []):
        group = [c for c in by_repo[rel] if not c.member.vcs_version]  # tags make VCS versions
        if not group:
            continue
        paths = []
        for change in group:
            member = change.member
            dev = next_dev_cycle(change.new)
            steps.append(
                Step(
                    StepKind.EDIT,
                    f"edit {member.rel_path}/pyproject.toml: version {change.new} -> {dev}",
                    repo=rel,
                    path=f"{member.rel_path}/pyproject.toml",
                    content=pin_edits.set_version(change.released_text, str(dev)),
                )
            )
            paths.append(_in_repo(workspace, member, "pyproject.toml"))
        title = ", ".join(f"{c.member.display_name} {next_dev_cycle(c.new)}" for c in group)
        steps.append(
            Step(
                StepKind.COMMIT,
                f"commit in {rel}: start {title}",
                repo=rel,
                paths=tuple(paths),
                message=f"{NEXT_DEV_SUBJECT}: {title}\n",
            )
        )
    return steps


def _in_repo(workspace: Workspace, member: Member, name: str) -> str:
    """``name`` in the member folder, relative to where the step's git runs (see ``repo_rel``)."""
    repo = member.repo_root if member.layout.has_own_repo and member.repo_root else workspace.root
    return (member.path / name).relative_to(repo).as_posix()
