"""Plans are plain data: rendered for --dry-run, round-tripped through JSON for the journal."""

from __future__ import annotations

import json

from release_tool.core.plan import Plan, Release, Step, StepKind

PLAN = Plan(
    command="bump --dev --all",
    releases=(
        Release("a", "0.1.0", "0.1.1.dev1", "a-v0.1.1.dev1", ".", "selected"),
        Release(
            "b",
            "0.1.0",
            "0.1.1.dev1",
            "v0.1.1.dev1",
            "packages/b",
            "dependent of a",
            constraint_updates=(("a", "a<0.1.1", "a>=0.1.1.dev1"),),
        ),
    ),
    steps=(Step(StepKind.EDIT, "edit packages/a/pyproject.toml", path="packages/a/pyproject.toml", content="x"), Step(StepKind.COMMIT, "commit in .", paths=("packages/a/pyproject.toml",), message="m\n"), Step(StepKind.TAG, "tag a-v0.1.1.dev1 in .", tags=("a-v0.1.1.dev1",), messages=("t\n",)), Step(StepKind.LOCK, "uv lock in staging/", path="staging", redirects=(("https://github.com/o/ws.git", "."),)), Step(StepKind.PUSH, "push", repo="packages/b", branch="main", tags=("v0.1.1.dev1",), remote="origin"), *tuple(Step(StepKind.EDIT, f"edit {i}", path=f"f{i}", content="") for i in range(5))),
    pins=(("staging", "a", "a-v0.1.0", "a-v0.1.1.dev1"), ("staging", "b", None, "v0.1.1.dev1")),
    notes=("c: nothing new since c-v1.0.0",),
)  # fmt: skip


def test_render() -> None:
    assert PLAN.render()[:12] == [
        "plan: bump --dev --all",
        "releases:",
        "  a 0.1.0 -> 0.1.1.dev1",
        "  b 0.1.0 -> 0.1.1.dev1  (dependent of a)",
        "    requirement on a: 'a<0.1.1' -> 'a>=0.1.1.dev1'",
        "pins:",
        "  staging: a a-v0.1.0 -> a-v0.1.1.dev1",
        "  staging: b (none) -> v0.1.1.dev1",
        "note: c: nothing new since c-v1.0.0",
        "steps:",
        "   1. edit packages/a/pyproject.toml",
        "   2. commit in .",
    ]
    assert PLAN.render()[-1] == "  10. edit 4"  # numbers right-aligned


def test_json_round_trip() -> None:
    data = json.loads(json.dumps(PLAN.to_json()))
    assert Plan.from_json(data) == PLAN
    assert data["steps"][3] == {
        "kind": "lock",
        "summary": "uv lock in staging/",
        "repo": ".",
        "path": "staging",
        "redirects": [["https://github.com/o/ws.git", "."]],
    }
    assert data["releases"][1]["constraint_updates"] == [
        {"dependency": "a", "old": "a<0.1.1", "new": "a>=0.1.1.dev1"}
    ]


def test_empty_plan() -> None:
    plan = Plan(command="promote staging --all")
    assert plan.empty and plan.render() == ["plan: promote staging --all", "nothing to do"]
    assert plan.locks() == [] and PLAN.locks() == ["staging"]
