"""The evaluate stage: answers.csv + the dataset's references -> metrics.csv.

It reads only files, so it runs alone to re-score existing answers with other
metrics. Quality metrics are computed per group: ``all``, each class and each
question type (as ``hyperbench run`` does); a failed request counts as an
empty answer. Performance figures recorded by infer (perf.json) are appended
unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import TYPE_CHECKING

from bench_orchestrator.errors import ExperimentError
from bench_orchestrator.metrics import MeanOfAnswers
from bench_orchestrator.metrics import metrics as metric_registry
from bench_orchestrator.stages.answers import read_answers
from bench_utils.evaluation import MetricRow

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench_orchestrator.tasks import Task
    from bench_utils.dataset import Sample


def groups_of(sample: Sample) -> list[str]:
    """The groups a sample counts in."""
    names = ["all"]
    if sample.label is not None:
        names.append(f"class={sample.label}")
    if sample.question_type is not None:
        names.append(f"question_type={sample.question_type}")
    return names


def quality_rows(task: Task, answers_text: str, metric_names: Sequence[str]) -> list[MetricRow]:
    """Each metric per group over the answers joined to the task's samples by id."""
    answers = {row.id: row for row in read_answers(answers_text)}
    missing = [s.id for s in task.samples if s.id not in answers]
    if missing:
        raise ExperimentError(f"answers.csv lacks {len(missing)} dataset ids, e.g. {missing[:3]}")
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for sample in task.samples:
        for group in groups_of(sample):
            grouped[group].append(sample)
    rows = []
    for name in metric_names:
        metric = metric_registry.get(name)()
        aggregator = "mean" if isinstance(metric, MeanOfAnswers) else "value"
        for group, samples in grouped.items():
            predictions = ["" if answers[s.id].error else answers[s.id].answer for s in samples]
            references = [task.reference(s) for s in samples]
            rows.append(MetricRow(name, aggregator, group, metric.score(predictions, references)))
    return rows


def performance_rows(perf_text: str | None) -> list[MetricRow]:
    """Rows of the performance figures infer recorded (none when there is no perf.json)."""
    if not perf_text:
        return []
    perf = json.loads(perf_text)
    rows = [
        MetricRow(metric, aggregator, "all", value)
        for metric, stats in perf["stats_ms"].items()
        for aggregator, value in stats.items()
    ]
    for name in ("request_throughput", "output_token_throughput", "duration_s"):
        rows.append(MetricRow(name, "value", "all", float(perf[name])))
    for name in ("completed", "failed"):
        rows.append(MetricRow(name, "count", "all", float(perf[name])))
    return rows


def metrics_csv(rows: Sequence[MetricRow]) -> str:
    """metrics.csv text in long form: metric, aggregator, group, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["metric", "aggregator", "group", "value"])
    for row in rows:
        writer.writerow([row.metric, row.aggregator, row.group, f"{row.value:.6g}"])
    return buffer.getvalue()


def read_metrics(text: str) -> list[MetricRow]:
    """Parse metrics.csv text."""
    return [
        MetricRow(row["metric"], row["aggregator"], row["group"], float(row["value"]))
        for row in csv.DictReader(io.StringIO(text))
    ]


def evaluate(task: Task, answers_text: str, perf_text: str | None) -> str:
    """metrics.csv text for one cell."""
    rows = quality_rows(task, answers_text, task.metric_names) + performance_rows(perf_text)
    return metrics_csv(rows)
