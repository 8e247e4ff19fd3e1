"""Task plugins: how a dataset's rows become requests and what each answer is scored against."""

from bench_orchestrator.tasks.base import Task, tasks

__all__ = ["Task", "tasks"]
