"""Seed stage 0: put every repo of the workspace on the dev branch.

For the root repo and each member repo: create the dev branch at the main
branch, or fast-forward it to the main branch, and check it out. Work in
progress is stashed and re-applied on the dev branch (``--no-stash``
refuses instead). Every repo is checked before any is touched, so a dev
branch that cannot fast-forward stops the command with nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from release_tool.errors import GitError, PlanRefusedError

if TYPE_CHECKING:
    from release_tool.core.ports import BranchRepoOpener
    from release_tool.core.workspace import Workspace


@dataclass(frozen=True)
class BranchAction:
    """What happens in one repo."""

    repo: str
    action: str  # "create", "fast-forward", "checkout", "up-to-date"
    branch: str
    start: str
    stash: bool

    def describe(self) -> str:
        text = {
            "create": f"create {self.branch} at {self.start} and check it out",
            "fast-forward": f"fast-forward {self.branch} to {self.start} and check it out",
            "checkout": f"check out {self.branch} (already contains {self.start})",
            "up-to-date": f"{self.branch} is checked out and contains {self.start}",
        }[self.action]
        return f"{self.repo}: {text}" + (" (stash and re-apply changes)" if self.stash else "")


def plan_dev_branch(
    workspace: Workspace,
    open_repo: BranchRepoOpener,
    *,
    branch: str | None = None,
    start: str | None = None,
    stash: bool = True,
) -> list[BranchAction]:
    """Decide the action per repo; refuse (changing nothing) on dirt without stash or divergence."""
    branch = branch or workspace.config.dev_branch
    start = start or workspace.config.main_branch
    repos = [
        ".",
        *sorted({m.rel_path for m in workspace.members.values() if m.layout.has_own_repo}),
    ]
    actions, problems = [], []
    for rel in repos:
        path = workspace.root / rel
        ignore = [".release-tool", *workspace.submodules] if rel == "." else []
        repo = open_repo(path)
        dirty = bool(repo.changed_paths(ignore))
        if dirty and not stash:
            problems.append(f"{rel}: uncommitted changes (--no-stash refuses to stash them)")
            continue
        if not repo.ref_exists(f"refs/heads/{start}"):
            problems.append(f"{rel}: no branch {start!r} to start from")
            continue
        current = repo.branch()
        if not repo.ref_exists(f"refs/heads/{branch}"):
            action = "create"
        elif not repo.is_ancestor(branch, start):
            if repo.is_ancestor(start, branch):
                action = "up-to-date" if current == branch else "checkout"
            else:
                problems.append(f"{rel}: {branch} and {start} have diverged; merge them by hand")
                continue
        else:
            same = repo.rev_parse(branch) == repo.rev_parse(start)
            action = ("up-to-date" if current == branch else "checkout") if same else "fast-forward"
        actions.append(BranchAction(rel, action, branch, start, dirty))
    if problems:
        raise PlanRefusedError(
            "cannot prepare the dev branch:\n  " + "\n  ".join(problems),
            hint="nothing was changed",
        )
    return actions


def apply_dev_branch(
    workspace: Workspace, actions: list[BranchAction], open_repo: BranchRepoOpener
) -> list[str]:
    """Carry out the actions; return one line per repo saying what was done."""
    done = []
    for action in actions:
        if action.action == "up-to-date":
            done.append(action.describe())
            continue
        repo = open_repo(workspace.root / action.repo)
        stashed = action.stash and repo.stash("release-tool dev-branch")
        if action.action == "create" or action.action == "fast-forward":
            repo.create_or_fast_forward_branch(action.branch, action.start)
        else:
            repo.checkout(action.branch)
        if stashed:
            try:
                repo.stash_pop()
            except GitError as exc:
                raise GitError(
                    f"{action.repo}: on {action.branch}, re-applying the stash failed: {exc}",
                    hint="your changes are kept in `git stash list`; resolve and `git stash pop`",
                ) from None
        done.append(action.describe())
    return done
