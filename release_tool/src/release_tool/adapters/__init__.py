"""Adapters: one module per outside system (git, uv, TOML files, GitHub, LLM, Docker)."""
