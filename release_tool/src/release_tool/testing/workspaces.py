"""Workspaces shaped like real public uv workspaces, for tests and benchmarks.

Each builder makes a real git repo in ``tmp`` with fixed dates and returns
where things are. They reproduce structures the tool met in the wild: a
dev-group cycle (core -> test-utils -> core), an optional-extra cycle
(framework -> plugin -> framework), a workspace in a subfolder of its git
repo, a root package, members versioned from VCS tags in lockstep, a
version set by a build hook, and a monorepo with a long history
(``long_history``: written with ``git fast-import``, 5,000 commits in a
second or two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from release_tool.testing.sandbox import EPOCH, _fast_import, _Stream, git

if TYPE_CHECKING:
    from pathlib import Path

DEV_GROUP = "test"
EXTRA = "plugins"


@dataclass(frozen=True)
class BuiltWorkspace:
    """A built workspace: its root and the work tree of the git repo holding it."""

    root: Path
    repo: Path


def package(
    name: str,
    version: str | None = "0.1.0",
    *,
    deps: tuple[str, ...] = (),
    extras: dict[str, tuple[str, ...]] | None = None,
    groups: dict[str, tuple[str, ...]] | None = None,
    tail: str = "",
) -> str:
    """A member pyproject; ``version=None`` declares ``dynamic = ["version"]``."""
    lines = ["[project]", f'name = "{name}"']
    lines.append(f'version = "{version}"' if version else 'dynamic = ["version"]')
    lines.append('requires-python = ">=3.11"')
    lines.append("dependencies = [" + ", ".join(f'"{d}"' for d in deps) + "]")
    if extras:
        lines.append("\n[project.optional-dependencies]")
        lines += [f"{k} = [" + ", ".join(f'"{d}"' for d in v) + "]" for k, v in extras.items()]
    if groups:
        lines.append("\n[dependency-groups]")
        lines += [f"{k} = [" + ", ".join(f'"{d}"' for d in v) + "]" for k, v in groups.items()]
    return "\n".join(lines) + "\n" + tail


def workspace_root(members: str = '"packages/*"', *, project: str = "", config: str = "") -> str:
    """A root pyproject: an optional ``[project]`` (a root package), the workspace, config."""
    text = project + "\n[tool.uv.workspace]\n" + f"members = [{members}]\n"
    if config:
        text += "\n[tool.release-tool]\n" + config
    return text


HATCH_VCS = """
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[tool.hatch.version]
source = "vcs"
"""

UV_DYNAMIC = """
[build-system]
requires = ["hatchling", "uv-dynamic-versioning"]
build-backend = "hatchling.build"

[tool.hatch.version]
source = "uv-dynamic-versioning"
"""

BUILD_HOOK = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.version]
path = "src/hooked/__about__.py"
"""


def build(tmp: Path, files: dict[str, str], *, subfolder: str = "") -> BuiltWorkspace:
    """Write ``files`` (relative to the workspace root) and commit them in a new repo."""
    repo = tmp / "repo"
    root = repo / subfolder if subfolder else repo
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Create workspace")
    return BuiltWorkspace(root, repo)


def commit(ws: BuiltWorkspace, rel: str, text: str, message: str) -> None:
    """Write ``rel`` (relative to the workspace root) and commit it."""
    path = ws.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(ws.repo, "add", "-A")
    git(ws.repo, "commit", "-q", "-m", message)


def dev_group_cycle(tmp: Path) -> BuiltWorkspace:
    """core's ``test`` dependency group needs test-utils, which needs core at run time."""
    return build(
        tmp,
        {
            "pyproject.toml": workspace_root(),
            "packages/core/pyproject.toml": package("core", groups={DEV_GROUP: ("test-utils",)}),
            "packages/test-utils/pyproject.toml": package("test-utils", deps=("core>=0.1",)),
        },
    )


def extra_cycle(tmp: Path) -> BuiltWorkspace:
    """framework's ``plugins`` extra names plugin-a, which needs framework at run time."""
    return build(
        tmp,
        {
            "pyproject.toml": workspace_root(),
            "packages/framework/pyproject.toml": package(
                "framework", extras={EXTRA: ("plugin-a",)}
            ),
            "packages/plugin-a/pyproject.toml": package("plugin-a", deps=("framework>=0.1",)),
        },
    )


def runtime_cycle(tmp: Path) -> BuiltWorkspace:
    """alpha and beta need each other at run time (uv accepts it), gamma needs alpha."""
    return build(
        tmp,
        {
            "pyproject.toml": workspace_root(),
            "packages/alpha/pyproject.toml": package("alpha", deps=("beta>=0.1",)),
            "packages/beta/pyproject.toml": package("beta", deps=("alpha>=0.1",)),
            "packages/gamma/pyproject.toml": package("gamma", deps=("alpha>=0.1",)),
        },
    )


def subfolder_root(tmp: Path) -> BuiltWorkspace:
    """The workspace lives in ``python/`` of its repo; tags are the repo's."""
    ws = build(
        tmp,
        {
            "pyproject.toml": workspace_root(),
            "packages/agent-core/pyproject.toml": package("agent-core"),
            "packages/agent-ext/pyproject.toml": package("agent-ext", deps=("agent-core>=0.1",)),
        },
        subfolder="python",
    )
    (ws.repo / "dotnet").mkdir()
    (ws.repo / "dotnet" / "README.md").write_text("the other half of the repo\n")
    git(ws.repo, "add", "-A")
    git(ws.repo, "commit", "-q", "-m", "dotnet: readme")
    git(ws.repo, "tag", "-a", "agent-core-v0.1.0", "-m", "Release agent-core 0.1.0")
    git(ws.repo, "tag", "-a", "agent-ext-v0.1.0", "-m", "Release agent-ext 0.1.0")
    commit(ws, "packages/agent-core/src/agent_core/__init__.py", "X = 1\n", "feat: x")
    return ws


def root_package(tmp: Path) -> BuiltWorkspace:
    """A root ``[project]`` that is a real package, with members under ``packages/``."""
    project = package("observe-sdk", deps=("observe-core>=0.1",))
    return build(
        tmp,
        {
            "pyproject.toml": workspace_root(project=project),
            "packages/observe-core/pyproject.toml": package("observe-core"),
        },
    )


def lockstep_vcs(tmp: Path) -> BuiltWorkspace:
    """Two hatch-vcs members and one uv-dynamic-versioning member tagged ``python-v{version}``."""
    ws = build(
        tmp,
        {
            "pyproject.toml": workspace_root(
                config='tag-template = { folder = "python-v{version}" }\n'
            ),
            "packages/agents/pyproject.toml": package("agents", None, tail=HATCH_VCS),
            "packages/agents-tools/pyproject.toml": package(
                "agents-tools", None, deps=("agents>=0.4",), tail=HATCH_VCS
            ),
            "packages/agents-cli/pyproject.toml": package("agents-cli", None, tail=UV_DYNAMIC),
        },
    )
    git(ws.repo, "tag", "-a", "python-v0.4.8", "-m", "Release 0.4.8")
    commit(ws, "packages/agents/src/agents/__init__.py", "A = 1\n", "feat: a")
    git(ws.repo, "tag", "-a", "python-v0.4.9", "-m", "Release 0.4.9")
    git(ws.repo, "tag", "-a", "v9.9.9", "-m", "not ours: another scheme")
    commit(ws, "packages/agents-tools/src/agents_tools/__init__.py", "B = 1\n", "feat: b")
    return ws


def build_hook_version(tmp: Path) -> BuiltWorkspace:
    """One member whose version a build hook reads from a file, one static member."""
    return build(
        tmp,
        {
            "pyproject.toml": workspace_root(),
            "packages/hooked/pyproject.toml": package("hooked", None, tail=BUILD_HOOK),
            "packages/hooked/src/hooked/__about__.py": '__version__ = "1.0.0"\n',
            "packages/plain/pyproject.toml": package("plain"),
        },
    )


def long_history(
    tmp: Path, *, members: int = 80, commits: int = 5000, tags: int = 400
) -> BuiltWorkspace:
    """A monorepo of ``members`` folder members, ``commits`` commits round-robin, ``tags`` tags.

    Commit ``i`` changes member ``i % members``; tags (``{name}-v0.1.N``) are
    spread evenly over the history, round-robin over the members, each on a
    commit of the member it names; a few dirty files are left in the work tree.
    """
    repo = tmp / "repo"
    names = [f"plugin-{i:03d}" for i in range(members)]
    stream = _Stream()
    files: dict[str, str | None] = {
        "pyproject.toml": workspace_root(),
        ".gitignore": ".venv/\n",
    }
    for name in names:
        files[f"packages/{name}/pyproject.toml"] = package(name)
    stream.commit("Create workspace", files)
    every = max(1, commits // max(tags, 1))
    made = 0
    for i in range(1, commits):
        tagged = made < tags and i % every == 0
        name = names[made % members] if tagged else names[i % members]
        stream.commit(
            f"feat({name}): change {i}",
            {f"packages/{name}/src/{name.replace('-', '_')}/__init__.py": f"CHANGE = {i}\n"},
        )
        if tagged:
            made += 1
            stream.tag(f"{name}-v0.1.{i}", f"Release {name} 0.1.{i}")
    bare = tmp / "remote.git"
    _fast_import(bare, stream)
    git(tmp, "clone", "-q", str(bare), str(repo))
    for name in names[:3]:
        (repo / "packages" / name / "NOTES.md").write_text("uncommitted\n")
    return BuiltWorkspace(repo, repo)


__all__ = ["EPOCH", "BuiltWorkspace", "build", "commit", "package", "workspace_root"]
