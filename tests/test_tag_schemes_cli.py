"""Tag schemes on real repos: detection by ``status`` and ``init``, use by ``bump``, seed migration."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.sandbox import MemberSpec, Sandbox, build_sandbox, git

# (id, members, the template each member's tags follow, extra tags that are not theirs)
SCHEMES = {
    "name-at": (
        [
            MemberSpec("livekit-agents", tags=("1.2.2", "1.2.3"), tag_template="{name}@{version}"),
            MemberSpec("livekit-plugins-openai", tags=("0.1.0",), tag_template="{name}@{version}"),
        ],
        "{name}@{version}",
        {
            "livekit-agents": "livekit-agents@1.2.3",
            "livekit-plugins-openai": "livekit-plugins-openai@0.1.0",
        },
        ["v9.9.9", "livekit-agents-extra@9.9.9", "livekit-agents@banana"],
    ),
    "short": (
        [
            MemberSpec(
                "apache-airflow-providers-amazon",
                tags=("8.0.0", "9.0.0"),
                tag_template="providers-{short}/{version}",
            ),
            MemberSpec(
                "apache-airflow-providers-google",
                tags=("10.0.0",),
                tag_template="providers-{short}/{version}",
            ),
        ],
        "providers-{short}/{version}",
        {
            "apache-airflow-providers-amazon": "providers-amazon/9.0.0",
            "apache-airflow-providers-google": "providers-google/10.0.0",
        },
        ["providers-amazonas/99.0.0", "v99.0.0"],
    ),
    "lockstep": (
        [
            MemberSpec("autogen-core", tags=("0.4.8", "0.4.9"), tag_template="python-v{version}"),
            MemberSpec("autogen-agentchat", version="0.4.9", tag_template="python-v{version}"),
        ],
        "python-v{version}",
        {"autogen-core": "python-v0.4.9", "autogen-agentchat": "python-v0.4.9"},
        ["dotnet-v9.0.0", "autogen-core-python-v-x"],
    ),
    "whole-repo": (
        [
            MemberSpec("core", tags=("1.0.0", "1.1.0"), tag_template="v{version}"),
            MemberSpec("app", version="1.1.0", tag_template="v{version}"),
        ],
        "v{version}",
        {"core": "v1.1.0", "app": "v1.1.0"},
        ["nightly", "v1.1.0-banana", "vx"],
    ),
}


def _sandbox(tmp_path: Path, case: str, *, config: bool = True) -> Sandbox:
    specs, _, _, stray = SCHEMES[case]
    sb = build_sandbox(tmp_path, specs, modes=False)
    for tag in stray:
        git(sb.root, "tag", tag)
    if not config:
        root = sb.root / "pyproject.toml"
        text = root.read_text()
        root.write_text(text[: text.index("[tool.release-tool]")])
        git(sb.root, "commit", "-qam", "no release-tool table")
    return sb


@pytest.mark.parametrize("case", sorted(SCHEMES))
def test_status_detects_the_scheme_and_ignores_other_tags(tmp_path: Path, case: str) -> None:
    _, template, latest, _ = SCHEMES[case]
    sb = _sandbox(tmp_path, case)
    result = run_cli("status", "--json", cwd=sb.root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "release-tool.status/1"
    got = {m["name"]: (m["latest_stable_tag"] or {}).get("name") for m in data["members"]}
    assert got == latest
    assert data["tag_schemes"] == [
        {
            "template": template,
            "source": "detected",
            "members": [m["name"] for m in data["members"]],
        }
    ]
    names = ", ".join(m["name"] for m in data["members"])
    assert result.stderr == f"tags: detected {template} for {names} (configure: tag-template)\n"


def test_status_says_nothing_when_the_detected_scheme_is_the_default(tmp_path: Path) -> None:
    sb = build_sandbox(
        tmp_path,
        [
            MemberSpec("bench-utils", tags=("0.1.0",)),
            MemberSpec("core", layout="submodule", tags=("0.2.0",)),
        ],
        modes=False,
    )
    git(sb.root, "tag", "bench-utils-extra-v1.0")
    git(sb.root, "tag", "v3.0.0")
    result = run_cli("status", "--json", cwd=sb.root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tag_schemes"] == [
        {"template": "{name}-v{version}", "source": "detected", "members": ["bench-utils"]},
        {"template": "v{version}", "source": "detected", "members": ["core"]},
    ]
    assert data["members"][0]["latest_stable_tag"]["name"] == "bench-utils-v0.1.0"
    assert result.stderr == ""


def test_configured_scheme_wins_and_is_reported_as_configured(tmp_path: Path) -> None:
    specs = [MemberSpec("lib", tags=("0.1.0",), tag_template="{name}@{version}")]
    sb = build_sandbox(
        tmp_path,
        specs,
        modes=False,
        config='tag-template = { members = { "l*" = "{name}/{version}" } }\n',
    )
    data = json.loads(run_cli("status", "--json", cwd=sb.root).stdout)
    assert data["tag_schemes"] == [
        {"template": "{name}/{version}", "source": "configured", "members": ["lib"]}
    ]
    assert data["members"][0]["latest_stable_tag"] is None  # lib@0.1.0 is not lib/0.1.0


@pytest.mark.parametrize("case", sorted(SCHEMES))
def test_init_writes_the_detected_scheme_and_bump_follows_it(tmp_path: Path, case: str) -> None:
    specs, template, latest, _ = SCHEMES[case]
    sb = _sandbox(tmp_path, case, config=False)
    result = run_cli("init", cwd=sb.root)
    assert result.exit_code == 0, result.output
    assert f'tag-template.folder = "{template}": detected from existing tags' in result.stderr
    text = (sb.root / "pyproject.toml").read_text()
    assert f'folder = "{template}"' in text
    if "{short}" in template:
        assert 'short-prefix = "apache-airflow-providers-"' in text
    prod = (sb.root / "prod/pyproject.toml").read_text()
    for tag in latest.values():
        assert f'tag = "{tag}"' in prod

    status = json.loads(run_cli("status", "--json", cwd=sb.root).stdout)
    assert [s["source"] for s in status["tag_schemes"]] == ["configured"]
    git(sb.root, "add", "-A")
    git(sb.root, "commit", "-qm", "init")
    first = specs[0].name
    plan = run_cli("bump", "--patch", first, "--dry-run", cwd=sb.root)
    assert plan.exit_code == 0, plan.output
    old = specs[0].version or specs[0].tags[-1]
    major, minor, patch = old.split(".")
    tag = template.replace("{version}", f"{major}.{minor}.{int(patch) + 1}")
    tag = tag.replace("{name}", first).replace("{short}", first.split("-")[-1])
    assert f". tag {tag} in .\n" in plan.stdout


SEED_TOML = """[tool.release_tool]
packages_dir = "packages"
staging_pyproject_path = "staging/pyproject.toml"
prod_pyproject_path = "prod/pyproject.toml"
tag_prefix = ""
git_remote = "origin"
"""


def test_seed_tag_prefix_survives_init_force_then_status_and_check(tmp_path: Path) -> None:
    """Issue 10: ``init --force`` on the seed config wrote ``v{version}`` over ``tag_prefix = ""``."""
    specs = [
        MemberSpec(
            "model-interface",
            layout="submodule",
            tags=("0.1.0.dev1", "0.1.0"),
            tag_template="{version}",
        ),
        MemberSpec(
            "bench-utils",
            layout="submodule",
            deps=("model-interface>=0.1",),
            tags=("0.1.2.dev1", "0.1.2"),
            tag_template="{version}",
        ),
    ]
    sb = build_sandbox(tmp_path, specs)  # seed-style staging/ and prod/ already there
    root = sb.root / "pyproject.toml"
    text = root.read_text()
    root.write_text(text[: text.index("[tool.release-tool]")])
    (sb.root / "release_tool.toml").write_text(SEED_TOML)

    result = run_cli("init", "--force", cwd=sb.root)
    assert result.exit_code == 0, result.output
    assert 'release_tool.toml: tag_prefix = "" -> tag-template.repo = "{version}"' in result.stderr
    assert (
        'release_tool.toml: packages_dir = "packages" -> members = ["packages/*"]' in result.stderr
    )
    written = root.read_text()
    assert 'repo = "{version}"' in written
    assert 'members = ["packages/*"]' in written
    assert 'tag = "0.1.2"' in (sb.root / "prod/pyproject.toml").read_text()

    status = run_cli("status", "--json", cwd=sb.root)
    data = json.loads(status.stdout)
    assert {m["name"]: m["latest_stable_tag"]["name"] for m in data["members"]} == {
        "model-interface": "0.1.0",
        "bench-utils": "0.1.2",
    }
    assert data["tag_schemes"] == [
        {
            "template": "{version}",
            "source": "configured",
            "members": ["model-interface", "bench-utils"],
        }
    ]
    for mode in ("staging", "prod"):
        subprocess.run(["uv", "lock", "-q"], cwd=sb.root / mode, check=True)
    check = run_cli("check", cwd=sb.root)
    assert check.exit_code == ExitCode.OK, check.output


def test_init_keeping_the_table_still_says_what_it_detected(tmp_path: Path) -> None:
    sb = _sandbox(tmp_path, "name-at")
    result = run_cli("init", "--dry-run", cwd=sb.root)
    assert result.exit_code == 0, result.output
    assert (
        "tags: detected {name}@{version} for livekit-agents, livekit-plugins-openai "
        "(configure: tag-template)\n"
    ) in result.stderr
    assert "[tool.release-tool] already present in pyproject.toml: kept" in result.stderr
