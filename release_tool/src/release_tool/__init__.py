"""release-tool: move the members of a uv workspace through dev, staging and prod."""

from typing import Any


def __getattr__(name: str) -> Any:
    """``__version__`` from the installed metadata, read on first use (importlib.metadata is
    slow to import, and every command imports this package)."""
    if name != "__version__":
        raise AttributeError(f"module 'release_tool' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("release-tool")  # set by releases in pyproject.toml, never here
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0+unknown"
