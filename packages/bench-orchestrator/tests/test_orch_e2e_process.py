"""End to end through the CLI and the ``process`` manager: two tiny Qwen models x two tasks,
datasets and outputs on a local S3 server, one cell made to fail, a kill and a resume, and
``evaluate`` re-scoring the answers alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from orch_support import broken_model, experiment_toml, upload_datasets

from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from bench_orchestrator.testing import LocalS3

HYPERBENCH = str(Path(sys.executable).parent / "hyperbench")


def hyperbench(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HYPERBENCH, "experiment", *args], capture_output=True, text=True, env=env, timeout=600
    )


def read(s3: LocalS3, key: str) -> str | None:
    try:
        body = s3.client.get_object(Bucket="bench", Key=f"experiments/e2e/{key}")["Body"]
    except s3.client.exceptions.NoSuchKey:
        return None
    return body.read().decode()


def state(s3: LocalS3, model: str, task: str) -> dict | None:
    text = read(s3, f"cells/{model}/{task}/state.json")
    return json.loads(text) if text else None


def test_experiment_through_process_manager(
    s3: LocalS3,
    test_mode: Path,
    orch_cache: Path,
    tiny_qwen25_dir: Path,
    tiny_qwen3_dir: Path,
    tmp_path: Path,
) -> None:
    datasets = upload_datasets(s3, tmp_path / "data", prefix="process")
    models = {
        "qwen25": tiny_qwen25_dir / CONFIG_NAME,
        "qwen3": tiny_qwen3_dir / CONFIG_NAME,
        "broken": broken_model(tmp_path / "broken"),
    }
    common = {
        "output": "s3://bench/experiments/e2e",
        "manager": "process",
        "endpoint": s3.url,
        "cache_dir": orch_cache,
        "mode": test_mode,
        "models": models,
        "datasets": datasets,
        "exclude": [("broken", "classes")],
    }
    config = tmp_path / "experiment.toml"
    config.write_text(experiment_toml(**common), encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}

    planned = hyperbench("plan", str(config), "--json", env=env)
    assert planned.returncode == 0, planned.stderr
    assert [(c["model"], c["task"], c["action"]) for c in json.loads(planned.stdout)] == [
        ("qwen25", "colours", "run"),
        ("qwen25", "classes", "run"),
        ("qwen3", "colours", "run"),
        ("qwen3", "classes", "run"),
        ("broken", "colours", "run"),
    ]

    # Run one cell at a time and kill the orchestrator once the first cell is done.
    serial = tmp_path / "serial.toml"
    serial.write_text(experiment_toml(**common, concurrency=1), encoding="utf-8")
    first = subprocess.Popen(
        [HYPERBENCH, "experiment", "run", str(serial), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 300
    while (state(s3, "qwen25", "colours") or {}).get("status") != "done":
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first cell did not finish"
        time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    done_before = state(s3, "qwen25", "colours")
    answers_before = read(s3, "cells/qwen25/colours/answers.csv")
    assert read(s3, "report.md") is None

    resumed = hyperbench("run", str(config), "--no-progress", env=env)
    assert resumed.returncode == 3, resumed.stderr  # one cell failed
    assert "qwen25 × colours: done (skipped: unchanged)" in resumed.stderr
    assert "broken × colours: failed" in resumed.stderr
    assert state(s3, "qwen25", "colours") == done_before
    assert read(s3, "cells/qwen25/colours/answers.csv") == answers_before
    for model in ("qwen25", "qwen3"):
        for task in ("colours", "classes"):
            assert (state(s3, model, task) or {}).get("status") == "done", (model, task)
    failed = state(s3, "broken", "colours") or {}
    assert failed["status"] == "failed" and failed["stage"] == "infer"
    assert "exited with code" in failed["error"]
    assert "missing-weights" in failed["log_tail"]
    assert read(s3, "cells/broken/colours/server.log")

    answers = read(s3, "cells/qwen3/classes/answers.csv") or ""
    assert answers.splitlines()[0].startswith("id,answer,prompt_tokens,completion_tokens")
    assert len(answers.splitlines()) == 4
    metrics = read(s3, "cells/qwen3/classes/metrics.csv") or ""
    assert "accuracy,value,all," in metrics and "ttft_ms,p50,all," in metrics

    report = read(s3, "report.md") or ""
    assert "### exact_match ↑" in report and "### accuracy ↑" in report
    assert "| qwen25 |" in report and "| qwen3 |" in report
    assert "![anls](plots/anls.png)" in report
    assert "## Failed cells" in report and "### broken × colours" in report
    png = s3.client.get_object(Bucket="bench", Key="experiments/e2e/plots/anls.png")
    assert png["Body"].read().startswith(b"\x89PNG")
    summary = json.loads(read(s3, "summary.json") or "{}")
    assert summary["failed"] == 1 and len(summary["cells"]) == 5
    qwen25_colours = summary["cells"][0]
    assert set(qwen25_colours["quality"]) == {"exact_match", "anls"}
    assert qwen25_colours["timings"]["start_s"] > 0
    # One server per model: the second task of qwen3 (run by the resume) reused the first's.
    qwen3_classes = summary["cells"][3]
    assert (qwen3_classes["model"], qwen3_classes["task"]) == ("qwen3", "classes")
    assert qwen3_classes["timings"]["server_reused"] is True

    status = hyperbench("status", str(config), env=env)
    assert status.returncode == 3
    assert "qwen3\tclasses\tdone\tcurrent" in status.stdout
    assert (
        "broken\tcolours\tfailed\tstale\tServerFailedError: the model server exited"
        in status.stdout
    )

    # Re-score alone: a new metric for the colours task, no inference.
    rescored = tmp_path / "rescored.toml"
    rescored.write_text(
        experiment_toml(**common, colour_metrics=["exact_match", "anls", "cer"]),
        encoding="utf-8",
    )
    assert [
        c["action"] for c in json.loads(hyperbench("plan", str(rescored), "--json", env=env).stdout)
    ] == ["evaluate", "skip", "evaluate", "skip", "run"]
    evaluated = hyperbench("evaluate", str(rescored), "--no-progress", env=env)
    assert evaluated.returncode == 3, evaluated.stderr  # the broken cell is still failed
    assert "broken × colours: not run" in evaluated.stderr
    assert "cer,mean,all," in (read(s3, "cells/qwen3/colours/metrics.csv") or "")
    assert read(s3, "cells/qwen25/colours/answers.csv") == answers_before
    assert "### cer ↓" in (read(s3, "report.md") or "")
    replanned = json.loads(hyperbench("plan", str(rescored), "--json", env=env).stdout)
    assert [c["action"] for c in replanned] == ["skip", "skip", "skip", "skip", "run"]
