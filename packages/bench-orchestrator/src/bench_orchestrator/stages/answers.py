"""answers.csv, the file between infer and evaluate (the same columns ``hyperbench run`` writes)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench_utils.metrics.perf import response_metrics
from bench_utils.outputs import ANSWER_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from model_interface import InferenceResponse


@dataclass(frozen=True)
class AnswerRow:
    """One answered sample as evaluate reads it back."""

    id: str
    answer: str
    error: str


def answers_csv(responses: Sequence[InferenceResponse]) -> str:
    """The CSV text for responses in dataset order (peak memory is the server's: left empty)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ANSWER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for response in responses:
        writer.writerow(
            {
                "id": response.id,
                "answer": response.text,
                **response_metrics(response),
                "peak_mem_mb": "",
                "finish_reason": response.finish_reason,
                "error": response.error or "",
            }
        )
    return buffer.getvalue()


def read_answers(text: str) -> list[AnswerRow]:
    """Parse answers.csv text (from this orchestrator or from ``hyperbench run``)."""
    return [
        AnswerRow(id=row["id"], answer=row.get("answer") or "", error=row.get("error") or "")
        for row in csv.DictReader(io.StringIO(text))
    ]
