from __future__ import annotations

import statistics

import pytest

from bench_utils.metrics.perf import (
    inter_token_latencies_s,
    percentile,
    response_metrics,
    summarize,
    summarize_performance,
    tpot_s,
)
from model_interface import InferenceResponse


def response(rid: str, ttft: float, times: list[float], prompt: int = 10) -> InferenceResponse:
    return InferenceResponse(
        id=rid,
        text="x",
        prompt_tokens=prompt,
        completion_tokens=len(times),
        ttft_s=ttft,
        latency_s=times[-1],
        token_times_s=times,
    )


def test_tpot_is_decode_time_over_tokens_after_the_first() -> None:
    assert tpot_s(response("a", 0.5, [0.5, 0.7, 0.9, 1.1])) == pytest.approx(0.2)
    assert tpot_s(response("b", 0.5, [0.5])) is None


def test_itl_are_gaps_between_tokens() -> None:
    assert inter_token_latencies_s(response("a", 0.1, [0.1, 0.3, 0.6])) == pytest.approx([0.2, 0.3])


@pytest.mark.parametrize(("q", "expected"), [(0, 1.0), (50, 2.5), (90, 3.7), (100, 4.0)])
def test_percentile_interpolates_linearly_like_numpy(q: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], q) == pytest.approx(expected)


def test_summarize_reports_all_aggregators() -> None:
    values = [1.0, 2.0, 3.0, 10.0]
    summary = summarize(values)
    assert summary["mean"] == 4.0
    assert summary["median"] == 2.5
    assert summary["std"] == pytest.approx(statistics.pstdev(values))
    assert set(summary) == {"mean", "median", "std", "p50", "p90", "p95", "p99"}
    assert summarize([]) == {}


def test_run_summary_pools_itl_and_skips_failures() -> None:
    ok1 = response("a", 0.1, [0.1, 0.2, 0.4])
    ok2 = response("b", 0.3, [0.3, 0.6], prompt=20)
    failed = InferenceResponse(id="c", finish_reason="error", error="boom", latency_s=0.01)
    summary = summarize_performance([ok1, ok2, failed], duration_s=2.0)
    assert (summary.completed, summary.failed) == (2, 1)
    assert summary.output_tokens == 5 and summary.prompt_tokens == 30
    assert summary.request_throughput == 1.0
    assert summary.output_throughput == 2.5
    assert summary.total_token_throughput == 17.5
    assert summary.stats_ms["itl_ms"]["mean"] == pytest.approx((100 + 200 + 300) / 3)
    assert summary.stats_ms["ttft_ms"]["median"] == pytest.approx(200)
    assert summary.stats_ms["tpot_ms"]["mean"] == pytest.approx((150 + 300) / 2)


def test_response_metrics_in_milliseconds() -> None:
    metrics = response_metrics(response("a", 0.25, [0.25, 0.5, 0.75]))
    assert (
        metrics["ttft_ms"] == 250.0
        and metrics["tpot_ms"] == 250.0
        and metrics["latency_ms"] == 750.0
    )
    assert metrics["completion_tokens"] == 3
