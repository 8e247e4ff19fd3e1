"""Sandbox workspaces with real git history, tags, bare remotes and submodules.

Used by the tests and the benchmarks alike. Histories are written with
``git fast-import`` (one process per repo), so a workspace of 100 members
with 200 commits and 20 tags each builds in seconds. Every date is fixed.

Remotes are bare repos under ``<tmp>/remotes``; pins and ``.gitmodules``
keep real-looking ``https://github.com/example-org/<repo>.git`` URLs that
the global git config redirects there with ``insteadOf`` (DESIGN.md), so
``git`` and ``uv lock`` work offline against them.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from release_tool.core.tags import TagScheme, common_prefix, short_name

if TYPE_CHECKING:
    from collections.abc import Iterable

ORG_URL = "https://github.com/example-org"
ROOT_REPO = "workspace"
EPOCH = 1767322800  # 2026-01-02T03:00:00Z: every commit is EPOCH + its index minutes
AUTHOR = "Test Author <author@example.org>"

Layout = Literal["folder", "submodule"]


@dataclass(frozen=True)
class MemberSpec:
    """A member to create: its history is ``commits`` commits with ``tags`` spread over it.

    ``tags`` are versions, oldest first; the commit that gets a tag sets the
    member's version to it. ``version`` is the version at HEAD (default: the
    last tag's, or 0.1.0 without tags).
    """

    name: str
    layout: Layout = "folder"
    version: str | None = None
    deps: tuple[str, ...] = ()
    commits: int = 3
    tags: tuple[str, ...] = ()
    untagged_tail: int = 0
    """Commits after the last tag (changes not yet released)."""
    tag_template: str | None = None
    """How its tags are named (``core/tags.py``); default ``v{version}`` in its own repo,
    ``{name}-v{version}`` for a folder. ``{short}`` drops the members' common prefix."""

    @property
    def canonical(self) -> str:
        return canonicalize_name(self.name)

    @property
    def module(self) -> str:
        return self.canonical.replace("-", "_")

    @property
    def head_version(self) -> str:
        return self.version or (self.tags[-1] if self.tags else "0.1.0")


@dataclass(frozen=True)
class SandboxMember:
    """A member as created: where it lives and where its remote is."""

    spec: MemberSpec
    path: Path
    rel_path: str
    repo: Path
    """The work tree of the repo holding the member (its own, or the root)."""
    remote: Path
    url: str
    scheme: TagScheme | None = None

    @property
    def name(self) -> str:
        return self.spec.canonical

    def tag_name(self, version: str) -> str:
        if self.scheme is not None:
            return self.scheme.format(version)
        if self.spec.layout == "submodule":
            return f"v{version}"
        return f"{self.spec.canonical}-v{version}"


@dataclass
class Sandbox:
    """A built workspace: the root work tree, its remotes and its members."""

    tmp: Path
    root: Path
    remotes: Path
    members: dict[str, SandboxMember] = field(default_factory=dict)

    @property
    def root_url(self) -> str:
        return f"{ORG_URL}/{ROOT_REPO}.git"

    def git(self, *args: str, cwd: Path | None = None) -> str:
        return git(cwd or self.root, *args)

    def member(self, name: str) -> SandboxMember:
        return self.members[canonicalize_name(name)]

    def commit_file(self, member: str, rel: str, content: str, message: str) -> str:
        """Write ``rel`` (relative to the member folder), commit it in the member's repo."""
        m = self.member(member)
        target = m.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        git(m.repo, "add", str(target.relative_to(m.repo)))
        git(m.repo, "commit", "-q", "-m", message)
        return git(m.repo, "rev-parse", "HEAD")

    def tag(self, member: str, version: str, message: str | None = None) -> str:
        """Create the member's tag for ``version`` at the current HEAD of its repo."""
        m = self.member(member)
        name = m.tag_name(version)
        git(m.repo, "tag", "-a", name, "-m", message or f"Release {version}")
        return name

    def push(self, member: str | None = None, *refs: str) -> None:
        """Push refs (default: current branch and tags) of a member repo or the root."""
        repo = self.member(member).repo if member else self.root
        git(repo, "push", "-q", "origin", *(refs or ("HEAD", "--tags")))

    def remote_tags(self, member: str | None = None) -> list[str]:
        remote = self.member(member).remote if member else self.remotes / f"{ROOT_REPO}.git"
        out = git(remote, "tag", "--list")
        return out.split() if out else []


def git(cwd: Path, *args: str, input: str | None = None) -> str:
    """Run git in ``cwd``; raise with its stderr on failure; return stripped stdout."""
    proc = subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}:\n{proc.stderr}")
    return proc.stdout.strip()


def redirect_urls(urls: dict[str, Path], gitconfig: Path | None = None) -> None:
    """Point ``https://...`` URLs at local bare repos through ``insteadOf``.

    An earlier redirect of the same URL (another sandbox) is replaced, so the
    newest sandbox wins. The rules go to ``gitconfig`` or ``$GIT_CONFIG_GLOBAL``,
    never to the user's own ``~/.gitconfig`` (a script that forgot to isolate
    it would leave redirects to deleted folders there for good).
    """
    if gitconfig is None and not os.environ.get("GIT_CONFIG_GLOBAL"):
        raise RuntimeError(
            "sandboxes redirect URLs in the global git config: set GIT_CONFIG_GLOBAL to a "
            "scratch file (the tests and bench/ scripts do) so ~/.gitconfig stays untouched"
        )
    config = gitconfig or Path(os.environ["GIT_CONFIG_GLOBAL"])
    listed = subprocess.run(
        ["git", "config", "--file", str(config), "--get-regexp", r"^url\..*\.insteadof$"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in listed.splitlines():
        key, _, value = line.partition(" ")
        if value in urls:
            subprocess.run(["git", "config", "--file", str(config), "--unset-all", key], check=True)
    for url, bare in urls.items():
        subprocess.run(
            ["git", "config", "--file", str(config), f"url.file://{bare}.insteadOf", url],
            check=True,
        )


def make_specs(
    n: int,
    *,
    layout: Layout = "folder",
    commits: int = 3,
    tags: Iterable[str] = ("0.1.0.dev1", "0.1.0"),
    chain: bool = False,
    prefix: str = "pkg",
) -> list[MemberSpec]:
    """``n`` similar members; with ``chain`` each depends on the previous one."""
    tags = tuple(tags)
    specs = []
    for i in range(n):
        deps = (f"{prefix}-{i - 1:03d}>=0.1.0",) if chain and i else ()
        specs.append(
            MemberSpec(f"{prefix}-{i:03d}", layout=layout, commits=commits, tags=tags, deps=deps)
        )
    return specs


def build_sandbox(
    tmp: Path,
    specs: Iterable[MemberSpec],
    *,
    modes: bool = True,
    lock: bool = False,
    config: str = "",
) -> Sandbox:
    """Create remotes, histories and a root clone with submodules checked out on ``main``.

    ``modes`` writes staging/ and prod/ pinned to each member's latest dev and
    stable tags; ``lock`` also runs ``uv lock`` in the workspace and in each
    mode (slow: real resolution). ``config`` is extra TOML appended to the
    ``[tool.release-tool]`` table.
    """
    specs = list(specs)
    remotes = tmp / "remotes"
    remotes.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox(tmp=tmp, root=tmp / ROOT_REPO, remotes=remotes)

    urls = {f"{ORG_URL}/{ROOT_REPO}.git": remotes / f"{ROOT_REPO}.git"}
    for spec in specs:
        if spec.layout == "submodule":
            urls[f"{ORG_URL}/{spec.canonical}.git"] = remotes / f"{spec.canonical}.git"
    redirect_urls(urls)

    schemes = _tag_schemes(specs)
    heads: dict[str, str] = {}
    for spec in specs:
        if spec.layout == "submodule":
            stream = _Stream()
            _member_history(stream, spec, prefix="", scheme=schemes[spec.canonical])
            heads[spec.canonical] = _fast_import(remotes / f"{spec.canonical}.git", stream)

    root_stream = _Stream()
    root_files = _root_files(specs, config)
    submodule_specs = [s for s in specs if s.layout == "submodule"]
    gitlinks = {f"packages/{s.name}": heads[s.canonical] for s in submodule_specs}
    if submodule_specs:
        root_files[".gitmodules"] = _gitmodules(submodule_specs)
    root_stream.commit("Create workspace", root_files, gitlinks=gitlinks)
    for spec in specs:
        if spec.layout == "folder":
            _member_history(
                root_stream, spec, prefix=f"packages/{spec.name}/", scheme=schemes[spec.canonical]
            )
    if modes:
        root_stream.commit(
            "Pin staging and prod",
            {f"{mode}/pyproject.toml": mode_pyproject(mode, specs) for mode in ("staging", "prod")},
        )
    _fast_import(remotes / f"{ROOT_REPO}.git", root_stream)

    git(tmp, "clone", "-q", "--recurse-submodules", sandbox.root_url, str(sandbox.root))
    for spec in specs:
        rel = f"packages/{spec.name}"
        if spec.layout == "submodule":
            path = sandbox.root / rel
            if not (path / ".git").exists():
                raise RuntimeError(
                    f"submodule {rel} was not cloned: is {ORG_URL}/{spec.canonical}.git "
                    "redirected by insteadOf in $GIT_CONFIG_GLOBAL?"
                )
            git(path, "checkout", "-q", "-B", "main", "origin/main")
            git(path, "branch", "-q", "--set-upstream-to=origin/main")
            repo, remote = path, remotes / f"{spec.canonical}.git"
            url = f"{ORG_URL}/{spec.canonical}.git"
        else:
            repo, remote, url = sandbox.root, remotes / f"{ROOT_REPO}.git", sandbox.root_url
        sandbox.members[spec.canonical] = SandboxMember(
            spec, sandbox.root / rel, rel, repo, remote, url, schemes[spec.canonical]
        )
    if lock:
        lock_sandbox(sandbox)
    return sandbox


def lock_sandbox(sandbox: Sandbox, *, commit: bool = True) -> None:
    """``uv lock`` the dev workspace and each mode, then commit the lock files."""
    folders = [sandbox.root] + [
        sandbox.root / m for m in ("staging", "prod") if (sandbox.root / m).is_dir()
    ]
    for folder in folders:
        subprocess.run(["uv", "lock", "-q"], cwd=folder, check=True, capture_output=True)
    if commit:
        git(sandbox.root, "add", "-A", "uv.lock", "staging", "prod")
        git(sandbox.root, "commit", "-q", "-m", "Lock dev, staging and prod")
        git(sandbox.root, "push", "-q", "origin", "HEAD")


def mode_pyproject(mode: str, specs: Iterable[MemberSpec]) -> str:
    """A staging or prod pyproject pinning every member to its latest dev or stable tag.

    Members without such a tag are left out. Pinned members that other
    members depend on are also listed in ``override-dependencies``: a folder
    member built from a tag of the root repo would otherwise resolve its
    siblings as workspace members at that same commit, which conflicts with
    their own pins.
    """
    specs = list(specs)
    schemes = _tag_schemes(specs)
    pins: dict[str, dict[str, str]] = {}
    for spec in specs:
        version = _latest(spec.tags, dev=(mode == "staging"))
        if version is not None:
            pins[spec.canonical] = _pin(spec, schemes[spec.canonical].format(version))
    needed = {canonicalize_name(Requirement(d).name) for s in specs for d in s.deps}
    overrides = [
        _override(s, pins[s.canonical]) for s in specs if s.canonical in needed & set(pins)
    ]
    lines = [
        "[project]",
        f'name = "sandbox-{mode}"',
        'version = "0.0.0"',
        'requires-python = ">=3.11"',
        "dependencies = [",
        *[f'    "{name}",' for name in pins],
        "]",
        "",
        "[tool.uv]",
        "package = false",
    ]
    if overrides:
        lines += ["override-dependencies = [", *[f'    "{o}",' for o in overrides], "]"]
    lines += ["", "[tool.uv.sources]", *[f"{name} = {_inline(pin)}" for name, pin in pins.items()]]
    return "\n".join(lines) + "\n"


def _pin(spec: MemberSpec, tag: str) -> dict[str, str]:
    if spec.layout == "submodule":
        return {"git": f"{ORG_URL}/{spec.canonical}.git", "tag": tag}
    return {
        "git": f"{ORG_URL}/{ROOT_REPO}.git",
        "tag": tag,
        "subdirectory": f"packages/{spec.name}",
    }


def _inline(values: dict[str, str]) -> str:
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in values.items()) + " }"


def _override(spec: MemberSpec, pin: dict[str, str]) -> str:
    url = f"git+{pin['git']}@{pin['tag']}"
    if "subdirectory" in pin:
        url += f"#subdirectory={pin['subdirectory']}"
    return f"{spec.canonical} @ {url}"


def member_pyproject(spec: MemberSpec, version: str) -> str:
    deps = "".join(f'\n    "{d}",' for d in spec.deps)
    return (
        "[project]\n"
        f'name = "{spec.name}"\n'
        f'version = "{version}"\n'
        f'description = "Sandbox member {spec.name}."\n'
        'requires-python = ">=3.11"\n'
        f"dependencies = [{deps}{chr(10) if deps else ''}]\n"
        "\n"
        "[build-system]\n"
        'requires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n'
        "\n"
        "[tool.hatch.build.targets.wheel]\n"
        f'packages = ["src/{spec.module}"]\n'
    )


def _latest(versions: Iterable[str], *, dev: bool) -> str | None:
    """The version staging (``dev``) or prod pins: the highest tag, or the highest final one.

    Staging pins the latest dev tag unless a newer stable release exists,
    as ``release-tool init`` does.
    """
    from packaging.version import Version

    chosen = [v for v in versions if dev or not Version(v).is_prerelease]
    return max(chosen, key=Version) if chosen else None


def _root_files(specs: list[MemberSpec], config: str) -> dict[str, str | None]:
    deps = "".join(f'\n    "{s.canonical}",' for s in specs)
    sources = "".join(f"{s.canonical} = {{ workspace = true }}\n" for s in specs)
    pyproject = (
        "# Dev mode: every member from its folder.\n"
        "[project]\n"
        'name = "sandbox-workspace"\n'
        'version = "0.0.0"\n'
        'requires-python = ">=3.11"\n'
        f"dependencies = [{deps}\n]\n"
        "\n"
        "[tool.uv]\n"
        "package = false\n"
        "\n"
        "[tool.uv.workspace]\n"
        'members = ["packages/*"]\n'
        "\n"
        "[tool.uv.sources]\n"
        f"{sources}"
        "\n"
        "[tool.release-tool]\n"
        f'repo-urls = {{ "." = "{ORG_URL}/{ROOT_REPO}.git" }}\n'
        f"{config}"
    )
    return {"pyproject.toml": pyproject, ".gitignore": ".venv/\n__pycache__/\n.release-tool/\n"}


def _gitmodules(specs: Iterable[MemberSpec]) -> str:
    return "".join(
        f'[submodule "packages/{s.name}"]\n'
        f"\tpath = packages/{s.name}\n"
        f"\turl = {ORG_URL}/{s.canonical}.git\n"
        for s in specs
    )


def _tag_schemes(specs: list[MemberSpec]) -> dict[str, TagScheme]:
    """Each member's tag scheme: its ``tag_template`` or the layout's default."""
    prefix = common_prefix(s.canonical for s in specs)
    out = {}
    for spec in specs:
        default = "v{version}" if spec.layout == "submodule" else "{name}-v{version}"
        out[spec.canonical] = TagScheme(
            spec.tag_template or default,
            name=spec.canonical,
            short=short_name(spec.canonical, prefix),
        )
    return out


def _member_history(stream: _Stream, spec: MemberSpec, *, prefix: str, scheme: TagScheme) -> None:
    """Append a member's commits and tags to ``stream``."""
    for dep in spec.deps:
        Requirement(dep)  # fail early on a malformed spec
    n_tags = len(spec.tags)
    tagged_commits = max(spec.commits - spec.untagged_tail, n_tags, 1)
    # the commit index (0-based) at which each tag is made, spread evenly, last at the end
    tag_at = {
        round((i + 1) * tagged_commits / n_tags) - 1: version for i, version in enumerate(spec.tags)
    }
    total = tagged_commits + spec.untagged_tail
    version = spec.tags[0] if spec.tags else spec.head_version
    module_file = f"{prefix}src/{spec.module}/__init__.py"
    for index in range(total):
        files: dict[str, str | None] = {}
        if index in tag_at:
            version = tag_at[index]
        elif index >= tagged_commits:
            version = spec.head_version
        if index == 0 or index in tag_at or index == tagged_commits:
            files[f"{prefix}pyproject.toml"] = member_pyproject(spec, version)
        if index == 0:
            files[f"{prefix}README.md"] = f"# {spec.name}\n"
        files[module_file] = f'"""{spec.name}."""\n\nCHANGE = {index}\n'
        kind = "feat" if index % 3 == 0 else "fix"
        stream.commit(f"{kind}({spec.canonical}): change {index}", files)
        if index in tag_at:
            tag = scheme.format(tag_at[index])
            stream.tag(tag, f"Release {spec.name} {tag_at[index]}")
    if spec.head_version != version:
        stream.commit(
            f"chore({spec.canonical}): start {spec.head_version}",
            {f"{prefix}pyproject.toml": member_pyproject(spec, spec.head_version)},
        )


class _Stream:
    """A ``git fast-import`` stream of linear history on ``main``."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.clock = 0

    def commit(
        self, message: str, files: dict[str, str | None], gitlinks: dict[str, str] | None = None
    ) -> None:
        self.mark += 1
        self.clock += 1
        when = f"{EPOCH + self.clock * 60} +0000"
        out = [
            "commit refs/heads/main",
            f"mark :{self.mark}",
            f"author {AUTHOR} {when}",
            f"committer {AUTHOR} {when}",
            *_data(message),
        ]
        if self.mark > 1:
            out.append(f"from :{self.mark - 1}")
        for path, content in files.items():
            if content is None:
                out.append(f"D {path}")
            else:
                out.append(f"M 100644 inline {path}")
                out.extend(_data(content))
        for path, sha in (gitlinks or {}).items():
            out.append(f"M 160000 {sha} {path}")
        self.parts.append(("\n".join(out) + "\n").encode())

    def tag(self, name: str, message: str) -> None:
        when = f"{EPOCH + self.clock * 60} +0000"
        out = [f"tag {name}", f"from :{self.mark}", f"tagger {AUTHOR} {when}", *_data(message)]
        self.parts.append(("\n".join(out) + "\n").encode())


def _data(text: str) -> list[str]:
    raw = text.encode()
    return [f"data {len(raw)}", text]


def _fast_import(bare: Path, stream: _Stream) -> str:
    """Create the bare repo ``bare`` from ``stream``; return the id of ``main``."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    proc = subprocess.run(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=bare,
        input=b"".join(stream.parts) + b"done\n",
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git fast-import failed in {bare}:\n{proc.stderr.decode()}")
    return git(bare, "rev-parse", "refs/heads/main")
