"""Plan and write ``.github/workflows/``: which files are new, changed or unchanged.

Writing is all-or-nothing with respect to ``--force``: if any workflow on
disk differs from what would be rendered and ``force`` is off, nothing is
written and the error names every such file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from release_tool.core.workflows import render_workflows, settings_for
from release_tool.errors import ExistsError

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.workspace import Workspace

WORKFLOWS_DIR = ".github/workflows"
FileAction = Literal["create", "overwrite", "unchanged"]


@dataclass(frozen=True)
class WorkflowFile:
    path: Path
    relative: str
    content: str
    action: FileAction


@dataclass(frozen=True)
class WorkflowPlan:
    folder: Path
    folder_relative: str
    files: list[WorkflowFile]
    skipped: list[str] = field(default_factory=list)


def plan_workflow_files(workspace: Workspace, *, force: bool) -> WorkflowPlan:
    """What ``ci init`` will write; raises ``ExistsError`` for differing files without ``force``."""
    settings = settings_for(workspace)
    folder = workspace.root / WORKFLOWS_DIR
    files = []
    for name, content in render_workflows(settings).items():
        path = folder / name
        if not path.exists():
            action: FileAction = "create"
        elif path.read_text(encoding="utf-8") == content:
            action = "unchanged"
        else:
            action = "overwrite"
        files.append(WorkflowFile(path, f"{WORKFLOWS_DIR}/{name}", content, action))
    differing = [f.relative for f in files if f.action == "overwrite"]
    if differing and not force:
        raise ExistsError(
            "workflows differ from what release-tool would write: " + ", ".join(differing),
            hint="re-run with --force to overwrite them (see --dry-run --json for the content)",
        )
    skipped = []
    if settings.registry is None:
        skipped.append(
            "release.yml has no images job: no registry; set "
            '[tool.release-tool.docker].registry (e.g. "ghcr.io/<owner>")'
        )
    return WorkflowPlan(folder, WORKFLOWS_DIR, files, skipped)


def write_workflow_files(plan: WorkflowPlan) -> None:
    """Write the new and changed files of ``plan``."""
    plan.folder.mkdir(parents=True, exist_ok=True)
    for item in plan.files:
        if item.action != "unchanged":
            item.path.write_text(item.content, encoding="utf-8", newline="\n")
