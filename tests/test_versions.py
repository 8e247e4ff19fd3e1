"""Version bumps: exhaustive table, our own rules, and a comparison with real ``uv version``."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from release_tool.core.versions import (
    BumpPart,
    BumpUsageError,
    VersionNotIncreasingError,
    bump_version,
    dev_bump_parts,
    next_dev_cycle,
    next_version,
    parts_for_kind,
    release_kind,
    stable_version,
    validate_parts,
)

if TYPE_CHECKING:
    from pathlib import Path

P = BumpPart

# (current, parts, expected) — every row checked against uv 0.13's `uv version --bump`.
BUMPS = [
    ("1.2.3", [P.MAJOR], "2.0.0"),
    ("1.2.3", [P.MINOR], "1.3.0"),
    ("1.2.3", [P.PATCH], "1.2.4"),
    ("1.2.3", [P.POST], "1.2.3.post1"),
    ("1.2.3", [P.PATCH, P.DEV], "1.2.4.dev1"),
    ("1.2.3", [P.MINOR, P.DEV], "1.3.0.dev1"),
    ("1.2.3", [P.PATCH, P.RC], "1.2.4rc1"),
    ("1.2.3", [P.MINOR, P.ALPHA], "1.3.0a1"),
    ("1.2.3", [P.MAJOR, P.BETA], "2.0.0b1"),
    ("1.2.4.dev2", [P.DEV], "1.2.4.dev3"),
    ("1.2.4.dev2", [P.STABLE], "1.2.4"),
    ("1.2.4.dev2", [P.RC], "1.2.4rc1"),
    ("1.2.4.dev2", [P.PATCH], "1.2.5"),
    ("1.2.4rc1", [P.RC], "1.2.4rc2"),
    ("1.2.4rc1", [P.STABLE], "1.2.4"),
    ("1.2.4a2", [P.RC], "1.2.4rc1"),
    ("1.2.4a2", [P.ALPHA], "1.2.4a3"),
    ("1.2.4b1", [P.BETA], "1.2.4b2"),
    ("1.2.4b1", [P.POST], "1.2.4b1.post1"),
    ("1.2.4b1", [P.PATCH, P.DEV], "1.2.5.dev1"),
    ("1.2.4rc1.dev2", [P.DEV], "1.2.4rc1.dev3"),
    ("1.2.4rc1.dev2", [P.RC], "1.2.4rc2"),
    ("1.2.4rc1.dev2", [P.POST], "1.2.4rc1.post1"),
    ("1.2.4rc1.dev2", [P.MAJOR], "2.0.0"),
    ("1.2.3.post1.dev1", [P.DEV], "1.2.3.post1.dev2"),
    ("1.2.3.post1.dev1", [P.POST], "1.2.3.post2"),
    ("1.2.3.post1.dev1", [P.PATCH], "1.2.4"),
    ("1.0", [P.PATCH], "1.0.1"),
    ("1.0", [P.MAJOR], "2.0"),
    ("1.0", [P.MINOR, P.RC], "1.1rc1"),
    ("1.2.3.4", [P.PATCH], "1.2.4.0"),
    ("1.2.3.4", [P.MAJOR], "2.0.0.0"),
    ("1!1.0", [P.PATCH, P.DEV], "1!1.0.1.dev1"),
    ("1.2.3+local", [P.PATCH], "1.2.4+local"),
    ("1.2.3+local", [P.POST], "1.2.3.post1+local"),
    ("0.1.0.dev0", [P.DEV], "0.1.0.dev1"),
    ("0.1.0.dev0", [P.STABLE], "0.1.0"),
    ("0.1.0.dev0", [P.ALPHA], "0.1.0a1"),
    ("0.1.0.dev0", [P.PATCH], "0.1.1"),
    ("0.1.0.dev0", [P.POST], "0.1.0.post1"),
]

# (current, parts) that uv refuses as not increasing.
NOT_INCREASING = [
    ("1.2.3", [P.DEV]),
    ("1.2.3", [P.STABLE]),
    ("1.2.3", [P.RC]),
    ("1.2.3", [P.ALPHA]),
    ("1.2.4rc1", [P.DEV]),
    ("1.2.4b1", [P.ALPHA]),
    ("1.2.4rc1.dev2", [P.BETA]),
    ("1.2.3.post1", [P.STABLE]),
    ("1.2.3.post1.dev1", [P.RC]),
    ("1.0", [P.DEV]),
]

BAD_COMBINATIONS = [
    [P.STABLE, P.DEV],
    [P.STABLE, P.RC],
    [P.POST, P.DEV],
    [P.PATCH, P.POST],
    [P.MAJOR, P.MINOR],
    [P.MAJOR, P.MAJOR],
    [P.ALPHA, P.BETA],
    [P.RC, P.DEV],
    [],
]


@pytest.mark.parametrize(("current", "parts", "expected"), BUMPS)
def test_bump_matches_table(current: str, parts: list[BumpPart], expected: str) -> None:
    assert str(bump_version(Version(current), parts)) == expected
    assert str(next_version(Version(current), parts)) == expected


@pytest.mark.parametrize(("current", "parts", "expected"), BUMPS)
def test_order_of_parts_does_not_matter(current: str, parts: list[BumpPart], expected: str) -> None:
    assert str(bump_version(Version(current), list(reversed(parts)))) == expected


@pytest.mark.parametrize(("current", "parts"), NOT_INCREASING)
def test_not_increasing_is_refused_unless_forced(current: str, parts: list[BumpPart]) -> None:
    with pytest.raises(VersionNotIncreasingError, match="does not increase"):
        next_version(Version(current), parts)
    forced = next_version(Version(current), parts, force=True)
    assert forced == bump_version(Version(current), parts)


@pytest.mark.parametrize("parts", BAD_COMBINATIONS)
def test_bad_combinations_are_usage_errors(parts: list[BumpPart]) -> None:
    with pytest.raises(BumpUsageError):
        validate_parts(parts)


def test_every_allowed_pair_increases_a_dev_version() -> None:
    current = Version("0.3.0.dev4")
    for first, second in itertools.combinations(list(BumpPart), 2):
        try:
            new = bump_version(current, [first, second])
        except BumpUsageError:
            continue
        assert first in (P.MAJOR, P.MINOR, P.PATCH)
        assert new > current, (first, second, new)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("1.2.3", "1.2.4.dev1"),
        ("1.2.4.dev2", "1.2.4.dev3"),
        ("1.2.4rc1", "1.2.5.dev1"),
        ("1.2.3.post1", "1.2.4.dev1"),
        ("0.1.0.dev0", "0.1.0.dev1"),
    ],
)
def test_dev_alone_starts_next_patch_dev_series(current: str, expected: str) -> None:
    parts = dev_bump_parts(Version(current), [P.DEV])
    assert str(next_version(Version(current), parts)) == expected


def test_dev_rule_leaves_combinations_alone() -> None:
    assert dev_bump_parts(Version("1.2.3"), [P.MINOR, P.DEV]) == [P.MINOR, P.DEV]


@pytest.mark.parametrize(
    ("current", "stable", "next_dev"),
    [
        ("1.2.4.dev3", "1.2.4", "1.2.5.dev0"),
        ("0.2.0rc1", "0.2.0", "0.2.1.dev0"),
        ("1.0.0", "1.0.1", "1.0.2.dev0"),
        ("1.2.3.post1.dev1", "1.2.4", "1.2.5.dev0"),
    ],
)
def test_stable_and_next_dev_cycle(current: str, stable: str, next_dev: str) -> None:
    new = stable_version(Version(current))
    assert str(new) == stable and new > Version(current)
    assert str(next_dev_cycle(new)) == next_dev


@pytest.mark.parametrize(
    ("version", "kind", "parts"),
    [
        ("1.0.0.dev1", "dev", [P.DEV]),
        ("1.0.0rc1", "rc", [P.RC]),
        ("1.0.0a1", "alpha", [P.ALPHA]),
        ("1.0.0b2", "beta", [P.BETA]),
        ("1.0.0.post1", "post", [P.POST]),
        ("1.0.0", "stable", [P.PATCH]),
    ],
)
def test_release_kind(version: str, kind: str, parts: list[BumpPart]) -> None:
    assert release_kind(Version(version)) == kind
    assert parts_for_kind(kind) == parts


def _uv_bump(project: Path, current: str, parts: list[BumpPart]) -> str:
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "probe"\nversion = "{current}"\n', encoding="utf-8"
    )
    args = ["uv", "version", "--dry-run", "--no-sync", "--offline"]
    for part in parts:
        args += ["--bump", part.value]
    done = subprocess.run(args, cwd=project, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return "refused: " + done.stderr.strip().splitlines()[-1]
    match = re.search(r"=> (\S+)", done.stdout + done.stderr)
    assert match, done.stdout + done.stderr
    return match.group(1)


@pytest.mark.skipif(
    shutil.which("uv") is None, reason="uv is not installed: comparison with uv did not run"
)
def test_table_agrees_with_real_uv(tmp_path: Path) -> None:
    rows = [(c, p, e) for c, p, e in BUMPS] + [(c, p, None) for c, p in NOT_INCREASING]
    rows += [("1.2.3", p, None) for p in BAD_COMBINATIONS if p]
    disagreements = []
    for current, parts, expected in rows:
        got = _uv_bump(tmp_path, current, parts)
        if expected is None:
            if not got.startswith("refused"):
                disagreements.append((current, parts, "uv accepted", got))
        elif got != expected:
            disagreements.append((current, parts, expected, got))
    assert disagreements == []


@pytest.mark.parametrize(
    ("requirement", "version", "expected"),
    [
        ("pkg>=0.1.1,<0.2", "0.2.0.dev1", "pkg>=0.2.0.dev1,<0.3"),  # cap exceeded: next cap
        ("pkg>=0.1.1,<0.2", "0.1.2.dev1", "pkg>=0.1.2.dev1,<0.2"),  # cap holds: kept
        ("pkg>=0.1,<1.0", "1.0.0.dev1", "pkg>=1.0.0.dev1,<2"),
        ("pkg>=1.2,<=1.9", "2.0.0", "pkg>=2.0.0,<2.1"),  # same precision as the cap
        ("pkg~=0.1.1", "0.2.0", "pkg>=0.2.0,<0.3"),  # ~= is a cap too
        ("pkg~=1.4", "1.5.0", "pkg>=1.5.0,<2"),
        ("pkg>=0.1", "0.2.0", "pkg>=0.2.0"),  # no cap: none added
        ("pkg==0.1.0", "0.2.0", "pkg>=0.2.0"),
        ("pkg>=0.1,!=0.1.5", "0.2.0", "pkg>=0.2.0,!=0.1.5"),
        ("pkg>=0.1,!=0.2.0", "0.2.0", "pkg>=0.2.0"),  # an exclusion of the new version goes
        ("pkg[extra]>=0.1,<0.2; python_version >= '3.11'", "0.2.0",
         'pkg[extra]>=0.2.0,<0.3; python_version >= "3.11"'),
    ],
)  # fmt: skip
def test_rewrite_requirement_keeps_or_raises_the_cap(
    requirement: str, version: str, expected: str
) -> None:
    from release_tool.core.versions import rewrite_requirement

    assert rewrite_requirement(requirement, Version(version)) == expected


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("pkg>=0.2.0.dev1,<0.3", "pkg>=0.2.0,<0.3"),
        ("pkg>=0.2.0rc1", "pkg>=0.2.0"),
        ("pkg>=0.2.0,<0.3", "pkg>=0.2.0,<0.3"),  # already stable: unchanged
        ("pkg", "pkg"),
    ],
)
def test_stable_requirement_drops_dev_lower_bounds(requirement: str, expected: str) -> None:
    from release_tool.core.mode_constraints import stable_requirement

    assert stable_requirement(requirement) == expected


def test_unsatisfied_names_the_dependency_and_the_pin() -> None:
    from release_tool.core.mode_constraints import unsatisfied

    reqs = [("a", "a>=0.2.0,<0.3"), ("b", "b>=1"), ("ext", "ext>=1")]
    found = unsatisfied("c", reqs, {"a": Version("0.1.1"), "b": None}, "prod")
    assert found == [
        "c needs a>=0.2.0,<0.3; prod would pin a 0.1.1",
        "c needs b>=1; prod does not pin b",
    ]
    assert unsatisfied("c", [("a", "a>=0.2.0.dev1")], {"a": Version("0.2.0.dev1")}, "prod") == [
        "c needs a>=0.2.0.dev1; prod would pin a dev a 0.2.0.dev1"
    ]
