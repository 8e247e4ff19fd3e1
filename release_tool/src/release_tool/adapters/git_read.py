"""Deprecated: kept only for ``core/release_tags.py`` until it moves to ``core/tags.py``.

Everything else reaches git through ``adapters.git.Repo``. Delete this
module once ``release_tags`` (or its successor) asks ``Repo`` instead.
"""

from __future__ import annotations

from pathlib import Path

import pygit2

from release_tool.adapters.git import Repo
from release_tool.errors import GitError


def open_repo(path: Path) -> pygit2.Repository:
    """The libgit2 repository at ``path`` (``release_tags.tag_message`` reads tag objects)."""
    try:
        return pygit2.Repository(str(path))
    except (pygit2.GitError, KeyError) as exc:
        raise GitError(f"{path}: not a git repository ({exc})") from None


def read_tags(repo: pygit2.Repository) -> dict[str, str]:
    """Tag name -> peeled commit id (``Repo.tags``)."""
    return Repo(Path(repo.workdir)).tags()
