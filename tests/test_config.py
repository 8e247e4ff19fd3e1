"""``[tool.release-tool]`` and the seed tool's ``release_tool.toml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_tool.adapters.toml_files import parse_toml
from release_tool.core.config import load_config
from release_tool.errors import ConfigError

BASE = '[project]\nname = "ws"\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'


def config_of(tmp_path: Path, table: str = "", legacy: str | None = None):  # type: ignore[no-untyped-def]
    text = BASE + table
    (tmp_path / "pyproject.toml").write_text(text)
    if legacy is not None:
        (tmp_path / "release_tool.toml").write_text(legacy)
    return load_config(tmp_path, parse_toml(text, tmp_path / "pyproject.toml"))


def test_defaults(tmp_path: Path) -> None:
    config = config_of(tmp_path)
    assert config.staging_dir == "staging"
    assert config.prod_dir == "prod"
    assert config.tag_template.repo == "v{version}"
    assert config.tag_template.folder == "{name}-v{version}"
    assert (config.git_remote, config.dev_branch, config.main_branch) == ("origin", "dev", "main")


def test_values_from_the_table(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        '[tool.release-tool]\nmembers = ["libs/*"]\nstaging-dir = "envs/staging"\n'
        'dev-branch = "develop"\n[tool.release-tool.tag-template]\nfolder = "{name}@{version}"\n',
    )
    assert config.members == ["libs/*"]
    assert config.staging_dir == "envs/staging"
    assert config.dev_branch == "develop"
    assert config.tag_template.folder == "{name}@{version}"
    assert config.tag_template.repo == "v{version}"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.release-tool]\nstagin-dir = 'x'\n", "stagin-dir: unknown key"),
        ("[tool.release-tool]\ndry-run = 'maybe'\n", "dry-run: expected `bool`, got `str`"),
        (
            "[tool.release-tool.tag-template]\nrepo = 'release-{name}'\n",
            "tag-template.repo: a tag template must contain '{version}'",
        ),
        (
            "[tool.release-tool.tag-template.members]\n'x-*' = 'x-{nam}-{version}'\n",
            "tag-template.members.x-*.template: unknown placeholder(s) ['nam']",
        ),
        (
            "[tool.release-tool.tag-template.members]\n'x' = { template = '{version}', y = 1 }\n",
            "tag-template.members.x.y: unknown key",
        ),
        (
            "[tool.release-tool.tag-template]\nfolder = '{name}{version}'\n",
            "tag-template.folder: placeholders must be separated by literal text",
        ),
        ("[tool.release-tool.llm]\ntimeout = -1\n", "llm.timeout: expected `float` > 0.0"),
    ],
)
def test_invalid_config_names_file_key_and_form(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_of(tmp_path, table)
    text = str(info.value)
    assert str(tmp_path / "pyproject.toml") in text
    assert message in text


def test_legacy_release_tool_toml_is_translated(tmp_path: Path) -> None:
    legacy = (
        "[tool.release_tool]\n"
        'packages_dir = "packages"\n'
        'prod_pyproject_path = "deploy/prod/pyproject.toml"\n'
        'staging_pyproject_path = "deploy/staging/pyproject.toml"\n'
        'tag_prefix = "release-"\n'
        'git_remote = "upstream"\n'
        "dry_run = true\n"
        'changes_output_dir = "out/changes"\n'
        'commit_message_filename = "msg.txt"\n'
        'tag_message_filename = "tag.md"\n'
    )
    config = config_of(tmp_path, legacy=legacy)
    assert config.members == ["packages/*"]
    assert (config.prod_dir, config.staging_dir) == ("deploy/prod", "deploy/staging")
    assert config.tag_template.repo == "release-{version}"
    assert config.git_remote == "upstream"
    assert config.dry_run is True
    assert config.changes_dir == "out/changes"
    assert (config.commit_message_filename, config.tag_message_filename) == ("msg.txt", "tag.md")


def test_pyproject_table_wins_over_legacy(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        '[tool.release-tool]\ngit-remote = "origin"\n',
        legacy='[tool.release_tool]\ngit_remote = "upstream"\n',
    )
    assert config.git_remote == "origin"


@pytest.mark.parametrize(
    ("legacy", "message"),
    [
        ("[tool.release_tool]\npackage_dir = 'x'\n", "unknown key(s) package_dir"),
        ("[tool.release_tool]\ndry_run = 'yes'\n", "dry_run: expected a bool"),
        ("[tool.release_tool\n", "release_tool.toml:1:"),
    ],
)
def test_bad_legacy_file(tmp_path: Path, legacy: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_of(tmp_path, legacy=legacy)
    assert "release_tool.toml" in str(info.value)
    assert message in str(info.value)


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "release_tool.toml").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigError, match=r"release_tool\.toml: cannot read file"):
        config_of(tmp_path)


def test_legacy_tag_prefix_survives_a_table_setting_only_folder(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        '[tool.release-tool.tag-template]\nfolder = "{name}@{version}"\n',
        legacy='[tool.release_tool]\ntag_prefix = ""\n',
    )
    assert (config.tag_template.repo, config.tag_template.folder) == (
        "{version}",
        "{name}@{version}",
    )
    assert config.tag_template.is_set("repo") and config.tag_template.is_set("folder")
