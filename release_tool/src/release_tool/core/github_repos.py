"""Which GitHub repository (``owner/name``) holds the root repo or a member.

Pure URL parsing plus the ``[tool.release-tool.github].repos`` overrides;
the remote URL is read through the git port.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from release_tool.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.ports import RepoOpener
    from release_tool.core.workspace import Workspace

ROOT_KEY = "."
"""The key of the root repo (members are keyed by name)."""

_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>[^\\]+)$")


def parse_repo_slug(url: str) -> str | None:
    """``owner/name`` from a git remote URL (https, ssh, scp-like, git); None if not one."""
    url = url.strip()
    if not url or url.startswith(("file:", "/", ".")):
        return None
    if "://" in url:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in {"http", "https", "ssh", "git", "git+ssh", "ssh+git"}:
            return None
        path = parts.path
    elif match := _SCP_LIKE.match(url):
        path = match["path"]
    else:
        return None
    segments = [s for s in path.strip("/").split("/") if s]
    if len(segments) < 2:
        return None
    owner, name = segments[-2], segments[-1].removesuffix(".git")
    return f"{owner}/{name}" if owner and name else None


def repo_slug(workspace: Workspace, key: str, open_repo: RepoOpener) -> str:
    """The ``owner/name`` of the GitHub repo for a member (or ``"."``, the root repo).

    ``[tool.release-tool.github].repos`` wins; otherwise the repo's remote
    URL is parsed (falling back to ``repo-urls`` and ``.gitmodules``).
    """
    overrides = {
        (k if k == ROOT_KEY else canonicalize_name(k)): v
        for k, v in workspace.config.github.repos.items()
    }
    if key in overrides:
        slug = overrides[key]
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", slug):
            raise ConfigError(
                f"[tool.release-tool.github].repos: {key!r} = {slug!r} is not 'owner/name'"
            )
        return slug
    repo_root: Path | None
    rel: str | None
    if key == ROOT_KEY:
        repo_root, rel = workspace.root, None
    else:
        member = workspace.member(key)
        repo_root, rel = member.repo_root, member.rel_path
    remote = workspace.config.git_remote
    candidates = [
        open_repo(repo_root).remote_url(remote) if repo_root is not None else None,
        workspace.config.repo_urls.get(key),
        workspace.submodules.get(rel) if rel else None,
    ]
    for url in candidates:
        found = parse_repo_slug(url) if url else None
        if found:
            return found
    what = "the root repo" if key == ROOT_KEY else f"member {key!r}"
    raise ConfigError(
        f"cannot tell the GitHub repository of {what}: "
        f"remote {remote!r} has no GitHub URL ({candidates[0] or 'not set'})",
        hint=f'set [tool.release-tool.github].repos = {{ "{key}" = "owner/name" }}',
    )
