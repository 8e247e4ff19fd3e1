"""Decode one batch with ``model.generate`` and hand out each row's tokens as they arrive.

``generate`` runs in a worker thread; a streamer puts every step's token ids
on a queue, and the caller's thread turns them into per-row text events
(:class:`~model_qwen_vl.rows.RowState`). Rows that end (answered, or their
client left) are marked done for ``generate`` through a stopping criterion,
so a batch ends when its last row does. Closing the event iterator early
stops the whole batch at its next step and waits for the worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from model_interface import InferenceRequest, TokenEvent  # noqa: TC001 (dataclass field types)
from model_qwen_vl.decoding import (
    LogprobRecorder,
    RowStops,
    cache_bucket,
    generate_kwargs,
    grammar_processor,
    json_grammar,
    penalty_processor,
)
from model_qwen_vl.rows import RowState, failed_event
from model_qwen_vl.timing import TokenClock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from model_interface import GenerationParams
    from model_qwen_vl.hf_backend import QwenVLHFAdapter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchItem:
    """A request ready for the processor: its rendered prompt, opened images and params."""

    request: InferenceRequest
    text: str
    images: list[Any]
    params: GenerationParams


def processor_inputs(adapter: QwenVLHFAdapter, items: list[BatchItem]) -> Any:
    """The processor's tensors for ``items`` (left-padded), on the model's device."""
    flat = [image for item in items for image in item.images]
    inputs = adapter.processor(
        text=[item.text for item in items], images=flat or None, return_tensors="pt", padding=True
    )
    return inputs.to(adapter.device)


def _too_long(adapter: QwenVLHFAdapter, tokens: int, params: GenerationParams) -> str | None:
    limit = adapter.max_model_len()
    if tokens + params.max_new_tokens <= limit:
        return None
    return (
        f"this model's maximum context length is {limit} tokens; the request needs "
        f"{tokens + params.max_new_tokens} ({tokens} in the messages, "
        f"{params.max_new_tokens} in the completion)"
    )


def run_batch(
    adapter: QwenVLHFAdapter,
    items: list[BatchItem],
    params: GenerationParams,
    start: float,
    should_stop: Callable[[str], bool] | None,
) -> Iterator[TokenEvent]:
    """Decode ``items`` (sharing ``params``) together; yield text events and one final per row."""

    def now() -> float:
        return time.perf_counter() - start

    try:
        inputs = processor_inputs(adapter, items)
        lengths = [int(n) for n in inputs["attention_mask"].sum(dim=1).tolist()]
        problems = [_too_long(adapter, n, params) for n in lengths]
        if any(problems):
            for item, problem in zip(items, problems, strict=True):
                if problem:
                    yield failed_event(item.request.id, problem, now())
            items = [item for item, problem in zip(items, problems, strict=True) if not problem]
            if not items:
                return
            inputs = processor_inputs(adapter, items)
            lengths = [int(n) for n in inputs["attention_mask"].sum(dim=1).tolist()]
    except (ValueError, RuntimeError) as exc:
        for item in items:
            yield failed_event(item.request.id, f"preprocessing failed: {exc}", now())
        return
    yield from _decode(adapter, items, params, inputs, lengths, start, should_stop)


def _generate_call(
    adapter: QwenVLHFAdapter,
    params: GenerationParams,
    inputs: Any,
    clock: TokenClock,
    stops: RowStops,
    recorder: LogprobRecorder | None,
) -> Callable[[], None]:
    from transformers import LogitsProcessorList

    eos = adapter.eos_ids() - {adapter.processor.tokenizer.pad_token_id}
    kwargs = generate_kwargs(params, sorted(eos))
    processors = []
    if params.presence_penalty or params.frequency_penalty:
        processors.append(penalty_processor(params.presence_penalty, params.frequency_penalty))
    if params.json_schema is not None:
        grammar = json_grammar(params.json_schema)
        rows = inputs["input_ids"].shape[0]
        processors.append(grammar_processor(adapter.processor.tokenizer, grammar, rows))
    if recorder is not None:
        processors.append(recorder.processor())
    if adapter.fast_decode:
        from transformers import StaticCache

        needed = inputs["input_ids"].shape[1] + params.max_new_tokens
        kwargs["past_key_values"] = StaticCache(
            config=adapter.model.config, max_cache_len=cache_bucket(needed)
        )

    def call() -> None:
        import torch

        if params.seed is not None:
            torch.manual_seed(params.seed)
        with torch.inference_mode():
            adapter.model.generate(
                **inputs,
                **kwargs,
                streamer=clock,
                tokenizer=adapter.processor.tokenizer,
                stopping_criteria=stops.criteria(),
                logits_processor=LogitsProcessorList(processors),
            )

    return call


def _decode(
    adapter: QwenVLHFAdapter,
    items: list[BatchItem],
    params: GenerationParams,
    inputs: Any,
    lengths: list[int],
    start: float,
    should_stop: Callable[[str], bool] | None,
) -> Iterator[TokenEvent]:
    steps: queue.Queue[Any] = queue.Queue()
    recorder = LogprobRecorder(params.top_logprobs) if params.logprobs else None
    clock = TokenClock(start, sink=steps, recorder=recorder)
    stops = RowStops(len(items))
    end_ids = frozenset(adapter.eos_ids() | set(params.stop_token_ids))
    tokenizer = adapter.processor.tokenizer
    rows = [
        RowState(item.request.id, params, length, end_ids, tokenizer)
        for item, length in zip(items, lengths, strict=True)
    ]
    failure: list[BaseException] = []
    call = _generate_call(adapter, params, inputs, clock, stops, recorder)

    def work() -> None:
        try:
            call()
        except BaseException as exc:  # reported as the rows' errors below
            failure.append(exc)
            steps.put(None)

    gen_offset = time.perf_counter() - start
    worker = threading.Thread(target=work, name=f"generate-{items[0].request.id}", daemon=True)
    worker.start()
    try:
        while (item := steps.get()) is not None:
            t_s, token_ids, extras = item
            for index, row in enumerate(rows):
                if row.end is not None:
                    continue
                event = row.step(token_ids[index], t_s, extras[index] if extras else None)
                if event is not None:
                    yield event
                if row.end is None and should_stop is not None and should_stop(row.request_id):
                    row.end = "cancel"
                if row.end is not None:
                    stops.finish(index)
                    yield from row.finish(t_s, gen_offset)
        worker.join()
        for row in rows:
            if row.end is not None:
                continue
            if failure:
                logger.error("generate failed for a batch of %d: %s", len(rows), failure[0])
                yield failed_event(
                    row.request_id,
                    f"generation failed: {failure[0]}",
                    time.perf_counter() - start,
                    invalid=False,
                )
            else:
                yield from row.finish(time.perf_counter() - start, gen_offset)
    finally:
        # Closed early (every client gone) or done: stop generate at its next step and wait.
        for index in range(len(rows)):
            stops.finish(index)
        if threading.current_thread() is not worker:
            worker.join()
