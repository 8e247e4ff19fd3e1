"""The steps that re-pin the modes and commit the root: pin edits, one ``uv lock`` per
mode, and the root commit (modes, submodule pointers, dev lock) with its tags.

``release_plan`` calls these after each repo's release commits and tags;
``release`` calls them for ``promote staging`` (re-pinning without new
versions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.core import pin_edits, pin_sources
from release_tool.core.plan import Step, StepKind
from release_tool.core.rev_pins import pinned_version
from release_tool.core.selection import repo_rel
from release_tool.errors import WorkspaceError

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.modes import Pin
    from release_tool.core.ports import RepoOpener
    from release_tool.core.workspace import Member, Workspace


def mode_steps(
    workspace: Workspace,
    updates: dict[str, list[pin_edits.PinUpdate]],
    mode_states: dict,
    *,
    lock_dev: bool,
) -> list[Step]:
    """Re-pin each mode, then one ``uv lock`` per mode touched (and dev if it has a lock)."""
    steps: list[Step] = []
    redirects = _redirects(workspace, mode_states)
    for mode, mode_updates in updates.items():
        rel = workspace.config.mode_dir(mode)  # type: ignore[arg-type]
        path = workspace.root / rel / "pyproject.toml"
        text = path.read_text(encoding="utf-8")
        new = pin_edits.repin(text, mode_updates, str(path))
        resolve = _revs_to_resolve(workspace, mode_updates)
        revs = " (revs of the tags, resolved at apply)" if resolve else ""
        steps.append(
            Step(
                StepKind.EDIT,
                f"edit {rel}/pyproject.toml: pin "
                + ", ".join(_pin_label(u) for u in mode_updates)
                + revs,
                path=f"{rel}/pyproject.toml",
                content=new,
                resolve=resolve,
            )
        )
    for mode in updates:
        rel = workspace.config.mode_dir(mode)  # type: ignore[arg-type]
        steps.append(
            Step(StepKind.LOCK, f"uv lock in {rel}/ ({mode})", path=rel, redirects=redirects)
        )
    if lock_dev:  # member versions changed: the dev workspace's lock records them
        steps.append(Step(StepKind.LOCK, "uv lock in ./ (dev)", path="."))
    return steps


def root_commit(
    modes: list[str],
    pointers: list[str],
    lock_dev: bool,
    root_pyproject: bool,
    pin_rows: list[tuple[str, str, str | None, str]],
) -> Step:
    paths: list[str] = []
    for mode in modes:
        paths += [f"{mode}/pyproject.toml", f"{mode}/uv.lock"]
    paths += pointers
    if lock_dev:
        paths.append("uv.lock")
    if root_pyproject:
        paths.append("pyproject.toml")
    tags = list(dict.fromkeys(_pin_label(row[1], row[3]) for row in pin_rows))
    if tags:
        subject = f"{'+'.join(modes) or 'pins'}: pin " + ", ".join(tags)
    else:
        subject = "release: submodule pointers and dev lock"
    body = "\n".join(
        f"- {mode}: {member} {old or '(none)'} -> {new}" for mode, member, old, new in pin_rows
    )
    if pointers:
        body += "\n\nsubmodule pointers: " + ", ".join(pointers)
    return Step(
        StepKind.COMMIT,
        f"commit in .: {subject}",
        repo=".",
        paths=tuple(paths),
        message=f"{subject}\n\n{body}\n",
    )


def _pin_label(update: pin_edits.PinUpdate | str, tag: str | None = None) -> str:
    """``name tag``, shortened to the tag when it already names the member."""
    if isinstance(update, pin_edits.PinUpdate):
        name, tag = update.name, update.tag
    else:
        name = update
    assert tag is not None
    return tag if tag.startswith(name) else f"{name} {tag}"


def pin_update(
    workspace: Workspace, member: Member, tag: str, mode_states: dict
) -> pin_edits.PinUpdate:
    return pin_edits.PinUpdate(
        name=member.name,
        git=_pin_url(workspace, member, mode_states),
        tag=tag,
        subdirectory=member.subdirectory(),
        rev=pin_edits.rev_of(tag) if workspace.config.pin_ref == "rev" else None,
    )


def _revs_to_resolve(
    workspace: Workspace, updates: list[pin_edits.PinUpdate]
) -> tuple[tuple[str, str], ...]:
    """(tag, repo) for each rev pin whose commit the apply step looks up."""
    return tuple(
        (u.tag, repo_rel(workspace, workspace.members[u.name]))
        for u in updates
        if u.rev and u.tag and u.rev == pin_edits.rev_of(u.tag)
    )


def _pin_url(workspace: Workspace, member: Member, mode_states: dict) -> str:
    """The git URL pins use for ``member``: an existing pin's, else the configured or remote URL."""
    for state in mode_states.values():
        pin = state.pins.get(member.name)
        if pin is not None and pin.git:
            return pin.git
    return pin_sources.member_url(workspace, member)


def _redirects(workspace: Workspace, mode_states: dict) -> tuple[tuple[str, str], ...]:
    """Pin URL -> local repo for every member, so ``uv lock`` sees tags not pushed yet."""
    found: dict[str, str] = {}
    for member in workspace.members.values():
        try:
            url = _pin_url(workspace, member, mode_states)
        except WorkspaceError:
            continue
        found.setdefault(url, repo_rel(workspace, member))
    return tuple(sorted(found.items()))


def status_pinned(
    workspace: Workspace, member: Member, pin: Pin | None, open_repo: RepoOpener
) -> Version | None:
    """The version a pin names (its tag's, or the member's version at its rev), or None."""
    if pin is None:
        return None
    repo = open_repo(member.repo_root) if member.repo_root is not None else None
    return pinned_version(member, pin, repo)
