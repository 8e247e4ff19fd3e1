from __future__ import annotations

import pytest

from release_tool.core.graph import DependencyGraph, Edge, EdgeKind


def test_order_puts_dependencies_first_and_is_deterministic() -> None:
    graph = DependencyGraph({"app": ["lib", "utils"], "lib": ["utils"], "utils": [], "zeta": []})
    assert graph.order() == ["utils", "lib", "app", "zeta"]
    assert graph.order(["app", "utils"]) == ["utils", "app"]
    assert graph.dependents("utils") == ["app", "lib"]
    assert graph.transitive_dependents(["utils"]) == ["lib", "app"]


@pytest.mark.parametrize(
    ("edges", "groups", "order"),
    [
        ({"a": ["a"]}, [("a",)], ["a"]),
        ({"a": ["b"], "b": ["a"]}, [("a", "b")], ["a", "b"]),
        ({"x": ["y"], "y": ["z"], "z": ["y"]}, [("y", "z")], ["y", "z", "x"]),
        (
            {"app": ["b"], "b": ["c"], "c": ["b", "lib"], "lib": []},
            [("b", "c")],
            ["lib", "b", "c", "app"],
        ),
    ],
)
def test_runtime_cycle_is_one_release_group(
    edges: dict[str, list[str]], groups: list[tuple[str, ...]], order: list[str]
) -> None:
    graph = DependencyGraph(edges)
    assert graph.groups() == groups
    assert graph.order() == order
    for group in groups:
        for name in group:
            assert graph.group_of(name) == group


def test_extra_and_dev_edges_never_order_nor_fail() -> None:
    typed = [
        Edge("core", "test-utils", EdgeKind.DEV, "test"),
        Edge("test-utils", "core", EdgeKind.RUNTIME),
        Edge("framework", "plugin", EdgeKind.EXTRA, "plugins"),
        Edge("plugin", "framework", EdgeKind.RUNTIME),
    ]
    graph = DependencyGraph(typed=typed)
    assert graph.groups() == []
    assert graph.order() == ["core", "framework", "plugin", "test-utils"]
    assert graph.dependencies("core") == []
    assert graph.dependents("core") == ["test-utils"]
    assert graph.cycles(EdgeKind.DEV) == [("core", "test-utils")]
    assert graph.cycles(EdgeKind.EXTRA) == [("framework", "plugin")]
    assert [e.kind for e in graph.edges("core")] == [EdgeKind.DEV]
