"""core.release planning against in-memory repos: what ``promote staging`` would do."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import FakeRepo, FakeRepos
from workspaces import member, workspace

from release_tool.core.plan import StepKind
from release_tool.core.release import ReleaseOptions, plan_promote_staging
from release_tool.core.selection import Selection
from release_tool.errors import PlanRefusedError

if TYPE_CHECKING:
    from pathlib import Path

URL = "https://github.com/example-org/ws.git"


def _staging(root: Path, alpha_tag: str, beta_tag: str) -> None:
    folder = root / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "ws-staging"\nversion = "0.0.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["alpha", "beta"]\n\n[tool.uv]\npackage = false\n\n'
        "[tool.uv.sources]\n"
        f'alpha = {{ git = "{URL}", tag = "{alpha_tag}", subdirectory = "packages/alpha" }}\n'
        f'beta = {{ git = "{URL}", tag = "{beta_tag}", subdirectory = "packages/beta" }}\n',
        encoding="utf-8",
    )


def _repos(root: Path) -> tuple[FakeRepo, FakeRepos]:
    repo = FakeRepo()
    repo.add_commit("chore: layout", "packages/alpha/a.py", "packages/beta/b.py")
    repo.tag("alpha-v0.1.0")
    repo.tag("beta-v0.1.0")
    repo.add_commit("feat(alpha): x", "packages/alpha/x.py")
    repo.tag("alpha-v0.2.0.dev1")
    return repo, FakeRepos({root: repo})


def test_promote_staging_pins_each_member_to_its_newest_tag(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"), member(tmp_path, "beta"))
    _staging(tmp_path, "alpha-v0.1.0", "beta-v0.1.0")
    repo, repos = _repos(tmp_path)
    plan = plan_promote_staging(ws, ReleaseOptions(selection=Selection(all=True)), open_repo=repos)
    assert tuple(tuple(pin) for pin in plan.pins) == (
        ("staging", "alpha", "alpha-v0.1.0", "alpha-v0.2.0.dev1"),
    )
    assert plan.notes == ("beta: staging already pins beta-v0.1.0",)
    assert [s.kind for s in plan.steps] == [StepKind.EDIT, StepKind.LOCK, StepKind.COMMIT]
    edit = plan.steps[0].content or ""
    assert 'tag = "alpha-v0.2.0.dev1"' in edit
    assert 'tag = "beta-v0.1.0"' in edit
    assert repo.writes == []  # planning writes nothing


def test_promote_staging_with_push_pushes_the_checked_out_branch(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"), member(tmp_path, "beta"))
    _staging(tmp_path, "alpha-v0.1.0", "beta-v0.1.0")
    repo, repos = _repos(tmp_path)
    repo.branch_name = "dev"
    options = ReleaseOptions(selection=Selection(names=("alpha",)), push=True)
    plan = plan_promote_staging(ws, options, open_repo=repos)
    push = plan.steps[-1]
    assert (push.kind, push.branch, push.remote) == (StepKind.PUSH, "dev", "origin")


def test_promote_staging_refuses_a_dirty_root_repo(tmp_path: Path) -> None:
    ws = workspace(tmp_path, member(tmp_path, "alpha"), member(tmp_path, "beta"))
    _staging(tmp_path, "alpha-v0.1.0", "beta-v0.1.0")
    repo, repos = _repos(tmp_path)
    repo.dirty = ["README.md"]
    with pytest.raises(PlanRefusedError, match="uncommitted changes"):
        plan_promote_staging(ws, ReleaseOptions(selection=Selection(all=True)), open_repo=repos)
