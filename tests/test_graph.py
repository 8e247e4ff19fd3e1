from __future__ import annotations

import pytest

from release_tool.core.graph import DependencyGraph
from release_tool.errors import DependencyCycleError


def test_order_puts_dependencies_first_and_is_deterministic() -> None:
    graph = DependencyGraph({"app": ["lib", "utils"], "lib": ["utils"], "utils": [], "zeta": []})
    assert graph.order() == ["utils", "lib", "app", "zeta"]
    assert graph.order(["app", "utils"]) == ["utils", "app"]
    assert graph.dependents("utils") == ["app", "lib"]
    assert graph.transitive_dependents(["utils"]) == ["lib", "app"]


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({"a": ["a"]}, ["a", "a"]),
        ({"a": ["b"], "b": ["a"]}, ["a", "b", "a"]),
        ({"x": ["y"], "y": ["z"], "z": ["y"]}, ["y", "z", "y"]),
    ],
)
def test_cycle_is_named(edges: dict[str, list[str]], cycle: list[str]) -> None:
    with pytest.raises(DependencyCycleError) as info:
        DependencyGraph(edges)
    assert info.value.cycle == cycle
