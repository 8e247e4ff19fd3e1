"""The ``--json`` documents of ``status`` (``release-tool.status/1``) and ``check``.

msgspec structs of the documented fields, built from the core's status
values; the README documents the status fields one by one. These two are
the read path's documents, printed on every ``status --json``: msgspec
imports in a fraction of pydantic's time (bench/README.md), which is most
of what such a command costs. They share every document's base
(``cli.document.Document``): ``to_json()`` puts ``"schema"`` first.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import msgspec

from release_tool.cli.document import Document

if TYPE_CHECKING:
    from release_tool.core.checks import CheckResult
    from release_tool.core.modes import Pin
    from release_tool.core.status import MemberStatus, TagRef, WorkspaceStatus


class TagOut(msgspec.Struct):
    name: str
    version: str
    commit: str

    @classmethod
    def of(cls, tag: TagRef | None) -> TagOut | None:
        return (
            None if tag is None else cls(name=tag.name, version=str(tag.version), commit=tag.commit)
        )


class PinOut(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A mode's source of a member: git URL and tag (or rev/branch), or another source.

    Source keys appear only when set; ``version`` (no default) always, null
    when the pin is not a release tag.
    """

    git: str | None = None
    tag: str | None = None
    subdirectory: str | None = None
    rev: str | None = None
    branch: str | None = None
    other: str | None = None
    version: str | None
    """The version the pinned tag encodes; null when it is not a release tag of the member."""

    @classmethod
    def of(cls, pin: Pin | None, version: object) -> PinOut | None:
        if pin is None:
            return None
        return cls(**asdict(pin), version=None if version is None else str(version))


class DependencyOut(msgspec.Struct):
    """A requirement on another member: ``runtime``, ``extra`` or ``dev`` (a dependency group)."""

    name: str
    kind: str
    via: str | None
    """The extra or dependency group declaring it (null for runtime)."""
    requirement: str


class MemberOut(msgspec.Struct, kw_only=True):
    name: str
    path: str
    layout: str
    version: str | None
    version_problem: str | None
    latest_dev_tag: TagOut | None
    latest_stable_tag: TagOut | None
    commits_since_tag: int | None
    uncommitted_changes: int
    changed_paths: list[str]
    branch: str | None
    detached: bool
    upstream: str | None
    ahead: int | None
    behind: int | None
    pins: dict[str, PinOut | None]
    drift: list[str]
    version_source: str
    """``static``, ``vcs`` (the version is the latest matching tag) or ``unmanaged``."""
    version_backend: str | None
    dependencies: list[DependencyOut]
    release_group: list[str] | None
    """The members released together with this one (a runtime cycle), or null."""

    @classmethod
    def of(cls, row: MemberStatus) -> MemberOut:
        m = row.member
        return cls(
            name=m.name,
            path=m.rel_path,
            layout=m.layout.value,
            version=m.version_text,
            version_problem=m.version_problem,
            latest_dev_tag=TagOut.of(row.latest_dev),
            latest_stable_tag=TagOut.of(row.latest_stable),
            commits_since_tag=row.commits_since_tag,
            uncommitted_changes=len(row.changed_paths),
            changed_paths=list(row.changed_paths),
            branch=row.branch,
            detached=row.detached,
            upstream=row.upstream,
            ahead=row.ahead,
            behind=row.behind,
            pins={
                mode: PinOut.of(pin, row.pinned_versions.get(mode))
                for mode, pin in row.pins.items()
            },
            drift=list(row.drift),
            version_source=m.source.kind,
            version_backend=m.source.backend,
            dependencies=[_dependency(d.name, d.section, d.requirement) for d in m.dependencies],
            release_group=list(row.release_group) if row.release_group else None,
        )


def _dependency(name: str, section: str, requirement: str) -> DependencyOut:
    """``dependencies`` / ``optional:x`` / ``group:x`` -> the edge kind and its extra or group."""
    kind, _, via = section.partition(":")
    return DependencyOut(
        name=name,
        kind={"optional": "extra", "group": "dev"}.get(kind, "runtime"),
        via=via or None,
        requirement=requirement,
    )


class ModeOut(msgspec.Struct):
    present: bool
    path: str
    """Relative to the root when inside it."""


class TagSchemeOut(msgspec.Struct):
    template: str
    source: str
    """Where the template came from: configured, detected or default."""
    members: list[str]


class StatusOutput(Document, kw_only=True):
    """``release-tool status --json``."""

    SCHEMA = "release-tool.status/1"
    root: str
    modes: dict[str, ModeOut]
    members: list[MemberOut]
    tag_schemes: list[TagSchemeOut]
    pending_run: dict[str, str] | None = None
    """``{"command": ...}`` of an interrupted run awaiting ``resume``, else null."""
    release_groups: list[list[str]]
    """Runtime dependency cycles, each released as one group."""
    cycles: dict[str, list[list[str]]]
    """Cycles through extras (``extra``) or dependency groups (``dev``): shown, never errors."""
    virtual_root: str | None
    """The root project uv lists but never builds (``tool.uv.package = false``)."""

    @classmethod
    def of(cls, status: WorkspaceStatus, *, pending_run: str | None = None) -> StatusOutput:
        root = status.root
        return cls(
            root=str(root),
            pending_run={"command": pending_run} if pending_run else None,
            modes={
                name: ModeOut(
                    present=mode.present,
                    path=str(mode.path.relative_to(root))
                    if mode.path.is_relative_to(root)
                    else str(mode.path),
                )
                for name, mode in status.modes.items()
            },
            members=[MemberOut.of(row) for row in status.members],
            tag_schemes=[
                TagSchemeOut(template=template, source=source, members=names)
                for (template, source), names in status.tag_schemes().items()
            ],
            release_groups=[list(g) for g in status.release_groups],
            cycles={kind: [list(c) for c in cs] for kind, cs in status.other_cycles.items()},
            virtual_root=status.virtual_root,
        )


class ProblemOut(msgspec.Struct):
    subject: str
    message: str
    fix: str


class CheckOut(msgspec.Struct, kw_only=True):
    name: str
    description: str
    severity: str
    state: str
    """``pass``, ``fail``, ``warn`` or ``skipped``."""
    skipped: str | None
    problems: list[ProblemOut]

    @classmethod
    def of(cls, result: CheckResult) -> CheckOut:
        return cls(
            name=result.name,
            description=result.description,
            severity=result.severity,
            state=result.state,
            skipped=result.skipped,
            problems=[ProblemOut(**asdict(p)) for p in result.problems],
        )


class CheckOutput(Document, kw_only=True):
    """``release-tool check --json``."""

    SCHEMA = "release-tool.check/1"
    root: str
    passed: bool
    checks: list[CheckOut]
