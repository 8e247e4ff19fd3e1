"""The adapter registry: a decorator for in-tree classes plus lazily loaded entry points.

Packages publish adapters in the ``hyperbench.adapters`` entry-point group
(``name = "module:Class"``). Entry points are read on the first lookup that
misses, and only the matching one is imported, so listing names never
imports a backend.
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, TypeVar

from model_interface.errors import DuplicateAdapterError, UnknownAdapterError

if TYPE_CHECKING:
    from model_interface.adapter import ModelAdapter
    from model_interface.config import ModelConfig

ENTRY_POINT_GROUP = "hyperbench.adapters"

AdapterT = TypeVar("AdapterT", bound="type[ModelAdapter]")


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class AdapterRegistry:
    """Maps adapter names to classes; rejects duplicate names naming both classes."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self.group = group
        self._classes: dict[str, type[ModelAdapter]] = {}

    def register(self, cls: AdapterT) -> AdapterT:
        """Add ``cls`` under ``cls.name``; usable as a class decorator."""
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise TypeError(f"{_qualname(cls)} needs a non-empty class attribute 'name'")
        existing = self._classes.get(name)
        if existing is not None and existing is not cls:
            raise DuplicateAdapterError(name, _qualname(existing), _qualname(cls))
        self._classes[name] = cls
        return cls

    def _entry_points(self) -> dict[str, metadata.EntryPoint]:
        return {ep.name: ep for ep in metadata.entry_points(group=self.group)}

    def names(self) -> list[str]:
        """Every known adapter name: registered classes and not yet loaded entry points."""
        return sorted(set(self._classes) | set(self._entry_points()))

    def get(self, name: str) -> type[ModelAdapter]:
        """Return the class named ``name``, importing its entry point if needed."""
        if name in self._classes:
            return self._classes[name]
        entry = self._entry_points().get(name)
        if entry is None:
            raise UnknownAdapterError(name, self.names())
        cls = entry.load()
        if getattr(cls, "name", None) != name:
            raise TypeError(
                f"entry point {name!r} loads {_qualname(cls)} whose name is {cls.name!r}"
            )
        return self.register(cls)

    def load_all(self) -> list[type[ModelAdapter]]:
        """Import every entry point and return all classes (for listing backends and families)."""
        return [self.get(name) for name in self.names()]

    def for_config(self, config: ModelConfig) -> type[ModelAdapter]:
        """Pick the adapter for a model config: its explicit ``adapter`` or family + backend.

        An adapter with no ``families`` (a remote endpoint) serves any family of its backend.
        """
        if config.adapter:
            return self.get(config.adapter)
        for cls in self.load_all():
            if cls.backend == config.backend and (
                config.family in cls.families or not cls.families
            ):
                return cls
        raise UnknownAdapterError(f"{config.family}/{config.backend}", self.names())


registry = AdapterRegistry()
register_adapter = registry.register


def create_adapter(config: ModelConfig) -> ModelAdapter:
    """Instantiate (not load) the adapter that serves ``config``."""
    return registry.for_config(config)(config)
