"""Quality metrics as plugins: the built-ins wrap ``bench_utils.metrics.quality``.

A metric scores a list of predictions against references (answers or class
labels) and returns one number. Packages add metrics through the
``hyperbench.metrics`` entry-point group; the built-ins are registered there
by this package's own metadata, so they are found the same way.
"""

from __future__ import annotations

import statistics
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from bench_orchestrator.registry import METRICS_GROUP, PluginRegistry
from bench_utils.metrics.quality import anls, cer, classification_scores, exact_match, wer

if TYPE_CHECKING:
    from collections.abc import Sequence


class Metric(ABC):
    """One quality metric; ``higher_is_better`` tells the report which way is better."""

    name: ClassVar[str]
    higher_is_better: ClassVar[bool] = True

    @abstractmethod
    def score(self, predictions: Sequence[str], references: Sequence[str]) -> float:
        """The metric over paired predictions and references (same length, at least one)."""


class MeanOfAnswers(Metric):
    """The mean of a per-answer score."""

    @abstractmethod
    def per_answer(self, prediction: str, reference: str) -> float:
        """The score of one answer."""

    def score(self, predictions: Sequence[str], references: Sequence[str]) -> float:
        """Mean of ``per_answer`` over the pairs."""
        pairs = zip(predictions, references, strict=True)
        return statistics.fmean(self.per_answer(p, r) for p, r in pairs)


class ExactMatch(MeanOfAnswers):
    """Share of answers equal to the reference after normalisation."""

    name = "exact_match"

    def per_answer(self, prediction: str, reference: str) -> float:
        """One answer's score."""
        return exact_match(prediction, reference)


class ANLS(MeanOfAnswers):
    """Average normalised Levenshtein similarity (DocVQA)."""

    name = "anls"

    def per_answer(self, prediction: str, reference: str) -> float:
        """One answer's score."""
        return anls(prediction, reference)


class CER(MeanOfAnswers):
    """Character error rate (lower is better)."""

    name = "cer"
    higher_is_better = False

    def per_answer(self, prediction: str, reference: str) -> float:
        """One answer's score."""
        return cer(prediction, reference)


class WER(MeanOfAnswers):
    """Word error rate (lower is better)."""

    name = "wer"
    higher_is_better = False

    def per_answer(self, prediction: str, reference: str) -> float:
        """One answer's score."""
        return wer(prediction, reference)


class Accuracy(Metric):
    """Classification accuracy of predicted labels."""

    name = "accuracy"

    def score(self, predictions: Sequence[str], references: Sequence[str]) -> float:
        """Share of predicted labels equal to the true label."""
        return classification_scores(predictions, references)["accuracy"]


class MacroF1(Metric):
    """Macro-averaged F1 over the true classes."""

    name = "macro_f1"

    def score(self, predictions: Sequence[str], references: Sequence[str]) -> float:
        """Unweighted mean of per-class F1."""
        return classification_scores(predictions, references)["macro_f1"]


metrics: PluginRegistry[Metric] = PluginRegistry(METRICS_GROUP, "metric")
