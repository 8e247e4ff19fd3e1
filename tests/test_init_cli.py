"""``release-tool init``: mode files from the dev workspace, never overwriting without --force."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli
from release_tool.testing.sandbox import MemberSpec, build_sandbox, git

SPECS = [
    MemberSpec("core", layout="submodule", commits=3, tags=("0.1.0", "0.2.0.dev1")),
    MemberSpec("app", commits=3, tags=("1.0.0.dev1", "1.0.0"), deps=("core>=0.1",)),
    MemberSpec("fresh", commits=1),
]

STAGING = """\
# Staging mode: members pinned to dev tags (release-tool bump --dev re-pins).

[project]
name = "sandbox-workspace-staging"
version = "0.0.0"
requires-python = ">=3.11"
dependencies = [
    "core",
    "app",
]

[tool.uv]
package = false
override-dependencies = [
    "core @ git+https://github.com/example-org/core.git@v0.2.0.dev1",
]

[tool.uv.sources]
core = {git = "https://github.com/example-org/core.git", tag = "v0.2.0.dev1"}
app = {git = "https://github.com/example-org/workspace.git", tag = "app-v1.0.0", subdirectory = "packages/app"}
"""

PROD = """\
# Prod mode: members pinned to stable tags (release-tool promote prod re-pins).

[project]
name = "sandbox-workspace-prod"
version = "0.0.0"
requires-python = ">=3.11"
dependencies = [
    "core",
    "app",
]

[tool.uv]
package = false
override-dependencies = [
    "core @ git+https://github.com/example-org/core.git@v0.1.0",
]

[tool.uv.sources]
core = {git = "https://github.com/example-org/core.git", tag = "v0.1.0"}
app = {git = "https://github.com/example-org/workspace.git", tag = "app-v1.0.0", subdirectory = "packages/app"}
"""


def test_init_writes_pinned_modes_then_refuses_to_overwrite(tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path, SPECS, modes=False)
    result = run_cli("init", cwd=sb.root)
    assert result.exit_code == 0, result.output
    assert (sb.root / "staging/pyproject.toml").read_text() == STAGING
    assert (sb.root / "prod/pyproject.toml").read_text() == PROD
    assert "wrote staging/pyproject.toml" in result.stderr
    assert "fresh: no dev tag, not pinned in staging (make one: release-tool bump --dev fresh)" in (
        result.stderr
    )
    assert "fresh: no stable tag, not pinned in prod" in result.stderr

    (sb.root / "staging/pyproject.toml").write_text("# edited by hand\n")
    again = run_cli("init", cwd=sb.root)
    assert again.exit_code == ExitCode.EXISTS
    assert "init would overwrite staging/pyproject.toml, prod/pyproject.toml" in again.stderr
    assert "--force" in again.stderr
    assert (sb.root / "staging/pyproject.toml").read_text() == "# edited by hand\n"

    dry = run_cli("init", "--force", "--dry-run", "--json", cwd=sb.root)
    assert dry.exit_code == 0
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True
    assert plan["pins"]["prod"] == {"core": "v0.1.0", "app": "app-v1.0.0"}
    assert (sb.root / "staging/pyproject.toml").read_text() == "# edited by hand\n"

    forced = run_cli("init", "--force", cwd=sb.root)
    assert forced.exit_code == 0
    assert (sb.root / "staging/pyproject.toml").read_text() == STAGING


def test_init_adds_config_table_preserving_the_root_file(tmp_path: Path) -> None:
    sb = build_sandbox(tmp_path, SPECS[1:2], modes=False)
    root = sb.root / "pyproject.toml"
    text = root.read_text()
    text = text[: text.index("[tool.release-tool]")]
    text = text.replace("[tool.uv]\n", "[tool.uv]  # uv settings\n")
    root.write_text(text)
    git(sb.root, "remote", "set-url", "origin", "git@github.com:example-org/workspace.git")

    result = run_cli("init", cwd=sb.root)
    assert result.exit_code == 0, result.output
    assert root.read_text() == text + (
        "[tool.release-tool]\n"
        "# release-tool configuration (see the README's reference).\n"
        'staging-dir = "staging"\n'
        'prod-dir = "prod"\n'
        'git-remote = "origin"\n'
        'dev-branch = "dev"\n'
        'main-branch = "main"\n'
        "\n"
        "[tool.release-tool.tag-template]\n"
        'repo = "v{version}"\n'
        'folder = "{name}-v{version}"\n'
    )
    # the scp-style remote became an https URL uv and CI can fetch
    assert (
        'git = "https://github.com/example-org/workspace.git"'
        in (sb.root / "prod/pyproject.toml").read_text()
    )


def test_init_then_lock_then_check_passes(tmp_path: Path) -> None:
    specs = [
        MemberSpec("lib", tags=("0.1.0.dev1", "0.1.0")),
        MemberSpec("app", deps=("lib",), tags=("0.2.0",)),
    ]
    sb = build_sandbox(tmp_path, specs, modes=False)
    assert run_cli("init", cwd=sb.root).exit_code == 0
    for mode in ("staging", "prod"):
        subprocess.run(["uv", "lock", "-q"], cwd=sb.root / mode, check=True)
    result = run_cli("check", cwd=sb.root)
    assert result.exit_code == 0, result.output


def test_modes_ask_for_the_extras_and_markers_the_dev_root_asks_for(tmp_path: Path) -> None:
    specs = [MemberSpec("lib", tags=("0.1.0.dev1", "0.1.0")), MemberSpec("app", tags=("0.2.0",))]
    sb = build_sandbox(tmp_path, specs, modes=False)
    root = sb.root / "pyproject.toml"
    text = root.read_text()
    assert '    "lib",\n' in text
    root.write_text(
        text.replace('    "lib",\n', "    \"lib[fast,cli]>=0.1; python_version >= '3.11'\",\n")
    )
    assert run_cli("init", cwd=sb.root).exit_code == 0
    for mode in ("staging", "prod"):
        written = (sb.root / mode / "pyproject.toml").read_text()
        # extras and marker kept, the version left to the mode's pinned source
        assert '    "lib[cli,fast]; python_version >= \\"3.11\\"",\n' in written, written
        assert '    "app",\n' in written
        subprocess.run(["uv", "lock", "-q"], cwd=sb.root / mode, check=True)
