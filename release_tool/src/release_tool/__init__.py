"""release-tool: move the members of a uv workspace through dev, staging and prod."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("release-tool")  # set by releases in pyproject.toml, never here
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0+unknown"
