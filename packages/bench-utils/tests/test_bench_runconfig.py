from __future__ import annotations

import json

import pytest

from bench_utils.runconfig import load_run_config
from model_interface import ModelConfigError


def test_inline_model_table_and_relative_paths(tmp_path) -> None:
    (tmp_path / "weights").mkdir()
    path = tmp_path / "run.json"
    path.write_text(
        json.dumps(
            {
                "model": {"family": "qwen3_vl", "model_path": "weights", "max_batch_size": 3},
                "dataset": {"path": "data/d.csv", "prompt_template": "Q: {question}", "limit": 2},
                "run": {"out_dir": "runs/a"},
            }
        )
    )
    config = load_run_config(path)
    assert config.model.model_path == str(tmp_path / "weights")
    assert config.dataset.path == str(tmp_path / "data" / "d.csv")
    assert config.dataset.image_root is None
    assert config.run.out_dir == str(tmp_path / "runs" / "a")
    assert config.run.batch_size is None and config.model.max_batch_size == 3


def test_model_config_file_reference(tmp_path) -> None:
    (tmp_path / "m.toml").write_text(
        'family = "qwen2_5_vl"\nmodel_path = "Qwen/Qwen2.5-VL-3B-Instruct"\n'
    )
    (tmp_path / "run.toml").write_text('model = "m.toml"\n[dataset]\npath = "d.jsonl"\n')
    config = load_run_config(tmp_path / "run.toml")
    assert config.model.family == "qwen2_5_vl"
    assert config.run.out_dir == str(tmp_path / "runs" / "latest")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[dataset]\npath = "d.csv"\n', "needs a \\[model\\] table"),
        ('model = "m.toml"\n[dataset]\npath = "d.csv"\n', "cannot read config"),
        ('[model]\nfamily = "qwen3_vl"\nmodel_path = "m"\n[dataset]\n', "invalid run config"),
        (
            '[model]\nfamily = "qwen3_vl"\nmodel_path = "m"\n'
            '[dataset]\npath = "d"\n[run]\nbatch_size = 0\n',
            "invalid run config",
        ),
    ],
)
def test_invalid_run_configs(tmp_path, body: str, message: str) -> None:
    (tmp_path / "run.toml").write_text(body)
    with pytest.raises(ModelConfigError, match=message):
        load_run_config(tmp_path / "run.toml")
