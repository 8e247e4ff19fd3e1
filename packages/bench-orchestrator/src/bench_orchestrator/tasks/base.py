"""The task ABC and its registry (entry-point group ``hyperbench.tasks``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from bench_orchestrator.registry import TASKS_GROUP, PluginRegistry
from model_interface import GenerationParams, InferenceRequest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench_orchestrator.config import TaskSpec
    from bench_utils.dataset import Sample


class Task(ABC):
    """Turns samples into requests (the prompt strategy) and names the reference of each.

    ``default_prompt`` is a ``str.format`` template over the sample's fields;
    a task config's ``prompt`` replaces it. ``default_metrics`` apply when the
    task config lists none.
    """

    name: ClassVar[str]
    default_prompt: ClassVar[str] = "{question}"
    default_metrics: ClassVar[tuple[str, ...]] = ("exact_match",)

    def __init__(self, spec: TaskSpec, samples: Sequence[Sample]) -> None:
        self.spec = spec
        self.samples = samples

    @property
    def metric_names(self) -> list[str]:
        """The metrics this task is scored with."""
        return list(self.spec.metrics or self.default_metrics)

    def prompt_fields(self, sample: Sample) -> dict[str, str]:
        """Values the prompt template may use."""
        return {"question": sample.question, "id": sample.id}

    def request(self, sample: Sample) -> InferenceRequest:
        """The request for one sample: the templated prompt plus its image."""
        template = self.spec.prompt or self.default_prompt
        params = (
            GenerationParams(max_new_tokens=self.spec.max_new_tokens)
            if self.spec.max_new_tokens
            else None
        )
        return InferenceRequest(
            id=sample.id,
            prompt=template.format(**self.prompt_fields(sample)),
            images=[sample.image] if sample.image else [],
            params=params,
        )

    @abstractmethod
    def reference(self, sample: Sample) -> str:
        """What an answer to ``sample`` is compared with."""


tasks: PluginRegistry[Task] = PluginRegistry(TASKS_GROUP, "task")
