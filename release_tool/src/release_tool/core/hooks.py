"""Seams to the release-notes and GitHub parts, with deterministic fallbacks.

The release engine asks here for a tag message and a CHANGELOG.md entry.
When the notes package (``release_tool.notes``) is present, its
``release_notes``/``tag_message``/``write_changelog`` are used; until then
the tag message lists the commit subjects since the previous tag and no
changelog is written.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygit2

from release_tool.adapters import git_read

if TYPE_CHECKING:
    from packaging.version import Version

    from release_tool.core.workspace import Member, Workspace


def notes_module() -> Any | None:
    """The notes hook module if it is installed, else None."""
    wanted = ("release_notes", "tag_message", "write_changelog")
    for name in NOTES_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if all(hasattr(module, attr) for attr in wanted):
            return module
    return None


NOTES_MODULES = ("release_tool.notes", "release_tool.core.notes")


def commit_subjects(repo: Path, since: str | None, subdir: str | None) -> list[str]:
    """Subjects of commits on HEAD since ``since`` (a commit id), newest first.

    With ``subdir``, only commits that change something under it (the
    monorepo layout). Which paths a commit touches is computed once per
    commit and cached, so asking for 100 folder members walks each commit's
    diff once, not 100 times.
    """
    handle = git_read.open_repo(repo)
    if handle.head_is_unborn:
        return []
    walker = handle.walk(handle.head.target, pygit2.enums.SortMode.TOPOLOGICAL)
    if since:
        walker.hide(pygit2.Oid(hex=since))
    out = []
    for commit in walker:
        if subdir is None or subdir in _touched_dirs(str(repo), handle, commit):
            out.append(commit.message.splitlines()[0] if commit.message else "")
    return out


_TOUCHED: dict[tuple[str, str], frozenset[str]] = {}


def _touched_dirs(key: str, repo: pygit2.Repository, commit: pygit2.Commit) -> frozenset[str]:
    """Every folder (and file) path a commit changes, with all their parent folders."""
    cache_key = (key, str(commit.id))
    found = _TOUCHED.get(cache_key)
    if found is None:
        paths: set[str] = set()
        diffs = [parent.tree.diff_to_tree(commit.tree) for parent in commit.parents]
        for diff in diffs or [commit.tree.diff_to_tree()]:
            for delta in diff.deltas:
                for path in {delta.old_file.path, delta.new_file.path}:
                    parts = path.split("/")
                    paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        found = _TOUCHED[cache_key] = frozenset(paths)
    return found


def default_tag_message(
    display: str, version: Version, previous: str | None, subjects: list[str]
) -> str:
    """A deterministic annotated-tag message: the release and the commit subjects in it."""
    lines = [f"{display} {version}", ""]
    lines.append(f"Changes since {previous}:" if previous else "Changes:")
    lines += [f"- {s}" for s in subjects] or ["- (no commits)"]
    return "\n".join(lines) + "\n"


def release_texts(
    workspace: Workspace,
    member: Member,
    version: Version,
    *,
    previous_tag: str | None,
    previous_commit: str | None,
    changelog: bool,
) -> tuple[str, str | None]:
    """(tag message, new CHANGELOG.md text or None) for one release."""
    repo = member.repo_root or workspace.root
    subdir = member.git_subdir
    module = notes_module()
    if module is None:
        subjects = commit_subjects(repo, previous_commit, subdir)
        return default_tag_message(member.display_name, version, previous_tag, subjects), None
    notes = module.release_notes(
        workspace, member, version, since_tag=previous_tag, settings=workspace.config
    )
    message = module.tag_message(notes)
    if not changelog:
        return message, None
    return message, _changelog_text(module, member.path, notes)


def _changelog_text(module: Any, member_path: Path, notes: Any) -> str:
    """Run the hook's ``write_changelog`` on a scratch copy; return the file it wrote."""
    with tempfile.TemporaryDirectory(prefix="release-tool-changelog-") as scratch:
        copy = Path(scratch)
        current = member_path / "CHANGELOG.md"
        if current.is_file():
            shutil.copy2(current, copy / "CHANGELOG.md")
        module.write_changelog(copy, notes)
        return (copy / "CHANGELOG.md").read_text(encoding="utf-8")
