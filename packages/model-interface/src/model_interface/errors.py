"""Typed errors of the model interface; every one derives from ``ModelInterfaceError``."""

from __future__ import annotations


class ModelInterfaceError(Exception):
    """Root of the errors raised by model-interface and the adapters built on it."""


class ModelConfigError(ModelInterfaceError):
    """A model config file is missing, unreadable or invalid."""


class InvalidRequestError(ModelInterfaceError):
    """A request cannot be served as given (bad image, empty prompt, bad parameter)."""


class UnknownAdapterError(ModelInterfaceError):
    """No adapter is registered under the requested name or family/backend pair."""

    def __init__(self, wanted: str, available: list[str]) -> None:
        self.wanted = wanted
        self.available = available
        listed = ", ".join(available) if available else "none"
        super().__init__(f"unknown model adapter {wanted!r}; available: {listed}")


class DuplicateAdapterError(ModelInterfaceError):
    """Two adapter classes claim the same registry name."""

    def __init__(self, name: str, existing: str, new: str) -> None:
        self.name = name
        super().__init__(
            f"adapter name {name!r} is already registered by {existing}; {new} cannot take it"
        )


class AdapterNotLoadedError(ModelInterfaceError):
    """``generate`` or ``stream`` was called before ``load()`` or after ``close()``."""
