"""Qwen2.5-VL / Qwen3-VL through transformers (``AutoModelForImageTextToText`` + processor)."""

from __future__ import annotations

import logging
import queue
import threading
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
from model_qwen_vl.families import FAMILIES, check_checkpoint_family, get_family
from model_qwen_vl.messages import chat_messages
from model_qwen_vl.timing import TokenClock

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from model_interface.types import FinishReason

logger = logging.getLogger(__name__)


def torch_dtype(name: str, device: str) -> Any:
    """Map a config dtype to torch: ``auto`` is bfloat16 on cuda, float16 on mps, float32 on cpu."""
    import torch

    if name == "auto":
        name = {"cuda": "bfloat16", "mps": "float16"}.get(device, "float32")
    return getattr(torch, name)


def generate_kwargs(params: GenerationParams) -> dict[str, Any]:
    """Translate ``GenerationParams`` into ``model.generate`` keyword arguments."""
    kwargs: dict[str, Any] = {
        "max_new_tokens": params.max_new_tokens,
        "repetition_penalty": params.repetition_penalty,
        "do_sample": not params.greedy,
    }
    if not params.greedy:
        kwargs.update(temperature=params.temperature, top_p=params.top_p)
        if params.top_k:
            kwargs["top_k"] = params.top_k
    else:
        kwargs.update(temperature=None, top_p=None, top_k=None)
    if params.stop:
        kwargs["stop_strings"] = list(params.stop)
    if params.ignore_eos:
        kwargs["min_new_tokens"] = params.max_new_tokens  # masks EOS until the length is reached
    return kwargs


def stop_on(event: threading.Event) -> Any:
    """A ``StoppingCriteriaList`` that ends generation once ``event`` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class StopOnEvent(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full(
                (input_ids.shape[0],), event.is_set(), dtype=torch.bool, device=input_ids.device
            )

    return StoppingCriteriaList([StopOnEvent()])


def cut_at_stop(text: str, stop: list[str]) -> tuple[str, bool]:
    """Cut ``text`` at the first stop string; return the text and whether one was found."""
    positions = [text.find(s) for s in stop if s and s in text]
    if not positions:
        return text, False
    return text[: min(positions)], True


@register_adapter
class QwenVLHFAdapter(ModelAdapter):
    """Serves Qwen2.5-VL and Qwen3-VL with transformers, optionally with a peft LoRA."""

    name: ClassVar[str] = "qwen-vl-hf"
    backend: ClassVar[str] = "hf"
    families: ClassVar[tuple[str, ...]] = tuple(FAMILIES)

    model: Any = None
    processor: Any = None
    device: str = "cpu"

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
        self._loaded = True

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
        return {**super().info(), "device": self.device if self._loaded else self.config.device}

    # -- request preparation -------------------------------------------------

    def params_for(self, request: InferenceRequest) -> GenerationParams:
        """The request's generation params, else the config's defaults."""
        return request.params or self.config.generation

    def _prompt_and_images(self, request: InferenceRequest) -> tuple[str, list[Any]]:
        if not request.prompt and not request.images:
            raise InvalidRequestError("request has neither a prompt nor an image")
        images = [to_pil(image) for image in request.images]
        messages = chat_messages(request, self.config.system_prompt)
        text = self.processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        return text, images

    def _inputs(self, texts: list[str], images: list[list[Any]]) -> Any:
        flat = [image for group in images for image in group]
        inputs = self.processor(text=texts, images=flat or None, return_tensors="pt", padding=True)
        return inputs.to(self.device)

    # -- batched generation ---------------------------------------------------

    def generate(self, requests: Sequence[InferenceRequest]) -> list[InferenceResponse]:
        """Answer requests in batches of ``max_batch_size`` sharing generation params.

        Latency and TTFT count from this call, so image decoding, preprocessing
        and waiting for earlier batches are part of each request's figures.
        """
        self.require_loaded()
        call_start = time.perf_counter()
        responses: dict[int, InferenceResponse] = {}
        pending: list[tuple[int, InferenceRequest, str, list[Any]]] = []
        for index, request in enumerate(requests):
            try:
                text, images = self._prompt_and_images(request)
            except InvalidRequestError as exc:
                responses[index] = InferenceResponse(
                    id=request.id,
                    finish_reason="error",
                    error=str(exc),
                    latency_s=time.perf_counter() - call_start,
                )
                continue
            pending.append((index, request, text, images))
        size = self.config.max_batch_size
        while pending:
            params = self.params_for(pending[0][1])
            batch = [item for item in pending if self.params_for(item[1]) == params][:size]
            taken = {item[0] for item in batch}
            pending = [item for item in pending if item[0] not in taken]
            for (index, _, _, _), response in zip(
                batch, self._generate_batch(batch, params, call_start), strict=True
            ):
                responses[index] = response
        return [responses[index] for index in range(len(requests))]

    def _generate_batch(
        self,
        batch: list[tuple[int, InferenceRequest, str, list[Any]]],
        params: GenerationParams,
        start: float,
    ) -> list[InferenceResponse]:
        import torch

        try:
            inputs = self._inputs([item[2] for item in batch], [item[3] for item in batch])
        except (ValueError, RuntimeError) as exc:
            return [
                InferenceResponse(
                    id=item[1].id,
                    finish_reason="error",
                    error=f"preprocessing failed: {exc}",
                    latency_s=time.perf_counter() - start,
                )
                for item in batch
            ]
        if params.seed is not None:
            torch.manual_seed(params.seed)
        clock = TokenClock(start)
        gen_start = time.perf_counter()
        try:
            with torch.inference_mode():
                output = self.model.generate(
                    **inputs,
                    **generate_kwargs(params),
                    streamer=clock,
                    tokenizer=self.processor.tokenizer,
                )
        except (RuntimeError, ValueError) as exc:  # e.g. out of memory: fail the batch, not the run
            logger.exception("generate failed for a batch of %d", len(batch))
            return [
                InferenceResponse(
                    id=item[1].id,
                    finish_reason="error",
                    error=f"generation failed: {exc}",
                    latency_s=time.perf_counter() - start,
                )
                for item in batch
            ]
        generate_s = time.perf_counter() - gen_start
        prompt_len = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        new_tokens = output[:, prompt_len:]
        latency = time.perf_counter() - start
        responses = []
        for row, (_, request, _, _) in enumerate(batch):
            ids = self._trim_ids(new_tokens[row].tolist())
            text, stopped = cut_at_stop(
                self.processor.tokenizer.decode(ids, skip_special_tokens=True), params.stop
            )
            hit_eos = len(ids) < new_tokens.shape[1] or (ids and ids[-1] in self._eos_ids())
            finish: FinishReason = (
                "length"
                if len(ids) >= params.max_new_tokens and not (hit_eos or stopped)
                else "stop"
            )
            times = clock.step_times[: len(ids)]
            responses.append(
                InferenceResponse(
                    id=request.id,
                    text=text,
                    prompt_tokens=int(prompt_tokens[row]),
                    completion_tokens=len(ids),
                    finish_reason=finish,
                    ttft_s=times[0] if times else None,
                    latency_s=latency,
                    generate_s=generate_s,
                    token_times_s=times,
                )
            )
        return responses

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        pad = self.processor.tokenizer.pad_token_id
        return ids | ({pad} if pad is not None else set())

    def _trim_ids(self, ids: list[int]) -> list[int]:
        """Generated ids up to and including the first end-of-sequence token (padding dropped)."""
        stop_ids = self._eos_ids()
        for position, token in enumerate(ids):
            if token in stop_ids:
                return ids[: position + 1]
        return ids

    # -- streaming ---------------------------------------------------------------

    def stream(self, request: InferenceRequest) -> Iterator[TokenEvent]:
        """Run generate in a worker thread and yield decoded text pieces as tokens arrive."""
        self.require_loaded()
        import torch

        start = time.perf_counter()
        params = self.params_for(request)
        text, images = self._prompt_and_images(request)
        inputs = self._inputs([text], [images])
        steps: queue.Queue[Any] = queue.Queue()
        clock = TokenClock(start, sink=steps)
        failure: list[BaseException] = []
        cancel = threading.Event()

        def work() -> None:
            try:
                if params.seed is not None:
                    torch.manual_seed(params.seed)
                with torch.inference_mode():
                    self.model.generate(
                        **inputs,
                        **generate_kwargs(params),
                        streamer=clock,
                        tokenizer=self.processor.tokenizer,
                        stopping_criteria=stop_on(cancel),
                    )
            except BaseException as exc:  # re-raised in the caller's thread below
                failure.append(exc)
                steps.put(None)

        worker = threading.Thread(target=work, name=f"generate-{request.id}", daemon=True)
        gen_start = time.perf_counter()
        worker.start()
        try:
            yield from self._stream_events(
                request, params, steps, inputs, start, gen_start, failure, worker
            )
        finally:
            # A stream closed early (client gone) stops generate at its next step and
            # waits for it, so the model is free again when this generator ends.
            cancel.set()
            if threading.current_thread() is not worker:
                worker.join()

    def _stream_events(
        self,
        request: InferenceRequest,
        params: GenerationParams,
        steps: queue.Queue[Any],
        inputs: Any,
        start: float,
        gen_start: float,
        failure: list[BaseException],
        worker: threading.Thread,
    ) -> Iterator[TokenEvent]:
        tokenizer = self.processor.tokenizer
        stop_ids = self._eos_ids()
        ids: list[int] = []
        times: list[float] = []
        emitted = ""
        index = 0
        finished_by_eos = False
        stopped = False
        while (item := steps.get()) is not None:
            now, step_ids = item
            if finished_by_eos or stopped:
                continue
            token = step_ids[0]
            ids.append(token)
            times.append(now)
            if token in stop_ids:
                finished_by_eos = True
                continue
            decoded, stopped = cut_at_stop(
                tokenizer.decode(ids, skip_special_tokens=True), params.stop
            )
            if decoded.endswith("\ufffd") and not stopped:
                continue  # an incomplete UTF-8 sequence: wait for the next byte
            if len(decoded) > len(emitted) and decoded.startswith(emitted):
                yield TokenEvent(id=request.id, text=decoded[len(emitted) :], index=index, t_s=now)
                emitted = decoded
                index += 1
        worker.join()
        generate_s = time.perf_counter() - gen_start
        if failure:
            raise failure[0]
        final_text, cut = cut_at_stop(tokenizer.decode(ids, skip_special_tokens=True), params.stop)
        if len(final_text) > len(emitted) and final_text.startswith(emitted):
            yield TokenEvent(
                id=request.id, text=final_text[len(emitted) :], index=index, t_s=times[-1]
            )
            index += 1
        finish: FinishReason = (
            "stop"
            if finished_by_eos or stopped or cut or len(ids) < params.max_new_tokens
            else "length"
        )
        response = InferenceResponse(
            id=request.id,
            text=final_text,
            prompt_tokens=int(inputs["attention_mask"].sum()),
            completion_tokens=len(ids),
            finish_reason=finish,
            ttft_s=times[0] if times else None,
            latency_s=time.perf_counter() - start,
            generate_s=generate_s,
            token_times_s=times,
        )
        yield TokenEvent(
            id=request.id, index=index, t_s=response.latency_s, final=True, response=response
        )
