"""Apply with a journal: rollback of every local step kind, resume, abort, the lock file."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import pytest

from release_tool.core import journal
from release_tool.core.journal import ApplyFailedError, abort, apply_plan, resume, workspace_lock
from release_tool.core.plan import Plan, Step, StepKind
from release_tool.errors import LockedError, NotFoundError

if TYPE_CHECKING:
    from pathlib import Path


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("one\n")
    _git(root, "add", "a.txt")
    _git(root, "commit", "-q", "-m", "start")
    return root


def _plan(*steps: Step) -> Plan:
    return Plan(command="test", steps=steps)


def _edit(path: str, content: str) -> Step:
    return Step(StepKind.EDIT, f"edit {path}", path=path, content=content)


COMMIT = Step(StepKind.COMMIT, "commit", paths=("a.txt", "b.txt"), message="release: x 1.0\n")
TAG = Step(StepKind.TAG, "tag x-v1.0", tags=("x-v1.0",), messages=("x 1.0\n",))
TAGS = Step(
    StepKind.TAG, "tag y-v1, z-v1", tags=("y-v1", "z-v1"), messages=("y 1\n\nbody\n", "z 1\n")
)
BAD_TAG = Step(StepKind.TAG, "tag with a bad name", tags=("bad..name",), messages=("m\n",))


def test_all_steps_applied_and_journal_closed(repo: Path) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    plan = _plan(_edit("a.txt", "two\n"), _edit("b.txt", "new\n"), COMMIT, TAG, TAGS)
    report = apply_plan(repo, plan)
    assert report.ok and len(report.done) == 5
    for name, message in (("y-v1", "y 1\n\nbody\n"), ("z-v1", "z 1\n")):
        assert _git(repo, "cat-file", "tag", name).endswith("\n\n" + message.rstrip("\n"))
        assert _git(repo, "rev-parse", f"{name}^{{commit}}") == _git(repo, "rev-parse", "HEAD")
        assert _git(repo, "cat-file", "-t", name) == "tag"
    assert _git(repo, "rev-parse", "HEAD~1") == head
    assert _git(repo, "cat-file", "-p", "x-v1.0").endswith("x 1.0")
    assert _git(repo, "log", "-1", "--format=%B") == "release: x 1.0"
    assert not (repo / ".release-tool/journal.jsonl").exists()
    last = json.loads((repo / ".release-tool/last-journal.json").read_text())
    assert last["outcome"] == "done"
    assert _git(repo, "status", "--porcelain") == ""  # .release-tool ignores itself


def test_failure_rolls_back_files_commits_and_tags(repo: Path) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    plan = _plan(_edit("a.txt", "two\n"), _edit("b.txt", "new\n"), COMMIT, TAG, TAGS, BAD_TAG)
    with pytest.raises(ApplyFailedError) as caught:
        apply_plan(repo, plan)
    report = caught.value.report
    assert report.failed == "6. tag with a bad name"
    assert "not a valid tag name" in (report.error or "")
    assert report.undone == [
        "deleted tags y-v1, z-v1 in .",
        "deleted tag x-v1.0 in .",
        f"reset . to {head[:12]}",
        "removed b.txt",
        "restored a.txt",
    ]
    assert _git(repo, "rev-parse", "HEAD") == head
    assert _git(repo, "tag") == ""
    assert (repo / "a.txt").read_text() == "one\n"
    assert not (repo / "b.txt").exists()
    assert _git(repo, "status", "--porcelain") == ""
    assert "rolled back:" in str(caught.value)


def test_kill_then_resume_finishes_without_repeating(repo: Path) -> None:
    plan = _plan(_edit("a.txt", "two\n"), _edit("b.txt", "new\n"), COMMIT, TAG)
    folder = journal.state_dir(repo)
    # simulate a process that died while the commit step was running, after git committed
    (folder / journal.JOURNAL).write_text(
        json.dumps({"command": "test", "plan": plan.to_json()}) + "\n"
    )
    (repo / "a.txt").write_text("two\n")
    (repo / "b.txt").write_text("new\n")
    head = _git(repo, "rev-parse", "HEAD")
    with (folder / journal.JOURNAL).open("a") as fh:
        for index in (0, 1):
            fh.write(json.dumps({"index": index, "state": "done", "undo": {}}) + "\n")
        fh.write(json.dumps({"index": 2, "state": "running", "undo": {"head_before": head}}) + "\n")
    _git(repo, "add", "a.txt", "b.txt")
    _git(repo, "commit", "-q", "-m", "release: x 1.0")

    with pytest.raises(LockedError, match="--resume"):
        apply_plan(repo, plan)
    report = resume(repo)
    assert report.ok and report.resumed_from == 4
    assert _git(repo, "rev-list", "--count", "HEAD") == "2"  # the commit was not made twice
    assert _git(repo, "rev-parse", "x-v1.0^{commit}") == _git(repo, "rev-parse", "HEAD")


def test_abort_undoes_an_interrupted_run(repo: Path) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    plan = _plan(_edit("a.txt", "two\n"), _edit("b.txt", "new\n"), COMMIT, TAG)
    folder = journal.state_dir(repo)
    (folder / journal.JOURNAL).write_text(
        json.dumps({"command": "test", "plan": plan.to_json()}) + "\n"
    )
    runner = journal.StepRunner(repo, folder)
    with (folder / journal.JOURNAL).open("a") as fh:
        for index, step in enumerate(plan.steps):
            undo = runner.prepare(index, step)
            undo.update(runner.run(step, undo))
            fh.write(json.dumps({"index": index, "state": "done", "undo": undo}) + "\n")
    report = abort(repo)
    assert len(report.undone) == 4
    assert _git(repo, "rev-parse", "HEAD") == head and _git(repo, "tag") == ""
    assert (repo / "a.txt").read_text() == "one\n" and not (repo / "b.txt").exists()


def test_resume_without_journal(repo: Path) -> None:
    with pytest.raises(NotFoundError, match="no interrupted run"):
        resume(repo)


def test_lock_refuses_a_second_holder_and_names_it(repo: Path) -> None:
    with (
        workspace_lock(repo, "first"),
        pytest.raises(LockedError, match=r"pid \d+: first"),
        workspace_lock(repo, "second"),
    ):
        pass
    with workspace_lock(repo, "third"):  # released: free again
        pass


def test_a_killed_holder_leaves_no_stale_lock(repo: Path) -> None:
    """An OS lock: the kernel frees it when the holder dies, whatever files it left."""
    import os
    import signal
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from release_tool.core.journal import workspace_lock\n"
            "with workspace_lock(Path(sys.argv[1]), 'doomed'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
            str(repo),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(LockedError, match=f"pid {holder.pid}: doomed"),
            workspace_lock(repo, "blocked"),
        ):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with workspace_lock(repo, "after the kill"):
        owner = json.loads((repo / ".release-tool" / journal.LOCK_OWNER).read_text())
        assert owner["command"] == "after the kill"
    assert not (repo / ".release-tool" / journal.LOCK_OWNER).exists()


def test_member_repo_chains_run_side_by_side_and_roll_back_together(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    heads = {}
    for rel in (".", "m1", "m2", "m3"):
        path = root / rel
        path.mkdir(parents=True, exist_ok=True)
        _git(path, "init", "-q", "-b", "main")
        (path / "a.txt").write_text("one\n")
        _git(path, "add", "a.txt")
        _git(path, "commit", "-q", "-m", "start")
        heads[rel] = _git(path, "rev-parse", "HEAD")

    def chain(rel: str, tag: str) -> list[Step]:
        return [
            Step(StepKind.EDIT, f"edit {rel}", repo=rel, path=f"{rel}/a.txt", content="two\n"),
            Step(StepKind.COMMIT, f"commit {rel}", repo=rel, paths=("a.txt",), message="r\n"),
            Step(StepKind.TAG, f"tag {rel}", repo=rel, tags=(tag,), messages=("m\n",)),
        ]

    plan = _plan(*chain("m1", "v1"), *chain("m2", "bad..tag"), *chain("m3", "v1"))
    assert journal._segments(plan) == [[[0, 1, 2], [3, 4, 5], [6, 7, 8]]]
    with pytest.raises(ApplyFailedError) as caught:
        apply_plan(root, plan)
    assert caught.value.report.failed == "6. tag m2"
    for rel in ("m1", "m2", "m3"):
        assert _git(root / rel, "rev-parse", "HEAD") == heads[rel], rel
        assert _git(root / rel, "tag") == ""
        assert (root / rel / "a.txt").read_text() == "one\n"


def test_root_steps_wait_for_member_chains() -> None:
    plan = _plan(
        Step(StepKind.EDIT, "e", repo="m1", path="m1/x", content=""),
        Step(StepKind.EDIT, "e", path="staging/pyproject.toml", content=""),
        Step(StepKind.COMMIT, "c", repo="m1", paths=("x",), message="m"),
        Step(StepKind.LOCK, "l", path="staging"),
        Step(StepKind.COMMIT, "c", paths=("staging",), message="m"),
    )
    assert journal._segments(plan) == [[[0, 2]], [[1]], [[3]], [[4]]]


def test_a_dry_run_plan_is_never_applied(repo: Path) -> None:
    from release_tool.errors import ApplyError

    plan = Plan(command="test", steps=(_edit("a.txt", "two\n"),), dry_run=True)
    with pytest.raises(ApplyError, match="dry-run plan is never applied"):
        apply_plan(repo, plan)
    assert (repo / "a.txt").read_text() == "one\n"
    assert not (repo / ".release-tool" / "journal.jsonl").exists()
