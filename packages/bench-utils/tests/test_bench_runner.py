"""``hyperbench run`` on tiny real models: answers, metrics, report and run record."""

from __future__ import annotations

import csv
import importlib.metadata
import json
from typing import TYPE_CHECKING

import pytest

from bench_utils.cli import main
from bench_utils.dataset import Sample
from bench_utils.runner import RunError, join_answers
from bench_utils.testing import make_sample_dataset, write_run_config
from model_interface import InferenceResponse
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from pathlib import Path


def test_run_command_writes_all_outputs_for_each_family(
    tiny_dir: Path, tiny_family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = make_sample_dataset(tmp_path, 5)
    config = write_run_config(tmp_path, tiny_dir / CONFIG_NAME, dataset, batch_size=2)
    assert main(["run", str(config), "--no-progress"]) == 0
    out = tmp_path / "out"
    assert capsys.readouterr().out.strip() == str(out)

    with (out / "answers.csv").open() as handle:
        answers = list(csv.DictReader(handle))
    assert [a["id"] for a in answers] == ["s000", "s001", "s002", "s003", "s004"]
    assert all(a["error"] == "" and int(a["completion_tokens"]) >= 1 for a in answers)
    assert all(float(a["latency_ms"]) >= float(a["ttft_ms"]) > 0 for a in answers)
    assert all(float(a["peak_mem_mb"]) > 0 for a in answers)

    with (out / "metrics.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    keys = {(r["metric"], r["aggregator"], r["group"]) for r in rows}
    for expected in [
        ("exact_match", "mean", "all"),
        ("anls", "mean", "class=red"),
        ("cer", "mean", "question_type=colour"),
        ("wer", "mean", "all"),
        ("accuracy", "value", "all"),
        ("macro_f1", "value", "all"),
        ("ttft_ms", "p99", "all"),
        ("tpot_ms", "median", "all"),
        ("itl_ms", "mean", "all"),
        ("e2e_latency_ms", "std", "all"),
        ("request_throughput", "value", "all"),
        ("output_token_throughput", "value", "all"),
        ("peak_mem_mb", "max", "all"),
        ("harness_overhead", "share", "all"),
    ]:
        assert expected in keys
    completed = next(r for r in rows if r["metric"] == "completed")
    assert float(completed["value"]) == 5

    report = (out / "report.md").read_text()
    assert (
        f"tiny-{tiny_family}" in report
        and "## Quality" in report
        and "## Performance (ms)" in report
    )
    record = json.loads((out / "run.json").read_text())
    assert record["samples"] == 5 and record["failed"] == 0 and record["device"] == "cpu"
    installed = importlib.metadata.version("bench-utils")  # the version a release set
    assert record["versions"]["transformers"] and record["versions"]["bench-utils"] == installed
    assert "git_revision" in record
    assert record["config"]["model"]["family"] == tiny_family
    assert record["timing"]["generate_s"] <= record["timing"]["wall_s"]
    machine = record["machine"]
    assert machine["threads"]["torch_threads"] >= 1
    assert machine["threads"]["cpu_count"] >= 1
    assert "OMP_NUM_THREADS" in machine["threads"]["env"]
    for moment in ("load_at_start", "load_at_end"):
        assert len(machine[moment]["load_avg"]) == 3
        assert machine[moment]["memory_available_mb"] > 0


def test_bad_config_is_exit_1_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "run.toml"
    config.write_text('[dataset]\npath = "d.csv"\n')
    assert main(["run", str(config)]) == 1
    assert "needs a [model] table" in capsys.readouterr().err


def sample(sid: str) -> Sample:
    return Sample(id=sid, question="q", answer="a")


def test_join_refuses_missing_extra_and_repeated_ids() -> None:
    samples = [sample("a"), sample("b")]
    with pytest.raises(RunError, match=r"missing \['b'\], unexpected \['c'\]"):
        join_answers(samples, [InferenceResponse(id="a"), InferenceResponse(id="c")], [1.0, 1.0])
    with pytest.raises(RunError, match="answered id 'a' twice"):
        join_answers(samples, [InferenceResponse(id="a"), InferenceResponse(id="a")], [1.0, 1.0])
    joined = join_answers(
        samples, [InferenceResponse(id="b"), InferenceResponse(id="a")], [1.0, 2.0]
    )
    assert [(j.sample.id, j.peak_mem_mb) for j in joined] == [("a", 2.0), ("b", 1.0)]


def test_a_failing_sample_is_recorded_not_dropped(tiny_qwen3_dir: Path, tmp_path: Path) -> None:
    dataset = make_sample_dataset(tmp_path, 3)
    (tmp_path / "images" / "1.png").write_bytes(b"this is not a png")
    config = write_run_config(tmp_path, tiny_qwen3_dir / CONFIG_NAME, dataset, batch_size=3)
    assert main(["run", str(config), "--no-progress"]) == 1
    with (tmp_path / "out" / "answers.csv").open() as handle:
        answers = {a["id"]: a for a in csv.DictReader(handle)}
    assert set(answers) == {"s000", "s001", "s002"}
    assert "not a readable image" in answers["s001"]["error"]
    assert answers["s000"]["error"] == answers["s002"]["error"] == ""
    assert "## Failed samples" in (tmp_path / "out" / "report.md").read_text()
