"""The workspace model: members, layouts, internal dependencies, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_tool.core.workspace import Layout, find_root, load_workspace
from release_tool.errors import ConfigError, ExitCode, WorkspaceError
from release_tool.testing.cli import run_cli

ROOT = """\
[project]
name = "ws"
version = "0.0.0"

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skip-*"]
"""


def member(name: str, version: str = "0.1.0", deps: str = "", extra: str = "") -> str:
    return f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{deps}]\n{extra}'


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_members_layouts_and_internal_dependencies(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": ROOT,
            "packages/Bench_Utils/pyproject.toml": member(
                "Bench_Utils",
                deps='"model-interface>=0.1", "numpy"',
                extra='[project.optional-dependencies]\nqwen = ["model.qwen"]\n'
                '[dependency-groups]\ndev = ["pytest", {include-group = "x"}]\n',
            ),
            "packages/model-interface/pyproject.toml": member("model-interface"),
            "packages/model.qwen/pyproject.toml": member("model.qwen", deps='"model_interface"'),
            "packages/skip-me/pyproject.toml": "not toml at all [",
        },
    )
    (tmp_path / "packages/model.qwen/.git").mkdir()
    ws = load_workspace(tmp_path)
    # the root [project] is a member too, as for `uv workspace list`
    assert list(ws.members) == ["bench-utils", "model-interface", "model-qwen", "ws"]
    assert ws.members["ws"].rel_path == "."
    bench = ws.members["bench-utils"]
    assert bench.display_name == "Bench_Utils"
    assert [(d.name, d.section) for d in bench.dependencies] == [
        ("model-interface", "dependencies"),
        ("model-qwen", "optional:qwen"),
    ]
    assert ws.members["model-qwen"].layout is Layout.OWN_REPO
    assert ws.members["model-interface"].layout is Layout.FOLDER
    # the extra edge bench-utils -> model-qwen is shown but does not order releases
    assert ws.graph.order() == ["model-interface", "bench-utils", "model-qwen", "ws"]
    assert ws.graph.transitive_dependents(["model-interface"]) == ["bench-utils", "model-qwen"]
    assert [m.name for m in ws.select(["bench_utils", "MODEL-INTERFACE"])] == [
        "model-interface",
        "bench-utils",
    ]


def test_dynamic_version_is_reported_not_crashed_on(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": ROOT,
            "packages/dyn/pyproject.toml": '[project]\nname = "dyn"\ndynamic = ["version"]\n',
        },
    )
    dyn = load_workspace(tmp_path).members["dyn"]
    assert dyn.version is None
    assert dyn.version_problem and "dynamic version" in dyn.version_problem
    assert dyn.source.kind == "unmanaged"


def test_find_root_walks_up(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": ROOT, "packages/a/pyproject.toml": member("a")})
    assert find_root(tmp_path / "packages/a") == tmp_path.resolve()


@pytest.mark.parametrize(
    ("files", "error", "message"),
    [
        ({}, WorkspaceError, "no pyproject.toml in"),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, WorkspaceError, "not a uv workspace"),
        (
            {"pyproject.toml": ROOT, "packages/a/pyproject.toml": "[tool.x]\n"},
            WorkspaceError,
            "packages/a/pyproject.toml: workspace member has no [project] table",
        ),
        (
            {"pyproject.toml": ROOT, "packages/a/pyproject.toml": member("a", "1.0-final-x")},
            WorkspaceError,
            "[project].version '1.0-final-x' is not a valid PEP 440 version",
        ),
        (
            {
                "pyproject.toml": ROOT,
                "packages/a/pyproject.toml": member("Same_Name"),
                "packages/b/pyproject.toml": member("same-name"),
            },
            WorkspaceError,
            "two members named 'same-name': packages/a and packages/b",
        ),
        (
            {"pyproject.toml": ROOT + "\n[tool.uv\nbroken = 1\n"},
            ConfigError,
            "pyproject.toml:9:",
        ),
    ],
    ids=[
        "no-pyproject",
        "not-a-workspace",
        "member-without-project",
        "invalid-version",
        "duplicate-names",
        "malformed-toml",
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, files: dict[str, str], error: type[Exception], message: str
) -> None:
    write(tmp_path, files)
    with pytest.raises(error) as info:
        load_workspace(find_root(tmp_path)) if files else find_root(tmp_path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("files", "code", "message"),
    [
        ({"pyproject.toml": '[project]\nname = "x"\n'}, ExitCode.WORKSPACE, "not a uv workspace"),
        (
            {"pyproject.toml": ROOT + "\n[tool.uv\nbroken = 1\n"},
            ExitCode.CONFIG,
            "malformed TOML",
        ),
    ],
)
def test_cli_reports_bad_input_with_documented_exit_code_and_writes_nothing(
    tmp_path: Path, files: dict[str, str], code: ExitCode, message: str
) -> None:
    write(tmp_path, files)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for command in (["status"], ["check"], ["init"]):
        result = run_cli(*command, cwd=tmp_path)
        assert result.exit_code == code, result.output
        assert message in result.stderr
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
