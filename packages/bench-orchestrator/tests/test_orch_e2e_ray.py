"""End to end on a local single-node Ray started here: each model's server in a Ray actor."""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

import pytest
from orch_support import broken_model, experiment_toml, upload_datasets

from bench_orchestrator.config import load_experiment
from bench_orchestrator.envs.ray import RayManager
from bench_orchestrator.experiment import run_experiment
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from bench_orchestrator.envs.base import Environment, ModelServer
    from bench_orchestrator.testing import LocalS3


class CountingRayManager(RayManager):
    """The real Ray manager, noting the model of every server it starts."""

    def __init__(self, cache_dir: Path) -> None:
        super().__init__(cache_dir)
        self.started: list[str] = []

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        server = super().run(env, config_path, log_path)
        self.started.append(env.model)
        return server


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[object]:
    ray = pytest.importorskip("ray", reason="bench-orchestrator[ray] is part of the dev env")
    previous = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
    if previous is None:
        os.environ.pop("OMP_NUM_THREADS", None)
    else:
        os.environ["OMP_NUM_THREADS"] = previous


def test_experiment_on_ray(
    ray_cluster: object,
    s3: LocalS3,
    test_mode: Path,
    orch_cache: Path,
    tiny_qwen25_dir: Path,
    tiny_qwen3_dir: Path,
    tmp_path: Path,
) -> None:
    import ray

    datasets = upload_datasets(s3, tmp_path / "data", prefix="ray")
    config = tmp_path / "experiment.toml"
    config.write_text(
        experiment_toml(
            output="s3://bench/experiments/ray",
            manager="ray",
            endpoint=s3.url,
            cache_dir=orch_cache,
            mode=test_mode,
            models={
                "qwen25": tiny_qwen25_dir / CONFIG_NAME,
                "qwen3": tiny_qwen3_dir / CONFIG_NAME,
                "broken": broken_model(tmp_path / "broken"),
            },
            datasets=datasets,
            exclude=[("broken", "classes")],
        ),
        encoding="utf-8",
    )
    manager = CountingRayManager(orch_cache)
    outcome = run_experiment(load_experiment(config), progress=False, manager=manager)
    # One server (one actor) per model for all of its cells.
    assert sorted(manager.started) == ["broken", "qwen25", "qwen3"]
    assert outcome.failed == ["cells/broken/colours"]
    assert outcome.report == "s3://bench/experiments/ray/report.md"
    summary = json.loads(
        s3.client.get_object(Bucket="bench", Key="experiments/ray/summary.json")["Body"].read()
    )
    statuses = {(c["model"], c["task"]): c["status"] for c in summary["cells"]}
    assert statuses == {
        ("qwen25", "colours"): "done",
        ("qwen25", "classes"): "done",
        ("qwen3", "colours"): "done",
        ("qwen3", "classes"): "done",
        ("broken", "colours"): "failed",
    }
    reused = {(c["model"], c["task"]): c["timings"].get("server_reused") for c in summary["cells"]}
    assert reused[("qwen25", "classes")] is True and reused[("qwen3", "classes")] is True
    assert reused[("qwen25", "colours")] is False
    broken = next(c for c in summary["cells"] if c["model"] == "broken")
    assert "exited with code" in broken["error"]
    # Every actor was ended: the cluster's CPUs are all free again.
    deadline = time.monotonic() + 30
    while ray.available_resources().get("CPU", 0) < 2:
        assert time.monotonic() < deadline, ray.available_resources()
        time.sleep(0.5)


def test_a_model_asking_for_gpus_the_cluster_lacks_fails_setup_in_time(
    ray_cluster: object, tmp_path: Path
) -> None:
    from bench_orchestrator.config import ModelSpec
    from bench_orchestrator.errors import EnvironmentSetupError

    model = ModelSpec(config=str(tmp_path / "m.toml"), gpus=1, startup_timeout_s=3)
    with pytest.raises(EnvironmentSetupError, match=r"1 GPUs for 'gpu-model' within 3 s"):
        RayManager(tmp_path).setup("gpu-model", model)
