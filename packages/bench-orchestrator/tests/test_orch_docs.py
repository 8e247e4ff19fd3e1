"""The example experiment in docs/ stays valid and names what the demo builder makes."""

from __future__ import annotations

from pathlib import Path

from bench_orchestrator.config import load_experiment

EXAMPLE = Path(__file__).parents[3] / "docs" / "experiment.example.toml"


def test_example_config_is_valid() -> None:
    config = load_experiment(EXAMPLE)
    base = EXAMPLE.parent
    assert config.cells() == [
        ("qwen25", "colours"),
        ("qwen25", "classes"),
        ("qwen3", "colours"),
        ("qwen3", "classes"),
    ]
    assert config.models["qwen25"].config == str(base / "models/qwen25/hyperbench-model.toml")
    assert config.models["qwen3"].lock == str(base / "mode")
    assert config.experiment.output.startswith("s3://hyperbench-demo/")
    assert config.tasks["colours"].dataset == "s3://hyperbench-demo/datasets/colours"
