"""What the remotes lack for a clone of the root to be whole, and the pushes that publish it.

A root commit names member commits (its submodule pointers) and tags (the
pins of ``staging/`` and ``prod/``). ``git clone --recurse-submodules``
and ``uv sync --frozen`` in a mode of that clone work only when every
remote holds all of them, so a push must publish whatever is missing, not
just what the current run made: after local ``bump``/``promote`` runs, a
later ``--push`` (or ``release-tool push``) publishes the earlier runs too.

Per repo: the current branch when the remote is behind it, and the tags
pinned in a mode or marking a release reachable from HEAD that the remote
does not have. Problems (nothing is forced): a local tag that differs from
the remote's, a branch that diverged, a submodule pointer no branch holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.core.plan import Plan, Step, StepKind
from release_tool.core.selection import RemoteUnreachableError, repo_rel
from release_tool.core.status import load_modes
from release_tool.errors import PlanRefusedError, ReleaseToolError

if TYPE_CHECKING:
    from release_tool.core.ports import GitRepo, RepoOpener
    from release_tool.core.workspace import Member, Workspace


@dataclass(frozen=True)
class PushProblem:
    """Something a push cannot fix by itself (it would need a force or a pull)."""

    repo: str
    message: str
    fix: str
    pointer: bool = False
    """About a submodule pointer (moot when the run re-points that submodule)."""


@dataclass
class RepoPending:
    """What one repo's remote lacks: its branch (if behind) and tags."""

    repo: str
    branch: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.branch is None and not self.tags


@dataclass
class PendingPushes:
    """Per repo (member repos first, the root last) what to push, and what blocks it."""

    repos: list[RepoPending] = field(default_factory=list)
    problems: list[PushProblem] = field(default_factory=list)
    missing_pins: list[tuple[str, str]] = field(default_factory=list)
    """(repo, tag) pinned by a mode but on neither side."""
    unpublished_pointers: list[tuple[str, str]] = field(default_factory=list)
    """(submodule path, commit) the member's remote does not hold yet."""

    def of(self, repo: str) -> RepoPending | None:
        return next((r for r in self.repos if r.repo == repo), None)

    @property
    def empty(self) -> bool:
        return all(r.empty for r in self.repos)


def pending_pushes(
    workspace: Workspace, open_repo: RepoOpener, remote: str | None = None
) -> PendingPushes:
    """Compare every repo of the workspace with its remote (one ``git ls-remote`` each).

    Raises ``RemoteUnreachableError`` when a configured remote cannot be
    read; a repo without that remote is skipped.
    """
    remote = remote or workspace.config.git_remote
    members_by_repo: dict[str, list[Member]] = {}
    for member in workspace.members.values():
        if member.repo_root is None:
            continue
        members_by_repo.setdefault(repo_rel(workspace, member), []).append(member)
    order = [*sorted(r for r in members_by_repo if r != "."), "."]
    pinned = _pinned_tags(workspace)
    root = open_repo(workspace.root) if workspace.is_git_repo else None
    pointers = root.gitlinks() if root is not None else {}
    result = PendingPushes()
    seen: dict[str, dict[str, str]] = {}
    for rel in order:
        path = workspace.root / rel
        if not (path / ".git").exists():
            continue
        repo = open_repo(path)
        if repo.remote_url(remote) is None:
            continue
        try:
            remote_refs = repo.remote_refs(remote, ["refs/heads/*", "refs/tags/*"])
        except ReleaseToolError as exc:
            raise RemoteUnreachableError(
                f"{rel}: cannot reach remote {remote!r}: {exc}",
                hint="check the network and the remote URL; nothing was changed",
            ) from None
        pending = RepoPending(rel)
        _branch(repo, rel, remote_refs, pending, result)
        head = repo.head()
        local_tags = repo.tags()  # name -> commit
        wanted = set(pinned.get(rel, ()))
        for member in members_by_repo.get(rel, []):
            wanted |= {
                tag
                for tag, commit in local_tags.items()
                if f"refs/tags/{tag}" not in remote_refs  # cheap tests first
                and member.tag_scheme.parse(tag) is not None
                and repo.is_ancestor(commit, head)
            }
        for tag in sorted(local_tags):
            ref = f"refs/tags/{tag}"
            if ref in remote_refs and repo.rev_parse(ref) != remote_refs[ref]:
                result.problems.append(
                    PushProblem(
                        rel,
                        f"tag {tag} differs from the one on {remote}",
                        f"git -C {rel} fetch {remote} --tags --force (keep the published tag)",
                    )
                )
        for tag in sorted(wanted):
            if f"refs/tags/{tag}" in remote_refs:
                continue
            if tag in local_tags:
                pending.tags.append(tag)
            elif tag in pinned.get(rel, ()):
                result.missing_pins.append((rel, tag))
        result.repos.append(pending)
        seen[rel] = remote_refs
    _pointers(workspace, open_repo, pointers, result, seen)
    return result


def _branch(
    repo: GitRepo,
    rel: str,
    remote_refs: dict[str, str],
    pending: RepoPending,
    result: PendingPushes,
) -> None:
    """Push the branch when the remote lacks it or is behind; a divergence is a problem."""
    branch = repo.branch()
    if branch is None or repo.is_unborn:
        return
    mine, theirs = repo.head(), remote_refs.get(f"refs/heads/{branch}")
    if mine == theirs:
        return
    if theirs is None or repo.is_ancestor(theirs, mine):
        pending.branch = branch
    elif not repo.is_ancestor(mine, theirs):
        result.problems.append(
            PushProblem(
                rel,
                f"branch {branch} and the remote's have diverged (or the remote's is not fetched)",
                f"git -C {rel} pull --rebase, then push again",
            )
        )


def _pointers(
    workspace: Workspace,
    open_repo: RepoOpener,
    pointers: dict[str, str],
    result: PendingPushes,
    seen: dict[str, dict[str, str]],
) -> None:
    """Each submodule pointer must be on its remote, or on a branch about to be pushed."""
    for path, sha in sorted(pointers.items()):
        refs = seen.get(path)
        if refs is None:
            continue  # not a member repo with that remote
        repo = open_repo(workspace.root / path)
        pending = result.of(path)
        heads = [v for k, v in refs.items() if k.startswith("refs/heads/")]
        tags = [v for k, v in refs.items() if not k.startswith("refs/heads/")]
        if any(repo.is_ancestor(sha, tip) for tip in [*heads, *tags]):
            continue
        if pending is not None and pending.branch and repo.is_ancestor(sha, "HEAD"):
            result.unpublished_pointers.append((path, sha))  # the branch push publishes it
            continue
        result.unpublished_pointers.append((path, sha))
        result.problems.append(
            PushProblem(
                path,
                f"the root records commit {sha[:12]}, which no branch or tag of its remote holds",
                f"push a branch holding it: git -C {path} push origin HEAD "
                "(after checking out the branch with that commit)",
                pointer=True,
            )
        )


def _pinned_tags(workspace: Workspace) -> dict[str, set[str]]:
    """Repo -> tags the present modes pin for members of that repo."""
    found: dict[str, set[str]] = {}
    for state in load_modes(workspace).values():
        if not state.present:
            continue
        for name, pin in state.pins.items():
            member = workspace.members.get(name)
            if member is None or not pin.tag or member.repo_root is None:
                continue
            found.setdefault(repo_rel(workspace, member), set()).add(pin.tag)
    return found


def publish_steps(
    workspace: Workspace,
    pending: PendingPushes,
    *,
    branches: dict[str, str],
    planned_tags: dict[str, list[str]],
    remote: str,
) -> list[Step]:
    """Atomic pushes, member repos first, of this run's refs plus everything pending.

    ``branches``: repo -> branch the run commits to (always pushed);
    ``planned_tags``: repo -> tags the run makes. Refuses (before anything
    is written) when a pending ref cannot be pushed without force.
    """
    problems = [p for p in pending.problems if not (p.pointer and p.repo in branches)]
    missing = [(r, t) for r, t in pending.missing_pins if t not in planned_tags.get(r, [])]
    if problems or missing:
        lines = [f"{p.repo}: {p.message} (fix: {p.fix})" for p in problems]
        lines += [f"{r}: pinned tag {t} exists neither here nor on the remote" for r, t in missing]
        raise PlanRefusedError(
            "the remotes cannot be made whole by a push:\n  " + "\n  ".join(lines),
            hint="fix the repos above (nothing was changed), then run again",
        )
    repos = [r.repo for r in pending.repos]
    repos += [r for r in branches if r not in repos]
    order = sorted(r for r in repos if r != ".") + (["."] if "." in repos else [])
    steps = []
    for rel in order:
        waiting = pending.of(rel)
        branch = branches.get(rel) or (waiting.branch if waiting else None)
        tags = list(dict.fromkeys([*planned_tags.get(rel, []), *(waiting.tags if waiting else [])]))
        if branch or tags:
            steps.append(push_step(rel, branch, tags, remote))
    return steps


def push_step(rel: str, branch: str | None, tags: list[str], remote: str) -> Step:
    """One ``git push --atomic`` of ``branch`` (if any) and ``tags`` of repo ``rel``."""
    refs = ([branch] if branch else []) + tags
    return Step(
        StepKind.PUSH,
        f"push --atomic {rel}: " + ", ".join(refs),
        repo=rel,
        branch=branch,
        tags=tuple(tags),
        remote=remote,
    )


def plan_push(workspace: Workspace, open_repo: RepoOpener, *, dry_run: bool = False) -> Plan:
    """The plan of ``release-tool push``: every pending branch and tag, members first.

    The remotes are read (``git ls-remote``) even for ``--dry-run``: what is
    pending is the whole answer; nothing is written.
    """
    remote = workspace.config.git_remote
    pending = pending_pushes(workspace, open_repo, remote)
    steps = publish_steps(workspace, pending, branches={}, planned_tags={}, remote=remote)
    notes = () if steps else ("nothing to push: every remote holds the branches and tags",)
    return Plan(command="push", steps=tuple(steps), notes=notes, dry_run=dry_run)
