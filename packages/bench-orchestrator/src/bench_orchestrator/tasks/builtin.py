"""Built-in tasks: free-form visual question answering and image classification."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench_orchestrator.tasks.base import Task

if TYPE_CHECKING:
    from bench_utils.dataset import Sample


class VQATask(Task):
    """Answer the question about the image; scored against the ``answer`` column."""

    name = "vqa"
    default_metrics = ("exact_match", "anls")

    def reference(self, sample: Sample) -> str:
        """The reference answer."""
        return sample.answer


class ClassificationTask(Task):
    """Name the image's class; the prompt lists the classes seen in the dataset."""

    name = "classification"
    default_prompt = "{question} Answer with one of: {classes}."
    default_metrics = ("accuracy", "macro_f1")

    def prompt_fields(self, sample: Sample) -> dict[str, str]:
        """The question plus ``classes``: every label of the dataset, sorted."""
        labels = sorted({s.label or s.answer for s in self.samples})
        return {**super().prompt_fields(sample), "classes": ", ".join(labels)}

    def reference(self, sample: Sample) -> str:
        """The class label (the ``class`` column, else the answer)."""
        return sample.label or sample.answer
