"""Turn a run's answers into long-form metric rows: (metric, aggregator, group, value)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench_utils.metrics.perf import summarize_performance
from bench_utils.metrics.quality import PER_ANSWER_METRICS, classification_scores

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench_utils.runner import Answer, RunRecord


@dataclass(frozen=True)
class MetricRow:
    """One line of metrics.csv."""

    metric: str
    aggregator: str
    group: str
    value: float


def groups_of(answer: Answer) -> list[str]:
    """The groups a sample counts in: ``all``, its class and its question type."""
    names = ["all"]
    if answer.sample.label is not None:
        names.append(f"class={answer.sample.label}")
    if answer.sample.question_type is not None:
        names.append(f"question_type={answer.sample.question_type}")
    return names


def quality_rows(answers: Sequence[Answer]) -> list[MetricRow]:
    """Mean exact match, ANLS, CER, WER per group; accuracy and macro F1 where classes exist.

    A failed request counts with an empty answer, so failures lower the scores.
    """
    grouped: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        for group in groups_of(answer):
            grouped[group].append(answer)
    rows: list[MetricRow] = []
    for group, members in grouped.items():
        for name, metric in PER_ANSWER_METRICS.items():
            values = [metric(a.response.text, a.sample.answer) for a in members]
            rows.append(MetricRow(name, "mean", group, statistics.fmean(values)))
        labelled = [a for a in members if a.sample.label is not None]
        if labelled and not group.startswith("class="):
            scores = classification_scores(
                [a.response.text for a in labelled], [str(a.sample.label) for a in labelled]
            )
            rows.extend(MetricRow(name, "value", group, value) for name, value in scores.items())
    return rows


def performance_rows(record: RunRecord) -> list[MetricRow]:
    """TTFT/TPOT/ITL/E2E stats, throughputs, peak memory, counts, harness overhead (all)."""
    summary = summarize_performance([a.response for a in record.answers], record.wall_s)
    rows = [
        MetricRow(metric, aggregator, "all", value)
        for metric, stats in summary.stats_ms.items()
        for aggregator, value in stats.items()
    ]
    peaks = [a.peak_mem_mb for a in record.answers]
    rows += [
        MetricRow("request_throughput", "value", "all", summary.request_throughput),
        MetricRow("output_token_throughput", "value", "all", summary.output_throughput),
        MetricRow("total_token_throughput", "value", "all", summary.total_token_throughput),
        MetricRow("completed", "count", "all", summary.completed),
        MetricRow("failed", "count", "all", summary.failed),
        MetricRow("output_tokens", "sum", "all", summary.output_tokens),
        MetricRow("duration_s", "value", "all", record.wall_s),
        MetricRow("harness_overhead", "share", "all", record.harness_overhead),
    ]
    if peaks:
        rows.append(MetricRow("peak_mem_mb", "max", "all", max(peaks)))
    return rows
