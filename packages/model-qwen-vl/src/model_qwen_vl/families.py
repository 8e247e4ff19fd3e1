"""The Qwen VL families this package serves and how to recognise their checkpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from model_interface import ModelConfigError


@dataclass(frozen=True)
class QwenFamily:
    """One model family: its ``config.json`` model_type and processor class names."""

    name: str
    model_type: str
    processor_class: str
    video_processor_class: str
    patch_size: int


FAMILIES: dict[str, QwenFamily] = {
    "qwen2_5_vl": QwenFamily(
        "qwen2_5_vl", "qwen2_5_vl", "Qwen2_5_VLProcessor", "Qwen2VLVideoProcessor", 14
    ),
    "qwen3_vl": QwenFamily("qwen3_vl", "qwen3_vl", "Qwen3VLProcessor", "Qwen3VLVideoProcessor", 16),
}


def get_family(name: str) -> QwenFamily:
    """Return the family called ``name``; ``ModelConfigError`` listing the known ones otherwise."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ModelConfigError(
            f"unknown Qwen VL family {name!r}; known: {', '.join(FAMILIES)}"
        ) from None


def check_checkpoint_family(model_path: str, family: QwenFamily) -> None:
    """Refuse a missing local folder or a checkpoint whose ``config.json`` is another model."""
    looks_local = Path(model_path).is_absolute() or model_path.startswith(".")
    if looks_local and not Path(model_path).is_dir():
        raise ModelConfigError(f"model folder {model_path} does not exist")
    config_file = Path(model_path) / "config.json"
    if not config_file.is_file():
        return
    model_type = json.loads(config_file.read_text(encoding="utf-8")).get("model_type")
    if model_type and model_type != family.model_type:
        raise ModelConfigError(
            f"{model_path} holds a {model_type!r} checkpoint "
            f"but the config says family {family.name!r}"
        )
