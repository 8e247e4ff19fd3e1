"""Workflow rendering: snapshots, determinism, pins, permissions, tokens, guards."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from release_tool.core.workflows import (
    BOT,
    PINNED_ACTIONS,
    WorkflowSettings,
    render_workflows,
    tag_glob,
    workflow_data,
)

SNAPSHOTS = Path(__file__).parent / "snapshots" / "workflows"

MONOREPO = WorkflowSettings(
    main_branch="main",
    dev_branch="dev",
    tool="uv run --locked --package release-tool release-tool",
    image_tool="uv run --locked --package release-tool --extra docker release-tool",
    stable_tag_globs=(tag_glob("{name}-v{version}"),),
    registry="ghcr.io/example-org",
)
MULTI_REPO = WorkflowSettings(
    main_branch="master",
    dev_branch="develop",
    tool="uv run --locked release-tool",
    stable_tag_globs=tuple(sorted({tag_glob("v{version}"), tag_glob("{name}-v{version}")})),
    registry="registry.example.com/ml/hyperbench",
    has_submodules=True,
)
CASES = {"monorepo": MONOREPO, "multi-repo": MULTI_REPO}


def parsed(settings: WorkflowSettings) -> dict[str, dict]:
    """The rendered YAML read back (what GitHub sees)."""
    return {name: YAML(typ="safe").load(text) for name, text in render_workflows(settings).items()}


def steps_of(workflow: dict) -> list[tuple[str, dict]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec.get("steps", [])]


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendering_matches_snapshot(case: str) -> None:
    rendered = render_workflows(CASES[case])
    folder = SNAPSHOTS / case
    if os.environ.get("UPDATE_SNAPSHOTS"):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yml"):
            old.unlink()
        for name, text in rendered.items():
            (folder / name).write_text(text, encoding="utf-8")
    expected = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yml"))}
    assert rendered == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_yaml_is_the_data(case: str) -> None:
    """Emitted from data: reading the YAML back gives the data (no hand quoting to drift)."""
    back = parsed(CASES[case])
    data = workflow_data(CASES[case])
    assert sorted(back) == sorted(data)
    for name, workflow in back.items():
        assert set(workflow) == set(data[name])
        assert workflow["concurrency"] == data[name]["concurrency"]


def test_rendering_is_deterministic() -> None:
    assert render_workflows(MULTI_REPO) == render_workflows(MULTI_REPO)
    assert list(render_workflows(MONOREPO)) == ["check.yml", "dev-release.yml", "release.yml"]


def test_every_action_is_pinned_to_a_node24_release_by_full_sha() -> None:
    pins = {(a.repo, a.sha, a.version) for a in PINNED_ACTIONS}
    majors = {a.repo: int(a.version.lstrip("v").split(".")[0]) for a in PINNED_ACTIONS}
    assert majors["actions/checkout"] >= 5 and majors["astral-sh/setup-uv"] >= 7
    for settings in CASES.values():
        for text in render_workflows(settings).values():
            uses = re.findall(r"uses: ([\w-]+/[\w-]+)@(\S+) +# (v[\d.]+)", text)
            assert len(uses) == len(re.findall(r"uses: [\w-]+/", text))
            for repo, ref, version in uses:
                assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{repo} pinned to {ref}"
                assert (repo, ref, version) in pins


def test_uv_and_python_versions_are_pinned_and_jobs_time_out() -> None:
    for workflow in parsed(MONOREPO).values():
        for job, spec in workflow["jobs"].items():
            assert "uses" in spec or spec["timeout-minutes"] > 0, job
        for _, step in steps_of(workflow):
            if step.get("uses", "").startswith("astral-sh/setup-uv@"):
                assert re.fullmatch(r"\d+\.\d+\.\d+", step["with"]["version"])
                assert step["with"]["python-version"] == "3.11"


def test_no_checkout_persists_credentials_and_the_token_is_only_in_push_steps() -> None:
    for settings in CASES.values():
        for name, workflow in parsed(settings).items():
            for job, step in steps_of(workflow):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, (name, job)
                env = step.get("env", {})
                if "PUSH_TOKEN" in env:
                    assert "GIT_CONFIG_VALUE_0" in step["run"]
                    assert "git config --global" not in step["run"]
                if "RELEASE_TOKEN" in str(env):
                    assert "push" in step["run"] or "github release" in step["run"], step


def test_concurrency_never_cancels_a_release_and_groups_are_per_workflow() -> None:
    files = parsed(MULTI_REPO)
    groups = set()
    for name in ("dev-release.yml", "release.yml"):
        concurrency = files[name]["concurrency"]
        assert concurrency["cancel-in-progress"] is False
        groups.add(concurrency["group"])
    assert len(groups) == 2
    check = files["check.yml"]["concurrency"]
    assert check["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert "github.workflow" in check["group"]  # a called check is grouped by its caller


def test_releases_are_gated_on_the_checks_and_the_guard() -> None:
    files = parsed(MONOREPO)
    for name, job in (("dev-release.yml", "bump-dev"), ("release.yml", "promote")):
        jobs = files[name]["jobs"]
        assert jobs["check"]["uses"] == "$/.github/workflows/check.yml"
        assert jobs[job]["needs"] == ["guard", "check"]
        assert jobs[job]["if"] == "needs.guard.outputs.release == 'true'"
        guard = jobs["guard"]["steps"][-1]
        assert guard["env"]["BOT"] == BOT
        assert "workflow_call" in files["check.yml"]["on"]


def test_release_job_promotes_publishes_idempotently_syncs_dev_then_images() -> None:
    files = parsed(MONOREPO)
    promote = files["release.yml"]["jobs"]["promote"]
    runs = [step.get("run", "") for step in promote["steps"]]
    assert any(r.rstrip().endswith("promote prod --push") for r in runs)
    # only the tags this release made: those since the pushed-over main
    publish = next(r for r in runs if "release-tool github release" in r)
    assert publish.rstrip().endswith('github release "${since[@]}"')
    assert 'since=(--since "$BEFORE")' in publish
    assert any('sync_dev . "$SHA" false' in r for r in runs)
    checkout = promote["steps"][0]
    assert checkout["with"]["ref"] == "${{ github.ref }}"  # the head: re-runs see pushed work
    images = files["release.yml"]["jobs"]["images"]
    assert images["needs"] == ["guard", "promote"]
    assert images["strategy"]["matrix"]["cuda"] == ["cu124", "cu128"]
    assert images["permissions"] == {"contents": "read", "packages": "write"}
    build = images["steps"][-1]["run"]
    assert "--extra docker release-tool docker build --mode prod" in build
    assert "imagetools inspect" in build and "--cache-registry" in build


def test_multi_repo_syncs_member_dev_branches_first() -> None:
    promote = parsed(MULTI_REPO)["release.yml"]["jobs"]["promote"]
    sync = promote["steps"][-2]["run"]  # the last step keeps the journal of a failed run
    assert sync.index('sync_dev "$path"') < sync.index('sync_dev . "$SHA" pointers')
    assert "MAIN_BRANCH='master'" in sync and "DEV_BRANCH='develop'" in sync
    assert promote["steps"][0]["with"]["submodules"] == "recursive"
    # members are released at the root's pointers (what staging tested), as a fast-forward
    members = promote["steps"][1]["run"]
    assert "git submodule foreach" in members
    assert 'merge-base --is-ancestor "origin/$BRANCH" "$pointer"' in members
    assert 'checkout -q -B "$BRANCH" "$pointer"' in members
    bump = parsed(MULTI_REPO)["dev-release.yml"]["jobs"]["bump-dev"]
    assert "'origin/$BRANCH'" in bump["steps"][1]["run"]  # dev: the member's dev head
    images = parsed(MULTI_REPO)["release.yml"]["jobs"]["images"]
    assert "packages" not in images["permissions"]  # not GHCR: secrets log in instead


def test_no_registry_means_no_image_job() -> None:
    release = parsed(replace(MONOREPO, registry=None))["release.yml"]
    assert "images" not in release["jobs"]


@pytest.mark.parametrize(
    ("template", "glob"),
    [
        ("v{version}", "v[0-9]+.[0-9]+.[0-9]+"),
        ("{name}-v{version}", "*-v[0-9]+.[0-9]+.[0-9]+"),
        ("release/{name}/{version}", "release/*/[0-9]+.[0-9]+.[0-9]+"),
    ],
)
def test_tag_glob(template: str, glob: str) -> None:
    assert tag_glob(template) == glob


@pytest.mark.parametrize(
    ("workflow", "job"), [("dev-release.yml", "bump-dev"), ("release.yml", "promote")]
)
def test_a_failed_release_job_keeps_its_journal(workflow: str, job: str) -> None:
    step = parsed(MONOREPO)[workflow]["jobs"][job]["steps"][-1]
    assert step["if"] == "failure()"
    assert step["uses"].startswith(
        "actions/upload-artifact@330a01c490aca151604b8cf639adc76d48f6c5d4"
    )
    assert step["with"]["path"].split() == [
        ".release-tool/journal.jsonl",
        ".release-tool/last-journal.json",
    ]
    assert step["with"]["include-hidden-files"] is True  # .release-tool/ is a hidden folder
    assert step["with"]["if-no-files-found"] == "ignore"
