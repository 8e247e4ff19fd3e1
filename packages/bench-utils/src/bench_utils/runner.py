"""``hyperbench run``: answer every sample, then write answers, metrics, report, run record."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench_utils.dataset import Sample, load_dataset
from bench_utils.memory import peak_memory_mb, reset_peak
from bench_utils.runconfig import RunConfig, load_run_config
from model_interface import InferenceRequest, InferenceResponse, ModelInterfaceError, create_adapter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from model_interface import ModelAdapter


class RunError(ModelInterfaceError):
    """Answers do not line up with the dataset (a missing, extra or repeated id)."""


@dataclass
class Answer:
    """One sample's response plus the peak memory seen while its batch ran."""

    sample: Sample
    response: InferenceResponse
    peak_mem_mb: float


@dataclass
class RunRecord:
    """Everything a run produced, before it is written out."""

    answers: list[Answer]
    wall_s: float
    generate_s: float
    started_at: float
    load_s: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """Number of samples whose request failed."""
        return sum(1 for a in self.answers if not a.response.ok)

    @property
    def harness_overhead(self) -> float:
        """Time outside the model's generate calls as a share of generate time."""
        return (self.wall_s - self.generate_s) / self.generate_s if self.generate_s else 0.0


@dataclass(frozen=True)
class RunResult:
    """Where the results went and whether every sample was answered."""

    out_dir: Path
    record: RunRecord

    @property
    def ok(self) -> bool:
        """True when no request failed."""
        return self.record.failed == 0


def build_request(sample: Sample, template: str) -> InferenceRequest:
    """The request for one sample: the templated question plus its image."""
    prompt = template.format(question=sample.question, id=sample.id)
    return InferenceRequest(
        id=sample.id, prompt=prompt, images=[sample.image] if sample.image else []
    )


def join_answers(
    samples: Sequence[Sample], responses: Sequence[InferenceResponse], peaks: Sequence[float]
) -> list[Answer]:
    """Pair responses with samples by id; any missing, extra or repeated id is a ``RunError``."""
    by_id: dict[str, tuple[InferenceResponse, float]] = {}
    for response, peak in zip(responses, peaks, strict=True):
        if response.id in by_id:
            raise RunError(f"the model answered id {response.id!r} twice")
        by_id[response.id] = (response, peak)
    expected = {s.id for s in samples}
    missing = sorted(expected - by_id.keys())
    extra = sorted(by_id.keys() - expected)
    if missing or extra:
        raise RunError(
            f"answers do not match the dataset: missing {missing[:5]}, unexpected {extra[:5]}"
        )
    return [Answer(s, *by_id[s.id]) for s in samples]


def answer_samples(
    adapter: ModelAdapter,
    samples: Sequence[Sample],
    *,
    batch_size: int,
    template: str = "{question}",
    progress: bool = False,
) -> RunRecord:
    """Run every sample through ``adapter`` in batches, timing the whole and the generate calls."""
    from tqdm import tqdm

    started_at = time.time()
    responses: list[InferenceResponse] = []
    peaks: list[float] = []
    generate_s = 0.0
    start = time.perf_counter()
    with tqdm(total=len(samples), disable=not progress, unit="sample", desc="hyperbench") as bar:
        for offset in range(0, len(samples), batch_size):
            batch = samples[offset : offset + batch_size]
            reset_peak()
            batch_responses = adapter.generate([build_request(s, template) for s in batch])
            peak = peak_memory_mb()
            generate_s += max((r.generate_s or 0.0) for r in batch_responses)
            responses.extend(batch_responses)
            peaks.extend([peak] * len(batch_responses))
            bar.update(len(batch))
    wall_s = time.perf_counter() - start
    return RunRecord(join_answers(samples, responses, peaks), wall_s, generate_s, started_at)


def run_benchmark(
    config: RunConfig, *, out_dir: str | Path | None = None, progress: bool = True
) -> RunResult:
    """Load the model, answer the dataset, write answers/metrics CSVs, report.md, run.json."""
    from bench_utils.outputs import write_outputs

    samples = load_dataset(config.dataset.path, config.dataset.image_root)
    if config.dataset.limit:
        samples = samples[: config.dataset.limit]
    from bench_utils.machine import load_snapshot, thread_settings

    load_at_start = load_snapshot()
    adapter = create_adapter(config.model)
    load_start = time.perf_counter()
    adapter.load()
    load_s = time.perf_counter() - load_start
    try:
        record = answer_samples(
            adapter,
            samples,
            batch_size=config.run.batch_size or config.model.max_batch_size,
            template=config.dataset.prompt_template,
            progress=progress,
        )
    finally:
        device = adapter.info().get("device")
        adapter.close()
    record.load_s = load_s
    record.extra["device"] = device
    record.extra["machine"] = {
        "threads": thread_settings(),
        "load_at_start": load_at_start,
        "load_at_end": load_snapshot(),
    }
    target = Path(out_dir or config.run.out_dir)
    write_outputs(target, config, record)
    return RunResult(target, record)


def run_from_config(
    path: str | Path, *, out_dir: str | Path | None = None, progress: bool = True
) -> RunResult:
    """``hyperbench run CONFIG``."""
    return run_benchmark(load_run_config(path), out_dir=out_dir, progress=progress)
