"""core.modes: pins and requirement names of a pinned mode's pyproject."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from release_tool.core.modes import Pin, load_mode
from release_tool.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path


def write_mode(folder: Path, dependencies: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"    {dep!r},\n" for dep in dependencies)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "staging"\nversion = "0"\n'
        f"dependencies = [\n{listed}]\n\n"
        "[tool.uv.sources]\n"
        'Bench_Utils = { git = "https://example.org/b.git", tag = "v0.1.0" }\n',
        encoding="utf-8",
    )


def test_requirement_names_bare_or_not(tmp_path: Path) -> None:
    """Bare names skip packaging's parser; every other form still goes through it."""
    deps = [
        "Bench_Utils",
        "  model.interface  ",
        "a",
        "qwen-vl[video]>=0.1; python_version >= '3.11'",
        "other @ https://example.org/other.whl",
        "x-",  # not a bare name (ends in '-'): parsed, and refused
    ]
    write_mode(tmp_path / "staging", deps[:-1])
    mode = load_mode("staging", tmp_path / "staging")
    assert mode.requirements == {
        "bench-utils": "Bench_Utils",
        "model-interface": "  model.interface  ",
        "a": "a",
        "qwen-vl": deps[3],
        "other": deps[4],
    }
    assert mode.pins == {"bench-utils": Pin(git="https://example.org/b.git", tag="v0.1.0")}
    write_mode(tmp_path / "prod", deps)
    with pytest.raises(ConfigError, match="invalid requirement 'x-'"):
        load_mode("prod", tmp_path / "prod")


def test_an_absent_mode(tmp_path: Path) -> None:
    mode = load_mode("prod", tmp_path / "prod")
    assert (mode.present, mode.pins, mode.requirements) == (False, {}, {})
