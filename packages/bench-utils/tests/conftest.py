"""Install the CPU torch stack when missing (``model_qwen_vl.testing.provision``); fixtures."""

from __future__ import annotations

from model_qwen_vl.testing.provision import ensure_hf_stack

ensure_hf_stack()

from model_qwen_vl.testing.fixtures import (  # noqa: E402 (the stack must exist first)
    tiny_adapter,
    tiny_dir,
    tiny_family,
    tiny_qwen3_dir,
    tiny_qwen25_dir,
)

__all__ = ["tiny_adapter", "tiny_dir", "tiny_family", "tiny_qwen3_dir", "tiny_qwen25_dir"]


from typing import TYPE_CHECKING  # noqa: E402

import pytest  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from model_qwen_vl.hf_backend import QwenVLHFAdapter


@pytest.fixture(scope="session")
def qwen3_adapter(tiny_qwen3_dir: Path) -> Iterator[QwenVLHFAdapter]:
    """A loaded HF adapter on the tiny Qwen3-VL checkpoint, shared by the server tests."""
    from model_interface import load_model_config
    from model_qwen_vl.hf_backend import QwenVLHFAdapter
    from model_qwen_vl.testing.tiny import CONFIG_NAME

    adapter = QwenVLHFAdapter(load_model_config(tiny_qwen3_dir / CONFIG_NAME))
    adapter.load()
    yield adapter
    adapter.close()
