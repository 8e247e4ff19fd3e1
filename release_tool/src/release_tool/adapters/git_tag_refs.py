"""Tag refs read straight from a repo's ref files: ``packed-refs`` and loose ``refs/tags``.

``status`` needs every tag's commit in every member repo. Asking libgit2
for each ref and peeling it (``revparse_single`` + ``peel``) costs two
object lookups and several Python objects per tag: 2,000 tags over 100
submodules took more time than everything else ``status`` does. Git
itself writes what is needed into ``packed-refs``: each packed tag with the
object it names and, for an annotated tag, the commit it peels to (a ``^``
line). Reading that file and the few loose tag files is plain text work;
only objects not peeled there are left for the caller to look up.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

_HEX = frozenset("0123456789abcdef")
_ID = "[0-9a-f]{40}(?:[0-9a-f]{24})?"  # SHA-1 or SHA-256
_ODD_NAME = re.compile(r"^\.|\.$|\.\.|[\x00-\x20~^:?*\[\\\x7f]|@\{")
"""What git refuses in a ref name's component (``git check-ref-format``), roughly."""
_TAG = re.compile(  # a packed tag and the id it peels to (a "^" line), if recorded
    rf"^({_ID}) refs/tags/([^\n]+)\n(?:\^({_ID})\n)?", re.MULTILINE
)


class TagRef(NamedTuple):
    """One tag ref as stored: the object it names and, when git recorded it, its peeled id."""

    target: str
    """The object the ref names: a commit (lightweight tag) or a tag object (annotated)."""
    peeled: str | None = None
    """What ``target`` peels to, from a ``^`` line of ``packed-refs`` (None: not recorded)."""


def read_tag_refs(git_dir: Path) -> dict[str, TagRef] | None:
    """Tag name -> ``TagRef`` from the ref files of ``git_dir``, or None when they cannot be
    read as plain files (a reftable store, a symbolic tag ref, text that is not a ref): the
    caller then asks libgit2. A loose ref wins over a packed one of the same name, as in git.
    """
    common = _common_dir(git_dir)
    if os.path.isdir(os.path.join(common, "reftable")):
        return None
    try:
        found = _packed(os.path.join(common, "packed-refs"))
        if found is None:
            return None
        loose = _loose(os.path.join(common, "refs", "tags"))
    except (OSError, UnicodeDecodeError):
        return None
    if loose is None:
        return None
    found.update(loose)
    return found


def _common_dir(git_dir: Path) -> str:
    """Where shared refs live: ``git_dir`` itself, or its ``commondir`` (a linked worktree)."""
    path = os.fspath(git_dir)
    try:
        with open(os.path.join(path, "commondir"), encoding="utf-8") as handle:
            common = handle.read().strip()
    except OSError:
        return path
    return os.path.normpath(os.path.join(path, common))


def _packed(path: str) -> dict[str, TagRef] | None:
    """The tag refs of a ``packed-refs`` file (absent file: none), or None if malformed."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    if text and not text.endswith("\n"):
        text += "\n"
    found = _TAG.findall(text)
    if len(found) != text.count(" refs/tags/"):
        return None  # a tag line that is not "<id> refs/tags/<name>"
    return {name: TagRef(target, peeled or None) for target, name, peeled in found}


def _loose(folder: str) -> dict[str, TagRef] | None:
    """The loose tag refs below ``folder`` (names may hold ``/``), or None if one is not a
    plain object id (a symbolic ref)."""
    found: dict[str, TagRef] = {}
    pending = [(folder, "")]
    while pending:
        current, prefix = pending.pop()
        try:
            entries = list(os.scandir(current))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
                continue
            if entry.name.endswith(".lock"):
                continue  # a ref being written by git right now, not a ref
            if _ODD_NAME.search(entry.name):
                return None  # not a name git would read as a ref: let libgit2 decide
            with open(entry.path, encoding="utf-8") as handle:
                target = handle.read().strip()
            if not _is_id(target):
                return None
            found[prefix + entry.name] = TagRef(target)
    return found


def _is_id(text: str) -> bool:
    """A full object id (SHA-1 or SHA-256 hex)."""
    return len(text) in (40, 64) and _HEX.issuperset(text)


__all__ = ["TagRef", "read_tag_refs"]
