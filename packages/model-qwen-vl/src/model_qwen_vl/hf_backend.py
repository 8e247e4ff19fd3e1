"""Qwen2.5-VL / Qwen3-VL through transformers (``AutoModelForImageTextToText`` + processor)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, ClassVar

from model_interface import (
    GenerationParams,
    InferenceRequest,
    InferenceResponse,
    InvalidRequestError,
    ModelAdapter,
    ModelConfigError,
    TokenEvent,
    register_adapter,
    resolve_device,
)
from model_interface.images import to_pil
from model_qwen_vl.batching import BatchItem, run_batch
from model_qwen_vl.decoding import cut_at_stop, generate_kwargs
from model_qwen_vl.families import FAMILIES, check_checkpoint_family, get_family
from model_qwen_vl.messages import chat_messages
from model_qwen_vl.rows import failed_event

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["QwenVLHFAdapter", "cut_at_stop", "generate_kwargs", "torch_dtype"]

logger = logging.getLogger(__name__)


def torch_dtype(name: str, device: str) -> Any:
    """Map a config dtype to torch: ``auto`` is bfloat16 on cuda, float16 on mps, float32 on cpu."""
    import torch

    if name == "auto":
        name = {"cuda": "bfloat16", "mps": "float16"}.get(device, "float32")
    return getattr(torch, name)


@register_adapter
class QwenVLHFAdapter(ModelAdapter):
    """Serves Qwen2.5-VL and Qwen3-VL with transformers, optionally with a peft LoRA."""

    name: ClassVar[str] = "qwen-vl-hf"
    backend: ClassVar[str] = "hf"
    families: ClassVar[tuple[str, ...]] = tuple(FAMILIES)

    model: Any = None
    processor: Any = None
    device: str = "cpu"
    fast_decode: bool = False
    warm_up_s: float | None = None

    def load(self) -> None:
        """Load processor, weights and LoRA onto the resolved device."""
        from transformers import AutoModelForImageTextToText

        cfg = self.config
        family = get_family(cfg.family)
        check_checkpoint_family(cfg.model_path, family)
        self.device = resolve_device(cfg.device)
        dtype = torch_dtype(cfg.dtype, self.device)
        from model_qwen_vl.processor import load_processor

        try:
            self.processor = load_processor(
                cfg.model_path,
                family,
                min_pixels=cfg.min_pixels,
                max_pixels=cfg.max_pixels,
                trust_remote_code=cfg.trust_remote_code,
            )
            kwargs: dict[str, Any] = {"dtype": dtype, "trust_remote_code": cfg.trust_remote_code}
            if cfg.attn_implementation:
                kwargs["attn_implementation"] = cfg.attn_implementation
            model: Any = AutoModelForImageTextToText.from_pretrained(cfg.model_path, **kwargs)
            if cfg.lora_path:
                from model_qwen_vl.lora import apply_lora

                model = apply_lora(model, cfg.lora_path, merge=cfg.merge_lora)
        except (OSError, ValueError) as exc:  # unreachable hub, bad repo id, broken files
            raise ModelConfigError(f"cannot load {cfg.model_path}: {exc}") from exc
        self.model = model.to(self.device).eval()
        self.fast_decode = cfg.fast_decode if cfg.fast_decode is not None else self.device == "cuda"
        self._loaded = True
        if self.fast_decode:
            self.warm_up()

    def warm_up(self) -> None:
        """Run the decode path once per common batch shape so no client pays for compiling it.

        With ``fast_decode`` on CUDA, transformers compiles the decode step
        (CUDA graphs) the first time each shape is seen: batch 1 and a full
        batch are the ones a loaded server meets first.
        """
        if self.device == "cuda":
            import torch

            # one compiled graph per (batch size, cache length): allow more than dynamo's default
            limit = torch._dynamo.config.cache_size_limit
            torch._dynamo.config.cache_size_limit = max(limit, 64)
        start = time.perf_counter()
        params = GenerationParams(max_new_tokens=4, ignore_eos=True)
        for size in sorted({1, self.config.max_batch_size}):
            requests = [
                InferenceRequest(id=f"warm-up-{i}", prompt="warm up", params=params)
                for i in range(size)
            ]
            self.generate(requests)
        self.warm_up_s = time.perf_counter() - start
        logger.info("decode warm-up took %.2f s", self.warm_up_s)

    def close(self) -> None:
        """Drop the model and free cached accelerator memory."""
        self.model = None
        self.processor = None
        self._loaded = False
        import gc

        gc.collect()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass

    def info(self) -> dict[str, Any]:
        """Adapter description with the resolved device."""
        return {
            **super().info(),
            "device": self.device if self._loaded else self.config.device,
            "fast_decode": self.fast_decode,
            "max_model_len": self.max_model_len() if self._loaded else self.config.max_model_len,
        }

    def max_model_len(self) -> int:
        """Longest prompt + completion served: the config's limit, else the model's positions."""
        if self.config.max_model_len:
            return self.config.max_model_len
        text_config = self.model.config.get_text_config()
        return int(getattr(text_config, "max_position_embeddings", 0) or 32768)

    # -- request preparation -------------------------------------------------

    def params_for(self, request: InferenceRequest) -> GenerationParams:
        """The request's generation params, else the config's defaults."""
        return request.params or self.config.generation

    def prepare(self, request: InferenceRequest) -> BatchItem:
        """Render the chat template and open the images; ``InvalidRequestError`` when unusable."""
        if not request.prompt and not request.all_images() and not request.messages:
            raise InvalidRequestError("request has neither a prompt nor an image")
        params = self.params_for(request)
        if params.json_schema is not None:
            try:
                from model_qwen_vl.decoding import json_grammar

                json_grammar(params.json_schema)
            except ImportError as exc:
                raise InvalidRequestError(
                    "response_format needs llguidance (model-qwen-vl[hf])"
                ) from exc
            except (ValueError, TypeError) as exc:
                raise InvalidRequestError(f"response_format: {exc}") from exc
        images = [to_pil(image) for image in request.all_images()]
        messages = chat_messages(request, self.config.system_prompt)
        text = self.processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        return BatchItem(request, text, images, params)

    def eos_ids(self) -> set[int]:
        """The model's end-of-sequence ids plus the pad id (padding after a row ended)."""
        eos = self.model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        pad = self.processor.tokenizer.pad_token_id
        return ids | ({pad} if pad is not None else set())

    # -- batched generation ---------------------------------------------------

    def stream_batch(
        self,
        requests: Sequence[InferenceRequest],
        should_stop: Callable[[str], bool] | None = None,
    ) -> Iterator[TokenEvent]:
        """Answer requests in batches of ``max_batch_size`` sharing generation params.

        Events interleave per token step; every request ends with its final
        event as soon as its own row ends. Times count from this call, so
        image decoding and preprocessing are part of each request's figures.
        """
        self.require_loaded()
        start = time.perf_counter()
        pending: list[BatchItem] = []
        for request in requests:
            try:
                pending.append(self.prepare(request))
            except InvalidRequestError as exc:
                yield failed_event(request.id, str(exc), time.perf_counter() - start)
        size = self.config.max_batch_size
        while pending:
            params = pending[0].params
            batch = [item for item in pending if item.params == params][:size]
            pending = [item for item in pending if all(item is not b for b in batch)]
            yield from run_batch(self, batch, params, start, should_stop)

    def generate(self, requests: Sequence[InferenceRequest]) -> list[InferenceResponse]:
        """Answer requests as batches, in order; a failed item carries ``error``."""
        finals: dict[str, InferenceResponse] = {}
        for event in self.stream_batch(requests):
            if event.final and event.response is not None:
                finals[event.id] = event.response
        return [finals[request.id] for request in requests]

    def stream(self, request: InferenceRequest) -> Iterator[TokenEvent]:
        """Yield decoded text pieces of one request as its tokens arrive."""
        self.require_loaded()
        item = self.prepare(request)  # a bad request raises before anything streams
        for event in run_batch(self, [item], item.params, time.perf_counter(), None):
            if event.final and event.response is not None and event.response.error:
                if event.response.error_type == "invalid_request":
                    raise InvalidRequestError(event.response.error)
                raise RuntimeError(event.response.error)
            yield event
