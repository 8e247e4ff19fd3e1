"""Pure pyproject edits for releases: versions, requirements, pins, workspace sources.

Each function takes a file's text and returns the edited text;
``adapters.toml_files`` (tomlkit) keeps comments, order and layout, so the
diff of a release commit shows only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from release_tool.adapters.toml_files import (
    ensure_table,
    get_path,
    new_array,
    new_table,
    parse_document,
    spaced_inline,
)


@dataclass(frozen=True)
class PinUpdate:
    """Pin ``name`` to ``tag`` of ``git`` (``subdirectory`` for a folder member)."""

    name: str
    git: str
    tag: str
    subdirectory: str | None = None

    def direct_url(self) -> str:
        """The PEP 508 URL form used in ``override-dependencies``."""
        url = f"git+{self.git}@{self.tag}"
        return url + (f"#subdirectory={self.subdirectory}" if self.subdirectory else "")


def set_version(text: str, version: str, source: str = "pyproject.toml") -> str:
    """Set ``[project].version``."""
    doc = parse_document(text, source)
    doc["project"]["version"] = version
    return doc.as_string()


def release_edit(
    text: str, version: str, new_requirements: dict[str, str], source: str = "pyproject.toml"
) -> tuple[str, list[str]]:
    """A member's pyproject for its release commit, in one parse.

    The new version, the updated requirements (old string -> new string) and
    no ``workspace = true`` sources; returns the text and the stripped names.
    """
    doc = parse_document(text, source)
    doc["project"]["version"] = version
    _replace_requirements(doc, new_requirements)
    stripped = _strip_workspace(doc)
    return doc.as_string(), stripped


def update_requirements(
    text: str, new_requirements: dict[str, str], source: str = "pyproject.toml"
) -> str:
    """Replace requirement strings: ``new_requirements`` maps the old string to the new one.

    Looks in dependencies, optional dependencies and dependency groups; the
    position of each entry and the comments around it are kept.
    """
    doc = parse_document(text, source)
    _replace_requirements(doc, new_requirements)
    return doc.as_string()


def _replace_requirements(doc: Any, new_requirements: dict[str, str]) -> None:
    if not new_requirements:
        return
    arrays = [get_path(doc, "project", "dependencies")]
    arrays += list((get_path(doc, "project", "optional-dependencies") or {}).values())
    arrays += list((get_path(doc, "dependency-groups") or {}).values())
    for array in arrays:
        if array is None:
            continue
        for index, item in enumerate(list(array)):
            if not isinstance(item, str):
                continue
            if str(item) in new_requirements:
                array[index] = new_requirements[str(item)]


def strip_workspace_sources(text: str, source: str = "pyproject.toml") -> tuple[str, list[str]]:
    """Remove ``{ workspace = true }`` entries from a member's own ``[tool.uv.sources]``.

    A tagged member is later built from git, outside the workspace, where
    such a source cannot resolve. The workspace root declares the same
    sources for dev mode (see ``ensure_workspace_sources``).
    """
    doc = parse_document(text, source)
    stripped = _strip_workspace(doc)
    return (doc.as_string() if stripped else text), stripped


def _strip_workspace(doc: Any) -> list[str]:
    sources = get_path(doc, "tool", "uv", "sources")
    if sources is None:
        return []
    stripped = [
        key
        for key, value in list(sources.items())
        if isinstance(value, dict) and value.get("workspace") is True
    ]
    for key in stripped:
        del sources[key]
    if stripped and not sources:
        del doc["tool"]["uv"]["sources"]
        if not doc["tool"]["uv"]:
            del doc["tool"]["uv"]
            if not doc["tool"]:
                del doc["tool"]
    return [canonicalize_name(k) for k in stripped]


def ensure_workspace_sources(text: str, names: list[str], source: str = "pyproject.toml") -> str:
    """Add ``name = { workspace = true }`` to the root's ``[tool.uv.sources]`` where missing."""
    doc = parse_document(text, source)
    sources = ensure_table(doc, "tool", "uv", "sources")
    present = {canonicalize_name(k) for k in sources}
    for name in names:
        if canonicalize_name(name) not in present:
            sources[name] = spaced_inline({"workspace": True})
    return doc.as_string()


def repin(text: str, updates: list[PinUpdate], source: str = "pyproject.toml") -> str:
    """Point a mode's pins at new tags; add members not pinned yet.

    Edits ``[tool.uv.sources]`` (the tag; ``rev``/``branch`` dropped),
    ``[project].dependencies`` (the member listed) and any
    ``[tool.uv].override-dependencies`` entry naming the member by URL.
    """
    doc = parse_document(text, source)
    sources = ensure_table(doc, "tool", "uv", "sources")
    keys = {canonicalize_name(k): k for k in sources}
    deps = get_path(doc, "project", "dependencies")
    if deps is None:
        doc.setdefault("project", new_table())["dependencies"] = new_array()
        deps = doc["project"]["dependencies"]
    listed = {canonicalize_name(Requirement(str(d)).name) for d in deps}
    overrides = get_path(doc, "tool", "uv", "override-dependencies")
    override_at: dict[str, tuple[int, str]] = {}  # canonical name -> (index, name as written)
    for index, item in enumerate(overrides or []):
        req = Requirement(str(item))
        if req.url:
            override_at[canonicalize_name(req.name)] = (index, req.name)
    for update in updates:
        key = keys.get(canonicalize_name(update.name))
        if key is not None and isinstance(sources[key], dict):
            _retag(sources, key, update)
        else:
            pin: dict[str, Any] = {"git": update.git, "tag": update.tag}
            if update.subdirectory:
                pin["subdirectory"] = update.subdirectory
            sources[key or update.name] = spaced_inline(pin)
        if canonicalize_name(update.name) not in listed:
            deps.append(update.name)
            listed.add(canonicalize_name(update.name))
        found = override_at.get(canonicalize_name(update.name))
        if found is not None:
            overrides[found[0]] = f"{found[1]} @ {update.direct_url()}"
    if len(deps) > 1 and "\n" not in deps.as_string():
        deps.multiline(True)
    return doc.as_string()


def _retag(sources: Any, key: str, update: PinUpdate) -> None:
    pin = sources[key]
    if "rev" not in pin and "branch" not in pin:
        pin["tag"] = update.tag  # an in-place edit keeps the entry's layout exactly
        if update.subdirectory and "subdirectory" not in pin:
            pin["subdirectory"] = update.subdirectory
        return
    values = {k: v for k, v in pin.unwrap().items() if k not in ("rev", "branch", "tag")}
    values = {"git": values.pop("git", update.git), "tag": update.tag, **values}
    if update.subdirectory:
        values.setdefault("subdirectory", update.subdirectory)
    fresh = spaced_inline(values)
    comment = pin.trivia.comment.lstrip("#").strip()
    if comment:
        fresh.comment(comment)
    sources[key] = fresh
