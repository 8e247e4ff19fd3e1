"""Task and metric registries: entry points, unknown names, duplicates naming both distributions."""

from __future__ import annotations

import importlib.metadata
import sys
from typing import TYPE_CHECKING

import pytest

from bench_orchestrator.errors import DuplicatePluginError, UnknownPluginError
from bench_orchestrator.metrics import ExactMatch, Metric, metrics
from bench_orchestrator.registry import METRICS_GROUP, PluginRegistry
from bench_orchestrator.tasks import tasks
from bench_orchestrator.tasks.builtin import ClassificationTask, VQATask

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path


def test_builtin_metrics_and_tasks_come_from_entry_points() -> None:
    assert {"exact_match", "anls", "cer", "wer", "accuracy", "macro_f1"} <= set(metrics.names())
    assert metrics.get("exact_match") is ExactMatch
    assert tasks.get("vqa") is VQATask and tasks.get("classification") is ClassificationTask


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPluginError, match=r"unknown metric 'bleu'; available: .*anls"):
        metrics.get("bleu")


@pytest.fixture
def rival_distribution(tmp_path: Path) -> Iterator[Path]:
    """An installed distribution (dist-info on sys.path) that also registers ``exact_match``."""
    info = tmp_path / "rival_metrics-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rival-metrics\nVersion: 2.0\n")
    (info / "entry_points.txt").write_text(
        "[hyperbench.metrics]\nexact_match = rival_metrics:Exact\nrival_bleu = rival_metrics:Bleu\n"
    )
    (tmp_path / "rival_metrics.py").write_text(
        "from bench_orchestrator.metrics import Metric\n"
        "class Bleu(Metric):\n    name = 'rival_bleu'\n"
        "    def score(self, p, r):\n        return 0.5\n"
    )
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("rival_metrics", None)


def test_duplicate_name_across_distributions_names_both(rival_distribution: Path) -> None:
    fresh: PluginRegistry[Metric] = PluginRegistry(METRICS_GROUP, "metric")
    with pytest.raises(DuplicatePluginError) as caught:
        fresh.get("anls")
    message = str(caught.value)
    assert "metric name 'exact_match' is registered by both" in message
    installed = importlib.metadata.version("bench-orchestrator")  # the version a release set
    assert f"bench-orchestrator {installed}" in message and "rival-metrics 2.0" in message


def test_a_third_party_metric_is_found_through_its_entry_point(tmp_path: Path) -> None:
    info = tmp_path / "extra_metrics-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extra-metrics\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[hyperbench.metrics]\nlength_ratio = extra_metrics:LR\n"
    )
    (tmp_path / "extra_metrics.py").write_text(
        "from bench_orchestrator.metrics import Metric\n"
        "class LR(Metric):\n    name = 'length_ratio'\n    higher_is_better = False\n"
        "    def score(self, p, r):\n        return sum(map(len, p)) / sum(map(len, r))\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        fresh: PluginRegistry[Metric] = PluginRegistry(METRICS_GROUP, "metric")
        metric = fresh.get("length_ratio")()
        assert metric.score(["ab", "c"], ["abc", "def"]) == 0.5
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("extra_metrics", None)


def test_registering_a_taken_name_in_code_names_both() -> None:
    class Shadow(Metric):
        name = "anls"

        def score(self, predictions: Sequence[str], references: Sequence[str]) -> float:
            return 0.0

    fresh: PluginRegistry[Metric] = PluginRegistry(METRICS_GROUP, "metric")
    with pytest.raises(
        DuplicatePluginError,
        match=r"'anls' is registered by both bench-orchestrator .* and .*Shadow",
    ):
        fresh.register(Shadow)
