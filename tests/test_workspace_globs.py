"""Member globs: the one-listing path for ``<folder>/*`` finds what ``Path.glob`` finds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from release_tool.core.member_folders import glob_folders

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("packages/a", "packages/.hidden", "packages/__pycache__", "libs/python/x"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "packages/file.txt").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "packages/to-a").symlink_to(tmp_path / "packages/a")
    (tmp_path / "packages/broken").symlink_to(tmp_path / "nowhere")
    (tmp_path / "linked").symlink_to(tmp_path / "packages")
    return tmp_path


@pytest.mark.parametrize(
    "pattern",
    ["packages/*", "libs/python/*", "linked/*", "missing/*", "packages/file.txt/*", "*", "p*/*"],
)
def test_same_folders_as_path_glob(tree: Path, pattern: str) -> None:
    expected = [(m, m.is_symlink()) for m in sorted(tree.glob(pattern)) if m.is_dir()]
    assert glob_folders(tree, pattern) == expected
