"""Model-major schedule vs one server per cell: an experiment of 1 model x N tasks (CPU, tiny model).

Almost all of a cell's fixed cost is the model server's start (importing
torch/transformers, loading the model). The orchestrator now starts one
server per model and runs the model's tasks against it. Measured in one run,
interleaved, with the ``process`` manager and a tiny random Qwen3-VL:

- **model-major**: ``run_experiment`` of 1 model x ``--tasks`` one-sample
  tasks, fresh output folder (every cell runs): wall time of the whole
  experiment and the number of servers started;
- **per cell** (the schedule before): the same cells, each run as its own
  one-cell experiment, so each cell sets up, starts, answers, stops (the
  per-cell orchestrator as it was, through the same code);
- **bare floor**: ``hyperbench serve`` started by ``subprocess`` from the
  same venv, polled on ``/health`` and terminated, once per cell, with no
  orchestrator: what ``--tasks`` server starts cost at least.

Figures are medians over ``--rounds`` rounds; the order of the three inside a
round rotates each round.

Usage: ``uv run python bench/bench_experiment.py [--rounds 3] [--tasks 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench_orchestrator.envs.process import ProcessManager
from model_qwen_vl.testing.provision import ensure_hf_stack

if TYPE_CHECKING:
    from collections.abc import Callable

    from bench_orchestrator.envs.base import Environment, ModelServer

ROOT = Path(__file__).parents[1]


def bare_start(venv: Path, config: Path) -> float:
    """Start, health-poll and stop ``hyperbench serve`` directly; seconds taken."""
    from bench_orchestrator.envs.process import free_port, probe_health

    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            str(venv / "bin" / "hyperbench"),
            "--log-level",
            "warning",
            "serve",
            str(config),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not probe_health(f"http://127.0.0.1:{port}"):
        assert process.poll() is None, "bare server exited"
        time.sleep(0.2)
    process.terminate()
    process.wait(timeout=30)
    return time.perf_counter() - start


def experiment(
    folder: Path, data: Path, model: Path, mode: Path, cache: Path, tasks: list[str]
) -> Path:
    """Write an experiment of one model x ``tasks`` (one sample each); return its file."""
    lines = [
        "[experiment]",
        f'name = "bench-{folder.name}"',
        f'output = "{folder / "out"}"',
        'manager = "process"',
        f'cache_dir = "{cache}"',
        "",
        "[models.tiny]",
        f'config = "{model}"',
        f'lock = "{mode}"',
        "",
    ]
    for name in tasks:
        lines += [f"[tasks.{name}]", f'dataset = "{data}"', "max_new_tokens = 2", ""]
    folder.mkdir(parents=True)
    path = folder / "experiment.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class CountingManager(ProcessManager):
    """The ``process`` manager, counting the servers it starts."""

    def __init__(self, cache_dir: Path) -> None:
        super().__init__(cache_dir)
        self.starts = 0

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        """Start a server (counted)."""
        self.starts += 1
        return super().run(env, config_path, log_path)


def run_once(path: Path, cache: Path) -> tuple[float, int, list[dict[str, float]]]:
    """Run the experiment in-process; return wall seconds, servers started, cells' timings."""
    from bench_orchestrator.config import load_experiment
    from bench_orchestrator.experiment import run_experiment

    config = load_experiment(path)
    manager = CountingManager(cache)
    start = time.perf_counter()
    outcome = run_experiment(config, progress=False, manager=manager)
    wall = time.perf_counter() - start
    assert not outcome.failed, outcome.failed
    summary = json.loads((Path(config.experiment.output) / "summary.json").read_text())
    return wall, manager.starts, [cell["timings"] for cell in summary["cells"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    ensure_hf_stack()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from bench_orchestrator.envs.venvs import synced_venv
    from bench_orchestrator.testing import write_test_mode
    from bench_utils.testing import make_sample_dataset
    from model_qwen_vl.testing.tiny import CONFIG_NAME, make_tiny_checkpoint

    tmp = Path(tempfile.mkdtemp(prefix="bench-orch-"))
    model = make_tiny_checkpoint("qwen3_vl", tmp / "model") / CONFIG_NAME
    mode = write_test_mode(tmp / "mode", ROOT / "packages")
    cache = tmp / "cache"
    data = tmp / "data"
    make_sample_dataset(data, count=1)
    venv = synced_venv(mode, [], cache)
    tasks = [f"t{index}" for index in range(args.tasks)]

    major: list[float] = []
    major_starts: list[int] = []
    per_cell: list[float] = []
    per_cell_starts: list[int] = []
    bare: list[float] = []
    cell_timings: list[dict[str, float]] = []
    load: list[float] = []

    def model_major(round_index: int) -> None:
        path = experiment(tmp / f"major-{round_index}", data, model, mode, cache, tasks)
        wall, starts, timings = run_once(path, cache)
        major.append(wall)
        major_starts.append(starts)
        cell_timings.extend(timings)

    def one_server_per_cell(round_index: int) -> None:
        wall, starts = 0.0, 0
        for name in tasks:
            folder = tmp / f"cell-{round_index}-{name}"
            seconds, started, _ = run_once(
                experiment(folder, data, model, mode, cache, [name]), cache
            )
            wall, starts = wall + seconds, starts + started
        per_cell.append(wall)
        per_cell_starts.append(starts)

    def bare_floor(round_index: int) -> None:
        bare.append(sum(bare_start(venv, model) for _ in tasks))

    runs: list[Callable[[int], None]] = [model_major, one_server_per_cell, bare_floor]
    for round_index in range(args.rounds):
        shift = round_index % len(runs)
        for run in runs[shift:] + runs[:shift]:
            run(round_index)
        load.append(os.getloadavg()[0])

    median = statistics.median
    reused = [t for t in cell_timings if t.get("server_reused")]
    record = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_avg_1m": load,
        "tasks": args.tasks,
        "rounds": args.rounds,
        "model_major_s": major,
        "model_major_starts": major_starts,
        "per_cell_s": per_cell,
        "per_cell_starts": per_cell_starts,
        "bare_starts_s": bare,
        "server_start_s_median": median([t["server_start_s"] for t in cell_timings]),
        "reused_cell_start_s_median": median([t["start_s"] for t in reused]) if reused else None,
        "infer_s_median": median([t["infer_s"] for t in cell_timings]),
    }
    print(
        f"machine: {record['machine']}; load average (1 min) after each round: "
        f"{min(load):.1f}-{max(load):.1f}"
    )
    print(f"1 model x {args.tasks} one-sample tasks, {args.rounds} rounds, medians:\n")
    print("| schedule | server starts | experiment wall s |")
    print("|---|---:|---:|")
    print(f"| model-major (one server) | {median(major_starts):.0f} | {median(major):.2f} |")
    print(
        f"| per cell (a server per cell) | {median(per_cell_starts):.0f} | {median(per_cell):.2f} |"
    )
    print(
        f"| bare floor: {args.tasks} x serve start + /health + stop | {args.tasks} | {median(bare):.2f} |"
    )
    print(
        f"\nmodel-major saves {median(per_cell) - median(major):.2f} s "
        f"({median(per_cell) / median(major):.2f}x faster); "
        f"server start {record['server_start_s_median']:.2f} s once per model, "
        f"infer {record['infer_s_median']:.2f} s per cell"
    )
    if args.json:
        args.json.write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
