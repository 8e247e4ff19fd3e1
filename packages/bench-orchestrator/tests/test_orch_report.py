"""The report: tables per metric over the tasks that use it, failures with their logs."""

from __future__ import annotations

import json

from bench_orchestrator.cells import CellState, make_cell
from bench_orchestrator.config import TaskSpec
from bench_orchestrator.stages.report import CellResult, build_report
from bench_utils.evaluation import MetricRow


def result(model: str, task: str, metric: str, value: float | None, **state: object) -> CellResult:
    cell = make_cell(
        model, task, model_print="m", task=TaskSpec(dataset="d"), data_print="d", metrics=[]
    )
    rows = (
        []
        if value is None
        else [MetricRow(metric, "mean", "all", value), MetricRow("ttft_ms", "p50", "all", 12.5)]
    )
    return CellResult(cell, CellState(**state), [metric], rows)  # type: ignore[arg-type]


def test_report_compares_models_across_tasks_and_keeps_failures() -> None:
    results = [
        result("a", "vqa", "anls", 0.5, status="done", timings={"start_s": 3.14159}),
        result(
            "b",
            "vqa",
            "anls",
            0.75,
            status="done",
            timings={"start_s": 0.0, "server_start_s": 9.5, "server_reused": True},
        ),
        result(
            "a",
            "ocr",
            "cer",
            0.2,
            status="done",
            timings={"start_s": 8.0, "server_reused": False, "server_index": 2},
        ),
        result(
            "b",
            "ocr",
            "cer",
            None,
            status="failed",
            stage="infer",
            error="EnvironmentSetupError: boom",
            log_tail="Traceback\nOSError: no weights",
        ),
    ]
    files = build_report("exp", results, ["a", "b"], ["vqa", "ocr"])
    report = files["report.md"].decode()
    assert "- cells: 4 (3 done, 1 failed, 0 not run)" in report
    assert "### anls ↑\n\n| model | vqa |\n|---|---:|\n| a | 0.5 |\n| b | 0.75 |" in report
    assert "### cer ↓\n\n| model | ocr |\n|---|---:|\n| a | 0.2 |\n| b |  |" in report
    assert "| a × vqa | done |  | 3.14 |  |  |  |  |" in report
    assert "| b × vqa | done |  | 0.00 |  |  |  | reused |" in report
    assert "| a × ocr | done |  | 8.00 |  |  |  | started #2 |" in report
    assert "### b × ocr\n\n- stage: infer\n- error: EnvironmentSetupError: boom" in report
    assert "```text\nTraceback\nOSError: no weights\n```" in report
    assert files["plots/anls.png"].startswith(b"\x89PNG") and "plots/cer.png" in files
    summary = json.loads(files["summary.json"])
    assert summary["failed"] == 1
    assert summary["cells"][0]["quality"] == {"anls": 0.5}
    assert summary["cells"][0]["performance"]["ttft_ms_p50"] == 12.5
    assert summary["cells"][1]["timings"]["server_start_s"] == 9.5
