"""The orchestrator: plan the cells of an experiment, run them stage by stage, report.

Cells run concurrently (``experiment.concurrency``), each isolated: an error
in one is recorded in its state and report section and never stops the
others. State is written after each stage, so a killed run resumes where it
stopped and a finished cell is skipped while its content hashes hold.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench_orchestrator.cells import (
    Action,
    Cell,
    CellState,
    make_cell,
    model_fingerprint,
    read_state,
    write_state,
)
from bench_orchestrator.datasync import SyncedData, materialize
from bench_orchestrator.envs import create_manager
from bench_orchestrator.envs.base import log_tail
from bench_orchestrator.metrics import metrics as metric_registry
from bench_orchestrator.progress import CellProgress
from bench_orchestrator.stages.evaluate import evaluate, read_metrics
from bench_orchestrator.stages.infer import run_infer
from bench_orchestrator.stages.report import CellResult, build_report
from bench_orchestrator.storage import Store, open_store
from bench_orchestrator.tasks import Task, tasks
from bench_utils.dataset import load_dataset

if TYPE_CHECKING:
    from bench_orchestrator.config import ExperimentConfig
    from bench_orchestrator.envs.base import EnvManager

DEFAULT_CACHE = Path("~/.cache/hyperbench").expanduser()


@dataclass
class Prepared:
    """An experiment ready to run: its store, synced datasets, tasks and hashed cells."""

    config: ExperimentConfig
    store: Store
    cache_dir: Path
    data: dict[str, SyncedData]
    tasks: dict[str, Task]
    cells: list[Cell]

    def models(self) -> list[str]:
        """Models in matrix order."""
        return list(dict.fromkeys(c.model for c in self.cells))

    def task_names(self) -> list[str]:
        """Tasks in matrix order."""
        return list(dict.fromkeys(c.task for c in self.cells))


@dataclass(frozen=True)
class ExperimentOutcome:
    """What a run did: each cell's final state and where the report went."""

    states: dict[str, CellState]
    report: str

    @property
    def failed(self) -> list[str]:
        """Keys of the cells that failed."""
        return [key for key, state in self.states.items() if state.status == "failed"]


def prepare(config: ExperimentConfig) -> Prepared:
    """Sync datasets, build tasks, check metric names and hash every cell."""
    spec = config.experiment
    cache_dir = Path(spec.cache_dir) if spec.cache_dir else DEFAULT_CACHE
    store = open_store(spec.output, spec.s3_endpoint_url)
    pairs = config.cells()
    data: dict[str, SyncedData] = {}
    built: dict[str, Task] = {}
    for name in dict.fromkeys(task for _, task in pairs):
        task_spec = config.tasks[name]
        task_class = tasks.get(task_spec.task)
        synced = materialize(task_spec.dataset, cache_dir / "data", spec.s3_endpoint_url)
        samples = load_dataset(synced.path / task_spec.file)
        if task_spec.limit:
            samples = samples[: task_spec.limit]
        task = task_class(task_spec, samples)
        for metric in task.metric_names:
            metric_registry.get(metric)
        data[name], built[name] = synced, task
    prints = {
        name: model_fingerprint(config.models[name], spec.manager)
        for name in dict.fromkeys(model for model, _ in pairs)
    }
    cells = [
        make_cell(
            model,
            task,
            model_print=prints[model],
            task=config.tasks[task],
            data_print=data[task].fingerprint,
            metrics=built[task].metric_names,
        )
        for model, task in pairs
    ]
    return Prepared(config, store, cache_dir, data, built, cells)


def plan(prepared: Prepared) -> list[tuple[Cell, CellState, Action]]:
    """Each cell with its recorded state and what a run would do."""
    result = []
    for cell in prepared.cells:
        state = read_state(prepared.store, cell)
        result.append((cell, state, state.action(cell)))
    return result


def _infer(
    prepared: Prepared, manager: EnvManager, cell: Cell, state: CellState, view: CellProgress
) -> Path:
    model = prepared.config.models[cell.model]
    log_path = (
        prepared.cache_dir / "logs" / prepared.config.experiment.name / cell.key / "server.log"
    )
    state.stage = "infer"
    view.stage(cell, "infer: starting server")
    try:
        result = run_infer(
            manager,
            cell.model,
            model,
            prepared.tasks[cell.task],
            log_path,
            on_progress=lambda done: view.stage(cell, "infer", done),
        )
    finally:
        if log_path.is_file():
            prepared.store.upload(cell.file("server.log"), log_path)
    prepared.store.write_text(cell.file("answers.csv"), result.answers_csv)
    prepared.store.write_text(cell.file("perf.json"), result.perf_json)
    state.timings.update(result.timings)
    state.infer_hash = cell.infer_hash
    return log_path


def _evaluate(prepared: Prepared, cell: Cell, state: CellState) -> None:
    state.stage = "evaluate"
    start = time.perf_counter()
    answers = prepared.store.read_text(cell.file("answers.csv"))
    if answers is None:
        raise FileNotFoundError(f"{prepared.store.location(cell.file('answers.csv'))} is missing")
    perf = prepared.store.read_text(cell.file("perf.json"))
    metrics_text = evaluate(prepared.tasks[cell.task], answers, perf)
    prepared.store.write_text(cell.file("metrics.csv"), metrics_text)
    state.evaluate_hash = cell.evaluate_hash
    state.timings["evaluate_s"] = time.perf_counter() - start


def run_cell(
    prepared: Prepared,
    manager: EnvManager,
    cell: Cell,
    view: CellProgress,
    *,
    force_evaluate: bool = False,
) -> CellState:
    """Run what ``cell`` still needs; any error is recorded in its state, never raised.

    ``force_evaluate`` re-scores the existing answers.csv and never runs inference.
    """
    state = read_state(prepared.store, cell)
    action = state.action(cell)
    if force_evaluate:
        action = "evaluate"
    if action == "skip":
        view.finish(cell, "done", "(skipped: unchanged)")
        return state
    log_path: Path | None = None
    state.status, state.error, state.log_tail = "running", None, None
    write_state(prepared.store, cell, state)
    try:
        if action == "run":
            state.infer_hash = None
            log_path = _infer(prepared, manager, cell, state, view)
            write_state(prepared.store, cell, state)
        view.stage(cell, "evaluate")
        _evaluate(prepared, cell, state)
        state.status = "done"
        view.finish(cell, "done")
    except Exception as exc:
        state.status = "failed"
        state.error = f"{type(exc).__name__}: {exc}"
        model_log = (
            prepared.cache_dir / "logs" / prepared.config.experiment.name / cell.key / "server.log"
        )
        state.log_tail = log_tail(log_path or model_log) or None
        view.finish(cell, "failed", state.error.splitlines()[0][:120])
    write_state(prepared.store, cell, state)
    return state


def write_report(prepared: Prepared) -> str:
    """Build report.md, summary.json and plots from the store; return report.md's location."""
    results = []
    for cell in prepared.cells:
        state = read_state(prepared.store, cell)
        text = prepared.store.read_text(cell.file("metrics.csv"))
        rows = read_metrics(text) if text and state.evaluate_hash else []
        results.append(CellResult(cell, state, prepared.tasks[cell.task].metric_names, rows))
    files = build_report(
        prepared.config.experiment.name, results, prepared.models(), prepared.task_names()
    )
    for key, data in files.items():
        prepared.store.write_bytes(key, data)
    return prepared.store.location("report.md")


def run_experiment(
    config: ExperimentConfig,
    *,
    progress: bool = True,
    only_evaluate: bool = False,
    manager: EnvManager | None = None,
) -> ExperimentOutcome:
    """Run every cell that is not finished (or only re-score: ``only_evaluate``), then report."""
    prepared = prepare(config)
    if manager is None:
        manager = create_manager(config.experiment, prepared.cache_dir)
    states: dict[str, CellState] = {}
    with CellProgress(progress) as view:
        for cell in prepared.cells:
            view.add(cell, len(prepared.tasks[cell.task].samples))

        def one(cell: Cell) -> CellState:
            if only_evaluate and prepared.store.read_bytes(cell.file("answers.csv")) is None:
                view.finish(cell, "not run", "(no answers to re-score)")
                return read_state(prepared.store, cell)
            return run_cell(prepared, manager, cell, view, force_evaluate=only_evaluate)

        workers = config.experiment.concurrency
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cell") as pool:
            for cell, state in zip(prepared.cells, pool.map(one, prepared.cells), strict=True):
                states[cell.key] = state
    return ExperimentOutcome(states, write_report(prepared))
