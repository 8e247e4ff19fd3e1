"""LoRA through peft on the tiny Qwen2.5-VL: merged equals unmerged, old key names are remapped."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

from model_interface import GenerationParams, InferenceRequest, load_model_config
from model_qwen_vl.batching import processor_inputs
from model_qwen_vl.hf_backend import QwenVLHFAdapter
from model_qwen_vl.lora import (
    ADAPTER_WEIGHTS,
    LoraMismatchError,
    apply_lora,
    plan_key_remap,
    remap_old_key,
)
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from pathlib import Path

OLD_PREFIXES = (
    ("base_model.model.model.language_model.", "base_model.model.model."),
    ("base_model.model.model.visual.", "base_model.model.visual."),
)


@pytest.fixture(scope="module")
def lora_dir(tiny_qwen25_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LoRA with random (non-zero) B on text attention and vision qkv, saved by peft."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForImageTextToText

    torch.manual_seed(1)
    model = AutoModelForImageTextToText.from_pretrained(tiny_qwen25_dir, dtype=torch.float32)
    config = LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "qkv"], init_lora_weights=False
    )
    peft_model = get_peft_model(model, config)
    out = tmp_path_factory.mktemp("lora") / "chart-lora"
    peft_model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def old_layout_lora_dir(lora_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same adapter with the key names transformers < 4.52 wrote."""
    out = tmp_path_factory.mktemp("old-lora") / "old"
    shutil.copytree(lora_dir, out)
    tensors = load_file(str(lora_dir / ADAPTER_WEIGHTS))
    renamed = {}
    for key, value in tensors.items():
        for new, old in OLD_PREFIXES:
            if key.startswith(new):
                key = old + key[len(new) :]
                break
        renamed[key] = value
    assert renamed.keys() != tensors.keys()
    save_file(renamed, str(out / ADAPTER_WEIGHTS))
    return out


def answer(tiny_qwen25_dir: Path, **lora: object) -> tuple[str, torch.Tensor]:
    """Greedy answer and first-step logits of the tiny model with the given LoRA settings."""
    config = load_model_config(tiny_qwen25_dir / CONFIG_NAME).model_copy(update=lora)
    adapter = QwenVLHFAdapter(config)
    adapter.load()
    try:
        image = Image.new("RGB", (64, 48), (200, 30, 30))
        request = InferenceRequest(
            id="l", prompt="What is it?", images=[image], params=GenerationParams(max_new_tokens=6)
        )
        [response] = adapter.generate([request])
        inputs = processor_inputs(adapter, [adapter.prepare(request)])
        with torch.inference_mode():
            logits = adapter.model(**inputs).logits[0, -1].clone()
        return response.text, logits
    finally:
        adapter.close()


def test_merged_output_equals_unmerged_and_differs_from_base(
    tiny_qwen25_dir: Path, lora_dir: Path
) -> None:
    _, base_logits = answer(tiny_qwen25_dir)
    text, logits = answer(tiny_qwen25_dir, lora_path=str(lora_dir), merge_lora=False)
    merged_text, merged_logits = answer(tiny_qwen25_dir, lora_path=str(lora_dir), merge_lora=True)
    assert torch.allclose(logits, merged_logits, atol=1e-4)
    assert merged_text == text
    assert not torch.allclose(logits, base_logits, atol=1e-3)  # the LoRA really changed the model


def test_old_key_names_are_remapped_not_silently_dropped(
    tiny_qwen25_dir: Path,
    lora_dir: Path,
    old_layout_lora_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, logits = answer(tiny_qwen25_dir, lora_path=str(lora_dir))
    with caplog.at_level("WARNING"):
        _, old_logits = answer(tiny_qwen25_dir, lora_path=str(old_layout_lora_dir))
    assert "pre-4.52 key names" in caplog.text
    assert torch.allclose(logits, old_logits, atol=1e-5)


def test_adapter_for_another_model_is_refused(
    tiny_qwen25_dir: Path, lora_dir: Path, tmp_path: Path
) -> None:
    from transformers import AutoModelForImageTextToText

    foreign = tmp_path / "foreign"
    shutil.copytree(lora_dir, foreign)
    tensors = load_file(str(lora_dir / ADAPTER_WEIGHTS))
    save_file(
        {k.replace("self_attn", "cross_attn"): v for k, v in tensors.items()},
        str(foreign / ADAPTER_WEIGHTS),
    )
    model = AutoModelForImageTextToText.from_pretrained(tiny_qwen25_dir)
    with pytest.raises(LoraMismatchError, match="match no module of the model"):
        apply_lora(model, str(foreign))


def test_folder_without_adapter_config_is_refused(tiny_qwen25_dir: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForImageTextToText

    model = AutoModelForImageTextToText.from_pretrained(tiny_qwen25_dir)
    with pytest.raises(LoraMismatchError, match=r"no adapter_config\.json"):
        apply_lora(model, str(tmp_path))


def test_served_names_include_the_lora(tiny_qwen25_dir: Path, lora_dir: Path) -> None:
    config = load_model_config(tiny_qwen25_dir / CONFIG_NAME).model_copy(
        update={"lora_path": str(lora_dir)}
    )
    config = type(config).model_validate(config.model_dump())
    assert config.lora_name == "chart-lora"
    assert json.loads((lora_dir / "adapter_config.json").read_text())["r"] == 4


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
            "base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.weight",
        ),
        (
            "base_model.model.visual.blocks.1.attn.qkv.lora_B.weight",
            "base_model.model.model.visual.blocks.1.attn.qkv.lora_B.weight",
        ),
        (
            "base_model.model.model.language_model.layers.0.mlp.up_proj.lora_A.weight",
            "base_model.model.model.language_model.layers.0.mlp.up_proj.lora_A.weight",
        ),
    ],
)
def test_remap_old_key(key: str, expected: str) -> None:
    assert remap_old_key(key) == expected


def test_plan_key_remap_only_renames_what_needs_it() -> None:
    modules = {"model.language_model.layers.0.self_attn.q_proj", "model.visual.blocks.0.attn.qkv"}
    keys = [
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
        "base_model.model.model.visual.blocks.0.attn.qkv.lora_A.weight",
    ]
    assert plan_key_remap(keys, modules) == {
        keys[0]: "base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.weight"
    }
