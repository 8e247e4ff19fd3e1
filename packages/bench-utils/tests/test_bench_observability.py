from __future__ import annotations

import pytest

from bench_utils.server.observability import ServerMetrics, SLOTracker
from bench_utils.server.settings import SLOSettings
from model_interface import InferenceResponse


def ok(ttft: float, latency: float) -> InferenceResponse:
    return InferenceResponse(id="x", text="t", completion_tokens=2, ttft_s=ttft, latency_s=latency)


def test_burn_rate_is_bad_share_over_budget() -> None:
    tracker = SLOTracker(SLOSettings(ttft_ms=100, latency_ms=1000, target=0.9))
    for _ in range(8):
        tracker.observe(ok(0.05, 0.5))
    tracker.observe(ok(0.2, 0.5))  # slow first token
    tracker.observe(None)  # failed request: bad for every objective
    assert tracker.burn_rate("ttft") == pytest.approx((2 / 10) / 0.1)
    assert tracker.burn_rate("latency") == pytest.approx((1 / 10) / 0.1)
    assert tracker.budget_remaining("availability") == pytest.approx(0.0)


def test_client_errors_do_not_burn_the_budget() -> None:
    metrics = ServerMetrics(SLOSettings(), "m")
    metrics.observe("chat_completions", 400, None)
    metrics.observe("chat_completions", 200, ok(0.01, 0.02))
    text = metrics.render().decode()
    assert 'hyperbench_requests_total{endpoint="chat_completions",status="400"} 1.0' in text
    assert 'hyperbench_slo_error_budget_burn_rate{objective="availability"} 0.0' in text
    metrics.observe("chat_completions", 500, None)
    assert gauge(
        metrics.render().decode(), "hyperbench_slo_error_budget_burn_rate", "availability"
    ) == pytest.approx(50.0)


def gauge(text: str, name: str, objective: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels.get("objective") == objective:
                return sample.value
    raise AssertionError(f"{name}{{objective={objective}}} not exported")
