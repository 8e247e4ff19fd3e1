"""Qwen2.5-VL / Qwen3-VL through vLLM's offline ``LLM`` engine, LoRA through ``LoRARequest``.

vLLM is imported only in ``load()``; the pure helpers below (sampling
arguments, engine arguments) are tested without it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from model_interface import (
    GenerationParams,
    InferenceRequest,
    InferenceResponse,
    InvalidRequestError,
    ModelAdapter,
    ModelConfig,
    TokenEvent,
    register_adapter,
)
from model_interface.images import to_pil
from model_qwen_vl.families import FAMILIES, get_family
from model_qwen_vl.messages import chat_messages

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


def sampling_kwargs(params: GenerationParams) -> dict[str, Any]:
    """``vllm.SamplingParams`` arguments for ``params`` (top_k -1 means off in vLLM)."""
    return {
        "max_tokens": params.max_new_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "top_k": params.top_k or -1,
        "repetition_penalty": params.repetition_penalty,
        "stop": list(params.stop) or None,
        "seed": params.seed,
        "ignore_eos": params.ignore_eos,
    }


def engine_kwargs(config: ModelConfig, *, max_images: int = 4) -> dict[str, Any]:
    """``vllm.LLM`` arguments for a model config: dtype, LoRA, image limits, pixel bounds."""
    kwargs: dict[str, Any] = {
        "model": config.model_path,
        "dtype": config.dtype,
        "limit_mm_per_prompt": {"image": max_images, "video": 0},
        "trust_remote_code": config.trust_remote_code,
        "max_num_seqs": config.max_batch_size,
    }
    mm: dict[str, int] = {}
    if config.min_pixels:
        mm["min_pixels"] = config.min_pixels
    if config.max_pixels:
        mm["max_pixels"] = config.max_pixels
    if mm:
        kwargs["mm_processor_kwargs"] = mm
    if config.lora_path:
        from model_qwen_vl.lora import adapter_rank

        kwargs.update(
            enable_lora=True, max_lora_rank=max(8, adapter_rank(config.lora_path)), max_loras=1
        )
    return kwargs


@register_adapter
class QwenVLVLLMAdapter(ModelAdapter):
    """Serves Qwen VL models with vLLM; needs a CUDA GPU and ``model-qwen-vl[vllm]``."""

    name: ClassVar[str] = "qwen-vl-vllm"
    backend: ClassVar[str] = "vllm"
    families: ClassVar[tuple[str, ...]] = tuple(FAMILIES)

    llm: Any = None
    processor: Any = None
    lora_request: Any = None

    def load(self) -> None:
        """Build the vLLM engine (and the LoRA request when the config names one)."""
        from transformers import AutoProcessor
        from vllm import LLM

        get_family(self.config.family)
        self.processor = AutoProcessor.from_pretrained(self.config.model_path)
        self.llm = LLM(**engine_kwargs(self.config))
        if self.config.lora_path:
            from vllm.lora.request import LoRARequest

            self.lora_request = LoRARequest(
                self.config.lora_name or "lora", 1, self.config.lora_path
            )
        self._loaded = True

    def close(self) -> None:
        """Drop the engine; vLLM frees its GPU memory when the engine is collected."""
        self.llm = None
        self.lora_request = None
        self._loaded = False

    def _prompt(self, request: InferenceRequest) -> dict[str, Any]:
        if not request.prompt and not request.images:
            raise InvalidRequestError("request has neither a prompt nor an image")
        messages = chat_messages(request, self.config.system_prompt)
        text = self.processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        prompt: dict[str, Any] = {"prompt": text}
        if request.images:
            prompt["multi_modal_data"] = {"image": [to_pil(image) for image in request.images]}
        return prompt

    def generate(self, requests: Sequence[InferenceRequest]) -> list[InferenceResponse]:
        """Submit all requests to the engine at once (vLLM batches them itself)."""
        self.require_loaded()
        from vllm import SamplingParams

        start = time.perf_counter()
        prompts, sampling, order, responses = [], [], [], {}
        for index, request in enumerate(requests):
            try:
                prompts.append(self._prompt(request))
            except InvalidRequestError as exc:
                responses[index] = InferenceResponse(
                    id=request.id, finish_reason="error", error=str(exc)
                )
                continue
            sampling.append(
                SamplingParams(**sampling_kwargs(request.params or self.config.generation))
            )
            order.append(index)
        gen_start = time.perf_counter()
        outputs = []
        if prompts:
            outputs = self.llm.generate(
                prompts, sampling, lora_request=self.lora_request, use_tqdm=False
            )
        generate_s = time.perf_counter() - gen_start
        latency = time.perf_counter() - start
        for index, output in zip(order, outputs, strict=True):
            completion = output.outputs[0]
            ttft = _first_token_s(output)
            responses[index] = InferenceResponse(
                id=requests[index].id,
                text=completion.text,
                prompt_tokens=len(output.prompt_token_ids or []),
                completion_tokens=len(completion.token_ids),
                finish_reason="length" if completion.finish_reason == "length" else "stop",
                ttft_s=ttft,
                latency_s=latency,
                generate_s=generate_s,
            )
        return [responses[index] for index in range(len(requests))]

    def stream(self, request: InferenceRequest) -> Iterator[TokenEvent]:
        """The offline engine does not stream: one piece with the answer, then the final event."""
        response = self.generate([request])[0]
        if response.error:
            raise InvalidRequestError(response.error)
        yield TokenEvent(
            id=request.id, text=response.text, index=0, t_s=response.ttft_s or response.latency_s
        )
        yield TokenEvent(
            id=request.id, index=1, t_s=response.latency_s, final=True, response=response
        )


def _first_token_s(output: Any) -> float | None:
    """TTFT from vLLM's per-request metrics when the engine records them."""
    metrics = getattr(output, "metrics", None)
    first = getattr(metrics, "first_token_time", None)
    arrival = getattr(metrics, "arrival_time", None)
    if first and arrival:
        return float(first - arrival)
    latency = getattr(metrics, "first_token_latency", None)
    return float(latency) if latency else None
