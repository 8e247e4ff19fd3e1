"""Run one model's cells in order against one shared server (the model-major schedule).

Each cell keeps its own state, files, hashes, skip and failure record; only
the server is shared. It is started by the first cell that needs inference
(a model whose cells are all done starts none), checked after every cell and
stopped right after the last cell that needs it, before that cell's
evaluate. The failure rules (no retry of a failed start, one restart after a
death) are ``SharedServer``'s.

Timings of a cell (``state.json``, ``summary.json``):
``setup_s``/``start_s`` what this cell waited for environment setup and
server start (0.0 when it reused a running server), ``server_setup_s``/
``server_start_s`` what the server it ran against cost to set up and start
(the same in every cell of that server), ``server_reused`` whether the cell
found the server running, ``server_index`` which start of the model's
server it used (2 after a restart), ``infer_s``, ``cleanup_s`` (only on the
cell after which the server stopped) and ``evaluate_s``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bench_orchestrator.cells import Action, Cell, CellState, read_state, write_state
from bench_orchestrator.envs.base import log_tail
from bench_orchestrator.stages.evaluate import evaluate
from bench_orchestrator.stages.infer import infer_task
from bench_orchestrator.stages.serving import ServerFailedError, SharedServer

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.envs.base import EnvManager
    from bench_orchestrator.experiment import Prepared
    from bench_orchestrator.progress import CellProgress


def server_log_dir(prepared: Prepared, model: str) -> Path:
    """Where the server logs of ``model`` go on this machine (``server-N.log``, N = start)."""
    return prepared.cache_dir / "logs" / prepared.config.experiment.name / "models" / model


def _infer(
    prepared: Prepared,
    serving: SharedServer,
    cell: Cell,
    state: CellState,
    view: CellProgress,
    *,
    last: bool,
) -> None:
    state.stage = "infer"
    state.timings = {}
    view.stage(cell, "infer: starting server" if serving.current is None else "infer")
    try:
        running = serving.acquire()
    except ServerFailedError:
        if serving.last_log is not None and serving.last_log.is_file():
            prepared.store.upload(cell.file("server.log"), serving.last_log)
        raise
    reused = running.cells > 0
    running.cells += 1
    timings: dict[str, float] = {
        "setup_s": 0.0 if reused else running.setup_s,
        "start_s": 0.0 if reused else running.start_s,
        "server_setup_s": running.setup_s,
        "server_start_s": running.start_s,
        "server_reused": reused,
        "server_index": running.index,
    }
    view.stage(cell, "infer")
    log_from = _log_size(running.log_path) if reused else 0  # this cell's part of the log
    error: Exception | None = None
    try:
        result = infer_task(
            running.url,
            prepared.config.models[cell.model],
            prepared.tasks[cell.task],
            on_progress=lambda done: view.stage(cell, "infer", done),
        )
    except Exception as exc:
        error = exc
    alive = serving.check_alive()
    if alive and last:
        timings["cleanup_s"] = serving.stop() or 0.0
    if running.log_path.is_file():
        prepared.store.write_bytes(cell.file("server.log"), _cell_log(running.log_path, log_from))
    state.timings.update(timings)
    if not alive:
        raise ServerFailedError(
            f"the model server died during this cell ({serving.death})",
            log_tail(running.log_path),
        ) from error
    if error is not None:
        raise error
    prepared.store.write_text(cell.file("answers.csv"), result.answers_csv)
    prepared.store.write_text(cell.file("perf.json"), result.perf_json)
    state.timings.update(result.timings)
    state.infer_hash = cell.infer_hash


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
    serving: SharedServer,
    cell: Cell,
    state: CellState,
    action: Action,
    view: CellProgress,
    *,
    last: bool = True,
) -> CellState:
    """Do ``action`` for ``cell``; any error is recorded in its state, never raised.

    ``last`` says no later cell of the model needs the server: it is stopped
    after this cell's inference.
    """
    if action == "skip":
        view.finish(cell, "done", "(skipped: unchanged)")
        return state
    state.status, state.error, state.log_tail = "running", None, None
    write_state(prepared.store, cell, state)
    try:
        if action == "run":
            state.infer_hash = None
            _infer(prepared, serving, cell, state, view, last=last)
            write_state(prepared.store, cell, state)
        view.stage(cell, "evaluate")
        _evaluate(prepared, cell, state)
        state.status = "done"
        view.finish(cell, "done")
    except Exception as exc:
        state.status = "failed"
        state.error = f"{type(exc).__name__}: {exc}"
        tail = getattr(exc, "log_tail", None)
        if tail is None and action == "run" and serving.last_log is not None:
            tail = log_tail(serving.last_log)
        state.log_tail = tail or None
        view.finish(cell, "failed", state.error.splitlines()[0][:120])
    write_state(prepared.store, cell, state)
    return state


def run_model(
    prepared: Prepared,
    manager: EnvManager,
    cells: list[Cell],
    view: CellProgress,
    *,
    only_evaluate: bool = False,
) -> list[CellState]:
    """Run ``cells`` (all of one model) in order against one shared server.

    ``only_evaluate`` re-scores existing answers.csv files and starts no server.
    """
    model = cells[0].model
    serving = SharedServer(
        manager, model, prepared.config.models[model], server_log_dir(prepared, model)
    )
    work: list[tuple[Cell, CellState, Action | None]] = []
    for cell in cells:
        state = read_state(prepared.store, cell)
        action: Action | None = state.action(cell)
        if only_evaluate:
            has_answers = prepared.store.read_bytes(cell.file("answers.csv")) is not None
            action = "evaluate" if has_answers else None
        work.append((cell, state, action))
    needing = [cell for cell, _, action in work if action == "run"]
    states = []
    try:
        for cell, state, action in work:
            if action is None:
                view.finish(cell, "not run", "(no answers to re-score)")
                states.append(state)
                continue
            last = bool(needing) and cell is needing[-1]
            states.append(run_cell(prepared, serving, cell, state, action, view, last=last))
    finally:
        serving.stop()
    return states


def _log_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _cell_log(path: Path, start: int) -> bytes:
    """The part of a shared server's log written during one cell (its start included when the
    cell started the server); a reused server's part says where the rest is."""
    data = path.read_bytes()
    if not start:
        return data
    note = (
        f"# {path.name} from byte {start}: the server was started for an earlier cell of this "
        "model (its start is in that cell's server.log)\n"
    )
    return note.encode() + data[start:]
