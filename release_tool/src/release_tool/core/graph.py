"""The dependency graph between workspace members: topological order, cycles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_tool.errors import DependencyCycleError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class DependencyGraph:
    """Edges ``member -> members it depends on``, all inside the workspace."""

    def __init__(self, edges: Mapping[str, Iterable[str]]) -> None:
        self._deps = {name: sorted(set(deps)) for name, deps in edges.items()}
        for deps in list(self._deps.values()):
            for dep in deps:
                self._deps.setdefault(dep, [])
        self._order = self._toposort()

    def dependencies(self, name: str) -> list[str]:
        """Members ``name`` depends on directly."""
        return list(self._deps.get(name, []))

    def dependents(self, name: str) -> list[str]:
        """Members that depend directly on ``name``."""
        return sorted(other for other, deps in self._deps.items() if name in deps)

    def transitive_dependents(self, names: Iterable[str]) -> list[str]:
        """Every member that depends on any of ``names``, directly or not, in order."""
        seen: set[str] = set()
        todo = list(names)
        while todo:
            for dependent in self.dependents(todo.pop()):
                if dependent not in seen:
                    seen.add(dependent)
                    todo.append(dependent)
        return [name for name in self._order if name in seen]

    def order(self, names: Iterable[str] | None = None) -> list[str]:
        """Topological order (dependencies first), restricted to ``names`` if given."""
        if names is None:
            return list(self._order)
        wanted = set(names)
        return [name for name in self._order if name in wanted]

    def _toposort(self) -> list[str]:
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        order: list[str] = []
        for start in sorted(self._deps):
            if state.get(start) == 2:
                continue
            stack: list[tuple[str, list[str]]] = [(start, list(self._deps[start]))]
            path = [start]
            state[start] = 1
            while stack:
                node, pending = stack[-1]
                if pending:
                    nxt = pending.pop(0)
                    if state.get(nxt) == 1:
                        cycle = [*path[path.index(nxt) :], nxt]
                        raise DependencyCycleError(cycle)
                    if state.get(nxt) != 2:
                        state[nxt] = 1
                        path.append(nxt)
                        stack.append((nxt, list(self._deps[nxt])))
                else:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    order.append(node)
        return order
