"""Answer-quality metrics: exact match, ANLS, CER/WER and classification accuracy / macro F1.

Answers and references are normalised (case folded, whitespace collapsed,
surrounding punctuation stripped) before comparison, as the original
benchmark scripts did.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

ANLS_THRESHOLD = 0.5
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, collapse whitespace, strip surrounding punctuation and spaces."""
    return _SPACES.sub(" ", text.casefold()).strip().strip(string.punctuation + " ")


def edit_distance(a: Sequence[object], b: Sequence[object]) -> int:
    """Levenshtein distance between two sequences (characters or words)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, item_a in enumerate(a, start=1):
        current = [i]
        for j, item_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (item_a != item_b))
            )
        previous = current
    return previous[-1]


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when the normalised strings are equal."""
    return float(normalize(prediction) == normalize(reference))


def anls(prediction: str, reference: str, threshold: float = ANLS_THRESHOLD) -> float:
    """Normalised Levenshtein similarity, zeroed below ``threshold`` (DocVQA's ANLS)."""
    pred, ref = normalize(prediction), normalize(reference)
    if not pred and not ref:
        return 1.0
    similarity = 1 - edit_distance(pred, ref) / max(len(pred), len(ref))
    return similarity if similarity >= threshold else 0.0


def cer(prediction: str, reference: str) -> float:
    """Character error rate: edits over reference length (may exceed 1)."""
    pred, ref = normalize(prediction), normalize(reference)
    return edit_distance(pred, ref) / max(len(ref), 1)


def wer(prediction: str, reference: str) -> float:
    """Word error rate: word edits over reference word count (may exceed 1)."""
    pred, ref = normalize(prediction).split(), normalize(reference).split()
    return edit_distance(pred, ref) / max(len(ref), 1)


def classification_scores(predictions: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro F1 of normalised predicted labels against true labels."""
    preds = [normalize(p) for p in predictions]
    truth = [normalize(t) for t in labels]
    if not truth:
        return {}
    accuracy = sum(p == t for p, t in zip(preds, truth, strict=True)) / len(truth)
    true_positive: Counter[str] = Counter()
    predicted: Counter[str] = Counter(preds)
    actual: Counter[str] = Counter(truth)
    for p, t in zip(preds, truth, strict=True):
        if p == t:
            true_positive[t] += 1
    f1s = []
    for label in actual:
        precision = true_positive[label] / predicted[label] if predicted[label] else 0.0
        recall = true_positive[label] / actual[label]
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {"accuracy": accuracy, "macro_f1": sum(f1s) / len(f1s)}


PER_ANSWER_METRICS = {"exact_match": exact_match, "anls": anls, "cer": cer, "wer": wer}
