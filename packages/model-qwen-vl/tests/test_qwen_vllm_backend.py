"""vLLM backend: argument building always; the engine itself only where vllm and a GPU exist."""

from __future__ import annotations

import importlib.util
import time
from typing import TYPE_CHECKING

import pytest

from model_interface import GenerationParams, InferenceRequest, load_model_config, registry
from model_qwen_vl.testing.fake_vllm import FakeEngineAdapter
from model_qwen_vl.testing.tiny import CONFIG_NAME
from model_qwen_vl.vllm_backend import QwenVLVLLMAdapter, engine_kwargs, sampling_kwargs

if TYPE_CHECKING:
    from collections.abc import Iterator
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
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "stop": ["</s>"],
        "stop_token_ids": None,
        "min_tokens": 0,
        "seed": 5,
        "ignore_eos": False,
        "logprobs": None,
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


# -- the request path on a fake engine with vLLM's async interface -----------------


@pytest.fixture
def fake_adapter(tiny_qwen3_dir: Path, tmp_path: Path) -> Iterator[FakeEngineAdapter]:
    lora = tmp_path / "diagram-lora"
    lora.mkdir()
    (lora / "adapter_config.json").write_text('{"r": 8}')
    config = load_model_config(tiny_qwen3_dir / CONFIG_NAME).model_copy(
        update={"backend": "vllm", "lora_path": str(lora), "lora_name": "diagram-lora"}
    )
    adapter = FakeEngineAdapter(config)
    adapter.load()
    yield adapter
    adapter.close()
    assert adapter.engine is None


def test_generate_submits_everything_at_once(fake_adapter: FakeEngineAdapter) -> None:
    engine = fake_adapter.engine
    requests = [
        InferenceRequest(id=f"r{i}", prompt="hello", params=GenerationParams(max_new_tokens=5 + i))
        for i in range(4)
    ]
    responses = fake_adapter.generate(requests)
    assert [r.id for r in responses] == ["r0", "r1", "r2", "r3"]
    assert [r.completion_tokens for r in responses] == [5, 6, 7, 8]
    assert all(r.finish_reason == "length" and r.prompt_tokens == 7 for r in responses)
    assert all(0 < r.ttft_s <= r.latency_s for r in responses)
    assert engine.max_active == 4  # the engine saw them together: continuous batching
    rendered = engine.calls[0]["prompt"]["prompt"]
    assert rendered.endswith("<|im_start|>assistant\n") and "hello" in rendered


def test_lora_is_chosen_by_the_requested_model(fake_adapter: FakeEngineAdapter) -> None:
    params = GenerationParams(max_new_tokens=2)
    fake_adapter.generate(
        [
            InferenceRequest(id="lora", prompt="x", params=params, model="diagram-lora"),
            InferenceRequest(id="base", prompt="x", params=params, model="tiny-qwen3_vl"),
        ]
    )
    loras = {call["id"].split("-")[0]: call["lora"] for call in fake_adapter.engine.calls}
    assert loras["base"] is None
    assert loras["lora"].lora_name == "diagram-lora"
    assert loras["lora"].lora_path.endswith("diagram-lora")


def test_stream_yields_pieces_then_the_final_with_logprobs(fake_adapter: FakeEngineAdapter) -> None:
    params = GenerationParams(max_new_tokens=6, logprobs=True, top_logprobs=2)
    events = list(fake_adapter.stream(InferenceRequest(id="s", prompt="x", params=params)))
    pieces, final = events[:-1], events[-1]
    assert final.final and final.response is not None
    assert "".join(e.text for e in pieces) == final.response.text
    assert len(pieces) >= 2  # streamed, not one piece
    logprobs = final.response.logprobs
    assert logprobs is not None and len(logprobs) == 6
    assert logprobs[0].logprob == -0.25 and [v for _, v in logprobs[0].top] == [-0.25, -1.5]
    assert sum(len(e.logprobs or []) for e in pieces) == 6


def test_closing_a_stream_aborts_the_request_in_the_engine(
    fake_adapter: FakeEngineAdapter,
) -> None:
    params = GenerationParams(max_new_tokens=10_000)
    events = fake_adapter.stream(InferenceRequest(id="gone", prompt="x", params=params))
    next(events)
    events.close()
    deadline = time.monotonic() + 5
    while not fake_adapter.engine.aborted:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert fake_adapter.engine.aborted[0].startswith("gone-")
    assert len(fake_adapter.engine.calls) == 1
