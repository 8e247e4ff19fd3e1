"""Read a serve config: a model config file, optionally with ``[model]`` and ``[server]`` tables."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from bench_utils.server.settings import ServerSettings
from model_interface import ModelConfig, ModelConfigError, parse_model_config
from model_interface.config import read_config_file


def load_serve_config(path: str | Path) -> tuple[ModelConfig, ServerSettings]:
    """The model config and server settings in ``path`` (flat model config: default settings)."""
    path = Path(path)
    data = read_config_file(path)
    server = data.pop("server", {}) if isinstance(data.get("model"), dict) else {}
    model_data = data["model"] if isinstance(data.get("model"), dict) else data
    model = parse_model_config(model_data, base_dir=path.parent.resolve())
    try:
        settings = ServerSettings.model_validate(server)
    except ValidationError as exc:
        raise ModelConfigError(f"invalid [server] settings in {path}: {exc}") from exc
    return model, settings
