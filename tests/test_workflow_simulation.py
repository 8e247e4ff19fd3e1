"""The generated workflows, run step by step as GitHub would, on sandbox workspaces.

Each case: a sandbox (monorepo, multi-repo, mixed) with its local bare
origins, ``release-tool ci init`` committed to main and dev, the local GitHub
REST server, and ``release_tool.testing.workflow_sim`` running the jobs of
``dev-release.yml`` / ``release.yml`` in fresh clones of the origin.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import TYPE_CHECKING

import pytest

from release_tool.testing.cli import run_cli
from release_tool.testing.github_server import GitHubServer
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git
from release_tool.testing.workflow_sim import Event, Simulator, StepFailed

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TOKEN = "ghs_simulation_token"
LAYOUTS = {
    "monorepo": [MemberSpec("alpha", tags=("0.1.0",)), MemberSpec("beta", tags=("0.1.0",))],
    "multi-repo": [
        MemberSpec("alpha", layout="submodule", tags=("0.1.0",)),
        MemberSpec("beta", layout="submodule", tags=("0.1.0",)),
    ],
    "mixed": [
        MemberSpec("alpha", tags=("0.1.0",)),
        MemberSpec("beta", layout="submodule", tags=("0.1.0",)),
    ],
}


class World:
    """A sandbox, a person's clone of it, the GitHub server and the simulator."""

    def __init__(self, tmp: Path, layout: str, server: GitHubServer) -> None:
        self.server = server
        config = f'dev-branch = "dev"\ngithub = {{ api-url = "{server.base_url}" }}\n'
        self.sb: Sandbox = build_sandbox(tmp / "sb", LAYOUTS[layout], lock=True, config=config)
        self.origin = str(self.sb.remotes / "workspace.git")
        server.add_repo("example-org/workspace", git_dir=self.sb.remotes / "workspace.git")
        for member in self.sb.members.values():
            if member.spec.layout == "submodule":
                server.add_repo(f"example-org/{member.name}", git_dir=member.remote)
                git(member.repo, "push", "-q", "origin", "main:refs/heads/dev")
        result = run_cli("ci", "init", cwd=self.sb.root)
        assert result.exit_code == 0, result.output
        self.sb.git("add", ".github")
        self.sb.git("commit", "-q", "-m", "ci: release-tool workflows")
        self.sb.git("push", "-q", "origin", "main", "main:refs/heads/dev")
        self.sim = Simulator(
            origin=self.origin, work=tmp / "runner", secrets={"RELEASE_TOKEN": TOKEN}
        )

    def head(self, branch: str) -> str:
        return git(self.sb.remotes / "workspace.git", "rev-parse", f"refs/heads/{branch}")

    def tags(self) -> set[str]:
        tags = set(self.sb.remote_tags())
        for member in self.sb.members.values():
            if member.spec.layout == "submodule":
                tags |= {f"{member.name}:{t}" for t in self.sb.remote_tags(member.name)}
        return tags

    def person_pushes_to_dev(self, tmp: Path) -> tuple[str, str]:
        """A person's change to alpha, committed on dev and pushed; returns (before, after)."""
        before = self.head("dev")
        alpha = self.sb.member("alpha")
        clone = tmp / "person"
        git(tmp, "clone", "-q", "--recurse-submodules", "-b", "dev", self.origin, str(clone))
        repo = clone / alpha.rel_path if alpha.spec.layout == "submodule" else clone
        if repo != clone:
            git(repo, "checkout", "-q", "-B", "dev", "origin/dev")
        (repo / ("" if repo != clone else alpha.rel_path) / "feature.txt").write_text("x\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "feat: a feature")
        if repo != clone:
            git(repo, "push", "-q", "origin", "dev")
            git(clone, "add", alpha.rel_path)
            git(clone, "commit", "-q", "-m", "chore: alpha's feature")
        git(clone, "push", "-q", "origin", "dev")
        return before, self.head("dev")

    def push_event(self, branch: str, before: str, after: str) -> Event:
        return Event("push", f"refs/heads/{branch}", after, before)


@pytest.fixture(params=sorted(LAYOUTS))
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with GitHubServer(token=TOKEN) as server:
        yield World(tmp_path, request.param, server)


def dev_release(world: World, tmp_path: Path) -> tuple[str, str]:
    """A person pushes to dev; dev-release runs; returns the bot's pushed range on dev."""
    before, after = world.person_pushes_to_dev(tmp_path)
    jobs = world.sim.run("dev-release.yml", world.push_event("dev", before, after))
    assert jobs["guard"].outputs == {"release": "true"}
    assert jobs["bump-dev"].status == "success"
    return after, world.head("dev")


@pytest.mark.slow
def test_push_to_dev_bumps_tags_pins_staging_and_does_not_loop(
    world: World, tmp_path: Path
) -> None:
    tags_before = world.tags()
    bot_before, bot_after = dev_release(world, tmp_path)
    new_tags = world.tags() - tags_before
    assert len(new_tags) == 1 and ".dev" in next(iter(new_tags))
    staging = git(world.sb.remotes / "workspace.git", "show", "dev:staging/pyproject.toml")
    assert next(iter(new_tags)).split(":")[-1] in staging
    committer = git(world.sb.remotes / "workspace.git", "log", "-1", "--format=%cn", "dev")
    assert committer == "github-actions[bot]"

    # The bot's own push starts dev-release again: the guard skips it.
    again = world.sim.run("dev-release.yml", world.push_event("dev", bot_before, bot_after))
    assert again["guard"].outputs == {"release": "false"}
    assert again["bump-dev"].status == "skipped"
    assert world.tags() - tags_before == new_tags
    assert world.head("dev") == bot_after


def merge_to_main(world: World, tmp_path: Path, style: str) -> tuple[str, str]:
    """Merge origin/dev into main the way a person (or GitHub's button) would; push main."""
    before = world.head("main")
    clone = tmp_path / f"merge-{style}"
    git(tmp_path, "clone", "-q", "-b", "main", world.origin, str(clone))
    if style == "merge":
        git(clone, "merge", "-q", "--no-ff", "-m", "Merge dev", "origin/dev")
    elif style == "squash":
        git(clone, "merge", "-q", "--squash", "origin/dev")
        git(clone, "commit", "-q", "-m", "Release (#1)")
    elif style == "rebase":
        git(clone, "checkout", "-q", "-B", "rebased", "origin/dev")
        git(clone, "rebase", "-q", "--committer-date-is-author-date", "main")
        git(clone, "checkout", "-q", "main")
        git(clone, "merge", "-q", "--ff-only", "rebased")
    else:
        git(clone, "merge", "-q", "--ff-only", "origin/dev")
    git(clone, "push", "-q", "origin", "main")
    return before, world.head("main")


@pytest.mark.slow
@pytest.mark.parametrize("style", ["merge", "squash", "rebase", "fast-forward"])
def test_the_guard_lets_every_merge_style_release(world: World, tmp_path: Path, style: str) -> None:
    """The guard says release for each merge style (dev's head is the bot's commit)."""
    dev_release(world, tmp_path)
    before, after = merge_to_main(world, tmp_path, style)
    jobs = world.sim.run("release.yml", world.push_event("main", before, after), only={"guard"})
    assert jobs["guard"].outputs == {"release": "true"}


@pytest.mark.slow
@pytest.mark.parametrize("style", ["merge", "squash", "rebase", "fast-forward"])
def test_merge_to_main_releases_publishes_syncs_dev_and_does_not_loop(
    world: World, tmp_path: Path, style: str
) -> None:
    dev_release(world, tmp_path)
    before, after = merge_to_main(world, tmp_path, style)
    tags_before = world.tags()
    jobs = world.sim.run("release.yml", world.push_event("main", before, after))
    assert jobs["promote"].status == "success"
    stable = {t for t in world.tags() - tags_before if ".dev" not in t}
    assert len(stable) == 1
    prod = git(world.sb.remotes / "workspace.git", "show", "main:prod/pyproject.toml")
    assert stable.pop().split(":")[-1] in prod
    assert [r.method for r in world.server.writes()] == ["POST"], [
        (r.path, r.body) for r in world.server.writes()
    ]
    main_head = world.head("main")
    assert (
        git(world.sb.remotes / "workspace.git", "merge-base", "--is-ancestor", main_head, "dev")
        == ""
    )

    # The bot's pushes to main and dev start nothing new.
    tags_after = world.tags()
    again = world.sim.run("release.yml", world.push_event("main", after, main_head))
    assert again["guard"].outputs == {"release": "false"}
    assert world.tags() == tags_after and len(world.server.writes()) == 1


@pytest.mark.slow
def test_a_failed_publish_is_finished_by_a_rerun(world: World, tmp_path: Path) -> None:
    dev_release(world, tmp_path)
    before, after = merge_to_main(world, tmp_path, "merge")
    world.server.fail("POST", r"/repos/.*/releases", 502, "Server Error")
    event = world.push_event("main", before, after)
    with pytest.raises(StepFailed, match="Publish a GitHub release"):
        world.sim.run("release.yml", event)
    # the failed job kept the journal of the run it made (promote pushed, publish failed)
    (kept,) = [folder for name, folder in world.sim.artifacts.items() if "promote" in name]
    record = json.loads((kept / ".release-tool" / "last-journal.json").read_text())
    assert record["command"].startswith("promote prod"), record
    tags = world.tags()
    rerun = world.sim.run("release.yml", event)  # "Re-run all jobs": same event, same sha
    assert rerun["promote"].status == "success"
    assert world.tags() == tags  # nothing promoted twice
    releases = [release for repo in world.server.repos.values() for release in repo.releases]
    assert len(releases) == 1  # made by the re-run, once


@pytest.mark.slow
def test_a_member_main_ahead_of_the_root_pointer_stops_the_release(tmp_path: Path) -> None:
    """The release job moves member main to the root's pointer only as a fast-forward."""
    with GitHubServer(token=TOKEN) as server:
        world = World(tmp_path, "multi-repo", server)
        dev_release(world, tmp_path)
        beta = world.sb.member("beta")
        clone = tmp_path / "beta-main"
        git(tmp_path, "clone", "-q", "-b", "main", str(beta.remote), str(clone))
        (clone / "hotfix.txt").write_text("x\n", encoding="utf-8")
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", "fix: a hotfix on beta's main, not on its dev")
        git(clone, "push", "-q", "origin", "main")
        before, after = merge_to_main(world, tmp_path, "merge")
        tags = world.tags()
        with pytest.raises(StepFailed, match="origin/main has commits the root does not point at"):
            world.sim.run("release.yml", world.push_event("main", before, after))
        assert world.tags() == tags and world.server.writes() == []


def sync_dev_script(world: World) -> str:
    """The release job's last step (main's commits onto dev), as generated for the sandbox."""
    from ruamel.yaml import YAML

    text = (world.sb.root / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    step = YAML(typ="safe").load(text)["jobs"]["promote"]["steps"][-1]
    assert step["name"] == "Bring main's release commits onto the dev branch"
    return step["run"]


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["monorepo", "multi-repo"])
def test_sync_dev_step_merges_main_into_a_diverged_dev(tmp_path: Path, layout: str) -> None:
    """dev moved on (a person's feature) while main got a release commit: dev gets both.

    In the multi-repo layout both branches moved alpha's submodule pointer:
    the root's dev ends up pointing at alpha's merged dev head.
    """
    with GitHubServer(token=TOKEN) as server:
        world = World(tmp_path, layout, server)
        world.person_pushes_to_dev(tmp_path)
        job = tmp_path / "job"
        git(tmp_path, "clone", "-q", "--recurse-submodules", "-b", "main", world.origin, str(job))
        alpha = world.sb.member("alpha")
        submodule = alpha.spec.layout == "submodule"
        for member in world.sb.members.values():
            if member.spec.layout == "submodule":
                git(job / member.rel_path, "checkout", "-q", "-B", "main", "origin/main")
        repo = job / alpha.rel_path if submodule else job
        (job / alpha.rel_path / "CHANGELOG.md").write_text("## [0.1.1]\n", encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "release: alpha 0.1.1")
        if submodule:
            git(repo, "push", "-q", "origin", "main")
            git(job, "add", alpha.rel_path)
            git(job, "commit", "-q", "-m", "release: pointers")
        git(job, "push", "-q", "origin", "main")

        env = {**os.environ, "PUSH_TOKEN": TOKEN, "SERVER_URL": "https://github.com"}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", sync_dev_script(world)],
            cwd=job, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        remotes = [world.sb.remotes / "workspace.git"]
        if submodule:
            remotes.append(alpha.remote)
        for remote in remotes:
            # dev holds main's release and the person's feature
            git(remote, "merge-base", "--is-ancestor", "refs/heads/main", "refs/heads/dev")
            log = git(remote, "log", "--format=%s", "refs/heads/dev")
            assert "feat: a feature" in log or "chore: alpha's feature" in log
        if submodule:
            pointer = git(world.sb.remotes / "workspace.git", "rev-parse", f"dev:{alpha.rel_path}")
            assert pointer == git(alpha.remote, "rev-parse", "refs/heads/dev")
