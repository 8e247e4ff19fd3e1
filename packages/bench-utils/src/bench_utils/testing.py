"""Helpers for tests and benchmarks: images, data URIs, sample datasets and run configs."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A small solid-colour PNG image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """A base64 ``data:`` URI for ``data``, as OpenAI clients send images."""
    return f"data:{mime};base64," + base64.b64encode(data).decode()


COLOURS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220)}


def make_sample_dataset(folder: Path, count: int = 6, *, fmt: str = "csv") -> Path:
    """Write ``count`` coloured PNGs and a dataset file (id, image, question, answer, class, type).

    Returns the dataset file; images live in ``folder/images``.
    """
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    names = list(COLOURS)
    rows = []
    for index in range(count):
        colour = names[index % len(names)]
        (images / f"{index}.png").write_bytes(png_bytes((48 + 8 * index, 40), COLOURS[colour]))
        rows.append(
            {
                "id": f"s{index:03d}",
                "image": f"images/{index}.png",
                "question": "Which colour is the image?",
                "answer": colour,
                "class": colour,
                "question_type": "colour" if index % 2 == 0 else "color",
            }
        )
    if fmt == "jsonl":
        path = folder / "dataset.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    else:
        path = folder / "dataset.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return path


def write_run_config(
    folder: Path, model_config: Path, dataset: Path, *, batch_size: int = 2
) -> Path:
    """A ``hyperbench run`` config pointing at a model config file and a dataset."""
    path = folder / "run.toml"
    path.write_text(
        f'model = "{model_config}"\n\n[dataset]\npath = "{dataset}"\n\n'
        f'[run]\nout_dir = "out"\nbatch_size = {batch_size}\nname = "smoke"\n',
        encoding="utf-8",
    )
    return path
