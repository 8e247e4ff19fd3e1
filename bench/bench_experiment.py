"""Orchestration overhead per cell of ``hyperbench experiment``: process vs Ray (CPU, tiny model).

Per cell the orchestrator sets up the model's environment (venv synced from
a lock, reused after the first time), starts ``hyperbench serve`` in it,
waits for ``/health``, answers the task and tears the server down. This
measures setup + start/health + teardown per cell for the ``process`` and
``ray`` managers, against a baseline taken in the same run, interleaved:
the bare minimum, ``hyperbench serve`` started by ``subprocess`` from the
same venv, polled on ``/health`` and terminated, with no orchestrator.

Each round runs one experiment per manager (1 model x ``--tasks`` tasks of
one sample, fresh output folder, so every cell runs) and ``--tasks`` bare
starts; figures are medians over all cells of all rounds. Ray's own start
(``ray.init``) is paid once per experiment run and reported apart.

Usage: ``uv run python bench/bench_experiment.py [--rounds 3] [--tasks 2]``
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

from model_qwen_vl.testing.provision import ensure_hf_stack

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
    folder: Path, manager: str, model: Path, mode: Path, cache: Path, tasks: int
) -> Path:
    """Write an experiment of one model x ``tasks`` one-sample tasks; return its file."""
    from bench_utils.testing import make_sample_dataset

    data = folder / "data"
    if not data.exists():
        make_sample_dataset(data, count=1)
    lines = [
        "[experiment]",
        f'name = "bench-{manager}"',
        f'output = "{folder / "out"}"',
        f'manager = "{manager}"',
        f'cache_dir = "{cache}"',
        "",
        "[models.tiny]",
        f'config = "{model}"',
        f'lock = "{mode}"',
        "",
    ]
    for index in range(tasks):
        lines += [f"[tasks.t{index}]", f'dataset = "{data}"', "max_new_tokens = 2", ""]
    path = folder / "experiment.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_once(path: Path) -> list[dict[str, float]]:
    """Run the experiment in-process; return each cell's timings."""
    from bench_orchestrator.config import load_experiment
    from bench_orchestrator.experiment import run_experiment

    config = load_experiment(path)
    outcome = run_experiment(config, progress=False)
    assert not outcome.failed, outcome.failed
    summary = json.loads((Path(config.experiment.output) / "summary.json").read_text())
    return [cell["timings"] for cell in summary["cells"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    ensure_hf_stack()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import ray

    from bench_orchestrator.envs.venvs import synced_venv
    from bench_orchestrator.testing import write_test_mode
    from model_qwen_vl.testing.tiny import CONFIG_NAME, make_tiny_checkpoint

    tmp = Path(tempfile.mkdtemp(prefix="bench-orch-"))
    model = make_tiny_checkpoint("qwen3_vl", tmp / "model") / CONFIG_NAME
    mode = write_test_mode(tmp / "mode", ROOT / "packages")
    cache = tmp / "cache"
    start = time.perf_counter()
    venv = synced_venv(mode, [], cache)
    first_sync = time.perf_counter() - start
    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_init = time.perf_counter() - start

    cells: dict[str, list[dict[str, float]]] = {"process": [], "ray": []}
    bare: list[float] = []
    load: list[float] = []
    for round_index in range(args.rounds):
        for manager in ("process", "ray"):
            folder = tmp / f"{manager}-{round_index}"
            folder.mkdir()
            cells[manager] += run_once(experiment(folder, manager, model, mode, cache, args.tasks))
            bare += [bare_start(venv, model) for _ in range(args.tasks)]
            load.append(os.getloadavg()[0])
    ray.shutdown()

    def median(values: list[float]) -> float:
        return statistics.median(values)

    bare_s = median(bare)
    rows = []
    for manager, timings in cells.items():
        setup = median([t["setup_s"] for t in timings])
        start_s = median([t["start_s"] for t in timings])
        cleanup = median([t["cleanup_s"] for t in timings])
        total = median([t["setup_s"] + t["start_s"] + t["cleanup_s"] for t in timings])
        rows.append((manager, len(timings), setup, start_s, cleanup, total, total - bare_s))
    record = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_avg_1m": load,
        "first_venv_sync_s": first_sync,
        "ray_init_s": ray_init,
        "bare_start_stop_s": bare_s,
        "rows": rows,
    }
    print(
        f"machine: {record['machine']}; load average (1 min) during rounds: "
        f"{min(load):.1f}-{max(load):.1f}"
    )
    print(
        f"first venv sync from the lock: {first_sync:.2f} s (later cells reuse it); "
        f"ray.init: {ray_init:.2f} s (once per run)"
    )
    print(
        f"baseline, bare `hyperbench serve` start + /health + stop: {bare_s:.2f} s (median of {len(bare)})\n"
    )
    print(
        "| manager | cells | setup s | start + health s | teardown s | per-cell total s | over bare s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for manager, count, setup, start_s, cleanup, total, over in rows:
        print(
            f"| {manager} | {count} | {setup:.3f} | {start_s:.2f} | {cleanup:.3f} | {total:.2f} | {over:+.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
