"""Checks of the repos, remotes, locks and runs: no interrupted run, submodules whose
commits exist, fresh locks, everything published, attached heads, fetched tags."""

from __future__ import annotations

from release_tool.core.check_base import CheckContext, Problem, check, pinned_members
from release_tool.errors import ReleaseToolError


@check("no-pending-run", "no interrupted run awaits resume (.release-tool/journal.jsonl)")
def _no_pending_run(ctx: CheckContext) -> list[Problem]:
    from release_tool.core.journal import pending_journal

    pending = pending_journal(ctx.workspace.root)
    if pending is None:
        return []
    return [
        Problem(
            ".release-tool/journal.jsonl",
            f"an interrupted run ({pending.command}) awaits resume",
            "release-tool resume (finish it) or release-tool resume --abort (undo it)",
        )
    ]


@check("submodules", "submodules are initialized and their recorded commits exist")
def _submodules(ctx: CheckContext) -> list[Problem]:
    ws = ctx.workspace
    problems = [
        Problem(path, "submodule is not initialized", f"git submodule update --init {path}")
        for path in ws.uninitialized
    ]
    if not ws.is_git_repo or not ws.submodules:
        return problems
    for path, sha in ctx.open_repo(ws.root).gitlinks().items():
        if path in ws.uninitialized or not (ws.root / path / ".git").exists():
            continue
        if not ctx.open_repo(ws.root / path).has_commit(sha):
            problems.append(
                Problem(
                    path,
                    f"recorded commit {sha[:12]} does not exist in the submodule",
                    f"git -C {path} fetch --all, or push that commit from where it was made",
                )
            )
    return problems


@check("locks-fresh", "each mode's uv.lock is up to date (uv lock --check)")
def _locks_fresh(ctx: CheckContext) -> list[Problem]:
    problems = []
    for mode, state in ctx.modes.items():
        if not state.present:
            continue
        rel = state.path.relative_to(ctx.workspace.root).as_posix()
        if not state.lock_path.is_file():
            problems.append(Problem(mode, "uv.lock is missing", f"uv lock --directory {rel}"))
            continue
        detail = ctx.lock_check(state.path, timeout=ctx.lock_timeout)
        if detail is not None:
            problems.append(Problem(mode, detail, f"uv lock --directory {rel}"))
    return problems


@check("dev-lock-fresh", "the workspace's own uv.lock is up to date (uv lock --check)")
def _dev_lock_fresh(ctx: CheckContext) -> list[Problem]:
    root = ctx.workspace.root
    if not (root / "uv.lock").is_file():
        return []
    detail = ctx.lock_check(root, timeout=ctx.lock_timeout)
    if detail is None:
        return []
    return [Problem("uv.lock", detail, "uv lock (then commit uv.lock)")]


@check(
    "published",
    "pinned tags and submodule commits are on the remotes; local tags equal the remote ones",
)
def _published(ctx: CheckContext) -> list[Problem]:
    from release_tool.core.pending_push import pending_pushes

    try:
        pending = pending_pushes(ctx.workspace, ctx.open_repo)
    except ReleaseToolError as exc:
        return [Problem("remote", str(exc.message), "check the network and the remote URL")]
    problems = [Problem(p.repo, p.message, p.fix) for p in pending.problems]
    problems += [
        Problem(path, f"the root records commit {sha[:12]}, not pushed yet", "release-tool push")
        for path, sha in pending.unpublished_pointers
        if not any(p.repo == path and p.pointer for p in pending.problems)
    ]
    pinned = _pinned_tags_by_repo(ctx)
    for repo in pending.repos:
        for tag in repo.tags:
            if tag in pinned.get(repo.repo, set()):
                problems.append(
                    Problem(
                        repo.repo, f"pinned tag {tag} is not on the remote", "release-tool push"
                    )
                )
    return problems


@check("heads-attached", "member repositories are on a branch (not a detached HEAD)", "warning")
def _heads_attached(ctx: CheckContext) -> list[Problem]:
    return [
        Problem(
            row.member.name,
            "HEAD is detached",
            f"git -C {row.member.rel_path} switch {ctx.workspace.config.dev_branch}",
        )
        for row in ctx.status.members
        if row.member.layout.has_own_repo and row.detached
    ]


@check(
    "tags-fetched", "repositories with history have their tags (not a shallow clone without tags)"
)
def _tags_fetched(ctx: CheckContext) -> list[Problem]:
    return [
        Problem(
            row.member.name,
            "shallow clone without release tags",
            f"git -C {row.member.rel_path} fetch --unshallow --tags",
        )
        for row in ctx.status.members
        if "shallow-no-tags" in row.drift
    ]


def _pinned_tags_by_repo(ctx: CheckContext) -> dict[str, set[str]]:
    from release_tool.core.selection import repo_rel

    found: dict[str, set[str]] = {}
    for _mode, member, pin, _version in pinned_members(ctx):
        if pin.tag and member.repo_root is not None:
            found.setdefault(repo_rel(ctx.workspace, member), set()).add(pin.tag)
    return found
