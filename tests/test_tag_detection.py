"""Tag-scheme detection reads a literal the same way as searching it for every spelling.

``_TagReader.spelled_in`` looks a literal's words up in an index when there
are many spellings (a monorepo); the reference here is the plain search (used
for a few): for each spelling, longest first, its last occurrence that is not
inside a longer word.
"""

from __future__ import annotations

import random

import pytest

from release_tool.core import tag_schemes
from release_tool.core.tag_schemes import _TagReader

# each test runs once through the index of words and once through the plain search
both_ways = pytest.mark.parametrize("scan_up_to", [0, 1000], ids=["index", "search"])


def word_at(literal: str, text: str) -> int:
    at = literal.rfind(text)
    while at >= 0:
        before = literal[at - 1] if at else ""
        rest = literal[at + len(text) :]
        if not before.isalnum() and (not rest[:1].isalnum() or rest == "v"):
            return at
        at = literal.rfind(text, 0, at + len(text) - 1)
    return -1


def reference(literal: str, spellings: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    for text, placeholder, owner in spellings:
        at = word_at(literal, text)
        if at >= 0:
            return owner, f"{literal[:at]}{{{placeholder}}}{literal[at + len(text) :]}{{version}}"
    return None


def spellings_of(names: list[str], prefix: str) -> list[tuple[str, str, str]]:
    out = [(name, "name", name) for name in names]
    out += [(n[len(prefix) :], "short", n) for n in names if n.startswith(prefix) and n != prefix]
    return sorted(out, key=lambda s: (-len(s[0]), s[1]))


@both_ways
def test_known_literals(scan_up_to: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tag_schemes, "_SCAN_UP_TO", scan_up_to)
    spellings = spellings_of(["core", "autogen-core", "score", "lib-core", "v"], "lib-")
    reader = _TagReader(spellings)
    cases = {
        "autogen-core-v": ("autogen-core", "{name}-v{version}"),
        "score-v": ("score", "{name}-v{version}"),
        "lib-core@": ("lib-core", "{name}@{version}"),
        "core/core-v": ("core", "core/{name}-v{version}"),  # the last occurrence
        "python-v": ("v", "python-{name}{version}"),  # a member named v
        "python-": None,
        "v": ("v", "{name}{version}"),
    }
    for literal, expected in cases.items():
        assert reader.spelled_in(literal) == expected == reference(literal, spellings), literal


@both_ways
def test_random_literals_match_the_plain_search(
    scan_up_to: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tag_schemes, "_SCAN_UP_TO", scan_up_to)
    rng = random.Random(11)
    pieces = ["core", "pkg", "a", "v", "-", "_", ".", "/", "@", "lib", "x1", "é", "2"]
    for _ in range(300):
        names = {"".join(rng.choices([*pieces[:4], "-"], k=rng.randint(1, 4))) for _ in range(6)}
        names = {n.strip("-") for n in names if n.strip("-")}
        spellings = spellings_of(sorted(names), rng.choice(["", "core-", "pkg-", "lib-"]))
        reader = _TagReader(spellings)
        for _ in range(20):
            literal = "".join(rng.choices(pieces, k=rng.randint(0, 7)))
            assert reader.spelled_in(literal) == reference(literal, spellings), (literal, names)
