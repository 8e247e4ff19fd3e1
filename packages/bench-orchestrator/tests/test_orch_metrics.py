"""Built-in metrics as plugins agree with bench_utils' definitions; tasks build requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_orchestrator.config import TaskSpec
from bench_orchestrator.metrics import metrics
from bench_orchestrator.stages.answers import answers_csv
from bench_orchestrator.stages.evaluate import evaluate, read_metrics
from bench_orchestrator.tasks.builtin import ClassificationTask, VQATask
from bench_utils.dataset import Sample
from model_interface import InferenceResponse


@pytest.mark.parametrize(
    ("name", "predictions", "references", "expected"),
    [
        ("exact_match", ["Red.", "blue"], ["red", "green"], 0.5),
        ("anls", ["invoice", "x"], ["invoice", "total"], 0.5),
        ("cer", ["abcd"], ["abce"], 0.25),
        ("wer", ["a b c d"], ["a b c e"], 0.25),
        ("accuracy", ["red", "red", "blue"], ["red", "blue", "blue"], 2 / 3),
        ("macro_f1", ["red", "red", "blue"], ["red", "blue", "blue"], (2 / 3 + 2 / 3) / 2),
    ],
)
def test_metric_values(name: str, predictions: list, references: list, expected: float) -> None:
    assert metrics.get(name)().score(predictions, references) == pytest.approx(expected)


def test_lower_is_better_only_for_error_rates() -> None:
    better = {name: metrics.get(name).higher_is_better for name in metrics.names()}
    assert better == {
        "accuracy": True,
        "anls": True,
        "cer": False,
        "exact_match": True,
        "macro_f1": True,
        "wer": False,
    }


SAMPLES = [
    Sample("a", "Colour?", "red", Path("a.png"), label="red", question_type="colour"),
    Sample("b", "Colour?", "blue", None, label="blue", question_type="colour"),
    Sample("c", "Colour?", "blue", None, label="blue", question_type="color"),
]


def test_tasks_template_prompts_and_pick_references() -> None:
    vqa = VQATask(TaskSpec(dataset="d", prompt="Q: {question} ({id})"), SAMPLES)
    request = vqa.request(SAMPLES[0])
    assert request.prompt == "Q: Colour? (a)" and request.images == [Path("a.png")]
    assert request.params is None
    cls = ClassificationTask(TaskSpec(dataset="d", max_new_tokens=3), SAMPLES)
    request = cls.request(SAMPLES[1])
    assert request.prompt == "Colour? Answer with one of: blue, red."
    assert request.params is not None and request.params.max_new_tokens == 3
    assert cls.metric_names == ["accuracy", "macro_f1"] and vqa.metric_names == [
        "exact_match",
        "anls",
    ]


def test_evaluate_rescores_answers_per_group_and_counts_errors_as_empty() -> None:
    responses = [
        InferenceResponse(id="a", text="Red", completion_tokens=1),
        InferenceResponse(id="b", text="blue", completion_tokens=1),
        InferenceResponse(id="c", finish_reason="error", error="HTTP 500"),
    ]
    task = VQATask(TaskSpec(dataset="d", metrics=["exact_match", "accuracy"]), SAMPLES)
    rows = read_metrics(evaluate(task, answers_csv(responses), None))
    values = {(r.metric, r.aggregator, r.group): r.value for r in rows}
    assert values[("exact_match", "mean", "all")] == pytest.approx(2 / 3)
    assert values[("exact_match", "mean", "question_type=color")] == 0.0
    assert values[("exact_match", "mean", "class=red")] == 1.0
    assert values[("accuracy", "value", "all")] == pytest.approx(2 / 3)


def test_evaluate_refuses_answers_missing_dataset_ids() -> None:
    from bench_orchestrator.errors import ExperimentError

    task = VQATask(TaskSpec(dataset="d"), SAMPLES)
    partial = answers_csv([InferenceResponse(id="a", text="red")])
    with pytest.raises(ExperimentError, match="lacks 2 dataset ids"):
        evaluate(task, partial, None)
