"""Cell hashes and the action a run takes for each recorded state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench_orchestrator.cells import (
    CellState,
    make_cell,
    model_fingerprint,
    read_state,
    write_state,
)
from bench_orchestrator.config import ModelSpec, TaskSpec
from bench_orchestrator.storage import LocalStore

if TYPE_CHECKING:
    from pathlib import Path


def cell(**changes: object):
    values: dict = {
        "model_print": "m1",
        "task": TaskSpec(dataset="d", metrics=["exact_match"]),
        "data_print": "d1",
        "metrics": ["exact_match"],
    }
    values.update(changes)
    return make_cell("m", "t", **values)


def test_hashes_follow_their_inputs() -> None:
    base = cell()
    assert cell() == base
    assert cell(model_print="m2").infer_hash != base.infer_hash
    assert cell(data_print="d2").infer_hash != base.infer_hash
    assert cell(task=TaskSpec(dataset="d", prompt="{question}?")).infer_hash != base.infer_hash
    metrics_only = cell(metrics=["exact_match", "cer"])
    assert metrics_only.infer_hash == base.infer_hash
    assert metrics_only.evaluate_hash != base.evaluate_hash


def test_actions_from_state() -> None:
    c = cell()
    assert CellState().action(c) == "run"
    done = CellState("done", c.infer_hash, c.evaluate_hash)
    assert done.action(c) == "skip"
    assert CellState("failed", c.infer_hash, None, stage="evaluate").action(c) == "evaluate"
    assert CellState("running", c.infer_hash, c.evaluate_hash).action(c) == "evaluate"
    assert CellState("done", "old", c.evaluate_hash).action(c) == "run"


def test_state_round_trip(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    c = cell()
    state = CellState("failed", None, None, "infer", "boom", "log", {"setup_s": 1.5})
    write_state(store, c, state)
    assert read_state(store, c) == state
    assert (tmp_path / "cells/m/t/state.json").is_file()


def test_model_fingerprint_sees_config_weights_and_lock(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "hyperbench-model.toml").write_text('family = "x"\n')
    (folder / "weights.bin").write_bytes(b"1")
    mode = tmp_path / "prod"
    mode.mkdir()
    (mode / "pyproject.toml").write_text("[project]\n")
    (mode / "uv.lock").write_text("version = 1\n")
    spec = ModelSpec(config=str(folder / "hyperbench-model.toml"), lock=str(mode))
    first = model_fingerprint(spec, "process")
    (folder / "weights.bin").write_bytes(b"12")
    second = model_fingerprint(spec, "process")
    (mode / "uv.lock").write_text("version = 2\n")
    third = model_fingerprint(spec, "process")
    assert len({first, second, third}) == 3
    assert model_fingerprint(spec.model_copy(update={"image": "a"}), "docker") != model_fingerprint(
        spec.model_copy(update={"image": "b"}), "docker"
    )
