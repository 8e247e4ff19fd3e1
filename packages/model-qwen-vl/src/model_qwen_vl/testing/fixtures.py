"""pytest fixtures shared by the package test suites: tiny checkpoints and loaded adapters.

Import the fixtures into a ``conftest.py`` (``from model_qwen_vl.testing.fixtures import *``)
after calling :func:`model_qwen_vl.testing.provision.ensure_hf_stack`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from model_qwen_vl.testing.tiny import CONFIG_NAME, make_tiny_checkpoint

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from model_qwen_vl.hf_backend import QwenVLHFAdapter

_BUILT: dict[str, Path] = {}


def tiny_checkpoint(family: str, factory: pytest.TempPathFactory) -> Path:
    """Build (once per test session) the tiny checkpoint of ``family`` and return its folder."""
    if family not in _BUILT:
        _BUILT[family] = make_tiny_checkpoint(family, factory.mktemp(f"tiny-{family}") / "model")
    return _BUILT[family]


@pytest.fixture(scope="session", params=["qwen2_5_vl", "qwen3_vl"])
def tiny_family(request: pytest.FixtureRequest) -> str:
    """Each Qwen VL family in turn."""
    return str(request.param)


@pytest.fixture(scope="session")
def tiny_qwen25_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of the tiny Qwen2.5-VL checkpoint (with ``hyperbench-model.toml``)."""
    return tiny_checkpoint("qwen2_5_vl", tmp_path_factory)


@pytest.fixture(scope="session")
def tiny_qwen3_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of the tiny Qwen3-VL checkpoint (with ``hyperbench-model.toml``)."""
    return tiny_checkpoint("qwen3_vl", tmp_path_factory)


@pytest.fixture(scope="session")
def tiny_dir(tiny_family: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of the tiny checkpoint of the current ``tiny_family``."""
    return tiny_checkpoint(tiny_family, tmp_path_factory)


@pytest.fixture(scope="session")
def tiny_adapter(tiny_dir: Path) -> Iterator[QwenVLHFAdapter]:
    """A loaded HF adapter on the tiny checkpoint of the current family (shared, read-only use)."""
    from model_interface import load_model_config
    from model_qwen_vl.hf_backend import QwenVLHFAdapter

    adapter = QwenVLHFAdapter(load_model_config(tiny_dir / CONFIG_NAME))
    adapter.load()
    yield adapter
    adapter.close()
