"""The dependency graph between workspace members, by edge kind.

Three kinds of edges, as uv reads them: ``runtime`` (``[project].dependencies``),
``extra`` (``[project.optional-dependencies]``) and ``dev`` (``[dependency-groups]``).
Only runtime edges order releases: a member must be released after what it
needs at run time. Extra and dev-group edges are kept for display; a cycle
through them is normal (a test-utils group depending back on core, a plugin
extra naming its framework) and never an error.

A cycle of runtime edges is legal for uv too; it cannot be ordered, so its
members form one **release group**: they are ordered together (by name) and
released together. Nothing here raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class EdgeKind(StrEnum):
    """Where a requirement on another member is declared."""

    RUNTIME = "runtime"
    EXTRA = "extra"
    DEV = "dev"


@dataclass(frozen=True)
class Edge:
    """``source`` requires ``target``; ``via`` names the extra or dependency group."""

    source: str
    target: str
    kind: EdgeKind
    via: str | None = None


class DependencyGraph:
    """Edges ``member -> members it depends on``, all inside the workspace.

    ``edges`` are runtime edges by name (the short form); ``typed`` adds edges
    of any kind. ``order`` is a topological order of runtime edges with each
    release group (a runtime cycle) kept together.
    """

    def __init__(
        self, edges: Mapping[str, Iterable[str]] | None = None, *, typed: Iterable[Edge] = ()
    ) -> None:
        all_edges: dict[tuple[str, str, EdgeKind, str | None], Edge] = {}
        nodes: set[str] = set()
        for source, targets in (edges or {}).items():
            nodes.add(source)
            for target in targets:
                edge = Edge(source, target, EdgeKind.RUNTIME)
                all_edges[(source, target, edge.kind, None)] = edge
        for edge in typed:
            all_edges[(edge.source, edge.target, edge.kind, edge.via)] = edge
        self._edges = sorted(
            all_edges.values(), key=lambda e: (e.source, e.target, e.kind, e.via or "")
        )
        for edge in self._edges:
            nodes.update((edge.source, edge.target))
        self._deps: dict[str, list[str]] = {name: [] for name in sorted(nodes)}
        for edge in self._edges:
            if edge.kind is EdgeKind.RUNTIME and edge.target not in self._deps[edge.source]:
                self._deps[edge.source].append(edge.target)
        self._components = _strongly_connected(self._deps)
        self._order = [name for component in self._components for name in component]
        self._group_of = {
            name: component
            for component in self._components
            if len(component) > 1 or component[0] in self._deps[component[0]]
            for name in component
        }

    def edges(self, name: str | None = None) -> list[Edge]:
        """Every edge (of ``name`` as the source, if given), all kinds."""
        return [e for e in self._edges if name is None or e.source == name]

    def dependencies(self, name: str) -> list[str]:
        """Members ``name`` depends on directly at run time."""
        return list(self._deps.get(name, []))

    def dependents(self, name: str) -> list[str]:
        """Members that depend directly on ``name`` at run time."""
        return sorted(other for other, deps in self._deps.items() if name in deps)

    def transitive_dependents(self, names: Iterable[str]) -> list[str]:
        """Every member that depends on any of ``names`` at run time, directly or not, in order."""
        seen: set[str] = set()
        todo = list(names)
        while todo:
            for dependent in self.dependents(todo.pop()):
                if dependent not in seen:
                    seen.add(dependent)
                    todo.append(dependent)
        return [name for name in self._order if name in seen]

    def order(self, names: Iterable[str] | None = None) -> list[str]:
        """Release order (runtime dependencies first), restricted to ``names`` if given."""
        if names is None:
            return list(self._order)
        wanted = set(names)
        return [name for name in self._order if name in wanted]

    def groups(self) -> list[tuple[str, ...]]:
        """Release groups: members bound by a runtime cycle, each group once, in order."""
        seen: list[tuple[str, ...]] = []
        for group in self._group_of.values():
            if group not in seen:
                seen.append(group)
        return [g for g in self._components if g in seen]

    def group_of(self, name: str) -> tuple[str, ...] | None:
        """The release group ``name`` belongs to, or None when it is in no runtime cycle."""
        return self._group_of.get(name)

    def cycles(self, kind: EdgeKind) -> list[tuple[str, ...]]:
        """Cycles that need an edge of ``kind`` (runtime: the release groups)."""
        if kind is EdgeKind.RUNTIME:
            return self.groups()
        deps: dict[str, list[str]] = {name: [] for name in self._deps}
        for edge in self._edges:
            if edge.kind in (EdgeKind.RUNTIME, kind) and edge.target not in deps[edge.source]:
                deps[edge.source].append(edge.target)
        runtime = set(self.groups())
        return [
            component
            for component in _strongly_connected(deps)
            if (len(component) > 1 or component[0] in deps[component[0]])
            and component not in runtime
        ]


def _strongly_connected(deps: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """Tarjan's components, dependencies first; start nodes and neighbours in name order.

    On an acyclic graph this is the depth-first post-order, so the order of
    members without cycles is the one the tool always used.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[tuple[str, ...]] = []
    for start in sorted(deps):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = sorted(deps[node])
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(tuple(sorted(component)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out
