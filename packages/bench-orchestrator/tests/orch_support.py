"""Shared builders of the orchestrator tests: datasets on S3, a broken model, experiment files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench_utils.testing import make_sample_dataset

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.testing import LocalS3


def upload_datasets(
    s3: LocalS3, folder: Path, *, prefix: str, bucket: str = "bench"
) -> dict[str, str]:
    """Two small datasets (4 and 3 rows) in the bucket; returns task name -> S3 URI."""
    if bucket not in [b["Name"] for b in s3.client.list_buckets()["Buckets"]]:
        s3.client.create_bucket(Bucket=bucket)
    uris = {}
    for name, count in (("colours", 4), ("classes", 3)):
        make_sample_dataset(folder / name, count=count)
        uris[name] = s3.upload_folder(folder / name, bucket, f"{prefix}/datasets/{name}")
    return uris


def broken_model(folder: Path) -> Path:
    """A model config whose weights folder does not exist: its server exits at startup."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "hyperbench-model.toml"
    config.write_text(
        f'family = "qwen3_vl"\nmodel_path = "{folder / "missing-weights"}"\n'
        'served_name = "broken"\ndevice = "cpu"\n',
        encoding="utf-8",
    )
    return config


def experiment_toml(
    *,
    output: str,
    manager: str,
    endpoint: str,
    cache_dir: Path,
    mode: Path,
    models: dict[str, Path],
    datasets: dict[str, str],
    colour_metrics: list[str] | None = None,
    exclude: list[tuple[str, str]] = (),  # type: ignore[assignment]
    concurrency: int = 2,
) -> str:
    """The text of an experiment config over ``models`` x the two tasks."""
    lines = [
        "[experiment]",
        'name = "e2e"',
        f'output = "{output}"',
        f'manager = "{manager}"',
        f"concurrency = {concurrency}",
        f'cache_dir = "{cache_dir}"',
        f's3_endpoint_url = "{endpoint}"',
        "",
    ]
    for name, config in models.items():
        lines += [
            f"[models.{name}]",
            f'config = "{config}"',
            f'lock = "{mode}"',
            "concurrency = 2",
            "startup_timeout_s = 240",
            "",
        ]
    metrics = colour_metrics or ["exact_match", "anls"]
    lines += [
        "[tasks.colours]",
        'task = "vqa"',
        f'dataset = "{datasets["colours"]}"',
        "max_new_tokens = 4",
        f"metrics = {metrics!r}".replace("'", '"'),
        "",
        "[tasks.classes]",
        'task = "classification"',
        f'dataset = "{datasets["classes"]}"',
        "max_new_tokens = 3",
        "",
    ]
    if exclude:
        pairs = ", ".join(f'["{m}", "{t}"]' for m, t in exclude)
        lines += ["[matrix]", f"exclude = [{pairs}]", ""]
    return "\n".join(lines)
