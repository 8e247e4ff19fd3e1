"""The tiny checkpoint maker writes real checkpoints that load through the production code."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import TYPE_CHECKING

from PIL import Image

from model_interface import InferenceRequest, load_model_config
from model_qwen_vl.families import FAMILIES
from model_qwen_vl.hf_backend import QwenVLHFAdapter
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from pathlib import Path


def test_checkpoint_has_the_files_of_a_real_one(tiny_dir: Path, tiny_family: str) -> None:
    names = {path.name for path in tiny_dir.iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "chat_template.jinja",
        "processor_config.json",
        "video_preprocessor_config.json",
        CONFIG_NAME,
    } <= names
    config = json.loads((tiny_dir / "config.json").read_text())
    assert config["model_type"] == tiny_family
    assert config["text_config"]["num_hidden_layers"] == 2
    assert config["vision_config"]["depth"] == 2
    processor = json.loads((tiny_dir / "processor_config.json").read_text())
    assert processor["processor_class"] == FAMILIES[tiny_family].processor_class


def test_adapter_loads_it_and_answers_with_an_image(
    tiny_adapter: QwenVLHFAdapter, tiny_family: str
) -> None:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    request = InferenceRequest(id="a", prompt="What is in the image?", images=[image])
    [response] = tiny_adapter.generate([request])
    assert response.error is None
    assert response.id == "a"
    assert response.completion_tokens >= 1
    assert response.prompt_tokens > 10  # image pad tokens were inserted into the prompt
    assert tiny_adapter.model.config.model_type == tiny_family
    assert response.ttft_s is not None and 0 < response.ttft_s <= response.latency_s


def test_without_torchvision_the_image_only_processor_is_used(
    tiny_adapter: QwenVLHFAdapter,
) -> None:
    name = type(tiny_adapter.processor).__name__
    if importlib.util.find_spec("torchvision") is None:
        assert name.startswith("ImageOnly")
    else:
        assert not name.startswith("ImageOnly")


def test_module_command_writes_a_servable_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "ckpt"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "model_qwen_vl.testing.tiny",
            "--family",
            "qwen2_5_vl",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    config = load_model_config(out / CONFIG_NAME)
    assert config.model_path == str(out.resolve())
    assert config.family == "qwen2_5_vl"
    adapter = QwenVLHFAdapter(config)
    adapter.load()
    try:
        [response] = adapter.generate([InferenceRequest(id="x", prompt="hello")])
        assert response.ok and response.completion_tokens >= 1
    finally:
        adapter.close()
