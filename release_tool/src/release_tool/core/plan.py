"""A release plan: the ordered steps a mutating command will take, as data.

``--dry-run`` renders the plan; ``core.journal.apply_plan`` executes it
step by step. Steps are plain, JSON-serialisable values so the journal can
hold the whole plan and ``--resume`` can finish it in a later process.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v is not None and v != ()}
        data["kind"] = self.kind.value
        for key in ("paths", "tags", "messages"):
            if key in data:
                data[key] = list(data[key])
        if "redirects" in data:
            data["redirects"] = [list(pair) for pair in data["redirects"]]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        values = dict(data)
        values["kind"] = StepKind(values["kind"])
        for key in ("paths", "tags", "messages"):
            values[key] = tuple(values.get(key, ()))
        values["redirects"] = tuple(tuple(pair) for pair in values.get("redirects", ()))
        return cls(**values)


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
    constraint_updates: tuple[tuple[str, str, str], ...] = ()
    """(dependency name, old requirement, new requirement) in this member's pyproject."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["constraint_updates"] = [
            {"dependency": d, "old": o, "new": n} for d, o, n in self.constraint_updates
        ]
        return data


@dataclass(frozen=True)
class Plan:
    """Everything a command will do, in order."""

    command: str
    releases: tuple[Release, ...] = ()
    steps: tuple[Step, ...] = ()
    pins: tuple[tuple[str, str, str | None, str], ...] = ()
    """(mode, member, old tag, new tag)."""
    notes: tuple[str, ...] = field(default=())
    """Messages for the user (members skipped and why)."""

    @property
    def empty(self) -> bool:
        return not self.steps

    def locks(self) -> list[str]:
        """Mode folders this plan re-locks (one ``uv lock`` each)."""
        return [step.path or "" for step in self.steps if step.kind is StepKind.LOCK]

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "releases": [release.to_json() for release in self.releases],
            "pins": [
                {"mode": mode, "member": member, "old": old, "new": new}
                for mode, member, old, new in self.pins
            ],
            "steps": [step.to_json() for step in self.steps],
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        releases = tuple(
            Release(
                member=r["member"],
                old_version=r["old_version"],
                new_version=r["new_version"],
                tag=r.get("tag"),
                repo=r["repo"],
                reason=r["reason"],
                constraint_updates=tuple(
                    (c["dependency"], c["old"], c["new"]) for c in r.get("constraint_updates", [])
                ),
            )
            for r in data.get("releases", [])
        )
        return cls(
            command=data["command"],
            releases=releases,
            steps=tuple(Step.from_json(s) for s in data.get("steps", [])),
            pins=tuple((p["mode"], p["member"], p["old"], p["new"]) for p in data.get("pins", [])),
            notes=tuple(data.get("notes", [])),
        )

    def render(self) -> list[str]:
        """Human-readable lines: releases, pins, then numbered steps."""
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
