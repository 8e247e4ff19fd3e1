"""vLLM backend: argument building always; the engine itself only where vllm and a GPU exist."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import pytest

from model_interface import GenerationParams, InferenceRequest, load_model_config, registry
from model_qwen_vl.testing.tiny import CONFIG_NAME
from model_qwen_vl.vllm_backend import QwenVLVLLMAdapter, engine_kwargs, sampling_kwargs

if TYPE_CHECKING:
    from pathlib import Path


def _gpu_ready() -> str | None:
    """Why the vLLM engine cannot run here, or None when it can."""
    if importlib.util.find_spec("vllm") is None:
        return "vLLM backend NOT exercised: vllm is not installed (needs model-qwen-vl[vllm] + GPU)"
    import torch

    if not torch.cuda.is_available():
        return "vLLM backend NOT exercised: no CUDA GPU on this machine"
    return None


def test_sampling_kwargs_follow_vllm_conventions() -> None:
    kwargs = sampling_kwargs(
        GenerationParams(max_new_tokens=9, temperature=0.3, stop=["</s>"], seed=5)
    )
    assert kwargs == {
        "max_tokens": 9,
        "temperature": 0.3,
        "top_p": 1.0,
        "top_k": -1,
        "repetition_penalty": 1.0,
        "stop": ["</s>"],
        "seed": 5,
        "ignore_eos": False,
    }
    assert sampling_kwargs(GenerationParams(top_k=20))["top_k"] == 20


def test_engine_kwargs_enable_lora_with_its_rank(tiny_qwen3_dir: Path, tmp_path: Path) -> None:
    lora = tmp_path / "lora"
    lora.mkdir()
    (lora / "adapter_config.json").write_text('{"r": 32}')
    config = load_model_config(tiny_qwen3_dir / CONFIG_NAME).model_copy(
        update={"lora_path": str(lora), "max_pixels": 1000, "backend": "vllm"}
    )
    kwargs = engine_kwargs(config)
    assert kwargs["model"] == str(tiny_qwen3_dir)
    assert (kwargs["enable_lora"], kwargs["max_lora_rank"], kwargs["max_loras"]) == (True, 32, 1)
    assert kwargs["mm_processor_kwargs"] == {"max_pixels": 1000}
    assert kwargs["limit_mm_per_prompt"]["video"] == 0
    assert "enable_lora" not in engine_kwargs(config.model_copy(update={"lora_path": None}))


def test_registry_picks_the_vllm_adapter_for_backend_vllm(tiny_qwen3_dir: Path) -> None:
    config = load_model_config(tiny_qwen3_dir / CONFIG_NAME).model_copy(update={"backend": "vllm"})
    assert registry.for_config(config) is QwenVLVLLMAdapter


@pytest.mark.skipif(_gpu_ready() is not None, reason=str(_gpu_ready()))
def test_vllm_engine_answers_the_tiny_checkpoint(tiny_qwen3_dir: Path) -> None:
    config = load_model_config(tiny_qwen3_dir / CONFIG_NAME).model_copy(
        update={"backend": "vllm", "dtype": "float32"}
    )
    adapter = QwenVLVLLMAdapter(config)
    adapter.load()
    try:
        [response] = adapter.generate(
            [InferenceRequest(id="v", prompt="hello", params=GenerationParams(max_new_tokens=4))]
        )
        assert response.ok and 1 <= response.completion_tokens <= 4
    finally:
        adapter.close()
