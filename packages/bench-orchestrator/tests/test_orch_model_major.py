"""The model-major schedule: one server per model for all of its cells, with its failure rules.

End to end with the real ``process`` manager and the tiny Qwen models (local
disk, no S3: the data layer is covered by the other E2E tests); servers are
counted by the manager that starts them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from orch_support import CountingManager, StandInManager, experiment_lines, kill

from bench_orchestrator.config import load_experiment
from bench_orchestrator.experiment import run_experiment
from bench_orchestrator.progress import CellProgress
from bench_utils.testing import make_sample_dataset
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.cells import Cell


def write_experiment(
    folder: Path,
    *,
    cache: Path,
    mode: Path,
    models: dict[str, Path],
    tasks: dict[str, int],
    concurrency: int = 2,
    model_concurrency: int = 2,
) -> Path:
    """An experiment on local disk: ``models`` x ``tasks`` (name -> sample count)."""
    lines = experiment_lines(
        output=str(folder / "out"),
        cache_dir=cache,
        mode=mode,
        models=models,
        concurrency=concurrency,
        model_concurrency=model_concurrency,
    )
    for name, count in tasks.items():
        data = folder / "data" / name
        make_sample_dataset(data, count=count)
        lines += [f"[tasks.{name}]", f'dataset = "{data}"', "max_new_tokens = 4", ""]
    path = folder / "experiment.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def answers(folder: Path, model: str, task: str) -> list[tuple[str, ...]]:
    """The answer columns of a cell's answers.csv (timing columns differ run to run)."""
    text = (folder / "out" / "cells" / model / task / "answers.csv").read_text()
    return [
        (row["id"], row["answer"], row["completion_tokens"], row["finish_reason"])
        for row in csv.DictReader(io.StringIO(text))
    ]


def test_a_model_whose_server_does_not_start_fails_all_its_cells_after_one_attempt(
    tmp_path: Path,
) -> None:
    config = write_experiment(
        tmp_path,
        cache=tmp_path / "cache",
        mode=tmp_path / "no-mode",
        models={"broken": tmp_path / "broken" / "hyperbench-model.toml"},
        tasks={"a": 1, "b": 1, "c": 1},
    )
    manager = StandInManager(tmp_path, mode="fail")
    outcome = run_experiment(load_experiment(config), progress=False, manager=manager)
    assert len(manager.servers) == 1
    assert outcome.failed == ["cells/broken/a", "cells/broken/b", "cells/broken/c"]
    for state in outcome.states.values():
        assert state.stage == "infer"
        assert state.error is not None and "exited with code 1" in state.error
        assert "missing-weights does not exist" in (state.log_tail or "")
    for task in ("a", "b", "c"):
        log = (tmp_path / "out" / "cells" / "broken" / task / "server.log").read_text()
        assert "missing-weights does not exist" in log
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["failed"] == 3


def test_two_models_two_tasks_start_two_servers_and_answer_as_per_cell_runs(
    test_mode: Path,
    orch_cache: Path,
    tiny_qwen25_dir: Path,
    tiny_qwen3_dir: Path,
    tmp_path: Path,
) -> None:
    models = {"qwen25": tiny_qwen25_dir / CONFIG_NAME, "qwen3": tiny_qwen3_dir / CONFIG_NAME}
    common = {"cache": orch_cache, "mode": test_mode, "models": models}
    major = tmp_path / "major"
    config = write_experiment(major, **common, tasks={"colours": 3, "shapes": 2})
    manager = CountingManager(orch_cache)
    outcome = run_experiment(load_experiment(config), progress=False, manager=manager)
    assert outcome.failed == []
    assert (manager.starts("qwen25"), manager.starts("qwen3"), len(manager.servers)) == (1, 1, 2)
    for model in models:
        first = outcome.states[f"cells/{model}/colours"].timings
        second = outcome.states[f"cells/{model}/shapes"].timings
        assert first["server_reused"] is False and first["start_s"] > 0
        assert second["server_reused"] is True and second["start_s"] == 0.0
        assert first["server_start_s"] == second["server_start_s"] == first["start_s"]
        assert first["server_index"] == second["server_index"] == 1
        assert "cleanup_s" not in first and second["cleanup_s"] > 0
        logs = orch_cache / "logs" / "e2e" / "models" / model
        assert sorted(p.name for p in logs.iterdir()) == ["server-1.log"]
        # each cell keeps its own part of the shared log; together they are the whole log
        whole = (logs / "server-1.log").read_text()
        first_log = (major / "out" / "cells" / model / "colours" / "server.log").read_text()
        second_log = (major / "out" / "cells" / model / "shapes" / "server.log").read_text()
        note, _, rest = second_log.partition("\n")
        assert note.startswith("# server-1.log from byte ") and "earlier cell" in note
        assert first_log + rest == whole  # the server may write nothing during a later cell
    summary = json.loads((major / "out" / "summary.json").read_text())
    assert summary["cells"][1]["timings"]["server_reused"] is True

    # The per-cell schedule: each task in its own experiment, so each cell has its own server.
    for task, count in (("colours", 3), ("shapes", 2)):
        single = tmp_path / f"per-cell-{task}"
        per_cell = CountingManager(orch_cache)
        single_config = write_experiment(single, **common, tasks={task: count})
        single_run = run_experiment(
            load_experiment(single_config), progress=False, manager=per_cell
        )
        assert single_run.failed == []
        assert len(per_cell.servers) == 2
        for model in models:
            assert answers(single, model, task) == answers(major, model, task), (model, task)
            assert len(answers(major, model, task)) == count

    # Every cell done: a re-run starts no server and leaves the states as they were.
    again = CountingManager(orch_cache)
    rerun = run_experiment(load_experiment(config), progress=False, manager=again)
    assert again.servers == [] and rerun.states == outcome.states


class KillingView(CellProgress):
    """Progress that SIGKILLs the model's server after the first answer of the named tasks."""

    def __init__(self, manager: CountingManager, tasks: set[str]) -> None:
        super().__init__(enabled=False)
        self.manager, self.tasks = manager, tasks

    def stage(self, cell: Cell, stage: str, completed: int | None = None) -> None:
        if cell.task in self.tasks and completed == 1:
            self.tasks.discard(cell.task)
            kill(self.manager.servers[-1][1])
        super().stage(cell, stage, completed)


def test_a_server_dying_fails_its_cell_restarts_once_and_resume_finishes(
    test_mode: Path, orch_cache: Path, tiny_qwen3_dir: Path, tmp_path: Path
) -> None:
    config = write_experiment(
        tmp_path,
        cache=orch_cache,
        mode=test_mode,
        models={"qwen3": tiny_qwen3_dir / CONFIG_NAME},
        tasks={name: 2 for name in ("t1", "t2", "t3", "t4", "t5")},
        model_concurrency=1,
    )
    manager = CountingManager(orch_cache)
    view = KillingView(manager, {"t2", "t4"})
    outcome = run_experiment(load_experiment(config), manager=manager, view=view)
    states = {key.rsplit("/", 1)[1]: state for key, state in outcome.states.items()}
    assert {task: s.status for task, s in states.items()} == {
        "t1": "done",
        "t2": "failed",
        "t3": "done",
        "t4": "failed",
        "t5": "failed",
    }
    assert len(manager.servers) == 2
    for task in ("t2", "t4"):
        assert states[task].stage == "infer"
        assert "the model server died during this cell" in (states[task].error or "")
        assert "exited with code -9" in (states[task].error or "")
        assert states[task].log_tail, "the dead server's log tail is kept"
    assert states["t1"].timings["server_index"] == 1
    assert states["t3"].timings["server_index"] == 2
    assert states["t3"].timings["server_reused"] is False and states["t3"].timings["start_s"] > 0
    assert "no restart left" in (states["t5"].error or "")
    assert len(answers(tmp_path, "qwen3", "t3")) == 2
    assert not (tmp_path / "out" / "cells" / "qwen3" / "t2" / "answers.csv").exists()

    # A resume re-runs only the failed cells, on one new server.
    resumer = CountingManager(orch_cache)
    resumed = run_experiment(load_experiment(config), progress=False, manager=resumer)
    assert resumed.failed == [] and len(resumer.servers) == 1
    assert resumed.states["cells/qwen3/t1"] == outcome.states["cells/qwen3/t1"]
    assert resumed.states["cells/qwen3/t3"] == outcome.states["cells/qwen3/t3"]
