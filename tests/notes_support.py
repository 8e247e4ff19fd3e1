"""Small real-git workspaces for the notes tests: folder members and an own-repo member."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

ROOT_PYPROJECT = """\
[project]
name = "ws"
version = "0.1.0"
requires-python = ">=3.11"

[tool.uv]
package = false  # a virtual root: not a member of its own

[tool.uv.workspace]
members = ["packages/*"]
{extra}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def member_pyproject(name: str, version: str = "0.1.0") -> str:
    return f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.11"\n'


def commit(repo: Path, message: str, files: dict[str, str]) -> str:
    """Write ``files`` (relative to ``repo``) and commit them; return the commit id."""
    for rel, text in files.items():
        write(repo / rel, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def make_workspace(
    root: Path, members: tuple[str, ...] = ("alpha", "beta"), extra: str = ""
) -> Path:
    """A git repo holding a uv workspace whose members are folders, each tagged at 0.1.0."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    files = {"pyproject.toml": ROOT_PYPROJECT.format(extra=extra)}
    for name in members:
        files[f"packages/{name}/pyproject.toml"] = member_pyproject(name)
        files[f"packages/{name}/src/{name}/__init__.py"] = '"""Package."""\n'
    commit(root, "chore: initial layout", files)
    for name in members:
        git(root, "tag", f"{name}-v0.1.0")
    return root


def make_own_repo_member(root: Path, name: str) -> Path:
    """A member with its own git repo inside the workspace (tags ``v{version}``)."""
    folder = root / "packages" / name
    folder.mkdir(parents=True)
    git(folder, "init", "-q")
    commit(
        folder,
        "chore: initial",
        {"pyproject.toml": member_pyproject(name), f"src/{name}/__init__.py": '"""Own repo."""\n'},
    )
    git(folder, "tag", "v0.1.0")
    (root / ".gitignore").write_text(f"packages/{name}/\n", encoding="utf-8")
    return folder


LLM_ENV = ("RELEASE_TOOL_LLM_BASE_URL", "RELEASE_TOOL_LLM_MODEL", "OPENAI_BASE_URL")
"""Variables that would point the tool at a real endpoint during tests."""
