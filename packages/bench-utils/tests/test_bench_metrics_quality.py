from __future__ import annotations

import pytest

from bench_utils.metrics.quality import (
    anls,
    cer,
    classification_scores,
    edit_distance,
    exact_match,
    normalize,
    wer,
)


def test_normalize_folds_case_space_and_edge_punctuation() -> None:
    assert normalize("  The  Cat.\n") == "the cat"


def test_exact_match_uses_normalized_text() -> None:
    assert exact_match("Red.", "red") == 1.0
    assert exact_match("reddish", "red") == 0.0


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance(["a", "b"], ["a", "c", "b"]) == 1


def test_anls_applies_the_threshold() -> None:
    assert anls("invoice", "invoice") == 1.0
    assert anls("invoce", "invoice") == pytest.approx(1 - 1 / 7)
    assert anls("xyz", "invoice") == 0.0
    assert anls("", "") == 1.0


def test_cer_and_wer() -> None:
    assert cer("abd", "abc") == pytest.approx(1 / 3)
    assert wer("the red cat", "the cat") == pytest.approx(0.5)
    assert wer("", "two words") == 1.0


def test_classification_accuracy_and_macro_f1() -> None:
    scores = classification_scores(["cat", "dog", "cat", "cat"], ["cat", "dog", "dog", "cat"])
    assert scores["accuracy"] == 0.75
    # cat: P=2/3 R=1 F1=0.8; dog: P=1 R=1/2 F1=2/3
    assert scores["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert classification_scores([], []) == {}
