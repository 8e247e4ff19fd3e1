"""Experiment config: parsing, path resolution, the matrix, and errors naming file/key/form."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from bench_orchestrator.config import load_experiment
from bench_orchestrator.errors import ExperimentConfigError

if TYPE_CHECKING:
    from pathlib import Path

VALID = """
[experiment]
name = "demo"
output = "out"

[models.a]
config = "models/a/hyperbench-model.toml"
gpus = 1

[models.b]
config = "/abs/b.toml"
lock = "s3-not-a-lock"

[tasks.t1]
dataset = "data/t1"

[tasks.t2]
task = "classification"
dataset = "s3://bucket/t2"
metrics = ["accuracy"]

[matrix]
exclude = [["b", "t2"]]
"""


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_resolves_paths_and_builds_the_matrix(tmp_path: Path) -> None:
    config = load_experiment(write(tmp_path, VALID))
    assert config.experiment.output == str(tmp_path / "out")
    assert config.experiment.manager == "process"
    assert config.models["a"].config == str(tmp_path / "models/a/hyperbench-model.toml")
    assert config.models["a"].lock == str(tmp_path / "prod")
    assert config.models["a"].gpus == 1
    assert config.tasks["t1"].dataset == str(tmp_path / "data/t1")
    assert config.tasks["t2"].dataset == "s3://bucket/t2"
    assert config.cells() == [("a", "t1"), ("a", "t2"), ("b", "t1")]


def test_json_config_is_accepted(tmp_path: Path) -> None:
    data = {
        "experiment": {"name": "j", "output": "s3://b/p", "manager": "ray"},
        "models": {"m": {"config": "m.toml"}},
        "tasks": {"t": {"dataset": "d"}},
    }
    config = load_experiment(write(tmp_path, json.dumps(data), "exp.json"))
    assert config.experiment.output == "s3://b/p" and config.cells() == [("m", "t")]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (("gpus = 1", 'gpus = "two"'), "exp.toml: models.a.gpus: expected an integer"),
        (("gpus = 1", "gpus = -1"), "exp.toml: models.a.gpus: expected a larger number"),
        (
            ('name = "demo"', 'name = "demo"\nmanagr = "ray"'),
            "experiment.managr: expected no such key",
        ),
        (
            ('output = "out"', 'output = "out"\nmanager = "k8s"'),
            "experiment.manager: expected one of",
        ),
        (
            ('dataset = "data/t1"', ""),
            "exp.toml: tasks.t1.dataset: expected a value (the key is required)",
        ),
        (
            ('exclude = [["b", "t2"]]', 'models = ["a", "zz"]'),
            "matrix.models names ['zz'] not defined",
        ),
    ],
)
def test_errors_name_file_key_and_expected_form(
    tmp_path: Path, patch: tuple[str, str], expected: str
) -> None:
    text = VALID.replace(*patch)
    with pytest.raises(
        ExperimentConfigError,
        match=re.escape(expected),
    ):
        load_experiment(write(tmp_path, text))


def test_docker_manager_needs_images(tmp_path: Path) -> None:
    text = VALID.replace('output = "out"', 'output = "out"\nmanager = "docker"')
    with pytest.raises(ExperimentConfigError, match=r"needs an image for models \['a', 'b'\]"):
        load_experiment(write(tmp_path, text))


def test_unreadable_and_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(ExperimentConfigError, match="cannot read experiment config"):
        load_experiment(tmp_path / "absent.toml")
    with pytest.raises(ExperimentConfigError, match=r"exp\.toml: not valid toml"):
        load_experiment(write(tmp_path, "[experiment\n"))
