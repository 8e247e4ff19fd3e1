"""The infer stage: answer a task against the model's running API wrapper.

The model's server (``stages/serving.py``) is started once for all of its
cells; the task's requests go through the ``openai`` backend adapter, so
what is measured is the served model as any client sees it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench_orchestrator.openai_adapter import OpenAIAdapter
from bench_orchestrator.stages.answers import answers_csv
from bench_utils.metrics.perf import summarize_performance
from model_interface import ModelConfig, load_model_config

if TYPE_CHECKING:
    from collections.abc import Callable

    from bench_orchestrator.config import ModelSpec
    from bench_orchestrator.tasks import Task
    from model_interface import InferenceResponse


@dataclass
class InferResult:
    """Answers in dataset order, performance figures and where time went."""

    responses: list[InferenceResponse]
    perf: dict[str, object]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def answers_csv(self) -> str:
        """answers.csv text."""
        return answers_csv(self.responses)

    @property
    def perf_json(self) -> str:
        """perf.json text."""
        return json.dumps(self.perf, indent=2) + "\n"


def client_config(served: ModelConfig, url: str, concurrency: int) -> ModelConfig:
    """The ``openai`` backend config that talks to a server of ``served`` at ``url``."""
    return ModelConfig(
        family=served.family,
        backend="openai",
        model_path=served.served_model_name,
        base_url=f"{url}/v1",
        system_prompt=served.system_prompt,
        generation=served.generation,
        max_batch_size=concurrency,
    )


def answer_task(
    adapter: OpenAIAdapter, task: Task, concurrency: int, on_progress: Callable[[int], None]
) -> tuple[list[InferenceResponse], float]:
    """Send the task's requests ``concurrency`` at a time; return responses and wall time."""
    responses: list[InferenceResponse] = []
    start = time.perf_counter()
    samples = list(task.samples)
    for offset in range(0, len(samples), concurrency):
        batch = samples[offset : offset + concurrency]
        responses.extend(adapter.generate([task.request(s) for s in batch]))
        on_progress(len(responses))
    return responses, time.perf_counter() - start


def infer_task(
    url: str,
    model: ModelSpec,
    task: Task,
    on_progress: Callable[[int], None] = lambda done: None,
) -> InferResult:
    """Answer ``task`` against the running API wrapper at ``url``; timings hold ``infer_s``."""
    served = load_model_config(model.config)
    mark = time.perf_counter()
    with OpenAIAdapter(client_config(served, url, model.concurrency)) as adapter:
        responses, wall_s = answer_task(adapter, task, model.concurrency, on_progress)
    timings = {"infer_s": time.perf_counter() - mark}
    summary = summarize_performance(responses, wall_s)
    perf = {
        "stats_ms": summary.stats_ms,
        "request_throughput": summary.request_throughput,
        "output_token_throughput": summary.output_throughput,
        "completed": summary.completed,
        "failed": summary.failed,
        "duration_s": wall_s,
    }
    return InferResult(responses, perf, timings)
