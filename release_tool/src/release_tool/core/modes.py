"""Pinned modes (staging, prod): which git URL and tag each member is pinned to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from release_tool.adapters.toml_files import get_path, read_toml, unwrap
from release_tool.core.names import canonical_name, requirement_name
from release_tool.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

MODES = ("staging", "prod")


@dataclass(frozen=True)
class Pin:
    """A member's source in a pinned mode (one entry of ``[tool.uv.sources]``)."""

    git: str | None = None
    tag: str | None = None
    subdirectory: str | None = None
    rev: str | None = None
    branch: str | None = None
    other: str | None = None
    """A non-git source (path, index, workspace), shown as is."""

    @property
    def ref(self) -> str | None:
        return self.tag or self.rev or self.branch

    def describe(self) -> str:
        if self.other:
            return self.other
        return self.tag or (f"rev {self.rev}" if self.rev else f"branch {self.branch}")


@dataclass(frozen=True)
class ModeState:
    """One pinned mode as read from its folder."""

    name: str
    path: Path
    present: bool
    pins: dict[str, Pin]
    requirements: dict[str, str]
    """Canonical name -> the requirement string in ``[project].dependencies``."""

    @property
    def lock_path(self) -> Path:
        return self.path / "uv.lock"


def load_mode(name: str, folder: Path) -> ModeState:
    """Read ``folder/pyproject.toml``; an absent folder gives ``present=False``."""
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return ModeState(name, folder, False, {}, {})
    doc = read_toml(pyproject)
    pins: dict[str, Pin] = {}
    for raw_name, source in (unwrap(get_path(doc, "tool", "uv", "sources")) or {}).items():
        pins[canonical_name(raw_name)] = _parse_source(pyproject, raw_name, source)
    requirements: dict[str, str] = {}
    for req in unwrap(get_path(doc, "project", "dependencies")) or []:
        requirements[_requirement_name(pyproject, req)] = req
    return ModeState(name, folder, True, pins, requirements)


def _requirement_name(pyproject: Path, req: str) -> str:
    """The canonical project name of requirement ``req`` (ConfigError if it is invalid).

    A bare name needs no parser (``core.names``): a pinned mode lists its 100
    members that way.
    """
    try:
        return requirement_name(req if isinstance(req, str) else "")
    except ValueError as exc:
        raise ConfigError(f"{pyproject}: invalid requirement {req!r}: {exc}") from None


def _parse_source(pyproject: Path, name: str, source: Any) -> Pin:
    if isinstance(source, list):  # uv allows a list of conditional sources; show the first
        source = source[0] if source else {}
    if not isinstance(source, dict):
        raise ConfigError(f"{pyproject}: [tool.uv.sources].{name}: expected a table")
    if "git" not in source:
        kind = next(iter(source), "unknown")
        return Pin(other=f"{kind} = {source.get(kind)!r}")
    return Pin(
        git=source.get("git"),
        tag=source.get("tag"),
        subdirectory=source.get("subdirectory"),
        rev=source.get("rev"),
        branch=source.get("branch"),
    )
