"""The report stage: every cell's metrics.csv and state -> report.md, summary.json, plots/.

Quality is shown as one models x tasks table per metric (group ``all``) with
a bar chart; performance and orchestration time as one row per cell; a
failed cell keeps its stage, error and server-log tail in the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench_orchestrator.metrics import metrics as metric_registry
from bench_orchestrator.stages.plots import bar_chart_png

if TYPE_CHECKING:
    from bench_orchestrator.cells import Cell, CellState
    from bench_utils.evaluation import MetricRow

PERF_COLUMNS = (
    ("ttft_ms", "p50", "TTFT p50 ms"),
    ("tpot_ms", "median", "TPOT median ms"),
    ("e2e_latency_ms", "p90", "E2E p90 ms"),
    ("output_token_throughput", "value", "out tok/s"),
    ("completed", "count", "completed"),
    ("failed", "count", "failed"),
)
TIMING_COLUMNS = ("setup_s", "start_s", "infer_s", "cleanup_s", "evaluate_s")


@dataclass
class CellResult:
    """One cell as the report sees it."""

    cell: Cell
    state: CellState
    metric_names: list[str]
    rows: list[MetricRow] = field(default_factory=list)

    def value(self, metric: str, aggregator: str, group: str = "all") -> float | None:
        """One figure of the cell's metrics.csv."""
        for row in self.rows:
            if (row.metric, row.aggregator, row.group) == (metric, aggregator, group):
                return row.value
        return None

    def quality(self) -> dict[str, float]:
        """The cell's quality metrics over all samples."""
        found = {}
        for name in self.metric_names:
            value = self.value(name, "mean")
            value = self.value(name, "value") if value is None else value
            if value is not None:
                found[name] = value
        return found


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _direction(metric: str) -> str:
    try:
        return "↑" if metric_registry.get(metric).higher_is_better else "↓"
    except Exception:
        return ""


def _server(timings: dict[str, float]) -> str:
    """``started``/``reused`` (``#N`` after a restart); blank for cells run before the schedule."""
    if "server_reused" not in timings:
        return ""
    word = "reused" if timings["server_reused"] else "started"
    index = int(timings.get("server_index", 1))
    return word if index == 1 else f"{word} #{index}"


def quality_section(
    results: list[CellResult], models: list[str], tasks: list[str], files: dict[str, bytes]
) -> list[str]:
    """One table and one plot per quality metric."""
    names: list[str] = []
    for result in results:
        names += [n for n in result.metric_names if n not in names]
    lines = ["## Quality (all samples)", ""]
    for name in names:
        values = {
            (r.cell.model, r.cell.task): q[name] for r in results if name in (q := r.quality())
        }
        if not values:
            continue
        scored = [task for task in tasks if any(key[1] == task for key in values)]
        lines += [f"### {name} {_direction(name)}", ""]
        lines.append("| model | " + " | ".join(scored) + " |")
        lines.append("|---|" + "---:|" * len(scored))
        for model in models:
            cells = [_fmt(values.get((model, task))) for task in scored]
            lines.append(f"| {model} | " + " | ".join(cells) + " |")
        files[f"plots/{name}.png"] = bar_chart_png(name, models, scored, values)
        lines += ["", f"![{name}](plots/{name}.png)", ""]
    return lines


def performance_section(results: list[CellResult]) -> list[str]:
    """Client-side serving figures and orchestration time per cell."""
    lines = [
        "## Performance (client side, through the API wrapper)",
        "",
        "| cell | " + " | ".join(title for _, _, title in PERF_COLUMNS) + " |",
        "|---|" + "---:|" * len(PERF_COLUMNS),
    ]
    for r in results:
        values = [_fmt(r.value(metric, agg)) for metric, agg, _ in PERF_COLUMNS]
        lines.append(f"| {r.cell.label} | " + " | ".join(values) + " |")
    lines += [
        "",
        "## Orchestration time (s)",
        "",
        "One model server serves all of a model's cells: `setup_s` and `start_s` are what",
        "the cell itself waited (0.00 when it reused the running server, `server` says",
        "which); summary.json also has `server_start_s`, the shared server's start, per cell.",
        "",
        "| cell | status | " + " | ".join(TIMING_COLUMNS) + " | server |",
        "|---|---|" + "---:|" * len(TIMING_COLUMNS) + "---|",
    ]
    for r in results:
        timings = [_seconds(r.state.timings.get(name)) for name in TIMING_COLUMNS]
        server = _server(r.state.timings)
        lines.append(
            f"| {r.cell.label} | {r.state.status} | " + " | ".join(timings) + f" | {server} |"
        )
    return [*lines, ""]


def failures_section(results: list[CellResult]) -> list[str]:
    """Stage, error and log tail of each failed cell."""
    failed = [r for r in results if r.state.status == "failed"]
    if not failed:
        return []
    lines = ["## Failed cells", ""]
    for r in failed:
        lines += [
            f"### {r.cell.label}",
            "",
            f"- stage: {r.state.stage}",
            f"- error: {r.state.error}",
            "",
        ]
        if r.state.log_tail:
            lines += ["```text", r.state.log_tail, "```", ""]
    return lines


def summary(name: str, results: list[CellResult]) -> dict[str, object]:
    """summary.json: every cell's status, quality, performance and timings."""
    return {
        "experiment": name,
        "cells": [
            {
                "model": r.cell.model,
                "task": r.cell.task,
                "status": r.state.status,
                "stage": r.state.stage,
                "error": r.state.error,
                "quality": r.quality(),
                "performance": {
                    f"{metric}_{agg}": r.value(metric, agg) for metric, agg, _ in PERF_COLUMNS
                },
                "timings": r.state.timings,
            }
            for r in results
        ],
        "failed": sum(r.state.status == "failed" for r in results),
    }


def build_report(
    name: str, results: list[CellResult], models: list[str], tasks: list[str]
) -> dict[str, bytes]:
    """The report's files by key: report.md, summary.json and plots/*.png."""
    files: dict[str, bytes] = {}
    done = sum(r.state.status == "done" for r in results)
    failed = sum(r.state.status == "failed" for r in results)
    lines = [
        f"# Experiment report: {name}",
        "",
        f"- cells: {len(results)} ({done} done, {failed} failed, "
        f"{len(results) - done - failed} not run)",
        f"- models: {', '.join(models)}",
        f"- tasks: {', '.join(tasks)}",
        "",
        *quality_section(results, models, tasks, files),
        *performance_section(results),
        *failures_section(results),
    ]
    files["report.md"] = "\n".join(lines).encode("utf-8")
    files["summary.json"] = (json.dumps(summary(name, results), indent=2) + "\n").encode("utf-8")
    return files
