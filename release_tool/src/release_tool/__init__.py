"""release-tool: move the members of a uv workspace through dev, staging and prod."""

__version__ = "0.1.0.dev0"
