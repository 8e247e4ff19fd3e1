"""Install the CPU torch stack when missing (``model_qwen_vl.testing.provision``); fixtures."""

from __future__ import annotations

from model_qwen_vl.testing.provision import ensure_hf_stack

ensure_hf_stack()

from model_qwen_vl.testing.fixtures import (  # noqa: E402 (the stack must exist first)
    tiny_qwen3_dir,
    tiny_qwen25_dir,
)

__all__ = ["tiny_qwen3_dir", "tiny_qwen25_dir"]
