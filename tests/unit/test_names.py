"""``core.names`` agrees with packaging, which it stands in for on the read path."""

from __future__ import annotations

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release_tool.core.names import canonical_name, requirement_name

NAMES = ["pkg", "Pkg_A", "a.b-c__d", "X--Y..z", "model-qwen-vl", "A1", "z_9.Q"]
REQUIREMENTS = [
    "pkg-000",
    "Bench_Utils",
    "bench-utils[serve]>=0.3,<0.4",
    "model-qwen-vl @ git+https://github.com/org/m.git@v0.1.0",
    "numpy>=1.26; python_version >= '3.11'",
    "  spaced.name  ",
    "torch==2.13.0+cpu",
]


@pytest.mark.parametrize("name", NAMES)
def test_canonical_name_is_pep_503(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)


@pytest.mark.parametrize("requirement", REQUIREMENTS)
def test_requirement_name_matches_packaging(requirement: str) -> None:
    assert requirement_name(requirement) == canonicalize_name(Requirement(requirement).name)


@pytest.mark.parametrize("bad", ["", "-pkg", "pkg-", "pkg >= ", "pkg[", "näme"])
def test_invalid_requirements_raise_like_packaging(bad: str) -> None:
    with pytest.raises(InvalidRequirement):
        Requirement(bad)
    with pytest.raises(ValueError):
        requirement_name(bad)
