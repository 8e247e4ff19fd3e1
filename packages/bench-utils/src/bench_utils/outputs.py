"""Write a run's results: answers.csv, metrics.csv, report.md and run.json."""

from __future__ import annotations

import csv
import datetime as dt
import json
import platform
import subprocess
from importlib import metadata
from typing import TYPE_CHECKING, Any

from bench_utils.evaluation import MetricRow, performance_rows, quality_rows
from bench_utils.metrics.perf import response_metrics

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from bench_utils.runconfig import RunConfig
    from bench_utils.runner import RunRecord

ANSWER_COLUMNS = [
    "id",
    "answer",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "tpot_ms",
    "latency_ms",
    "generate_ms",
    "peak_mem_mb",
    "finish_reason",
    "error",
]
VERSIONED = (
    "bench-utils",
    "model-interface",
    "model-qwen-vl",
    "torch",
    "transformers",
    "peft",
    "vllm",
)


def write_answers(path: Path, record: RunRecord) -> None:
    """answers.csv: one row per sample in dataset order, keyed by the stable sample id."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ANSWER_COLUMNS)
        writer.writeheader()
        for answer in record.answers:
            response = answer.response
            writer.writerow(
                {
                    "id": answer.sample.id,
                    "answer": response.text,
                    **response_metrics(response),
                    "peak_mem_mb": round(answer.peak_mem_mb, 1),
                    "finish_reason": response.finish_reason,
                    "error": response.error or "",
                }
            )


def write_metrics(path: Path, rows: Sequence[MetricRow]) -> None:
    """metrics.csv in long form: metric, aggregator, group, value."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "aggregator", "group", "value"])
        for row in rows:
            writer.writerow([row.metric, row.aggregator, row.group, f"{row.value:.6g}"])


def versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape the results, and Python's."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_revision(cwd: Path) -> str | None:
    """The commit checked out where the run was started, if that is a git repo."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def run_record_json(
    config: RunConfig, record: RunRecord, rows: Sequence[MetricRow]
) -> dict[str, Any]:
    """The machine-readable run record: config, versions, git revision, timings, metrics."""
    from pathlib import Path

    return {
        "name": config.run.name,
        "started_at": _iso(record.started_at),
        "finished_at": _iso(record.started_at + record.load_s + record.wall_s),
        "samples": len(record.answers),
        "failed": record.failed,
        "device": record.extra.get("device"),
        "machine": record.extra.get("machine"),
        "timing": {
            "load_s": record.load_s,
            "wall_s": record.wall_s,
            "generate_s": record.generate_s,
            "harness_overhead": record.harness_overhead,
        },
        "config": config.model_dump(mode="json"),
        "versions": versions(),
        "git_revision": git_revision(Path.cwd()),
        "metrics": [row.__dict__ for row in rows],
    }


def _table(rows: Sequence[MetricRow], aggregators: Sequence[str]) -> list[str]:
    by_key: dict[tuple[str, str], dict[str, float]] = {}
    for row in rows:
        by_key.setdefault((row.metric, row.group), {})[row.aggregator] = row.value
    lines = [
        "| metric | group | " + " | ".join(aggregators) + " |",
        "|---|---|" + "---:|" * len(aggregators),
    ]
    for (metric, group), values in by_key.items():
        cells = [f"{values[a]:.4g}" if a in values else "" for a in aggregators]
        lines.append(f"| {metric} | {group} | " + " | ".join(cells) + " |")
    return lines


def render_report(
    config: RunConfig,
    record: RunRecord,
    quality: Sequence[MetricRow],
    performance: Sequence[MetricRow],
) -> str:
    """report.md: what ran, quality per group, performance stats, failures."""
    latency = [r for r in performance if r.metric.endswith("_ms")]
    scalar = [r for r in performance if not r.metric.endswith("_ms")]
    model = config.model
    lines = [
        f"# hyperbench report{f': {config.run.name}' if config.run.name else ''}",
        "",
        f"- model: `{model.served_model_name}` ({model.family}, backend {model.backend}"
        f"{', LoRA ' + str(model.lora_name) if model.lora_path else ''})",
        f"- device: {record.extra.get('device')}",
        f"- dataset: `{config.dataset.path}` ({len(record.answers)} samples, "
        f"{record.failed} failed)",
        f"- started: {_iso(record.started_at)}; model load {record.load_s:.2f} s; "
        f"run {record.wall_s:.2f} s",
        f"- harness overhead: {record.harness_overhead:.2%} of generate time",
        "",
        "## Quality",
        "",
        *_table(quality, ["mean", "value"]),
        "",
        "## Performance (ms)",
        "",
        *_table(latency, ["mean", "median", "std", "p50", "p90", "p95", "p99"]),
        "",
        "## Throughput and totals",
        "",
        *_table(scalar, ["value", "count", "sum", "max", "share"]),
        "",
    ]
    failures = [a for a in record.answers if not a.response.ok]
    if failures:
        lines += (
            ["## Failed samples", ""]
            + [f"- `{a.sample.id}`: {a.response.error}" for a in failures]
            + [""]
        )
    return "\n".join(lines)


def write_outputs(out_dir: Path, config: RunConfig, record: RunRecord) -> list[MetricRow]:
    """Write all four files into ``out_dir`` (created) and return the metric rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    quality = quality_rows(record.answers)
    performance = performance_rows(record)
    rows = [*quality, *performance]
    write_answers(out_dir / "answers.csv", record)
    write_metrics(out_dir / "metrics.csv", rows)
    (out_dir / "report.md").write_text(
        render_report(config, record, quality, performance), encoding="utf-8"
    )
    (out_dir / "run.json").write_text(
        json.dumps(run_record_json(config, record, rows), indent=2) + "\n", encoding="utf-8"
    )
    return rows
