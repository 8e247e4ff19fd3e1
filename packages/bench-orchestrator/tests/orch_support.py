"""Shared builders of the orchestrator tests: datasets on S3, a broken model, experiment files,
managers that count (and can kill) the servers they start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bench_orchestrator.envs.base import Environment, ModelServer
from bench_orchestrator.envs.process import HOST, ProcessManager, free_port
from bench_utils.testing import make_sample_dataset

if TYPE_CHECKING:
    from bench_orchestrator.config import ModelSpec
    from bench_orchestrator.testing import LocalS3

SCRIPT = Path(__file__).with_name("health_server.py")


class StandInManager(ProcessManager):
    """The process manager starting ``health_server.py`` instead of ``hyperbench serve``."""

    def __init__(self, cache_dir: Path, mode: str = "ok") -> None:
        super().__init__(cache_dir)
        self.mode = mode
        self.servers: list[ModelServer] = []

    def setup(self, name: str, model: ModelSpec) -> Environment:
        return Environment(model=name)

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        port = free_port()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, str(SCRIPT), str(port), self.mode],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = ModelServer(url=f"http://{HOST}:{port}", log_path=log_path, handle=process)
        self.servers.append(server)
        return server


class CountingManager(ProcessManager):
    """The real ``process`` manager, keeping every server it starts (to count and to kill)."""

    def __init__(self, cache_dir: Path) -> None:
        super().__init__(cache_dir)
        self.servers: list[tuple[str, ModelServer]] = []

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        server = super().run(env, config_path, log_path)
        self.servers.append((env.model, server))
        return server

    def starts(self, model: str) -> int:
        """How many servers were started for ``model``."""
        return sum(name == model for name, _ in self.servers)


def kill(server: ModelServer) -> None:
    """SIGKILL a server's process group, as an out-of-memory kill would."""
    os.killpg(server.handle.pid, signal.SIGKILL)
    server.handle.wait(timeout=10)


def upload_datasets(
    s3: LocalS3, folder: Path, *, prefix: str, bucket: str = "bench"
) -> dict[str, str]:
    """Two small datasets (4 and 3 rows) in the bucket; returns task name -> S3 URI."""
    if bucket not in [b["Name"] for b in s3.client.list_buckets()["Buckets"]]:
        s3.client.create_bucket(Bucket=bucket)
    uris = {}
    for name, count in (("colours", 4), ("classes", 3)):
        make_sample_dataset(folder / name, count=count)
        uris[name] = s3.upload_folder(folder / name, bucket, f"{prefix}/datasets/{name}")
    return uris


def broken_model(folder: Path) -> Path:
    """A model config whose weights folder does not exist: its server exits at startup."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "hyperbench-model.toml"
    config.write_text(
        f'family = "qwen3_vl"\nmodel_path = "{folder / "missing-weights"}"\n'
        'served_name = "broken"\ndevice = "cpu"\n',
        encoding="utf-8",
    )
    return config


def experiment_lines(
    *,
    output: str,
    cache_dir: Path,
    mode: Path,
    models: dict[str, Path],
    concurrency: int = 2,
    model_concurrency: int = 2,
    manager: str | None = None,
    endpoint: str | None = None,
) -> list[str]:
    """The ``[experiment]`` table and one ``[models.X]`` table per model (tasks follow)."""
    lines = ["[experiment]", 'name = "e2e"', f'output = "{output}"']
    lines += [f'manager = "{manager}"'] if manager else []
    lines += [f"concurrency = {concurrency}", f'cache_dir = "{cache_dir}"']
    lines += [f's3_endpoint_url = "{endpoint}"'] if endpoint else []
    lines.append("")
    for name, config in models.items():
        lines += [
            f"[models.{name}]",
            f'config = "{config}"',
            f'lock = "{mode}"',
            f"concurrency = {model_concurrency}",
            "startup_timeout_s = 240",
            "",
        ]
    return lines


def experiment_toml(
    *,
    output: str,
    manager: str,
    endpoint: str,
    cache_dir: Path,
    mode: Path,
    models: dict[str, Path],
    datasets: dict[str, str],
    colour_metrics: list[str] | None = None,
    exclude: list[tuple[str, str]] = (),  # type: ignore[assignment]
    concurrency: int = 2,
) -> str:
    """The text of an experiment config over ``models`` x the two tasks."""
    lines = experiment_lines(
        output=output,
        cache_dir=cache_dir,
        mode=mode,
        models=models,
        concurrency=concurrency,
        manager=manager,
        endpoint=endpoint,
    )
    metrics = colour_metrics or ["exact_match", "anls"]
    lines += [
        "[tasks.colours]",
        'task = "vqa"',
        f'dataset = "{datasets["colours"]}"',
        "max_new_tokens = 4",
        f"metrics = {metrics!r}".replace("'", '"'),
        "",
        "[tasks.classes]",
        'task = "classification"',
        f'dataset = "{datasets["classes"]}"',
        "max_new_tokens = 3",
        "",
    ]
    if exclude:
        pairs = ", ".join(f'["{m}", "{t}"]' for m, t in exclude)
        lines += ["[matrix]", f"exclude = [{pairs}]", ""]
    return "\n".join(lines)
