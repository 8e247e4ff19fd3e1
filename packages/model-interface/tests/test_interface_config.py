from __future__ import annotations

import json
import logging

import pytest

from model_interface import ModelConfigError, load_model_config, parse_model_config, resolve_device


def test_toml_config_resolves_local_paths_against_its_folder(tmp_path) -> None:
    (tmp_path / "weights").mkdir()
    (tmp_path / "lora").mkdir()
    path = tmp_path / "model.toml"
    path.write_text(
        'family = "qwen3_vl"\nmodel_path = "weights"\nlora_path = "lora"\nmerge_lora = true\n'
        'system_prompt = "Be brief."\nmin_pixels = 100\nmax_pixels = 1000\n'
        "[generation]\nmax_new_tokens = 7\ntemperature = 0.5\n"
    )
    config = load_model_config(path)
    assert config.model_path == str(tmp_path / "weights")
    assert config.lora_path == str(tmp_path / "lora")
    assert config.lora_name == "lora"
    assert config.served_model_name == "weights"
    assert config.generation.max_new_tokens == 7
    assert (config.backend, config.device, config.dtype) == ("hf", "auto", "auto")


def test_json_config_and_hub_ids_stay_as_given(tmp_path) -> None:
    path = tmp_path / "model.json"
    path.write_text(
        json.dumps(
            {
                "model": {
                    "family": "qwen2_5_vl",
                    "backend": "vllm",
                    "model_path": "Qwen/Qwen2.5-VL-3B-Instruct",
                }
            }
        )
    )
    config = load_model_config(path)
    assert config.model_path == "Qwen/Qwen2.5-VL-3B-Instruct"
    assert config.served_model_name == "Qwen/Qwen2.5-VL-3B-Instruct"
    assert config.backend == "vllm"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"family": "qwen3_vl"}, "model_path"),
        ({"family": "qwen3_vl", "model_path": "m", "backend": "onnx"}, "backend"),
        (
            {"family": "qwen3_vl", "model_path": "m", "min_pixels": 10, "max_pixels": 5},
            "min_pixels",
        ),
        ({"family": "qwen3_vl", "model_path": "m", "colour": "red"}, "colour"),
    ],
)
def test_invalid_configs_are_config_errors(data: dict, message: str) -> None:
    with pytest.raises(ModelConfigError, match=message):
        parse_model_config(data)


def test_unreadable_and_unparsable_files_are_config_errors(tmp_path) -> None:
    with pytest.raises(ModelConfigError, match="cannot read"):
        load_model_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("family = \n")
    with pytest.raises(ModelConfigError, match="cannot parse"):
        load_model_config(broken)


def test_resolve_device_on_a_machine_without_accelerators(caplog) -> None:
    torch = pytest.importorskip(
        "torch", reason="torch not installed: device fallback not exercised"
    )
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: the cpu fallback path cannot be exercised here")
    assert resolve_device("auto") == "cpu"
    assert resolve_device("cpu") == "cpu"
    with caplog.at_level(logging.WARNING):
        assert resolve_device("cuda") == "cpu"
    assert "cuda requested but not available" in caplog.text
