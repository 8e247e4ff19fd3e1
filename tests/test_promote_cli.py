"""``release-tool promote staging|prod``: plans and results against real git and uv."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from release_support import diff, make, no_github_fast_path, rt, snapshot  # noqa: F401

from release_tool import notes as notes_package
from release_tool.errors import ExitCode
from release_tool.testing.sandbox import git

if TYPE_CHECKING:
    from pathlib import Path


def test_promote_prod_dry_run(tmp_path: Path) -> None:
    sb = make(tmp_path, "mixed")
    before = snapshot(sb)
    result = rt(sb, "promote", "prod", "--all", "--dry-run")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == (
        "plan: promote prod --all\n"
        "releases:\n"
        "  lib-x 0.2.0.dev1 -> 0.2.0\n"
        "pins:\n"
        "  prod: lib-x lib-x-v0.1.0 -> lib-x-v0.2.0\n"
        "  staging: lib-x lib-x-v0.2.0.dev1 -> lib-x-v0.2.0\n"
        "note: pkg-000: 0.1.0 is already released (v0.1.0)\n"
        "note: pkg-001: 0.1.0 is already released (v0.1.0)\n"
        "steps:\n"
        "   1. edit packages/lib-x/pyproject.toml: version 0.2.0.dev1 -> 0.2.0\n"
        "   2. edit packages/lib-x/CHANGELOG.md: 0.2.0\n"
        "   3. commit in .: release lib-x 0.2.0\n"
        "   4. tag lib-x-v0.2.0 in .\n"
        "   5. edit packages/lib-x/pyproject.toml: version 0.2.0 -> 0.2.1.dev0\n"
        "   6. commit in .: start lib-x 0.2.1.dev0\n"
        "   7. edit prod/pyproject.toml: pin lib-x-v0.2.0\n"
        "   8. edit staging/pyproject.toml: pin lib-x-v0.2.0\n"
        "   9. uv lock in prod/ (prod)\n"
        "  10. uv lock in staging/ (staging)\n"
        "  11. commit in .: prod+staging: pin lib-x-v0.2.0\n"
    )
    assert diff(before, snapshot(sb)) == []


def test_promote_prod_after_dev_bump(tmp_path: Path) -> None:
    sb = make(tmp_path, "submodule")
    assert rt(sb, "bump", "--dev", "pkg-001").exit_code == ExitCode.OK
    result = rt(sb, "promote", "prod", "pkg-001", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    assert [(r["member"], r["new_version"], r["tag"]) for r in data["plan"]["releases"]] == [
        ("pkg-001", "0.1.1", "v0.1.1")
    ]
    repo = sb.member("pkg-001").repo
    assert git(repo, "log", "--format=%s", "-3").splitlines() == [
        "chore: start next dev cycle: pkg-001 0.1.2.dev0",
        "release: pkg-001 0.1.1",
        "release: pkg-001 0.1.1.dev1",
    ]
    assert 'version = "0.1.1"' in git(repo, "show", "v0.1.1:pyproject.toml")
    prod = (sb.root / "prod/pyproject.toml").read_text()
    assert 'tag = "v0.1.1"' in prod
    # the root commit records the new submodule pointer (the dev0 commit)
    assert git(sb.root, "ls-tree", "HEAD", "packages/pkg-001").split()[2] == git(
        repo, "rev-parse", "HEAD"
    )
    # only the next-dev-cycle commit since the tag: --changed does not pick it up again
    again = rt(sb, "bump", "--changed", "--dry-run", "--json")
    assert json.loads(again.stdout)["plan"]["releases"] == []
    # and promote prod has nothing new to release
    nothing = rt(sb, "promote", "prod", "pkg-001", "--dry-run")
    assert "note: pkg-001: nothing new since v0.1.1" in nothing.stdout
    assert "nothing to do" in nothing.stdout


def test_promote_staging_pins_newest_existing_tags(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    sb.tag("pkg-002", "0.1.1.dev1")  # made by hand, not pinned yet
    result = rt(sb, "promote", "staging", "--all")
    assert result.exit_code == ExitCode.OK, result.output
    staging = (sb.root / "staging/pyproject.toml").read_text()
    assert 'tag = "pkg-002-v0.1.1.dev1"' in staging
    assert 'tag = "pkg-000-v0.1.0"' in staging  # stable newer than the last dev tag
    assert git(sb.root, "log", "-1", "--format=%s").startswith("staging: pin")
    assert git(sb.root, "status", "--porcelain") == ""
    nothing = rt(sb, "promote", "staging", "--all")
    assert nothing.exit_code == ExitCode.OK and "nothing to do" in nothing.stdout


def test_github_release_needs_push(tmp_path: Path) -> None:
    sb = make(tmp_path, "folder")
    result = rt(sb, "promote", "prod", "--all", "--github-release")
    assert result.exit_code == ExitCode.USAGE
    assert "--github-release needs --push" in result.stderr


def test_notes_hook_writes_changelog_and_tag_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seam to the notes package: its texts land in CHANGELOG.md and the tag, verbatim."""
    calls = []

    class Notes:
        def __init__(self, markdown: str) -> None:
            self.markdown = markdown

    def release_notes(workspace, member, version, *, since_tag, settings):  # type: ignore[no-untyped-def]
        calls.append((member.name, str(version), since_tag))
        return Notes(f"## [{version}]\n\n### Fixed\n- {member.name} things\n")

    def changelog_text(member_path: Path, notes: Notes) -> str:
        path = member_path / "CHANGELOG.md"
        old = path.read_text() if path.is_file() else "# Changelog\n"
        return old + "\n" + notes.markdown

    monkeypatch.setattr(notes_package, "release_notes", release_notes)
    monkeypatch.setattr(notes_package, "changelog_text", changelog_text)
    monkeypatch.setattr(notes_package, "tag_message", lambda notes: notes.markdown)

    sb = make(tmp_path, "submodule")
    assert rt(sb, "bump", "--dev", "pkg-001").exit_code == ExitCode.OK
    result = rt(sb, "promote", "prod", "pkg-001")
    assert result.exit_code == ExitCode.OK, result.output
    assert ("pkg-001", "0.1.1", "v0.1.1.dev1") in calls
    repo = sb.member("pkg-001").repo
    changelog = git(repo, "show", "v0.1.1:CHANGELOG.md")
    assert changelog == "# Changelog\n\n## [0.1.1]\n\n### Fixed\n- pkg-001 things"
    message = git(repo, "tag", "-l", "--format=%(contents)", "v0.1.1")
    assert message.startswith("## [0.1.1]\n\n### Fixed")  # headings kept: verbatim cleanup
