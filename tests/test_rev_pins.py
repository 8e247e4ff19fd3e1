"""``pin-ref = "rev"``: pins name the commit of the release tag, end to end on sandboxes.

init, ``bump --dev`` and ``promote prod`` write ``rev = <sha>`` pins; status
and check read them; ``uv lock`` resolves them; a fresh clone with no tags
still reads the pinned versions and syncs offline through ``insteadOf``.
"""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

import pytest
from release_support import no_github_fast_path, rt, specs_for  # noqa: F401

from release_tool.core import pin_edits as pins
from release_tool.core.modes import load_mode
from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.sandbox import Sandbox, build_sandbox, git

if TYPE_CHECKING:
    from pathlib import Path

FULL_SHA = 40


def _rev_pins(sb: Sandbox, mode: str) -> dict[str, str]:
    """Member -> pinned rev; fails when a pin names a tag (or no full sha)."""
    out = {}
    for name, pin in load_mode(mode, sb.root / mode).pins.items():
        assert pin.tag is None, f"{mode}:{name} pins tag {pin.tag}"
        assert pin.rev is not None and len(pin.rev) == FULL_SHA, f"{mode}:{name}: {pin}"
        out[name] = pin.rev
    return out


def _tag_commit(sb: Sandbox, name: str, version: str) -> str:
    member = sb.member(name)
    return git(member.repo, "rev-parse", f"{member.tag_name(version)}^{{commit}}")


def _uv(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["uv", *args], cwd=folder, capture_output=True, text=True, check=False)


def test_repin_writes_rev_and_keeps_layout() -> None:
    text = (
        "[project]\nname='m'\nversion='0'\ndependencies=['a']\n"
        "[tool.uv.sources]\na = { git = 'https://x/a.git', tag = 'a-v1' }  # pinned\n"
        "[tool.uv]\noverride-dependencies = ['a @ git+https://x/a.git@a-v1']\n"
    )
    update = pins.PinUpdate(name="a", git="https://x/a.git", tag="a-v2", rev=pins.rev_of("a-v2"))
    new = pins.repin(text, [update])
    assert "tag =" not in new
    assert 'rev = "rev-of:a-v2"' in new and "# pinned" in new
    assert "a @ git+https://x/a.git@rev-of:a-v2" in new
    # a rev pin re-pinned by rev is edited in place
    again = pins.repin(new, [pins.PinUpdate(name="a", git="https://x/a.git", rev="0" * 40)])
    assert f'rev = "{"0" * 40}"' in again and "rev-of" not in again.split("[tool.uv]\n")[0]


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["folder", "submodule"])
def test_rev_pins_through_a_release_cycle(tmp_path: Path, layout: str) -> None:
    sb = build_sandbox(tmp_path, specs_for(layout), modes=False, config='pin-ref = "rev"')
    result = rt(sb, "init")
    assert result.exit_code == ExitCode.OK, result.output
    staging = _rev_pins(sb, "staging")
    assert staging["pkg-000"] == _tag_commit(sb, "pkg-000", "0.1.0")  # stable supersedes dev
    assert _rev_pins(sb, "prod")["pkg-001"] == _tag_commit(sb, "pkg-001", "0.1.0")
    for mode in ("staging", "prod"):
        locked = _uv(sb.root / mode, "lock")
        assert locked.returncode == 0, locked.stderr
    git(sb.root, "add", "staging", "prod")
    git(sb.root, "commit", "-qm", "init modes")

    sb.commit_file("pkg-000", "src/pkg_000/feature.py", "X = 1\n", "feat: more")
    dry = rt(sb, "bump", "--dev", "pkg-000", "--dry-run")
    assert dry.exit_code == ExitCode.OK, dry.output
    assert "resolved at apply" in dry.output
    bumped = rt(sb, "bump", "--dev", "pkg-000")
    assert bumped.exit_code == ExitCode.OK, bumped.output
    repo = sb.member("pkg-000").repo
    staged = _rev_pins(sb, "staging")["pkg-000"]
    at_staged = git(repo, "tag", "--points-at", staged).split()
    assert at_staged and ".dev" in at_staged[0], at_staged  # the new dev tag's commit
    assert "rev-of:" not in (sb.root / "staging" / "pyproject.toml").read_text()

    same = rt(sb, "promote", "staging", "--all")  # staging already pins those commits
    assert same.exit_code == ExitCode.OK, same.output
    assert "already pins" in same.output
    assert _rev_pins(sb, "staging")["pkg-000"] == staged

    promoted = rt(sb, "promote", "prod")  # what staging pins newer than prod: pkg-000
    assert promoted.exit_code == ExitCode.OK, promoted.output
    prod_rev = _rev_pins(sb, "prod")["pkg-000"]
    stable = git(repo, "tag", "--points-at", prod_rev).split()
    assert stable and ".dev" not in stable[0], stable  # the stable release's commit
    git(repo, "merge-base", "--is-ancestor", staged, prod_rev)  # released after the staged tag
    assert "rev-of:" not in (sb.root / "prod" / "pyproject.toml").read_text()

    status = rt(sb, "status", "--json")
    assert status.exit_code == ExitCode.OK, status.output
    assert '"rev"' in status.stdout
    pushed = rt(sb, "push")  # `published` checks that the remotes hold what the root records
    assert pushed.exit_code == ExitCode.OK, pushed.output
    checked = rt(sb, "check")
    assert checked.exit_code == ExitCode.OK, checked.output
    for mode in ("staging", "prod"):
        assert _uv(sb.root / mode, "lock", "--check", "--offline").returncode == 0

    # a fresh clone has no tags: versions come from the pinned commits
    clone = tmp_path / "clone"
    if layout == "submodule":  # the root's gitlinks must be fetchable (branches only, no tags)
        for name in ("pkg-000", "pkg-001", "pkg-002"):
            git(sb.member(name).repo, "push", "-q", "origin", "HEAD")
    git(tmp_path, "clone", "-q", "--no-tags", str(sb.root), str(clone))
    if layout == "submodule":
        git(clone, "submodule", "update", "--init", "-q")
        for name in ("pkg-000", "pkg-001", "pkg-002"):
            sub = clone / "packages" / name
            for tag in git(sub, "tag").split():
                git(sub, "tag", "-d", tag)
    assert git(clone, "tag") == ""
    fresh = run_cli("status", "--json", cwd=clone)
    assert fresh.exit_code == ExitCode.OK, fresh.output
    checked = run_cli("check", cwd=clone)
    assert checked.exit_code == ExitCode.OK, checked.output
    assert prod_rev in (clone / "prod" / "pyproject.toml").read_text()

    # the pinned commits never left this machine: redirect the pin URLs to the repos
    redirect = {}
    for name, pin in load_mode("prod", clone / "prod").pins.items():
        assert pin.git is not None
        redirect[pin.git] = sb.member(name).repo
    # a fresh uv cache: the pinned commits come through git, not from this run's cache
    # and no sandbox-wide redirects (to remotes that lack them): only the recipe's own
    (tmp_path / "empty.gitconfig").write_text("")
    base = {**os.environ, "UV_NO_GITHUB_FAST_PATH": "1", "UV_CACHE_DIR": str(tmp_path / "cache"),
            "GIT_CONFIG_GLOBAL": str(tmp_path / "empty.gitconfig")}  # fmt: skip
    env = {"GIT_CONFIG_COUNT": str(len(redirect))}
    for i, (url, repo) in enumerate(redirect.items()):
        env[f"GIT_CONFIG_KEY_{i}"] = f"url.file://{repo}.insteadOf"
        env[f"GIT_CONFIG_VALUE_{i}"] = url
    sync = ["uv", "sync", "--frozen", "--no-install-project"]
    unreached = subprocess.run(sync, cwd=clone / "prod", capture_output=True, text=True,
                               check=False, env=base)  # fmt: skip
    assert unreached.returncode != 0, "the pinned commits were never pushed: uv must not find them"
    synced = subprocess.run(sync, cwd=clone / "prod", capture_output=True, text=True,
                            check=False, env={**base, **env})  # fmt: skip
    assert synced.returncode == 0, synced.stderr
