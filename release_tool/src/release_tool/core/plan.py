"""A release plan: the ordered steps a mutating command will take, as data.

``--dry-run`` renders the plan; ``core.journal.apply_plan`` executes it
step by step. Steps are plain, JSON-serialisable values so the journal can
hold the whole plan and ``--resume`` can finish it in a later process.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

import msgspec

from release_tool.core.jsonable import dump, load

if TYPE_CHECKING:
    from collections.abc import Iterator

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


class _Record(msgspec.Struct, frozen=True):
    """A record that unpacks like a tuple in code and is an object in JSON."""

    def __iter__(self) -> Iterator[Any]:
        return iter(msgspec.structs.astuple(self))


class ConstraintUpdate(_Record, frozen=True):
    """A dependency requirement rewritten in a member's pyproject."""

    dependency: str
    old: str
    new: str


class PinChange(_Record, frozen=True):
    """A mode's pin of a member moved from ``old`` (None: not pinned) to ``new``."""

    mode: str
    member: str
    old: str | None
    new: str


def _records(kind: type[Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """``values`` as ``kind`` records: code may build them as plain tuples."""
    return tuple(v if isinstance(v, kind) else kind(*v) for v in values)


class Step(msgspec.Struct, frozen=True, omit_defaults=True):
    """One step of a plan. ``repo`` is relative to the workspace root (``.`` = root).

    In JSON only the fields a step uses appear (journals stay small and
    readable): unset optional fields are left out, ``repo`` always written.
    """

    kind: StepKind
    summary: str
    repo: str = msgspec.field(default_factory=lambda: ".")
    """A factory default, so ``omit_defaults`` never drops it (it did not before)."""
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


class Release(msgspec.Struct, frozen=True):
    """One member's version change in a plan."""

    member: str
    old_version: str
    new_version: str
    tag: str | None
    repo: str
    reason: str
    """``selected``, ``changed`` or ``dependent of <name>``."""
    constraint_updates: tuple[ConstraintUpdate, ...] = ()
    """(dependency name, old requirement, new requirement) in this member's pyproject."""

    def __post_init__(self) -> None:
        updates = _records(ConstraintUpdate, self.constraint_updates)
        msgspec.structs.force_setattr(self, "constraint_updates", updates)


class PlannedNotes(msgspec.Struct, frozen=True):
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


class Plan(msgspec.Struct, frozen=True):
    """Everything a command will do, in order."""

    command: str
    releases: tuple[Release, ...] = ()
    steps: tuple[Step, ...] = ()
    pins: tuple[PinChange, ...] = ()
    """(mode, member, old tag, new tag)."""
    notes: tuple[str, ...] = ()
    """Messages for the user (members skipped and why)."""
    release_notes: tuple[PlannedNotes, ...] = ()
    """Per release: who writes (or would write) its notes, from how many commits."""
    dry_run: bool = False
    """Built for ``--dry-run``: read-only, notes not asked of the LLM; never applied."""

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "pins", _records(PinChange, self.pins))

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
