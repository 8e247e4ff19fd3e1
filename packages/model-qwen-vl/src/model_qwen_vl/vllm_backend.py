"""Qwen2.5-VL / Qwen3-VL on vLLM's async engine (continuous batching, streaming, abort, LoRA).

The engine (``vllm.AsyncLLMEngine``, vLLM's ``AsyncLLM`` since V1) lives on
an event loop in its own thread, which the adapter owns. ``astream`` can be
called from any other loop (the API server's): it starts the request on the
engine loop, forwards each output as a text event, and aborts the request
in the engine when the caller stops listening (the client left). The engine
schedules all in-flight requests together, so the server does not batch
for it (``continuous_batching``). ``generate``/``stream`` (``hyperbench run``)
drive the same path from a private loop.

vLLM is imported only in :meth:`QwenVLVLLMAdapter.build_engine` and the
two small factories next to it; the pure helpers (sampling and engine
arguments, output conversion) are tested without it, and the request path
is tested against a fake engine with the same interface.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, ClassVar, cast

from model_interface import (
    GenerationParams,
    InferenceRequest,
    InferenceResponse,
    InvalidRequestError,
    ModelAdapter,
    ModelConfig,
    TokenEvent,
    TokenLogprob,
    register_adapter,
)
from model_interface.images import to_pil
from model_qwen_vl.families import FAMILIES, get_family
from model_qwen_vl.messages import chat_messages

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterator, Sequence


def sampling_kwargs(params: GenerationParams) -> dict[str, Any]:
    """``vllm.SamplingParams`` arguments for ``params`` (top_k -1 means off in vLLM)."""
    return {
        "max_tokens": params.max_new_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "top_k": params.top_k or -1,
        "repetition_penalty": params.repetition_penalty,
        "presence_penalty": params.presence_penalty,
        "frequency_penalty": params.frequency_penalty,
        "stop": list(params.stop) or None,
        "stop_token_ids": list(params.stop_token_ids) or None,
        "min_tokens": params.min_tokens,
        "seed": params.seed,
        "ignore_eos": params.ignore_eos,
        "logprobs": params.top_logprobs if params.logprobs else None,
    }


def engine_kwargs(config: ModelConfig, *, max_images: int = 4) -> dict[str, Any]:
    """``AsyncEngineArgs`` for a model config: dtype, LoRA, image limits, pixel bounds."""
    kwargs: dict[str, Any] = {
        "model": config.model_path,
        "dtype": config.dtype,
        "limit_mm_per_prompt": {"image": max_images, "video": 0},
        "trust_remote_code": config.trust_remote_code,
        "max_num_seqs": config.max_batch_size,
    }
    if config.max_model_len:
        kwargs["max_model_len"] = config.max_model_len
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


def output_logprobs(completion: Any, start: int, tokenizer: Any) -> list[TokenLogprob]:
    """``TokenLogprob`` s of the tokens from ``start`` on, from vLLM's per-position dicts."""
    found: list[TokenLogprob] = []
    positions = completion.logprobs or []
    for position in range(start, min(len(positions), len(completion.token_ids))):
        token = completion.token_ids[position]
        table = positions[position]
        ranked = sorted(table.items(), key=lambda item: -item[1].logprob)

        def text(token_id: int, entry: Any) -> str:
            decoded = getattr(entry, "decoded_token", None)
            return str(decoded) if decoded is not None else str(tokenizer.decode([token_id]))

        found.append(
            TokenLogprob(
                token=text(token, table[token]),
                token_id=token,
                logprob=float(table[token].logprob),
                top=[(text(i, entry), float(entry.logprob)) for i, entry in ranked],
            )
        )
    return found


@register_adapter
class QwenVLVLLMAdapter(ModelAdapter):
    """Serves Qwen VL models with vLLM's async engine; needs a CUDA GPU and ``[vllm]``."""

    name: ClassVar[str] = "qwen-vl-vllm"
    backend: ClassVar[str] = "vllm"
    families: ClassVar[tuple[str, ...]] = tuple(FAMILIES)
    continuous_batching: ClassVar[bool] = True

    engine: Any = None
    processor: Any = None
    lora_request: Any = None
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    # -- the vLLM seams (a fake engine replaces these in tests) -----------------

    def build_engine(self) -> Any:
        """Create the async engine (runs on the engine loop)."""
        from vllm import AsyncEngineArgs, AsyncLLMEngine

        return AsyncLLMEngine.from_engine_args(AsyncEngineArgs(**engine_kwargs(self.config)))

    def sampling_params(self, params: GenerationParams) -> Any:
        """``vllm.SamplingParams`` for ``params``."""
        from vllm import SamplingParams

        return SamplingParams(**sampling_kwargs(params))

    def make_lora_request(self, name: str, path: str) -> Any:
        """``LoRARequest(name, 1, path)``: the adapter a request names by its model."""
        from vllm.lora.request import LoRARequest

        return LoRARequest(name, 1, path)

    # -- lifecycle ------------------------------------------------------------------

    def load(self) -> None:
        """Start the engine loop, build the engine there, and the LoRA request if configured."""
        from model_qwen_vl.processor import load_processor

        family = get_family(self.config.family)
        self.processor = load_processor(
            self.config.model_path, family, trust_remote_code=self.config.trust_remote_code
        )
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="vllm-engine", daemon=True)
        self._thread.start()

        async def build() -> Any:
            return self.build_engine()

        self.engine = self._on_engine(build()).result()
        if self.config.lora_path:
            self.lora_request = self.make_lora_request(
                self.config.lora_name or "lora", self.config.lora_path
            )
        self._loaded = True

    def close(self) -> None:
        """Shut the engine down and stop its loop."""
        engine, loop = self.engine, self._loop
        self.engine = None
        self.lora_request = None
        self._loaded = False
        if engine is not None and hasattr(engine, "shutdown"):
            engine.shutdown()
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=30)
            loop.close()
        self._loop = None

    def _on_engine(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    # -- requests -------------------------------------------------------------------

    def _prompt(self, request: InferenceRequest) -> dict[str, Any]:
        images = request.all_images()
        if not request.prompt and not images and not request.messages:
            raise InvalidRequestError("request has neither a prompt nor an image")
        messages = chat_messages(request, self.config.system_prompt)
        text = self.processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        prompt: dict[str, Any] = {"prompt": text}
        if images:
            prompt["multi_modal_data"] = {"image": [to_pil(image) for image in images]}
        return prompt

    def _lora_for(self, request: InferenceRequest) -> Any:
        """The LoRA for a request: the configured one, unless it asked for the base model."""
        if self.lora_request is None or request.model == self.config.served_model_name:
            return None
        return self.lora_request

    async def astream(self, request: InferenceRequest) -> AsyncIterator[TokenEvent]:
        """Stream one request through the engine; closing early aborts it there."""
        self.require_loaded()
        start = time.perf_counter()
        params = request.params or self.config.generation
        if params.json_schema is not None:
            raise InvalidRequestError("response_format with JSON is not wired to the vLLM backend")
        prompt = self._prompt(request)
        sampling = self.sampling_params(params)
        engine_id = f"{request.id}-{uuid.uuid4().hex[:8]}"
        caller = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any, float]] = asyncio.Queue()

        def put(kind: str, item: Any) -> None:
            caller.call_soon_threadsafe(queue.put_nowait, (kind, item, time.perf_counter() - start))

        async def pump() -> None:
            try:
                async for output in self.engine.generate(
                    prompt, sampling, engine_id, lora_request=self._lora_for(request)
                ):
                    put("output", output)
            except Exception as exc:
                put("error", exc)
            finally:
                put("end", None)

        running = self._on_engine(pump())
        finished = False
        try:
            async for event in self._events(request, params, queue):
                yield event
            finished = True
        finally:
            if not finished:  # the caller stopped listening: free the engine's slot
                running.cancel()
                self._on_engine(self.engine.abort(engine_id))

    async def _events(
        self,
        request: InferenceRequest,
        params: GenerationParams,
        queue: asyncio.Queue[tuple[str, Any, float]],
    ) -> AsyncIterator[TokenEvent]:
        tokenizer = self.processor.tokenizer
        text, tokens, index = "", 0, 0
        times: list[float] = []
        logprobs: list[TokenLogprob] = []
        last: Any = None
        while True:
            kind, item, t_s = await queue.get()
            if kind == "end":
                break
            if kind == "error":
                raise item
            last = item
            completion = item.outputs[0]
            new_logprobs = (
                output_logprobs(completion, tokens, tokenizer) if params.logprobs else None
            )
            times.extend([t_s] * (len(completion.token_ids) - tokens))
            tokens = len(completion.token_ids)
            if new_logprobs:
                logprobs.extend(new_logprobs)
            if len(completion.text) > len(text):
                yield TokenEvent(
                    id=request.id,
                    text=completion.text[len(text) :],
                    index=index,
                    t_s=t_s,
                    logprobs=new_logprobs,
                )
                text, index = completion.text, index + 1
        if last is None:
            raise RuntimeError("the engine returned no output")
        completion = last.outputs[0]
        response = InferenceResponse(
            id=request.id,
            text=completion.text,
            prompt_tokens=len(last.prompt_token_ids or []),
            completion_tokens=len(completion.token_ids),
            finish_reason="length" if completion.finish_reason == "length" else "stop",
            ttft_s=times[0] if times else None,
            latency_s=times[-1] if times else 0.0,
            generate_s=times[-1] if times else 0.0,
            token_times_s=times,
            logprobs=logprobs if params.logprobs else None,
        )
        yield TokenEvent(
            id=request.id, index=index, t_s=response.latency_s, final=True, response=response
        )

    async def _answer(self, request: InferenceRequest) -> InferenceResponse:
        try:
            async for event in self.astream(request):
                if event.final and event.response is not None:
                    return event.response
        except InvalidRequestError as exc:
            return InferenceResponse(
                id=request.id, finish_reason="error", error=str(exc), error_type="invalid_request"
            )
        except Exception as exc:
            return InferenceResponse(
                id=request.id,
                finish_reason="error",
                error=f"generation failed: {exc}",
                error_type="server_error",
            )
        raise RuntimeError("stream ended without a final event")

    def generate(self, requests: Sequence[InferenceRequest]) -> list[InferenceResponse]:
        """Submit all requests at once (the engine batches them) and wait for every answer."""
        self.require_loaded()

        async def gather() -> list[InferenceResponse]:
            return list(await asyncio.gather(*(self._answer(r) for r in requests)))

        return asyncio.run(gather())

    def stream(self, request: InferenceRequest) -> Iterator[TokenEvent]:
        """Yield the request's text events as the engine produces them."""
        self.require_loaded()
        loop = asyncio.new_event_loop()
        events = cast("AsyncGenerator[TokenEvent, None]", self.astream(request))
        try:
            while True:
                try:
                    yield loop.run_until_complete(events.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(events.aclose())
            loop.close()
