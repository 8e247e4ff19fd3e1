"""Benchmark datasets: CSV/JSONL rows of id, image, question, answer (+ class, question type).

Ids are the key answers are joined on, so a missing or repeated id is an
error at load time rather than a silently dropped row later.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from model_interface import ModelInterfaceError

IMAGE_COLUMNS = ("image", "image_path")


class DatasetError(ModelInterfaceError):
    """The dataset file is unreadable, lacks a column, or has missing/duplicate ids."""


@dataclass(frozen=True)
class Sample:
    """One dataset row; ``image`` is resolved against the dataset's image root."""

    id: str
    question: str
    answer: str
    image: Path | None = None
    label: str | None = None
    question_type: str | None = None


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        if path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            return [json.loads(line) for line in lines if line.strip()]
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc}") from exc


def load_dataset(path: str | Path, image_root: str | Path | None = None) -> list[Sample]:
    """Read and validate a dataset; image paths are relative to ``image_root`` (or its folder)."""
    path = Path(path)
    root = Path(image_root) if image_root else path.parent
    samples: list[Sample] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(_rows(path), start=1):
        sample_id = str(row.get("id") or "").strip()
        if not sample_id:
            raise DatasetError(f"{path}: row {number} has no id")
        if sample_id in seen:
            raise DatasetError(
                f"{path}: id {sample_id!r} appears in rows {seen[sample_id]} and {number}"
            )
        seen[sample_id] = number
        if "question" not in row:
            raise DatasetError(f"{path}: row {number} has no 'question' column")
        image_value = next((row[c] for c in IMAGE_COLUMNS if row.get(c)), None)
        image = (root / str(image_value)) if image_value else None
        if image is not None and not image.is_file():
            raise DatasetError(
                f"{path}: row {number} (id {sample_id!r}) image {image} does not exist"
            )
        samples.append(
            Sample(
                id=sample_id,
                question=str(row["question"]),
                answer=str(row.get("answer") or ""),
                image=image,
                label=str(row["class"]) if row.get("class") not in (None, "") else None,
                question_type=str(row["question_type"])
                if row.get("question_type") not in (None, "")
                else None,
            )
        )
    if not samples:
        raise DatasetError(f"{path}: the dataset has no rows")
    return samples
