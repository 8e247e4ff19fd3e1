"""Prometheus metrics and SLO tracking of the API wrapper (one registry per app)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from bench_utils.memory import gpu_memory_bytes

if TYPE_CHECKING:
    from bench_utils.server.settings import SLOSettings
    from model_interface import InferenceResponse

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class SLOTracker:
    """Counts good and bad requests per objective and reports the error-budget burn rate.

    Burn rate = (bad / total) / (1 - target): 1.0 spends the budget exactly
    as fast as allowed, above 1.0 exhausts it early.
    """

    OBJECTIVES = ("ttft", "latency", "availability")

    def __init__(self, settings: SLOSettings) -> None:
        self.settings = settings
        self.total = 0
        self.bad = dict.fromkeys(self.OBJECTIVES, 0)
        self._lock = threading.Lock()

    def observe(self, response: InferenceResponse | None) -> None:
        """Record one finished request (``None``: failed before producing a response)."""
        with self._lock:
            self.total += 1
            if response is None or response.error:
                for name in self.OBJECTIVES:
                    self.bad[name] += 1
                return
            if response.ttft_s is None or response.ttft_s * 1000 > self.settings.ttft_ms:
                self.bad["ttft"] += 1
            if response.latency_s * 1000 > self.settings.latency_ms:
                self.bad["latency"] += 1

    def burn_rate(self, objective: str) -> float:
        """Observed bad share over the allowed bad share (0 before any request)."""
        if not self.total:
            return 0.0
        return (self.bad[objective] / self.total) / (1 - self.settings.target)

    def budget_remaining(self, objective: str) -> float:
        """Share of the error budget left (1 = untouched, negative = overspent)."""
        return 1.0 - self.burn_rate(objective)


class ServerMetrics:
    """The Prometheus collectors of one app; ``render()`` gives the text exposition format."""

    def __init__(self, slo: SLOSettings, model: str) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.slo = SLOTracker(slo)
        self.model = model
        self.requests = Counter(
            "hyperbench_requests",
            "Requests handled",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hyperbench_request_latency_seconds",
            "End-to-end request latency",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ttft = Histogram(
            "hyperbench_time_to_first_token_seconds",
            "Time to first token",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.prompt_tokens = Counter(
            "hyperbench_prompt_tokens", "Prompt tokens processed", registry=self.registry
        )
        self.completion_tokens = Counter(
            "hyperbench_completion_tokens", "Tokens generated", registry=self.registry
        )
        self.gpu_memory = Gauge(
            "hyperbench_gpu_memory_bytes", "CUDA memory", ["kind"], registry=self.registry
        )
        self.slo_burn = Gauge(
            "hyperbench_slo_error_budget_burn_rate",
            "Error budget burn rate",
            ["objective"],
            registry=self.registry,
        )
        self.slo_remaining = Gauge(
            "hyperbench_slo_error_budget_remaining",
            "Share of error budget left",
            ["objective"],
            registry=self.registry,
        )
        self.slo_target = Gauge(
            "hyperbench_slo_objective",
            "Configured objectives",
            ["objective"],
            registry=self.registry,
        )
        self.waiting = Gauge(
            "hyperbench_num_requests_waiting",
            "Requests queued for a batch slot",
            registry=self.registry,
        )
        self.running = Gauge(
            "hyperbench_num_requests_running",
            "Requests in the batch that is decoding",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "hyperbench_batch_size",
            "Requests per decoded batch",
            buckets=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64),
            registry=self.registry,
        )
        self.queue_wait = Histogram(
            "hyperbench_queue_wait_seconds",
            "Time from arrival to the start of the request's batch",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.slo_target.labels("target").set(slo.target)
        self.slo_target.labels("ttft_seconds").set(slo.ttft_ms / 1000)
        self.slo_target.labels("latency_seconds").set(slo.latency_ms / 1000)

    def observe(self, endpoint: str, status: int, response: InferenceResponse | None) -> None:
        """Record a finished request: status count, latency, TTFT, tokens, SLO."""
        self.requests.labels(endpoint, str(status)).inc()
        if status >= 400 and status < 500:
            return  # client errors do not count against the service's objectives
        if response is not None:
            self.latency.labels(endpoint).observe(response.latency_s)
            if response.ttft_s is not None:
                self.ttft.labels(endpoint).observe(response.ttft_s)
            self.prompt_tokens.inc(response.prompt_tokens)
            self.completion_tokens.inc(response.completion_tokens)
        self.slo.observe(response if status < 500 else None)

    def render(self) -> bytes:
        """Refresh gauges and return the Prometheus text format."""
        from prometheus_client import generate_latest

        for kind, value in gpu_memory_bytes().items():
            self.gpu_memory.labels(kind).set(value)
        for objective in SLOTracker.OBJECTIVES:
            self.slo_burn.labels(objective).set(self.slo.burn_rate(objective))
            self.slo_remaining.labels(objective).set(self.slo.budget_remaining(objective))
        return generate_latest(self.registry)
