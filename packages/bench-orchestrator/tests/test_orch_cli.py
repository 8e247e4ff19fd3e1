"""``hyperbench experiment`` routing, exit codes and the rich progress view."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest

from bench_orchestrator.cells import make_cell
from bench_orchestrator.cli import ExitCode
from bench_orchestrator.config import TaskSpec
from bench_orchestrator.progress import CellProgress
from bench_utils.cli import main as hyperbench

if TYPE_CHECKING:
    from pathlib import Path


def test_experiment_help_comes_from_the_orchestrator(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        hyperbench(["experiment", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: hyperbench experiment")
    assert "{plan,run,status,evaluate,report}" in out


def test_other_commands_still_reject_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        hyperbench(["run", "x.toml", "--bogus"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_invalid_config_is_exit_1_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "exp.toml"
    config.write_text('[experiment]\nname = "x"\noutput = "o"\n[models.m]\nconfig = 3\n')
    code = hyperbench(["experiment", "plan", str(config)])
    assert code == ExitCode.ERROR == 1
    err = capsys.readouterr().err
    assert f"error: {config}: models.m.config: expected a string" in err
    assert f"{config}: tasks: expected a value (the key is required)" in err


def test_progress_shows_a_line_per_cell_with_its_stage() -> None:
    cells = [
        make_cell(m, "t", model_print="x", task=TaskSpec(dataset="d"), data_print="d", metrics=[])
        for m in ("alpha", "beta")
    ]
    view = CellProgress(enabled=True)
    buffer = io.StringIO()
    from rich.console import Console

    view.console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    with view:
        for cell in cells:
            view.add(cell, total=4)
        view.stage(cells[0], "infer", 2)
        view.finish(cells[0], "done")
        view.finish(cells[1], "failed", "EnvironmentSetupError: exited")
    text = buffer.getvalue()
    assert "alpha × t" in text and "4/4" in text and "done" in text
    assert "beta × t" in text and "failed EnvironmentSetupError: exited" in text


def test_plain_lines_without_a_progress_view() -> None:
    cell = make_cell(
        "m", "t", model_print="x", task=TaskSpec(dataset="d"), data_print="d", metrics=[]
    )
    view = CellProgress(enabled=False)
    buffer = io.StringIO()
    from rich.console import Console

    view.console = Console(file=buffer, width=100)
    with view:
        view.add(cell, total=1)
        view.finish(cell, "done", "(skipped: unchanged)")
    assert buffer.getvalue() == "m × t: done (skipped: unchanged)\n"
