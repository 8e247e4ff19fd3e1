"""The experiment config: models, tasks, their matrix, where outputs go and how cells run.

One TOML or JSON file, validated with pydantic. Relative paths (model
configs, local datasets, lock folders, a local output root) resolve against
the file's folder. Every error names the file, the key path and the form
that key expects, e.g. ``exp.toml: models.qwen.gpus: expected an integer >= 0
(got 'two')``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bench_orchestrator.errors import ExperimentConfigError

ManagerName = Literal["process", "docker", "ray"]


class ModelSpec(BaseModel):
    """One model: its model config file and the environment it runs in.

    ``config`` is a ``hyperbench serve`` model config (``hyperbench-model.toml``).
    ``process`` and ``ray`` sync a venv from the uv lock in ``lock`` (a mode
    folder: ``prod`` by default) with ``extras``; ``docker`` runs ``image``.
    ``concurrency`` is the number of requests in flight against the model.
    """

    model_config = ConfigDict(extra="forbid")

    config: str
    lock: str = "prod"
    extras: list[str] = Field(default_factory=list)
    image: str | None = None
    gpus: int = Field(default=0, ge=0)
    cpus: float = Field(default=1.0, gt=0)
    concurrency: int = Field(default=4, ge=1)
    startup_timeout_s: float = Field(default=300.0, gt=0)


class TaskSpec(BaseModel):
    """One task: a registered task type, its dataset, prompt and metrics.

    ``dataset`` is a folder (local path or ``s3://bucket/prefix``) holding
    ``file`` (CSV or JSONL rows of id, image, question, answer, class) and the
    images it names. ``metrics`` defaults to the task type's own list.
    """

    model_config = ConfigDict(extra="forbid")

    task: str = "vqa"
    dataset: str
    file: str = "dataset.csv"
    prompt: str | None = None
    metrics: list[str] | None = None
    limit: int | None = Field(default=None, ge=1)
    max_new_tokens: int | None = Field(default=None, ge=1)


class MatrixSpec(BaseModel):
    """Which model x task cells run: the product of ``models`` and ``tasks`` less ``exclude``."""

    model_config = ConfigDict(extra="forbid")

    models: list[str] | None = None
    tasks: list[str] | None = None
    exclude: list[tuple[str, str]] = Field(default_factory=list)


class ExperimentSpec(BaseModel):
    """Name, output root (local folder or ``s3://``), environment manager and model concurrency."""

    model_config = ConfigDict(extra="forbid")

    name: str
    output: str
    manager: ManagerName = "process"
    concurrency: int = Field(default=1, ge=1)
    cache_dir: str | None = None
    s3_endpoint_url: str | None = None
    ray_address: str | None = None


class ExperimentConfig(BaseModel):
    """A whole experiment, with relative paths already resolved."""

    model_config = ConfigDict(extra="forbid")

    experiment: ExperimentSpec
    models: dict[str, ModelSpec] = Field(min_length=1)
    tasks: dict[str, TaskSpec] = Field(min_length=1)
    matrix: MatrixSpec = Field(default_factory=MatrixSpec)

    @model_validator(mode="after")
    def _matrix_names_exist(self) -> ExperimentConfig:
        for kind, names, known in (
            ("models", self.matrix.models or [], self.models),
            ("tasks", self.matrix.tasks or [], self.tasks),
        ):
            unknown = [name for name in names if name not in known]
            if unknown:
                raise ValueError(f"matrix.{kind} names {unknown} not defined in [{kind}]")
        if self.experiment.manager == "docker":
            missing = [name for name, model in self.models.items() if not model.image]
            if missing:
                raise ValueError(f"manager 'docker' needs an image for models {missing}")
        return self

    def cells(self) -> list[tuple[str, str]]:
        """The (model, task) pairs to run, in config order."""
        models = self.matrix.models or list(self.models)
        tasks = self.matrix.tasks or list(self.tasks)
        excluded = {tuple(pair) for pair in self.matrix.exclude}
        return [(m, t) for m in models for t in tasks if (m, t) not in excluded]


EXPECTED = {
    "missing": "a value (the key is required)",
    "extra_forbidden": "no such key (check the spelling)",
    "int_parsing": "an integer",
    "int_type": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a table/object",
    "model_type": "a table/object",
    "literal_error": "one of the listed values",
    "greater_than_equal": "a larger number",
    "greater_than": "a larger number",
    "too_short": "at least one entry",
    "tuple_type": "a [model, task] pair",
}


def describe_errors(path: Path, exc: ValidationError) -> str:
    """One line per pydantic error: file, dotted key, expected form, what was given."""
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        expected = EXPECTED.get(error["type"], "a valid value")
        given = "" if error["type"] == "missing" else f" (got {error.get('input')!r})"
        lines.append(f"{path}: {key}: expected {expected}: {error['msg']}{given}")
    return "\n".join(lines)


def _is_uri(value: str) -> bool:
    return "://" in value


def _resolve(base: Path, value: str) -> str:
    return value if _is_uri(value) else str((base / Path(value).expanduser()).resolve())


def parse_experiment(data: dict[str, Any], path: Path) -> ExperimentConfig:
    """Validate a config mapping read from ``path``; relative paths resolve against its folder."""
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        raise ExperimentConfigError(describe_errors(path, exc)) from exc
    base = path.parent.resolve()
    models = {
        name: model.model_copy(
            update={"config": _resolve(base, model.config), "lock": _resolve(base, model.lock)}
        )
        for name, model in config.models.items()
    }
    tasks = {
        name: task.model_copy(update={"dataset": _resolve(base, task.dataset)})
        for name, task in config.tasks.items()
    }
    experiment = config.experiment.model_copy(
        update={
            "output": _resolve(base, config.experiment.output),
            "cache_dir": _resolve(base, config.experiment.cache_dir)
            if config.experiment.cache_dir
            else None,
        }
    )
    return config.model_copy(update={"models": models, "tasks": tasks, "experiment": experiment})


def load_experiment(path: str | Path) -> ExperimentConfig:
    """Read and validate an experiment file (``.toml`` or ``.json``)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExperimentConfigError(f"cannot read experiment config {path}: {exc}") from exc
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExperimentConfigError(
            f"{path}: not valid {path.suffix[1:] or 'TOML'}: {exc}"
        ) from exc
    return parse_experiment(data, path)
