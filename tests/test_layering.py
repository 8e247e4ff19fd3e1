"""Layering: only ``adapters/`` (and the ``testing/`` harness) reach git and tomlkit directly.

Every other module goes through ``adapters.git.Repo`` and
``adapters.toml_files``. Imports and ``subprocess`` calls are read with
``ast``, so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "release_tool/src/release_tool"
ALLOWED_ROOMS = ("adapters", "testing")
FORBIDDEN_MODULES = {"pygit2", "git", "tomlkit"}
SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}
PORTS_ONLY = (
    "core/check_repos.py",
    "core/checks.py",
    "core/ci_files.py",
    "core/dev_branch.py",
    "core/github_pr.py",
    "core/github_release.py",
    "core/github_repos.py",
    "core/graph.py",
    "core/images.py",
    "core/journal_records.py",
    "core/jsonable.py",
    "core/member_folders.py",
    "core/dependents.py",
    "core/mode_steps.py",
    "core/mode_requirements.py",
    "core/names.py",
    "core/plan.py",
    "core/ports.py",
    "core/release.py",
    "core/release_plan.py",
    "core/release_texts.py",
    "core/selection.py",
    "core/status.py",
    "core/tags.py",
    "core/versions.py",
    "core/workflow_scripts.py",
    "core/workflow_yaml.py",
    "core/workflows.py",
    "notes/ask.py",
    "notes/budget.py",
    "notes/changelog.py",
    "notes/commit_message.py",
    "notes/conventional.py",
    "notes/payload.py",
    "notes/prompt.py",
    "notes/redact.py",
    "notes/validate.py",
)
"""Core modules written against ``core.ports`` alone: no adapter import outside type hints."""
PENDING: dict[str, str] = {}
"""Modules allowed to break the rule for now, each with the reason."""


def violations(source: str) -> list[str]:
    """What in ``source`` reaches git or tomlkit directly: forbidden imports, ``git`` processes."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            names = []
        found += [
            f"line {node.lineno}: imports {name}"
            for name in names
            if name.split(".")[0] in FORBIDDEN_MODULES
        ]
        if isinstance(node, ast.Call) and _runs_git(node):
            found.append(f"line {node.lineno}: runs git in a subprocess")
    return found


def _runs_git(call: ast.Call) -> bool:
    func = call.func
    is_subprocess = (
        isinstance(func, ast.Attribute)
        and func.attr in SUBPROCESS_CALLS
        and isinstance(func.value, ast.Name)
        and func.value.id == "subprocess"
    ) or (isinstance(func, ast.Name) and func.id in SUBPROCESS_CALLS)
    if not is_subprocess or not call.args or not isinstance(call.args[0], ast.List | ast.Tuple):
        return False
    first = call.args[0].elts[0] if call.args[0].elts else None
    return isinstance(first, ast.Constant) and first.value == "git"


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ALLOWED_ROOMS
    )


@pytest.mark.parametrize(
    "source",
    [
        "import pygit2\n",
        "def f():\n    from pygit2.enums import SortMode\n",
        "import git\n",
        "from git import Repo\n",
        "import tomlkit\n",
        "from tomlkit.items import Table\n",
        "import subprocess\nsubprocess.run(['git', 'log'], check=True)\n",
        "from subprocess import run\nrun(('git', '-C', '.', 'tag'))\n",
    ],
)
def test_the_checker_catches_each_kind_of_direct_use(source: str) -> None:
    assert violations(source)


def test_the_checker_lets_adapter_use_through_the_facade_pass() -> None:
    ok = (
        "from release_tool.adapters.git import Repo\n"
        "import subprocess\nsubprocess.run(['uv', 'lock'])\n"
        "from release_tool.adapters import toml_files\n"
        "from release_tool.notes.collect import git\n"
    )
    assert violations(ok) == []


def test_no_module_outside_adapters_reaches_git_or_tomlkit_directly() -> None:
    modules = _modules()
    assert len(modules) > 50  # the walk found the package
    problems = []
    for path in modules:
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in PENDING:
            continue
        problems += [f"{rel}: {v}" for v in violations(path.read_text(encoding="utf-8"))]
    assert problems == []


def test_pending_exceptions_are_still_needed() -> None:
    """An exception that no longer breaks the rule must be dropped from PENDING."""
    for rel in PENDING:
        path = PACKAGE / rel
        if path.exists():
            assert violations(path.read_text(encoding="utf-8")), f"{rel} is clean: drop it"


def adapter_imports(source: str) -> list[str]:
    """``release_tool.adapters`` imports that run (those under ``if TYPE_CHECKING:`` do not)."""
    tree = ast.parse(source)
    hinted = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    return [
        f"line {node.lineno}: imports {node.module}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("release_tool.adapters")
        and id(node) not in hinted
    ]


def test_the_adapter_import_checker_ignores_type_hints_only() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from release_tool.adapters.git import RepoState\n"
        "def f():\n    from release_tool.adapters.git import Repo\n"
    )
    assert adapter_imports(source) == ["line 5: imports release_tool.adapters.git"]


@pytest.mark.parametrize("rel", PORTS_ONLY)
def test_ported_core_modules_take_their_adapters_as_parameters(rel: str) -> None:
    assert adapter_imports((PACKAGE / rel).read_text(encoding="utf-8")) == []
