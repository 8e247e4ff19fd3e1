"""The ``--json`` documents of the release commands and of errors, as pydantic models.

Each document names its schema (``release-tool.<name>/<version>``); fields
are only ever added to a version, never renamed or removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from release_tool.core.journal import ApplyReport  # noqa: TC001 (pydantic needs it at runtime)
from release_tool.core.plan import PLAN_SCHEMA, Plan


class PlanOutput(BaseModel):
    """``bump``, ``promote`` and ``resume``: the plan and, once applied, what was done."""

    schema_: Literal["release-tool.plan/1"] = Field(PLAN_SCHEMA, alias="schema")
    dry_run: bool
    plan: Plan
    applied: ApplyReport | None = None


class PendingStep(BaseModel):
    index: int
    """1-based."""
    step: str
    state: str
    """The journal's last state for it, ``pending`` when it never started."""


class PendingOutput(BaseModel):
    """``resume --dry-run`` (and ``bump|promote --resume --dry-run``): the interrupted run."""

    schema_: Literal["release-tool.resume/1"] = Field("release-tool.resume/1", alias="schema")
    dry_run: Literal[True] = True
    command: str
    steps: list[PendingStep]


class AbortOutput(BaseModel):
    """``resume --abort``: what was undone and what could not be."""

    schema_: Literal["release-tool.abort/1"] = Field("release-tool.abort/1", alias="schema")
    aborted: bool = True
    command: str
    undone: list[str]
    undo_errors: list[str]


class ErrorOutput(BaseModel):
    """Any command's failure with ``--json``: on stdout, beside the exit code."""

    schema_: Literal["release-tool.error/1"] = Field("release-tool.error/1", alias="schema")
    error: str
    exit_code: int
    hint: str | None = None
    applied: dict[str, Any] | None = None
    """For a failed apply: the report of what was done and rolled back."""


def document(model: BaseModel) -> dict[str, Any]:
    """The JSON data of an output model, with ``schema`` first."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return data
