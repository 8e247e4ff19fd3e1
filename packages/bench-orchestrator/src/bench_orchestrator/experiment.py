"""The orchestrator: plan the cells of an experiment, run them model by model, report.

Models run concurrently (``experiment.concurrency`` at a time); the cells of
one model run in order against one shared server (``model_run``). Each cell
is isolated: an error in one is recorded in its state and report section and
never stops the others. State is written after each stage, so a killed run
resumes where it stopped and a finished cell is skipped while its content
hashes hold.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
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
)
from bench_orchestrator.datasync import SyncedData, materialize
from bench_orchestrator.envs import create_manager
from bench_orchestrator.metrics import metrics as metric_registry
from bench_orchestrator.model_run import run_model
from bench_orchestrator.progress import CellProgress
from bench_orchestrator.stages.evaluate import read_metrics
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
    view: CellProgress | None = None,
) -> ExperimentOutcome:
    """Run every cell that is not finished (or only re-score: ``only_evaluate``), then report.

    Models run concurrently (``experiment.concurrency`` at a time), each
    model's cells one after another against its one server (``model_run``).
    ``view`` replaces the progress display (``progress`` is then ignored).
    """
    prepared = prepare(config)
    if manager is None:
        manager = create_manager(config.experiment, prepared.cache_dir)
    states: dict[str, CellState] = {}
    by_model: dict[str, list[Cell]] = {}
    for cell in prepared.cells:
        by_model.setdefault(cell.model, []).append(cell)
    with CellProgress(progress) if view is None else nullcontext(view) as shown:
        for cell in prepared.cells:
            shown.add(cell, len(prepared.tasks[cell.task].samples))

        def one(cells: list[Cell]) -> list[CellState]:
            return run_model(prepared, manager, cells, shown, only_evaluate=only_evaluate)

        workers = config.experiment.concurrency
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="model") as pool:
            groups = list(by_model.values())
            for cells, done in zip(groups, pool.map(one, groups), strict=True):
                states.update((cell.key, state) for cell, state in zip(cells, done, strict=True))
    ordered = {cell.key: states[cell.key] for cell in prepared.cells}
    return ExperimentOutcome(ordered, write_report(prepared))
