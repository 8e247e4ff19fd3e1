"""End to end: two full dev -> staging -> prod cycles with --push, checked from a fresh clone.

After every push a user on another machine clones the remote root with its
submodules and runs ``uv sync --frozen`` in staging/ and prod/: the
remotes must hold every commit and tag the root names. ``promote prod``
runs without member names, as the README and the release workflow do.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from lifecycle_support import assert_clone_syncs
from packaging.version import Version
from release_support import (  # noqa: F401  (no_github_fast_path is an autouse fixture)
    LAYOUTS,
    make,
    no_github_fast_path,
    rt,
)

from release_tool.errors import ExitCode
from release_tool.testing.sandbox import git

if TYPE_CHECKING:
    from pathlib import Path


def _pins(root: Path, mode: str) -> dict[str, str]:
    from release_tool.core.modes import load_mode

    return {name: pin.tag or "" for name, pin in load_mode(mode, root / mode).pins.items()}


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_two_cycles_with_push_leave_clones_that_sync(tmp_path: Path, layout: str) -> None:
    sb = make(tmp_path, layout, lock=True)
    for round_ in (1, 2):
        sha = sb.commit_file(
            "pkg-000", "src/pkg_000/feature.py", f"ROUND = {round_}\n", f"feat: round {round_}"
        )
        result = rt(sb, "bump", "--dev", "--changed", "--push", "--json")
        assert result.exit_code == ExitCode.OK, result.output
        released = {
            r["member"]: r["new_version"] for r in json.loads(result.stdout)["plan"]["releases"]
        }
        assert Version(released["pkg-000"]).is_devrelease
        clone = assert_clone_syncs(sb, f"{layout}-{round_}-dev")
        staged = _pins(clone, "staging")
        assert staged["pkg-000"] == sb.member("pkg-000").tag_name(released["pkg-000"])

        result = rt(sb, "promote", "staging", "--push")
        assert result.exit_code == ExitCode.OK, result.output

        rows = json.loads(rt(sb, "status", "--json").stdout)["members"]
        newer = {
            row["name"]
            for row in rows
            if Version(row["pins"]["staging"]["version"]) > Version(row["pins"]["prod"]["version"])
        }
        assert set(released) <= newer
        result = rt(sb, "promote", "prod", "--push", "--json")
        assert result.exit_code == ExitCode.OK, result.output
        plan = json.loads(result.stdout)["plan"]
        stable = {r["member"]: r["new_version"] for r in plan["releases"]}
        # exactly what staging held newer than prod, released as stable versions
        assert set(stable) == newer
        assert all(not Version(v).is_prerelease for v in stable.values())
        clone = assert_clone_syncs(sb, f"{layout}-{round_}-prod")
        prod = _pins(clone, "prod")
        for name, version in stable.items():
            assert prod[name] == sb.member(name).tag_name(version)
        # the stable tag holds what the staged dev tag held (plus the version)
        member = sb.member("pkg-000")
        stable_tag = member.tag_name(stable["pkg-000"])
        dev_tag = member.tag_name(released["pkg-000"])
        prefix = "" if member.spec.layout == "submodule" else f"{member.rel_path}/"
        assert git(member.repo, "show", f"{stable_tag}:{prefix}src/pkg_000/feature.py") == (
            f"ROUND = {round_}"
        )
        assert git(member.repo, "merge-base", "--is-ancestor", dev_tag, stable_tag) == ""
        assert sha  # the feature commit is inside the release
        check = rt(sb, "check")
        assert check.exit_code == ExitCode.OK, check.output
        status = json.loads(rt(sb, "status", "--json").stdout)
        assert all("unreleased" not in row["drift"] for row in status["members"])
