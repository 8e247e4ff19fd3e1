"""The ``--json`` documents of the release commands and of errors, as msgspec structs.

Each document names its schema (``release-tool.<name>/<version>``); fields
are only ever added to a version, never renamed or removed.
"""

from __future__ import annotations

from typing import Any

import msgspec

from release_tool.cli.document import Document
from release_tool.cli.document import document as document  # re-exported for the commands
from release_tool.cli.output_rows import BranchRow, CiFile, InitFile, PullRow, ReleaseRow
from release_tool.core.journal import ApplyReport
from release_tool.core.jsonable import dump
from release_tool.core.plan import PLAN_SCHEMA, Plan


class PlanOutput(Document, kw_only=True):
    """``bump``, ``promote`` and ``resume``: the plan and, once applied, what was done."""

    SCHEMA = PLAN_SCHEMA
    dry_run: bool
    plan: Plan
    applied: ApplyReport | None = None


class PendingStep(msgspec.Struct, kw_only=True):
    index: int
    """1-based."""
    step: str
    state: str
    """The journal's last state for it, ``pending`` when it never started."""


class PendingOutput(Document, kw_only=True):
    """``resume --dry-run`` (and ``bump|promote --resume --dry-run``): the interrupted run."""

    SCHEMA = "release-tool.resume/1"
    dry_run: bool = True
    """Always true: an interrupted run is only ever shown."""
    command: str
    steps: list[PendingStep]


class AbortOutput(Document, kw_only=True):
    """``resume --abort``: what was undone and what could not be."""

    SCHEMA = "release-tool.abort/1"
    aborted: bool = True
    command: str
    undone: list[str]
    undo_errors: list[str]


class ErrorOutput(Document, kw_only=True):
    """Any command's failure with ``--json``: on stdout, beside the exit code."""

    SCHEMA = "release-tool.error/1"
    error: str
    exit_code: int
    hint: str | None = None
    applied: dict[str, Any] | None = None
    """For a failed apply: the report of what was done and rolled back."""


class MembersOutput(Document, kw_only=True):
    """A per-member list (``changes``, ``commit``, ``changelog``)."""

    dry_run: bool
    members: list[dict[str, Any]]


class ChangesOutput(MembersOutput, kw_only=True):
    SCHEMA = "release-tool.changes/1"


class CommitOutput(MembersOutput, kw_only=True):
    SCHEMA = "release-tool.commit/1"


class ChangelogOutput(MembersOutput, kw_only=True):
    SCHEMA = "release-tool.changelog/1"


class ExitCodeRow(msgspec.Struct, kw_only=True):
    code: int
    name: str
    meaning: str


class ExitCodesOutput(Document, kw_only=True):
    SCHEMA = "release-tool.exit-codes/1"
    codes: list[ExitCodeRow]


class InitOutput(Document, kw_only=True):
    SCHEMA = "release-tool.init/1"
    files: list[InitFile]
    pins: dict[str, dict[str, str]]
    """mode -> member -> tag."""
    notes: list[str]
    translated: list[str]
    dry_run: bool


class CiOutput(Document, kw_only=True):
    SCHEMA = "release-tool.ci/1"
    dry_run: bool
    files: list[CiFile]
    skipped: list[str]


class GitHubReleaseOutput(Document, kw_only=True):
    SCHEMA = "release-tool.github-release/1"
    dry_run: bool
    releases: list[ReleaseRow]


class GitHubPullOutput(Document, kw_only=True):
    SCHEMA = "release-tool.github-pr/1"
    dry_run: bool
    pulls: list[PullRow]


class DevBranchOutput(Document, kw_only=True):
    SCHEMA = "release-tool.dev-branch/1"
    dry_run: bool
    actions: list[BranchRow]


class DockerBuildOutput(Document, kw_only=True):
    """The image plan's fields, then ``built`` (applied) or ``commands`` (dry run)."""

    SCHEMA = "release-tool.docker-build/1"
    dry_run: bool
    fields: dict[str, Any]
    """Written at the document's top level, after ``dry_run``."""

    def to_json(self) -> dict[str, Any]:
        return {"schema": self.SCHEMA, "dry_run": self.dry_run, **dump(self.fields)}


class DockerSmokeOutput(Document, kw_only=True):
    """The smoke test's result fields."""

    SCHEMA = "release-tool.docker-smoke/1"
    fields: dict[str, Any]
    """Written at the document's top level."""

    def to_json(self) -> dict[str, Any]:
        return {"schema": self.SCHEMA, **dump(self.fields)}
