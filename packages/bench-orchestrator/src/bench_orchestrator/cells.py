"""Cells of the model x task matrix: their content hashes, files and recorded state.

A cell's ``infer_hash`` digests everything its answers depend on: the model
config file, the model folder's files (names, sizes, mtimes: weights are too
big to read on every plan), the environment (lock digest or image), the
task spec and the dataset's content fingerprint. ``evaluate_hash`` adds the
metrics. A cell whose recorded hashes match is skipped; one whose answers
match but metrics differ is only re-scored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bench_orchestrator.envs.venvs import lock_digest
from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from bench_orchestrator.config import ModelSpec, TaskSpec
    from bench_orchestrator.storage import Store

INFER_VERSION = 1
EVALUATE_VERSION = 1

Action = Literal["run", "evaluate", "skip"]
Status = Literal["pending", "running", "done", "failed"]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def model_fingerprint(model: ModelSpec, manager: str) -> str:
    """Digest of the model config, its folder's file listing and its environment."""
    config = Path(model.config)
    folder = config.parent
    files = sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    )
    if manager == "docker":
        environment = model.image
    else:
        try:
            environment = lock_digest(Path(model.lock), model.extras)
        except EnvironmentSetupError:
            environment = "missing-lock"
    return _digest(
        {
            "config": config.read_text(encoding="utf-8") if config.is_file() else None,
            "files": files,
            "environment": environment,
            "concurrency": model.concurrency,
        }
    )


@dataclass(frozen=True)
class Cell:
    """One model x task pair with its hashes."""

    model: str
    task: str
    infer_hash: str
    evaluate_hash: str

    @property
    def key(self) -> str:
        """The cell's folder under the output root."""
        return f"cells/{self.model}/{self.task}"

    @property
    def label(self) -> str:
        """``model × task`` for people."""
        return f"{self.model} × {self.task}"

    def file(self, name: str) -> str:
        """Key of one of the cell's files."""
        return f"{self.key}/{name}"


def make_cell(
    model_name: str,
    task_name: str,
    *,
    model_print: str,
    task: TaskSpec,
    data_print: str,
    metrics: list[str],
) -> Cell:
    """A cell with hashes from its inputs."""
    infer = _digest(
        {
            "v": INFER_VERSION,
            "model": model_print,
            "task": task.model_dump(exclude={"metrics", "dataset"}),
            "data": data_print,
        }
    )
    evaluate = _digest({"v": EVALUATE_VERSION, "infer": infer, "metrics": metrics})
    return Cell(model_name, task_name, infer, evaluate)


@dataclass
class CellState:
    """What a cell's ``state.json`` records."""

    status: Status = "pending"
    infer_hash: str | None = None
    evaluate_hash: str | None = None
    stage: str | None = None
    error: str | None = None
    log_tail: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def action(self, cell: Cell) -> Action:
        """What a run must do for ``cell`` given this state."""
        if self.infer_hash != cell.infer_hash:
            return "run"
        if self.evaluate_hash != cell.evaluate_hash or self.status != "done":
            return "evaluate"
        return "skip"


def read_state(store: Store, cell: Cell) -> CellState:
    """The recorded state of ``cell`` (a fresh one when none is recorded)."""
    text = store.read_text(cell.file("state.json"))
    if text is None:
        return CellState()
    data = json.loads(text)
    return CellState(**{k: v for k, v in data.items() if k in CellState.__dataclass_fields__})


def write_state(store: Store, cell: Cell, state: CellState) -> None:
    """Record ``state`` for ``cell``."""
    data = {"model": cell.model, "task": cell.task, **state.__dict__}
    store.write_text(cell.file("state.json"), json.dumps(data, indent=2) + "\n")
