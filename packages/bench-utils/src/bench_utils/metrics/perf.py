"""Performance metrics with the definitions of vLLM's ``benchmark_serving``.

- TTFT: time from request start to the first generated token.
- TPOT: ``(latency - TTFT) / (output_tokens - 1)`` per request, for requests
  with more than one output token.
- ITL: the gaps between consecutive tokens, pooled over all requests.
- E2E latency: request start to last token.
- Request throughput: completed requests / benchmark duration; output token
  throughput: generated tokens / duration; total token throughput adds the
  prompt tokens.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from model_interface import InferenceResponse

PERCENTILES = (50, 90, 95, 99)


def tpot_s(response: InferenceResponse) -> float | None:
    """Time per output token after the first; ``None`` with fewer than 2 tokens or no TTFT."""
    if response.ttft_s is None or response.completion_tokens < 2:
        return None
    return (response.latency_s - response.ttft_s) / (response.completion_tokens - 1)


def inter_token_latencies_s(response: InferenceResponse) -> list[float]:
    """Gaps between consecutive token arrival times of one response."""
    times = response.token_times_s
    return [later - earlier for earlier, later in pairwise(times)]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default method) of non-empty ``values``."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(values: Sequence[float]) -> dict[str, float]:
    """mean, median, std (population, as numpy) and p50/p90/p95/p99 of ``values`` (empty: {})."""
    if not values:
        return {}
    summary = {
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "std": statistics.pstdev(values) if len(values) > 1 else 0.0,
    }
    for q in PERCENTILES:
        summary[f"p{q}"] = percentile(values, q)
    return summary


@dataclass(frozen=True)
class PerfSummary:
    """Aggregate performance of one run; millisecond stats keyed by metric then aggregator."""

    completed: int
    failed: int
    duration_s: float
    prompt_tokens: int
    output_tokens: int
    request_throughput: float
    output_throughput: float
    total_token_throughput: float
    stats_ms: dict[str, dict[str, float]]


def summarize_performance(responses: Sequence[InferenceResponse], duration_s: float) -> PerfSummary:
    """Compute TTFT/TPOT/ITL/E2E stats and throughputs over the successful responses."""
    ok = [r for r in responses if r.ok]
    ttft = [r.ttft_s * 1000 for r in ok if r.ttft_s is not None]
    tpot = [value * 1000 for r in ok if (value := tpot_s(r)) is not None]
    itl = [gap * 1000 for r in ok for gap in inter_token_latencies_s(r)]
    e2e = [r.latency_s * 1000 for r in ok]
    prompt = sum(r.prompt_tokens for r in ok)
    output = sum(r.completion_tokens for r in ok)
    duration = max(duration_s, 1e-9)
    return PerfSummary(
        completed=len(ok),
        failed=len(responses) - len(ok),
        duration_s=duration_s,
        prompt_tokens=prompt,
        output_tokens=output,
        request_throughput=len(ok) / duration,
        output_throughput=output / duration,
        total_token_throughput=(prompt + output) / duration,
        stats_ms={
            "ttft_ms": summarize(ttft),
            "tpot_ms": summarize(tpot),
            "itl_ms": summarize(itl),
            "e2e_latency_ms": summarize(e2e),
        },
    )


def response_metrics(response: InferenceResponse) -> dict[str, float | int | None]:
    """Per-response figures in milliseconds (the API wrapper's ``metrics`` key, answers.csv)."""
    tpot = tpot_s(response)
    return {
        "ttft_ms": None if response.ttft_s is None else round(response.ttft_s * 1000, 3),
        "tpot_ms": None if tpot is None else round(tpot * 1000, 3),
        "latency_ms": round(response.latency_s * 1000, 3),
        "generate_ms": None
        if response.generate_s is None
        else round(response.generate_s * 1000, 3),
        "prompt_tokens": response.prompt_tokens,
        "completion_tokens": response.completion_tokens,
    }
