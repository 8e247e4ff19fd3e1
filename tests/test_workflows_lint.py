"""actionlint (with shellcheck) and zizmor (offline, default persona) on every workflow.

Both the generated workflows of each layout and this repository's own, which
must also equal what the generator writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_workflows import CASES, MONOREPO

from release_tool.core.workflows import render_workflows, settings_for
from release_tool.core.workspace import load_workspace
from release_tool.testing.actionlint import run_actionlint
from release_tool.testing.zizmor import run_zizmor

REPO_ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder.glob("*.yml"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_workflows_pass_actionlint_and_zizmor(case: str, tmp_path: Path) -> None:
    paths = write(tmp_path, render_workflows(CASES[case]))
    lint = run_actionlint(paths, tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = run_zizmor(paths, tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout + audit.stderr


def test_the_linters_catch_broken_workflows(tmp_path: Path) -> None:
    """The lint tests can fail: shellcheck, permissions and credential findings are reported."""
    files = render_workflows(MONOREPO)
    files["check.yml"] = (
        files["check.yml"]
        .replace("run: uv sync --locked", "run: uv sync --locked $EXTRA")
        .replace("contents: read", "content: read")
    )
    files["release.yml"] = files["release.yml"].replace(
        "          persist-credentials: false\n", ""
    )
    paths = write(tmp_path, files)
    lint = run_actionlint(paths, tmp_path)
    assert lint.returncode == 1
    assert "SC2086" in lint.stdout and 'unknown permission scope "content"' in lint.stdout
    audit = run_zizmor([p for p in paths if p.name == "release.yml"], tmp_path)
    assert audit.returncode != 0
    assert "artipacked" in audit.stdout + audit.stderr


def test_this_repository_workflows_match_the_generator_and_pass_the_linters() -> None:
    folder = REPO_ROOT / ".github" / "workflows"
    paths = sorted(folder.glob("*.yml"))
    expected = render_workflows(settings_for(load_workspace(REPO_ROOT)))
    assert {p.name: p.read_text(encoding="utf-8") for p in paths} == expected, (
        "re-generate with: uv run release-tool ci init --force"
    )
    lint = run_actionlint(paths, REPO_ROOT)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = run_zizmor(paths, REPO_ROOT)
    assert audit.returncode == 0, audit.stdout + audit.stderr
