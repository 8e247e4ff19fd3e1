"""Comparison plots for the report: one grouped bar chart per quality metric (matplotlib)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def bar_chart_png(
    metric: str, models: Sequence[str], tasks: Sequence[str], values: dict[tuple[str, str], float]
) -> bytes:
    """PNG bytes of ``metric`` per task (x groups) and model (bars); missing cells are gaps."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1.6 + 1.4 * len(tasks), 3.2), dpi=100)
    axes = figure.subplots()
    width = 0.8 / max(len(models), 1)
    for index, model in enumerate(models):
        xs = [t + index * width for t in range(len(tasks)) if (model, tasks[t]) in values]
        ys = [values[(model, task)] for task in tasks if (model, task) in values]
        axes.bar(xs, ys, width=width, label=model)
    axes.set_xticks([t + width * (len(models) - 1) / 2 for t in range(len(tasks))], list(tasks))
    axes.set_title(metric)
    axes.legend(fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
