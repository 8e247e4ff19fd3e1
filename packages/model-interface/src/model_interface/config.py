"""The model config: which model, backend, device and defaults to serve (JSON or TOML file)."""

from __future__ import annotations

import json
import logging
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model_interface.errors import ModelConfigError
from model_interface.types import GenerationParams

logger = logging.getLogger(__name__)

Backend = Literal["hf", "vllm", "openai"]
Dtype = Literal["auto", "float32", "float16", "bfloat16"]
Device = Literal["auto", "cuda", "mps", "cpu"]


class ModelConfig(BaseModel):
    """Everything needed to load and serve one model.

    ``model_path`` is a local directory or a hub id; a relative local path is
    resolved against the config file's folder. With ``backend = "openai"`` it is
    the model id an OpenAI-compatible endpoint at ``base_url`` serves, and
    ``api_key_env`` names the environment variable holding its key. ``lora_path`` optionally adds
    a LoRA adapter, merged into the weights when ``merge_lora`` is true.
    """

    model_config = ConfigDict(extra="forbid")

    family: str
    backend: Backend = "hf"
    model_path: str
    adapter: str | None = None
    served_name: str | None = None
    lora_path: str | None = None
    lora_name: str | None = None
    merge_lora: bool = False
    dtype: Dtype = "auto"
    device: Device = "auto"
    attn_implementation: str | None = None
    min_pixels: int | None = Field(default=None, ge=1)
    max_pixels: int | None = Field(default=None, ge=1)
    system_prompt: str | None = None
    generation: GenerationParams = Field(default_factory=GenerationParams)
    max_batch_size: int = Field(default=8, ge=1)
    # Static KV cache + torch.compile'd decode (CUDA graphs) with warm-up at load;
    # None: on for CUDA, off elsewhere.
    fast_decode: bool | None = None
    # Longest prompt + completion accepted (default: the model's position limit).
    max_model_len: int | None = Field(default=None, ge=1)
    trust_remote_code: bool = False
    base_url: str | None = None
    api_key_env: str | None = None

    @model_validator(mode="after")
    def _pixels_ordered(self) -> ModelConfig:
        if self.min_pixels and self.max_pixels and self.min_pixels > self.max_pixels:
            raise ValueError("min_pixels must not exceed max_pixels")
        if self.lora_path and not self.lora_name:
            self.lora_name = Path(self.lora_path).name or "lora"
        return self

    @property
    def served_model_name(self) -> str:
        """The name clients use for the base model: ``served_name``, local dir name or hub id."""
        if self.served_name:
            return self.served_name
        path = Path(self.model_path)
        return path.name if path.is_absolute() or path.exists() else self.model_path

    def resolved(self, base_dir: Path) -> ModelConfig:
        """Return a copy whose relative local paths are made absolute against ``base_dir``.

        A relative value that does not exist under ``base_dir`` stays as it is
        (it is a hub id such as ``Qwen/Qwen3-VL-2B-Instruct``).
        """
        updates: dict[str, Any] = {}
        for key in ("model_path", "lora_path"):
            value = getattr(self, key)
            if value and not Path(value).is_absolute() and (base_dir / value).exists():
                updates[key] = str((base_dir / value).resolve())
        return self.model_copy(update=updates)


def parse_model_config(data: dict[str, Any], *, base_dir: Path | None = None) -> ModelConfig:
    """Validate a config mapping; relative paths resolve against ``base_dir`` when given."""
    try:
        config = ModelConfig.model_validate(data)
    except ValidationError as exc:
        raise ModelConfigError(f"invalid model config: {exc}") from exc
    return config.resolved(base_dir) if base_dir is not None else config


def read_config_file(path: Path) -> dict[str, Any]:
    """Read a ``.toml`` or ``.json`` file into a dict; ``ModelConfigError`` when unreadable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelConfigError(f"cannot read config {path}: {exc}") from exc
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelConfigError(f"cannot parse config {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelConfigError(f"config {path} must hold a table/object at the top level")
    return data


def load_model_config(path: str | Path) -> ModelConfig:
    """Load a model config file; a ``[model]`` table is accepted as well as a flat file."""
    path = Path(path)
    data = read_config_file(path)
    if "model" in data and isinstance(data["model"], dict):
        data = data["model"]
    return parse_model_config(data, base_dir=path.parent.resolve())


def resolve_device(requested: str = "auto") -> str:
    """Pick the torch device: ``auto`` tries cuda, then mps, then cpu.

    An explicit ``cuda`` or ``mps`` that is not available falls back to cpu
    with a warning, as the seed inference service did.
    """
    try:
        import torch
    except ImportError:
        return "cpu"
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if requested == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (requested == "cuda" and not cuda) or (requested == "mps" and not mps):
        logger.warning("device %s requested but not available; using cpu", requested)
        return "cpu"
    return requested
