"""Run a build through a builder backend: stage local wheels, stream progress, measure.

Backend-neutral glue between the plan (``core.images``) and the builders
(``adapters.docker``): what ``release-tool docker build`` does per image.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.adapters.docker import ImageBuildError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from release_tool.adapters.docker import Builder, BuildRequest


@dataclass(frozen=True)
class BuiltImage:
    """One finished build: its tags, size, layers and how long it took."""

    variant: str
    target: str
    tags: tuple[str, ...]
    size_bytes: int
    layers: tuple[str, ...]
    seconds: float
    cached_steps: int
    steps: int


def stage_local_wheels(
    patterns: Sequence[str], wheel_dirs: Sequence[Path], dest: Path
) -> list[Path]:
    """Copy wheels matching ``patterns`` from ``wheel_dirs`` into the build context.

    The cpu variant installs torch from a local ``torch-*+cpu`` wheel (PyPI has
    no CPU build for Linux); it must sit inside the context to be mounted.
    A wheel already in ``dest`` is kept (same name, same size: not copied).
    """
    staged: list[Path] = []
    for pattern in patterns:
        present = sorted(dest.glob(pattern))
        if present:
            staged.append(present[-1])
            continue
        candidates = [path for folder in wheel_dirs for path in sorted(Path(folder).glob(pattern))]
        if not candidates:
            searched = ", ".join(str(folder) for folder in wheel_dirs) or "(no folder)"
            raise ImageBuildError(
                f"no wheel matching {pattern!r} in {searched}",
                hint="put it into docker/wheels/ or set [tool.release-tool.docker] wheel-dirs",
            )
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / candidates[-1].name
        shutil.copy2(candidates[-1], target)
        staged.append(target)
    return staged


def build_image(
    builder: Builder, request: BuildRequest, variant: str, on_line: Callable[[str], None]
) -> BuiltImage:
    """Build one image, counting steps and cache hits from the builder's output."""
    counts = {"steps": 0, "cached": 0}

    def count(line: str) -> None:
        if _STEP.search(line) and not _FROM_STEP.search(line):  # FROM is never "cached"
            counts["steps"] += 1
        if "Using cache" in line or line.endswith(" CACHED"):
            counts["cached"] += 1
        on_line(line)

    started = time.monotonic()
    builder.build(request, count)
    seconds = time.monotonic() - started
    info = builder.inspect(request.tags[0])
    return BuiltImage(
        variant=variant,
        target=request.target,
        tags=request.tags,
        size_bytes=info.size_bytes,
        layers=info.layers,
        seconds=round(seconds, 1),
        cached_steps=counts["cached"],
        steps=counts["steps"],
    )


def progress_line(line: str) -> str | None:
    """The part of a builder line worth showing as progress (a step header), else None."""
    match = _STEP.search(line)
    return " ".join(match.group(0).split())[:72] if match else None


# buildah: "[3/7] STEP 9/10: RUN ..."; buildx --progress plain: "#12 [deps 3/5] RUN ..."
_FROM_STEP = re.compile(r"STEP \d+/\d+: FROM |\] FROM ")
_STEP = re.compile(r"(\[\d+/\d+\] STEP \d+/\d+: .*|^#\d+ \[[\w.-]+ +\d+/\d+\] .*)")
