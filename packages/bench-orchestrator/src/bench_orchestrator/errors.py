"""Typed errors of the orchestrator; all derive from ``model_interface.ModelInterfaceError``.

The ``hyperbench`` entry point already turns that root into ``error: ...``
and exit code 1, so the orchestrator's errors need no handler of their own.
"""

from __future__ import annotations

from model_interface import ModelInterfaceError


class ExperimentError(ModelInterfaceError):
    """Root of the orchestrator's errors."""


class ExperimentConfigError(ExperimentError):
    """The experiment config is unreadable or invalid; the message names file, key and form."""


class UnknownPluginError(ExperimentError):
    """No task or metric is registered under the requested name."""

    def __init__(self, kind: str, wanted: str, available: list[str]) -> None:
        self.wanted = wanted
        listed = ", ".join(available) if available else "none"
        super().__init__(f"unknown {kind} {wanted!r}; available: {listed}")


class DuplicatePluginError(ExperimentError):
    """Two distributions register the same task or metric name."""

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        self.name = name
        super().__init__(
            f"{kind} name {name!r} is registered by both {first} and {second}; "
            "rename one of the entry points"
        )


class DataError(ExperimentError):
    """A dataset or output location cannot be read, written or verified."""


class EnvironmentSetupError(ExperimentError):
    """An environment manager could not set up, start or reach a model's environment."""
