"""``--json`` documents: one schema per command, errors as ``release-tool.error/1`` on stdout."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from release_tool.cli.output import PlanOutput, document
from release_tool.core.journal import ApplyReport
from release_tool.core.jsonable import load
from release_tool.core.plan import Plan, PlannedNotes, Step, StepKind
from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli

if TYPE_CHECKING:
    from pathlib import Path


def test_usage_error_with_json_is_an_error_document() -> None:
    result = run_cli("bump", "--bogus", "--json")
    assert result.exit_code == ExitCode.USAGE
    data = json.loads(result.stdout)
    assert data == {
        "schema": "release-tool.error/1",
        "error": data["error"],
        "exit_code": 2,
        "hint": None,
        "applied": None,
    }
    assert "No such option" in data["error"] and "--bogus" in data["error"]
    assert "No such option '--bogus'" in result.stderr  # humans still get it on stderr


def test_usage_error_without_json_prints_nothing_on_stdout() -> None:
    result = run_cli("no-such-command")
    assert result.exit_code == ExitCode.USAGE and result.stdout == ""


def test_tool_error_with_json_carries_exit_code_and_hint(tmp_path: Path) -> None:
    result = run_cli("status", "--json", cwd=tmp_path)
    assert result.exit_code == ExitCode.WORKSPACE
    data = json.loads(result.stdout)
    assert data["schema"] == "release-tool.error/1"
    assert data["exit_code"] == ExitCode.WORKSPACE
    assert data["error"].startswith("no pyproject.toml in")
    assert data["hint"] and "--root" in data["hint"]
    assert result.stderr.startswith("error: no pyproject.toml")


def test_exit_codes_document() -> None:
    data = json.loads(run_cli("exit-codes", "--json").stdout)
    assert data["schema"] == "release-tool.exit-codes/1"
    assert data["codes"][ExitCode.LOCKED] == {
        "code": 10,
        "name": "LOCKED",
        "meaning": data["codes"][ExitCode.LOCKED]["meaning"],
    }
    assert len(data["codes"]) == len(ExitCode)


def test_plan_document_round_trips_through_the_models() -> None:
    plan = Plan(
        command="bump --dev a",
        steps=(Step(StepKind.TAG, "tag a-v1", tags=("a-v1",), messages=("a 1\n",)),),
        pins=(("staging", "a", None, "a-v1"),),
        release_notes=(PlannedNotes("a", "a-v1", "llm", 3, False),),
        dry_run=True,
    )
    data = json.loads(json.dumps(document(PlanOutput(dry_run=True, plan=plan))))
    assert list(data) == ["schema", "dry_run", "plan", "applied"]
    assert data["schema"] == "release-tool.plan/1"
    assert data["plan"]["pins"] == [{"mode": "staging", "member": "a", "old": None, "new": "a-v1"}]
    assert data["plan"]["steps"] == [
        {"kind": "tag", "summary": "tag a-v1", "repo": ".", "tags": ["a-v1"], "messages": ["a 1\n"]}
    ]
    assert Plan.from_json(data["plan"]) == plan
    report = ApplyReport(command="x", failed="2. y", error="boom")
    assert report.to_json()["ok"] is False and load(ApplyReport, report.to_json()) == report
