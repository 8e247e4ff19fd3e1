"""Where a member's version comes from, read from its pyproject.

``static``: ``[project].version``, edited by releases. ``vcs``: ``dynamic =
["version"]`` computed from git tags by uv-dynamic-versioning, hatch-vcs,
setuptools-scm or pdm-backend's scm source; the version is the latest
matching tag and a release only makes the tag. ``unmanaged``: any other
dynamic version (a file, a code attribute, a build hook): shown with the
reason, never planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from release_tool.adapters.toml_files import get_path, unwrap

Kind = Literal["static", "vcs", "unmanaged"]


@dataclass(frozen=True)
class VersionSource:
    """The kind of version source, the backend that computes it, and why it is unmanaged."""

    kind: Kind = "static"
    backend: str | None = None
    problem: str | None = None


def version_source(doc: Any) -> VersionSource:
    """Classify a pyproject whose ``[project].dynamic`` lists ``version``."""
    requires = " ".join(
        str(r).lower() for r in unwrap(get_path(doc, "build-system", "requires")) or []
    )
    hatch = unwrap(get_path(doc, "tool", "hatch", "version")) or {}
    hatch_source = hatch.get("source")
    if hatch_source == "uv-dynamic-versioning":
        return VersionSource("vcs", "uv-dynamic-versioning")
    if hatch_source == "vcs":
        return VersionSource("vcs", "hatch-vcs")
    pdm_source = (unwrap(get_path(doc, "tool", "pdm", "version")) or {}).get("source")
    if pdm_source == "scm":
        return VersionSource("vcs", "pdm-backend")
    setuptools_version = (unwrap(get_path(doc, "tool", "setuptools", "dynamic")) or {}).get(
        "version"
    )
    if get_path(doc, "tool", "setuptools_scm") is not None or (
        ("setuptools-scm" in requires or "setuptools_scm" in requires) and not setuptools_version
    ):
        return VersionSource("vcs", "setuptools-scm")
    return VersionSource("unmanaged", _backend(doc), _why(hatch, pdm_source, setuptools_version))


def _backend(doc: Any) -> str | None:
    backend = unwrap(get_path(doc, "build-system", "build-backend"))
    return str(backend) if backend else None


def _why(hatch: dict[str, Any], pdm_source: Any, setuptools_version: Any) -> str:
    """A reason a user can act on: which file or hook sets the version."""
    where = None
    if hatch.get("path"):
        where = f"read from {hatch['path']} by hatch"
    elif hatch_source := hatch.get("source"):
        where = f"computed by hatch's {hatch_source!r} version source"
    elif pdm_source:
        where = f"computed by pdm-backend's {pdm_source!r} version source"
    elif isinstance(setuptools_version, dict):
        kind = next(iter(setuptools_version), "?")
        where = f"read by setuptools from {kind} {setuptools_version.get(kind)!r}"
    reason = f"dynamic version {where}" if where else "dynamic version set by the build backend"
    return reason + " (not managed: use a static [project].version or a VCS version source)"
