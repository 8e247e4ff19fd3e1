"""The workspace model: members, their versions, layouts and internal dependencies.

Loaded from the root ``pyproject.toml`` (``[tool.uv.workspace]``) and each
member's ``pyproject.toml``. Reads files only; git state lives in the git
adapter and is joined in by ``status``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from release_tool.adapters.toml_files import get_path, read_toml, unwrap
from release_tool.core.config import Config, load_config
from release_tool.core.graph import DependencyGraph, Edge, EdgeKind
from release_tool.core.member_folders import expand_globs, find_git_root, read_gitmodules
from release_tool.core.names import canonical_name, requirement_name
from release_tool.core.version_source import VersionSource, version_source
from release_tool.errors import ConfigError, WorkspaceError

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.tag_schemes import TagSchemes
    from release_tool.core.tags import TagScheme


class Layout(StrEnum):
    """Where a member's history lives."""

    FOLDER = "folder"
    """A folder of the root repo: tags like ``{name}-v{version}`` in the root repo."""
    SUBMODULE = "submodule"
    """Its own git repo, attached to the root repo as a submodule."""
    OWN_REPO = "own-repo"
    """Its own git repo inside the workspace, not registered as a submodule."""

    @property
    def has_own_repo(self) -> bool:
        return self is not Layout.FOLDER


@dataclass(frozen=True)
class InternalDependency:
    """A member's requirement on another member."""

    name: str
    requirement: str
    section: str  # "dependencies", "optional:<extra>", "group:<group>"

    @property
    def specifier(self) -> str:
        from packaging.requirements import Requirement

        return str(Requirement(self.requirement).specifier)


@dataclass(frozen=True)
class Member:
    """One package of the workspace."""

    name: str
    """Canonical name (PEP 503, ``core.names``)."""
    display_name: str
    path: Path
    rel_path: str
    layout: Layout
    repo_root: Path | None
    """The git repo holding the member's history (its own, or the root's)."""
    version: Version | None
    version_text: str | None
    dynamic_version: bool
    dependencies: tuple[InternalDependency, ...] = ()
    repo_path: str | None = None
    """The member folder relative to its repo's root (``""`` at the root of a repo);
    None: the same as ``rel_path`` (the workspace root is the repo's root)."""
    source: VersionSource = field(default_factory=VersionSource)
    """Where the version comes from: ``[project].version``, tags (VCS) or elsewhere."""
    schemes: TagSchemes | None = field(default=None, repr=False, compare=False)
    """The workspace's tag-scheme resolver (``tag_scheme`` asks it)."""

    @property
    def tag_scheme(self) -> TagScheme:
        """How this member's tags are named: configured, detected from its tags, or default."""
        if self.schemes is None:
            from release_tool.core.config import TagTemplates
            from release_tool.core.tag_schemes import TagSchemes

            return TagSchemes(TagTemplates.from_values({}), [self]).for_member(self)
        return self.schemes.for_member(self)

    @property
    def pyproject(self) -> Path:
        return self.path / "pyproject.toml"

    @property
    def vcs_version(self) -> bool:
        """The version is the latest matching tag: releases tag, never edit pyproject."""
        return self.source.kind == "vcs"

    @property
    def version_problem(self) -> str | None:
        """Why the version cannot be managed, or None."""
        if self.source.problem:
            return self.source.problem
        if self.version is None and not self.vcs_version:
            return "no [project].version"
        return None

    @property
    def git_subdir(self) -> str | None:
        """The path filter for this member's history: None when it owns its repo's root."""
        if self.layout.has_own_repo:
            return None
        path = self.rel_path if self.repo_path is None else self.repo_path
        return None if path in ("", ".") else path

    def subdirectory(self) -> str | None:
        """The ``subdirectory`` of a git pin: set only for members below a repo's root."""
        return self.git_subdir


@dataclass(frozen=True)
class Workspace:
    """A uv workspace and its members, with the release-tool configuration."""

    root: Path
    config: Config
    members: dict[str, Member]
    graph: DependencyGraph
    is_git_repo: bool
    uninitialized: tuple[str, ...] = ()
    """Submodule paths matched by the member globs but not checked out."""
    submodules: dict[str, str] = field(default_factory=dict)
    """Submodule path -> URL, from the root's ``.gitmodules``."""
    git_root: Path | None = None
    """The work tree of the git repo holding the workspace root (it may be a parent folder)."""
    virtual_root: str | None = None
    """The root ``[project]`` name when ``tool.uv.package = false``: a uv member, never built."""

    def member(self, name: str) -> Member:
        from release_tool.errors import NotFoundError

        key = canonical_name(name)
        if key not in self.members:
            raise NotFoundError(
                f"unknown member {name!r}",
                hint="members: " + ", ".join(self.members) if self.members else None,
            )
        return self.members[key]

    def select(self, names: list[str] | None) -> list[Member]:
        """Members named (validated), or all of them, in dependency order."""
        chosen = [self.member(n).name for n in names] if names else list(self.members)
        return [self.members[n] for n in self.graph.order(chosen)]

    def ordered(self) -> list[Member]:
        return [self.members[n] for n in self.graph.order()]

    def mode_path(self, mode: str) -> Path:
        return self.root / self.config.mode_dir(mode)  # type: ignore[arg-type]


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` whose pyproject declares a uv workspace."""
    start = start.resolve()
    first_pyproject = None
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            first_pyproject = first_pyproject or candidate
            if get_path(read_toml(candidate), "tool", "uv", "workspace") is not None:
                return folder
    if first_pyproject is None:
        raise WorkspaceError(
            f"no pyproject.toml in {start} or any parent folder",
            hint="run release-tool inside a uv workspace, or pass --root",
        )
    raise WorkspaceError(
        f"{first_pyproject}: not a uv workspace (no [tool.uv.workspace] table)",
        hint='add [tool.uv.workspace] with members = ["packages/*"]',
    )


def load_workspace(root: Path) -> Workspace:
    """Read the workspace at ``root`` (which must hold the workspace pyproject)."""
    root = root.resolve()
    pyproject_path = root / "pyproject.toml"
    if not pyproject_path.is_file():
        raise WorkspaceError(f"no pyproject.toml in {root}", hint="is this the workspace root?")
    doc = read_toml(pyproject_path)
    workspace_table = get_path(doc, "tool", "uv", "workspace")
    if workspace_table is None:
        raise WorkspaceError(
            f"{pyproject_path}: not a uv workspace (no [tool.uv.workspace] table)",
            hint='add [tool.uv.workspace] with members = ["packages/*"]',
        )
    config = load_config(root, doc)
    include = config.members or _string_list(workspace_table, "members", pyproject_path)
    exclude = _string_list(workspace_table, "exclude", pyproject_path) + config.exclude
    submodules = read_gitmodules(root)
    git_root = find_git_root(root)

    members: dict[str, Member] = {}
    uninitialized: list[str] = []
    virtual_root = None
    folders = expand_globs(root, include, exclude)
    if get_path(doc, "project") is not None:
        # uv counts a root [project] as a member, even with tool.uv.package = false
        if get_path(doc, "tool", "uv", "package") is False:
            virtual_root = canonical_name(str(unwrap(get_path(doc, "project", "name")) or ""))
        elif root not in folders:
            folders.insert(0, root)
    for folder in folders:
        rel = folder.relative_to(root).as_posix()
        if not (folder / "pyproject.toml").is_file():
            if rel in submodules:
                uninitialized.append(rel)
            continue  # uv skips a matched folder without a pyproject.toml
        member = _load_member(root, folder, rel, submodules, git_root)
        if member.name in members:
            other = members[member.name]
            raise WorkspaceError(
                f"two members named {member.name!r}: {other.rel_path} and {member.rel_path}",
                hint="rename one of them in its [project].name",
            )
        members[member.name] = member

    member_names = set(members)
    members = {name: _with_internal_deps(m, member_names) for name, m in sorted(members.items())}
    members = _with_tag_schemes(config, members)
    graph = DependencyGraph(
        {name: [] for name in members},
        typed=[_edge(m.name, d) for m in members.values() for d in m.dependencies],
    )
    workspace = Workspace(
        root=root,
        config=config,
        members=members,
        graph=graph,
        is_git_repo=git_root is not None,
        uninitialized=tuple(uninitialized),
        submodules=submodules,
        git_root=git_root,
        virtual_root=virtual_root,
    )
    if any(m.vcs_version for m in members.values()):
        from release_tool.core.vcs_versions import with_vcs_versions

        workspace = with_vcs_versions(workspace)
    return workspace


def uv_member_names(workspace: Workspace) -> set[str]:
    """The names ``uv workspace list`` prints for this workspace (canonical form)."""
    names = set(workspace.members)
    if workspace.virtual_root:
        names.add(workspace.virtual_root)
    return names


def _edge(source: str, dep: InternalDependency) -> Edge:
    kind, _, via = dep.section.partition(":")
    if kind == "optional":
        return Edge(source, dep.name, EdgeKind.EXTRA, via)
    if kind == "group":
        return Edge(source, dep.name, EdgeKind.DEV, via)
    return Edge(source, dep.name, EdgeKind.RUNTIME)


def _string_list(table: Any, key: str, source: Path) -> list[str]:
    value = unwrap(table.get(key, []))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: [tool.uv.workspace].{key}: expected a list of strings")
    return value


def _load_member(
    root: Path, folder: Path, rel: str, submodules: dict[str, str], git_root: Path | None
) -> Member:
    pyproject = folder / "pyproject.toml"
    doc = read_toml(pyproject)
    project = get_path(doc, "project")
    if project is None:
        raise WorkspaceError(
            f"{pyproject}: workspace member has no [project] table",
            hint="add [project] with name and version",
        )
    raw_name = unwrap(project.get("name"))
    if not isinstance(raw_name, str) or not raw_name:
        raise WorkspaceError(f"{pyproject}: [project].name is missing or not a string")
    dynamic = "version" in (unwrap(project.get("dynamic", [])) or [])
    source = version_source(doc) if dynamic else VersionSource()
    version_text = unwrap(project.get("version"))
    version = None
    if version_text is not None:
        if not isinstance(version_text, str):
            raise WorkspaceError(f"{pyproject}: [project].version must be a string")
        try:
            version = Version(version_text)
        except InvalidVersion:
            raise WorkspaceError(
                f"{pyproject}: [project].version {version_text!r} is not a valid PEP 440 version",
                hint="use a version like 0.1.0, 0.2.0.dev1 or 1.0.0rc1",
            ) from None
    if (folder / ".git").exists() and folder != git_root:
        layout = Layout.SUBMODULE if rel in submodules else Layout.OWN_REPO
        repo_root: Path | None = folder
        repo_path = ""
    else:
        layout = Layout.FOLDER
        repo_root = git_root
        repo_path = folder.relative_to(git_root).as_posix() if git_root else rel
        repo_path = "" if repo_path == "." else repo_path
    return Member(
        name=canonical_name(raw_name),
        display_name=raw_name,
        path=folder,
        rel_path=rel,
        layout=layout,
        repo_root=repo_root,
        version=version,
        version_text=version_text,
        dynamic_version=dynamic,
        dependencies=tuple(_raw_requirements(doc, pyproject)),
        repo_path=repo_path,
        source=source,
    )


def _raw_requirements(doc: Any, source: Path) -> list[InternalDependency]:
    """All requirement strings of a pyproject, tagged by section (filtered later)."""
    sections: list[tuple[str, list[Any]]] = [
        ("dependencies", unwrap(get_path(doc, "project", "dependencies")) or [])
    ]
    for extra, reqs in (unwrap(get_path(doc, "project", "optional-dependencies")) or {}).items():
        sections.append((f"optional:{extra}", reqs))
    for group, reqs in (unwrap(get_path(doc, "dependency-groups")) or {}).items():
        sections.append((f"group:{group}", reqs))
    out = []
    for section, reqs in sections:
        for req in reqs:
            if not isinstance(req, str):
                continue  # {include-group = ...}
            try:
                name = requirement_name(req)
            except ValueError as exc:
                raise WorkspaceError(
                    f"{source}: invalid requirement {req!r} in {section}: {exc}"
                ) from None
            out.append(InternalDependency(name, req, section))
    return out


def _with_tag_schemes(config: Config, members: dict[str, Member]) -> dict[str, Member]:
    """Give every member the shared resolver of tag schemes (``Member.tag_scheme``)."""
    from dataclasses import replace

    from release_tool.core.tag_schemes import TagSchemes

    schemes = TagSchemes(config.tag_template, members.values())
    return {name: replace(m, schemes=schemes) for name, m in members.items()}


def _with_internal_deps(member: Member, names: set[str]) -> Member:
    from dataclasses import replace

    deps = tuple(d for d in member.dependencies if d.name in names and d.name != member.name)
    return replace(member, dependencies=deps)
