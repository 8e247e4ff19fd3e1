"""The run config of ``hyperbench run``: a model, a dataset, and where to write results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model_interface import ModelConfig, ModelConfigError, load_model_config, parse_model_config
from model_interface.config import read_config_file


class DatasetSpec(BaseModel):
    """Dataset file (CSV/JSONL), image folder, prompt template and an optional row limit."""

    model_config = ConfigDict(extra="forbid")

    path: str
    image_root: str | None = None
    prompt_template: str = "{question}"
    limit: int | None = Field(default=None, ge=1)


class RunSpec(BaseModel):
    """Output folder and batch size (default: the model config's ``max_batch_size``)."""

    model_config = ConfigDict(extra="forbid")

    out_dir: str = "runs/latest"
    batch_size: int | None = Field(default=None, ge=1)
    name: str | None = None


class RunConfig(BaseModel):
    """A whole run; relative paths are already resolved against the config file's folder."""

    model: ModelConfig
    dataset: DatasetSpec
    run: RunSpec = Field(default_factory=RunSpec)


def _absolute(base: Path, value: str | None) -> str | None:
    return None if value is None else str((base / value).resolve())


def parse_run_config(data: dict[str, Any], base_dir: Path) -> RunConfig:
    """Validate a run-config mapping; ``model`` is a table or a path to a model config file."""
    model_value = data.get("model")
    if isinstance(model_value, str):
        model = load_model_config(base_dir / model_value)
    elif isinstance(model_value, dict):
        model = parse_model_config(model_value, base_dir=base_dir)
    else:
        raise ModelConfigError("run config needs a [model] table or model = 'path/to/model.toml'")
    try:
        dataset = DatasetSpec.model_validate(data.get("dataset") or {})
        run = RunSpec.model_validate(data.get("run") or {})
    except ValidationError as exc:
        raise ModelConfigError(f"invalid run config: {exc}") from exc
    dataset = dataset.model_copy(
        update={
            "path": _absolute(base_dir, dataset.path),
            "image_root": _absolute(base_dir, dataset.image_root),
        }
    )
    run = run.model_copy(update={"out_dir": _absolute(base_dir, run.out_dir)})
    return RunConfig(model=model, dataset=dataset, run=run)


def load_run_config(path: str | Path) -> RunConfig:
    """Read a TOML/JSON run config file."""
    path = Path(path)
    return parse_run_config(read_config_file(path), path.parent.resolve())
