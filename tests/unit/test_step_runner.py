"""core.step_runner.StepRunner against in-memory repos: prepare, run, recognise, undo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import FakeRepo, FakeRepos

from release_tool.core.plan import Step, StepKind
from release_tool.core.step_runner import StepRunner
from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def _runner(tmp_path: Path) -> tuple[FakeRepo, StepRunner]:
    repo = FakeRepo()
    repo.add_commit("chore: layout", "pyproject.toml")
    runner = StepRunner(tmp_path, tmp_path / ".state", open_repo=FakeRepos({tmp_path: repo}))
    return repo, runner


def test_commit_step_records_head_then_undo_resets_to_it(tmp_path: Path) -> None:
    repo, runner = _runner(tmp_path)
    step = Step(StepKind.COMMIT, "commit", repo=".", paths=("pyproject.toml",), message="rel\n")
    undo = runner.prepare(0, step)
    before = repo.head()
    assert undo == {"head_before": before}
    done = runner.run(step, undo)
    assert done["commit"] == repo.head() != before
    assert runner.already_done(step, undo)
    assert runner.undo(step, undo) == f"reset . to {before[:12]}"
    assert repo.head() == before
    assert ("reset", before) in repo.writes


def test_tag_step_refuses_an_existing_tag_before_running(tmp_path: Path) -> None:
    repo, runner = _runner(tmp_path)
    repo.tag("v0.2.0")
    step = Step(StepKind.TAG, "tag", repo=".", tags=("v0.2.0",), messages=("m",))
    with pytest.raises(GitError, match=r"tag v0\.2\.0 already exists"):
        runner.prepare(0, step)
    assert repo.writes == []


def test_tag_step_runs_is_recognised_and_undone(tmp_path: Path) -> None:
    repo, runner = _runner(tmp_path)
    step = Step(StepKind.TAG, "tag", repo=".", tags=("a-v1", "b-v1"), messages=("a", "b"))
    runner.run(step, runner.prepare(0, step))
    assert repo.tags() == {"a-v1": repo.head(), "b-v1": repo.head()}
    assert runner.already_done(step, {})
    assert runner.undo(step, {}) == "deleted tags a-v1, b-v1 in ."
    assert repo.tags() == {}


def test_push_step_remembers_remote_refs_and_undo_puts_them_back(tmp_path: Path) -> None:
    repo, runner = _runner(tmp_path)
    old = repo.head()
    repo.remote_state = {"refs/heads/main": old}
    repo.add_commit("feat: new", "x.py")
    repo.tag("v0.2.0")
    step = Step(StepKind.PUSH, "push", repo=".", branch="main", tags=("v0.2.0",), remote="origin")
    undo = runner.prepare(0, step)
    assert undo["before"] == {"refs/heads/main": old, "refs/tags/v0.2.0": None}
    runner.run(step, undo)
    assert repo.remote_state["refs/heads/main"] == repo.head()
    line = runner.undo(step, undo)
    assert line == "restored remote refs of .: refs/heads/main, refs/tags/v0.2.0"
    assert repo.remote_state == {"refs/heads/main": old}


def test_lock_step_calls_the_locker_with_the_redirects(tmp_path: Path) -> None:
    calls = []

    def lock(folder: Path, *, redirects: Mapping[str, Path] | None = None) -> None:
        calls.append((folder, dict(redirects or {})))

    runner = StepRunner(tmp_path, tmp_path / ".state", open_repo=FakeRepos({}), lock=lock)
    url = "https://github.com/example-org/ws.git"
    step = Step(StepKind.LOCK, "lock", path="staging", redirects=((url, "."),))
    runner.run(step, runner.prepare(0, step))
    assert calls == [(tmp_path / "staging", {url: tmp_path.resolve()})]
