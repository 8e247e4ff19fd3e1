"""OpenAI response bodies: chat completions, stream chunks, usage and logprobs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bench_utils.memory import peak_memory_mb
from bench_utils.metrics.perf import response_metrics

if TYPE_CHECKING:
    from collections.abc import Sequence

    from model_interface import InferenceResponse, TokenLogprob


def usage(responses: Sequence[InferenceResponse]) -> dict[str, int]:
    """Token usage of one HTTP request: the prompt once, the completions of every choice."""
    prompt = responses[0].prompt_tokens if responses else 0
    completion = sum(r.completion_tokens for r in responses)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def metrics(response: InferenceResponse) -> dict[str, Any]:
    """The ``metrics`` extension: server-side TTFT/TPOT/latency (from arrival) and peak memory."""
    return {**response_metrics(response), "peak_mem_mb": round(peak_memory_mb(), 1)}


def logprobs_content(pieces: Sequence[TokenLogprob] | None) -> dict[str, Any] | None:
    """OpenAI's ``choice.logprobs`` object for ``pieces`` (``None`` when not requested)."""
    if pieces is None:
        return None
    return {
        "content": [
            {
                "token": piece.token,
                "logprob": piece.logprob,
                "bytes": list(piece.token.encode("utf-8")),
                "top_logprobs": [
                    {"token": token, "logprob": value, "bytes": list(token.encode("utf-8"))}
                    for token, value in piece.top
                ],
            }
            for piece in pieces
        ],
        "refusal": None,
    }


def completion(
    completion_id: str, created: int, model: str, responses: Sequence[InferenceResponse]
) -> dict[str, Any]:
    """A ``chat.completion`` object with one choice per response, plus the metrics extension."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": index,
                "message": {"role": "assistant", "content": response.text},
                "finish_reason": response.finish_reason,
                "logprobs": logprobs_content(response.logprobs),
            }
            for index, response in enumerate(responses)
        ],
        "usage": usage(responses),
        "metrics": metrics(responses[0]),
    }


def chunk(
    base: dict[str, Any],
    index: int,
    delta: dict[str, Any],
    finish_reason: str | None = None,
    logprobs: Sequence[TokenLogprob] | None = None,
) -> dict[str, Any]:
    """A ``chat.completion.chunk`` with one choice."""
    choice = {
        "index": index,
        "delta": delta,
        "finish_reason": finish_reason,
        "logprobs": logprobs_content(logprobs),
    }
    return {**base, "choices": [choice]}


def sse(data: dict[str, Any] | str) -> str:
    """One server-sent event line pair."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n"
