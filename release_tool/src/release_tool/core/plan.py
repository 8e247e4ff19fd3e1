"""A release plan: the ordered steps a mutating command will take, as data.

``--dry-run`` renders the plan; ``core.journal.apply_plan`` executes it
step by step. Steps are plain, JSON-serialisable values so the journal can
hold the whole plan and ``--resume`` can finish it in a later process.
"""

from __future__ import annotations

from dataclasses import field
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import (
    BeforeValidator,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.dataclasses import dataclass

from release_tool.core.jsonable import dump, load

PLAN_SCHEMA = "release-tool.plan/1"
"""The ``--json`` schema of ``bump``, ``promote`` and ``resume`` (a plan and what was applied)."""


class StepKind(StrEnum):
    """What a step does. Local steps are undone on failure; pushes are undone remotely."""

    EDIT = "edit"
    """Write a file (``path`` relative to the workspace root, full new ``content``)."""
    COMMIT = "commit"
    """Commit ``paths`` (relative to ``repo``) with ``message``."""
    TAG = "tag"
    """Annotated ``tags`` with ``messages`` (one each) at the repo's HEAD."""
    LOCK = "lock"
    """``uv lock`` in the mode folder ``path``, git URLs redirected to local repos."""
    PUSH = "push"
    """``git push --atomic`` of ``branch`` and ``tags`` of ``repo``."""
    PUBLISH = "publish"
    """Publish GitHub releases (the ``github`` hook); after every push."""


def _record(kind: Any) -> Any:
    """A NamedTuple that unpacks like a tuple in code and is an object in JSON."""

    def read(value: Any) -> Any:
        if isinstance(value, dict):
            return kind(**value)
        return value if isinstance(value, kind) else kind(*value)

    return Annotated[kind, BeforeValidator(read), PlainSerializer(lambda v: v._asdict())]


class ConstraintUpdate(NamedTuple):
    """A dependency requirement rewritten in a member's pyproject."""

    dependency: str
    old: str
    new: str


class PinChange(NamedTuple):
    """A mode's pin of a member moved from ``old`` (None: not pinned) to ``new``."""

    mode: str
    member: str
    old: str | None
    new: str


@dataclass(frozen=True)
class Step:
    """One step of a plan. ``repo`` is relative to the workspace root (``.`` = root)."""

    kind: StepKind
    summary: str
    repo: str = "."
    path: str | None = None
    content: str | None = None
    paths: tuple[str, ...] = ()
    message: str | None = None
    name: str | None = None
    branch: str | None = None
    tags: tuple[str, ...] = ()
    remote: str | None = None
    messages: tuple[str, ...] = ()
    redirects: tuple[tuple[str, str], ...] = ()
    """(git URL, local repo relative to the root) pairs for ``uv lock``."""
    resolve: tuple[tuple[str, str], ...] = ()
    """(tag, repo relative to the root) pairs: an EDIT's ``rev-of:<tag>`` becomes its commit."""

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only the fields a step uses: journals stay small and readable."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None and v != [] and v != ()}


@dataclass(frozen=True)
class Release:
    """One member's version change in a plan."""

    member: str
    old_version: str
    new_version: str
    tag: str | None
    repo: str
    reason: str
    """``selected``, ``changed`` or ``dependent of <name>``."""
    constraint_updates: tuple[_record(ConstraintUpdate), ...] = ()  # type: ignore[valid-type]
    """(dependency name, old requirement, new requirement) in this member's pyproject."""


@dataclass(frozen=True)
class PlannedNotes:
    """Where a release's notes (tag message, changelog) come from."""

    member: str
    tag: str
    source: str
    """``llm`` or ``commits``: what writes the notes when the plan is applied."""
    commits: int
    written: bool
    """False in a dry run: the plan holds commit-based stand-ins, the LLM was not asked."""

    def describe(self) -> str:
        commits = f"{self.commits} commit" + ("" if self.commits == 1 else "s")
        if self.source != "llm":
            return f"from {commits}"
        verb = "written" if self.written else "would be written"
        return f"{verb} by the LLM from {commits}"


@dataclass(frozen=True)
class Plan:
    """Everything a command will do, in order."""

    command: str
    releases: tuple[Release, ...] = ()
    steps: tuple[Step, ...] = ()
    pins: tuple[_record(PinChange), ...] = ()  # type: ignore[valid-type]
    """(mode, member, old tag, new tag)."""
    notes: tuple[str, ...] = field(default=())
    """Messages for the user (members skipped and why)."""
    release_notes: tuple[PlannedNotes, ...] = ()
    """Per release: who writes (or would write) its notes, from how many commits."""
    dry_run: bool = False
    """Built for ``--dry-run``: read-only, notes not asked of the LLM; never applied."""

    @property
    def empty(self) -> bool:
        return not self.steps

    def locks(self) -> list[str]:
        """Mode folders this plan re-locks (one ``uv lock`` each)."""
        return [step.path or "" for step in self.steps if step.kind is StepKind.LOCK]

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON data (the journal's first line, ``--json`` output)."""
        data: dict[str, Any] = dump(self)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """A plan back from ``to_json`` data (validated)."""
        return load(cls, data)

    def render(self) -> list[str]:
        """Human-readable lines: releases, pins, notes, then numbered steps."""
        lines = [f"plan: {self.command}"]
        if self.releases:
            lines.append("releases:")
            for r in self.releases:
                why = "" if r.reason == "selected" else f"  ({r.reason})"
                lines.append(f"  {r.member} {r.old_version} -> {r.new_version}{why}")
                for dep, old, new in r.constraint_updates:
                    lines.append(f"    requirement on {dep}: {old!r} -> {new!r}")
        if self.pins:
            lines.append("pins:")
            for mode, member, old_tag, new_tag in self.pins:
                lines.append(f"  {mode}: {member} {old_tag or '(none)'} -> {new_tag}")
        if any(n.source == "llm" for n in self.release_notes):  # else: from commits, as always
            lines.append("release notes:")
            lines += [f"  {n.member} {n.tag}: {n.describe()}" for n in self.release_notes]
        for note in self.notes:
            lines.append(f"note: {note}")
        if not self.steps:
            lines.append("nothing to do")
            return lines
        lines.append("steps:")
        width = len(str(len(self.steps)))
        for number, step in enumerate(self.steps, 1):
            lines.append(f"  {number:>{width}}. {step.summary}")
        return lines
