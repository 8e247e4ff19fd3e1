"""A stand-in for vLLM's async engine with the interface the vLLM adapter uses (CPU tests).

``FakeAsyncEngine`` implements ``generate(prompt, sampling_params,
request_id, lora_request=...)`` as an async generator of cumulative
``RequestOutput``-shaped objects, ``abort(request_id)`` and ``shutdown()``.
Every in-flight request advances one token per ``step_s`` like an engine
step over the running batch, and the engine records what it was asked
(calls, the most requests in flight at once, aborts), so tests can check
continuous batching, LoRA selection and abort on disconnect.
``FakeEngineAdapter`` is the real adapter with only the vLLM seams replaced.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar

from model_qwen_vl.vllm_backend import QwenVLVLLMAdapter, sampling_kwargs

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from model_interface import GenerationParams

WORDS = "red green blue table "


class FakeAsyncEngine:
    """Answers every request with ``WORDS`` repeated, one token per engine step."""

    def __init__(self, tokenizer: Any, step_s: float = 0.005) -> None:
        self.tokenizer = tokenizer
        self.step_s = step_s
        self.token_ids: list[int] = tokenizer.encode(WORDS, add_special_tokens=False)
        self.calls: list[dict[str, Any]] = []
        self.active: set[str] = set()
        self.max_active = 0
        self.aborted: list[str] = []
        self.shut_down = False

    async def generate(
        self,
        prompt: dict[str, Any],
        sampling_params: Any,
        request_id: str,
        lora_request: Any = None,
    ) -> AsyncIterator[Any]:
        """Cumulative outputs until ``max_tokens`` (or a stop token id), like ``AsyncLLM``."""
        self.calls.append(
            {"id": request_id, "prompt": prompt, "sampling": sampling_params, "lora": lora_request}
        )
        self.active.add(request_id)
        self.max_active = max(self.max_active, len(self.active))
        ids: list[int] = []
        logprobs: list[dict[int, Any]] = []
        stop_ids = set(sampling_params.stop_token_ids or [])
        try:
            while True:
                await asyncio.sleep(self.step_s)
                if request_id in self.aborted:
                    return
                token = self.token_ids[len(ids) % len(self.token_ids)]
                ids.append(token)
                if sampling_params.logprobs is not None:
                    other = self.token_ids[(len(ids) + 1) % len(self.token_ids)]
                    logprobs.append(
                        {
                            token: SimpleNamespace(logprob=-0.25, rank=1, decoded_token=None),
                            other: SimpleNamespace(logprob=-1.5, rank=2, decoded_token=None),
                        }
                    )
                finish = None
                if token in stop_ids and len(ids) >= sampling_params.min_tokens:
                    finish = "stop"
                elif len(ids) >= sampling_params.max_tokens:
                    finish = "length"
                completion = SimpleNamespace(
                    text=self.tokenizer.decode(ids, skip_special_tokens=True),
                    token_ids=list(ids),
                    finish_reason=finish,
                    logprobs=list(logprobs) if sampling_params.logprobs is not None else None,
                )
                yield SimpleNamespace(
                    request_id=request_id,
                    prompt_token_ids=[0] * 7,
                    outputs=[completion],
                    finished=finish is not None,
                )
                if finish is not None:
                    return
        finally:
            self.active.discard(request_id)

    async def abort(self, request_id: str) -> None:
        """Stop a request (the client left)."""
        self.aborted.append(request_id)

    def shutdown(self) -> None:
        """Release the engine."""
        self.shut_down = True


class FakeEngineAdapter(QwenVLVLLMAdapter):
    """The vLLM adapter with the fake engine and plain objects for vLLM's request types."""

    step_s: ClassVar[float] = 0.005

    def build_engine(self) -> FakeAsyncEngine:
        """The fake engine, on the adapter's engine loop."""
        return FakeAsyncEngine(self.processor.tokenizer, self.step_s)

    def sampling_params(self, params: GenerationParams) -> Any:
        """The same arguments ``vllm.SamplingParams`` would get, as attributes."""
        return SimpleNamespace(**sampling_kwargs(params))

    def make_lora_request(self, name: str, path: str) -> Any:
        """``LoRARequest``'s fields, as attributes."""
        return SimpleNamespace(lora_name=name, lora_int_id=1, lora_path=path)
