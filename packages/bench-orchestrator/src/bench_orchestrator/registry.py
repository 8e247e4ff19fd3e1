"""Plugin registries read from entry points: ``hyperbench.tasks`` and ``hyperbench.metrics``.

Like the adapter registry of model-interface, entry points are listed
without importing them and loaded on first use. Unlike it, the registry
checks every distribution's names up front: two distributions that publish
the same name is an error naming both, never a silent winner.
"""

from __future__ import annotations

from importlib import metadata
from typing import Generic, TypeVar

from bench_orchestrator.errors import DuplicatePluginError, UnknownPluginError

T = TypeVar("T")

TASKS_GROUP = "hyperbench.tasks"
METRICS_GROUP = "hyperbench.metrics"


def _distribution(entry: metadata.EntryPoint) -> str:
    dist = entry.dist
    return f"{dist.name} {dist.version}" if dist is not None else entry.value


class PluginRegistry(Generic[T]):
    """Names to plugin classes of one entry-point group (plus classes registered in code)."""

    def __init__(self, group: str, kind: str) -> None:
        self.group = group
        self.kind = kind
        self._classes: dict[str, type[T]] = {}
        self._origin: dict[str, str] = {}

    def _entry_points(self) -> dict[str, metadata.EntryPoint]:
        found: dict[str, metadata.EntryPoint] = {}
        for entry in metadata.entry_points(group=self.group):
            previous = found.get(entry.name)
            if previous is not None and _distribution(previous) != _distribution(entry):
                raise DuplicatePluginError(
                    self.kind, entry.name, _distribution(previous), _distribution(entry)
                )
            found[entry.name] = entry
        return found

    def register(self, cls: type[T]) -> type[T]:
        """Add an in-code ``cls`` under its ``name``; a name already taken is an error."""
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise TypeError(f"{cls.__qualname__} needs a non-empty class attribute 'name'")
        origin = f"{cls.__module__}.{cls.__qualname__}"
        entry = self._entry_points().get(name)
        if name in self._origin and self._classes[name] is not cls:
            raise DuplicatePluginError(self.kind, name, self._origin[name], origin)
        if entry is not None and name not in self._classes:
            raise DuplicatePluginError(self.kind, name, _distribution(entry), origin)
        self._classes[name] = cls
        self._origin.setdefault(name, origin)
        return cls

    def names(self) -> list[str]:
        """Every known name, without importing any plugin."""
        return sorted(set(self._classes) | set(self._entry_points()))

    def get(self, name: str) -> type[T]:
        """The class registered as ``name``; ``UnknownPluginError`` lists the known ones."""
        if name in self._classes:
            return self._classes[name]
        entry = self._entry_points().get(name)
        if entry is None:
            raise UnknownPluginError(self.kind, name, self.names())
        cls = entry.load()
        if getattr(cls, "name", None) != name:
            raise TypeError(f"entry point {name!r} loads {cls!r} whose name is not {name!r}")
        self._classes[name] = cls
        self._origin[name] = _distribution(entry)
        return cls
