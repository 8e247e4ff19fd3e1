"""``core/tags.py`` and ``core/tag_schemes.py``: the template language, TagScheme, detection."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from release_tool.core.config import TagTemplates
from release_tool.core.tag_schemes import TagSchemes, detect
from release_tool.core.tags import (
    TagScheme,
    check_template,
    common_prefix,
    short_name,
    split_version,
)
from release_tool.core.workspace import Layout, Member

ROOT = Path("/ws")


def member(name: str, layout: Layout = Layout.FOLDER, display: str | None = None) -> Member:
    folder = f"packages/{name}"
    repo = ROOT / folder if layout.has_own_repo else ROOT
    return Member(name, display or name, ROOT / folder, folder, layout, repo, None, None, False)


# --- format -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "name", "short", "version", "tag"),
    [
        ("v{version}", "core", "", "1.2.3", "v1.2.3"),
        ("{version}", "core", "", "0.1.2", "0.1.2"),
        ("{name}-v{version}", "bench-utils", "", "0.2.0.dev3", "bench-utils-v0.2.0.dev3"),
        ("{name}@{version}", "livekit-agents", "", "1.2.3", "livekit-agents@1.2.3"),
        (
            "providers-{short}/{version}",
            "apache-airflow-providers-amazon",
            "amazon",
            "9.0.0",
            "providers-amazon/9.0.0",
        ),
        ("python-v{version}", "autogen-core", "", "0.4.9", "python-v0.4.9"),
        ("{short}-v{version}", "core", "", "1.0", "core-v1.0"),  # short defaults to the name
        ("release/{name}/{version}", "app", "", "2.0rc1", "release/app/2.0rc1"),
        ("{name}-v{version}-final", "app", "", "1.0.post1", "app-v1.0.post1-final"),
    ],
)
def test_format(template: str, name: str, short: str, version: str, tag: str) -> None:
    assert TagScheme(template, name=name, short=short).format(version) == tag


def test_format_normalizes_the_version() -> None:
    scheme = TagScheme("{name}-v{version}", name="app")
    assert scheme.format(Version("1.0.0-dev1")) == "app-v1.0.0.dev1"
    assert scheme.format("1.0.0-RC1") == "app-v1.0.0-RC1"  # text is taken as given


# --- parse / match ------------------------------------------------------------------------

FOLDER = TagScheme("{name}-v{version}", name="bench-utils", aliases=("Bench_Utils",))
REPO = TagScheme("v{version}", name="core")
BARE = TagScheme("{version}", name="core")
AT = TagScheme("{name}@{version}", name="livekit-agents")
SHORT = TagScheme(
    "providers-{short}/{version}", name="apache-airflow-providers-amazon", short="amazon"
)
LOCKSTEP = TagScheme("python-v{version}", name="autogen-core")


@pytest.mark.parametrize(
    ("scheme", "tag", "version"),
    [
        (FOLDER, "bench-utils-v0.2.0", "0.2.0"),
        (FOLDER, "bench-utils-v0.2.0.dev3", "0.2.0.dev3"),
        (FOLDER, "Bench_Utils-v1.0", "1.0"),  # the display name is accepted
        (FOLDER, "bench-utils-v1.0.0rc1", "1.0.0rc1"),
        (FOLDER, "bench-utils-v1.0+local.7", "1.0+local.7"),
        (FOLDER, "v1.2.3", None),  # a whole-repo tag is not a member tag
        (FOLDER, "bench-utils-extra-v1.0", None),  # another member's tag
        (FOLDER, "bench-utils-v", None),
        (FOLDER, "bench-utils-vnext", None),
        (FOLDER, "bench-utils-v1.0-banana", None),
        (FOLDER, "xbench-utils-v1.0", None),
        (FOLDER, "bench-utils-v1.0x", None),
        (FOLDER, "", None),
        (FOLDER, None, None),
        (REPO, "v1.2.3", "1.2.3"),
        (REPO, "1.2.3", None),
        (REPO, "vv1.2.3", None),
        (REPO, "core-v1.2.3", None),
        (BARE, "0.1.2", "0.1.2"),
        (BARE, "v0.1.2", None),  # packaging would accept "v0.1.2"; a tag scheme must not
        (BARE, "latest", None),
        (BARE, "0.1.2.dev1", "0.1.2.dev1"),
        (AT, "livekit-agents@1.2.3", "1.2.3"),
        (AT, "livekit-agents-v1.2.3", None),
        (AT, "livekit-plugins@1.2.3", None),
        (SHORT, "providers-amazon/9.0.0", "9.0.0"),
        (SHORT, "providers-google/9.0.0", None),
        (SHORT, "providers-apache-airflow-providers-amazon/9.0.0", None),
        (LOCKSTEP, "python-v0.4.9", "0.4.9"),
        (LOCKSTEP, "dotnet-v0.4.9", None),
        (LOCKSTEP, "autogen-core-v0.4.9", None),
    ],
)
def test_parse_and_match(scheme: TagScheme, tag: str | None, version: str | None) -> None:
    expected = Version(version) if version else None
    assert scheme.parse(tag) == expected
    assert scheme.match(tag) is (expected is not None)


@pytest.mark.parametrize("scheme", [FOLDER, REPO, BARE, AT, SHORT, LOCKSTEP])
@pytest.mark.parametrize(
    "version",
    ["0.1.0", "1.2.3", "0.2.0.dev3", "1.0.0rc1", "2.0.0a1", "1.0.post2", "1!2.0", "3.0+cu124"],
)
def test_format_then_parse_round_trips(scheme: TagScheme, version: str) -> None:
    assert scheme.parse(scheme.format(version)) == Version(version)


def test_names_that_prefix_each_other_are_kept_apart() -> None:
    pkg = TagScheme("{name}-v{version}", name="pkg")
    pkg_v2 = TagScheme("{name}-v{version}", name="pkg-v2")
    assert pkg.parse("pkg-v2.0") == Version("2.0")
    assert pkg_v2.parse("pkg-v2.0") is None
    assert pkg.parse("pkg-v2-v1.0") is None
    assert pkg_v2.parse("pkg-v2-v1.0") == Version("1.0")


def test_lockstep() -> None:
    assert LOCKSTEP.lockstep and REPO.lockstep and BARE.lockstep
    assert not FOLDER.lockstep and not SHORT.lockstep and not AT.lockstep


# --- list / latest ------------------------------------------------------------------------

TAGS = [
    "bench-utils-v0.2.0",
    "bench-utils-v0.10.0.dev1",
    "bench-utils-v0.3.0",
    "v9.9.9",
    "bench-utils-extra-v5.0",
    "bench-utils-v0.3.0.dev2",
    "junk",
    "bench-utils-v0.9.0",
]


def test_list_tags_orders_by_version_not_text() -> None:
    listed = FOLDER.list_tags(TAGS)
    assert [t.name for t in listed] == [
        "bench-utils-v0.2.0",
        "bench-utils-v0.3.0.dev2",
        "bench-utils-v0.3.0",
        "bench-utils-v0.9.0",
        "bench-utils-v0.10.0.dev1",
    ]
    assert [t.is_stable for t in listed] == [True, False, True, True, False]


@pytest.mark.parametrize(
    ("stable_only", "latest"),
    [(False, "bench-utils-v0.10.0.dev1"), (True, "bench-utils-v0.9.0")],
)
def test_latest(stable_only: bool, latest: str) -> None:
    found = FOLDER.latest(TAGS, stable_only=stable_only)
    assert found is not None and found.name == latest


def test_latest_of_no_tags_is_none() -> None:
    assert FOLDER.latest(["v1.0", "other-v1.0"]) is None
    assert FOLDER.latest([]) is None


def test_list_tags_accepts_a_mapping_of_names() -> None:
    assert [t.name for t in REPO.list_tags({"v1.0": "abc", "x": "def"})] == ["v1.0"]


# --- glob ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "any_member", "glob"),
    [
        (FOLDER, True, "*-v[0-9]*"),
        (FOLDER, False, "bench-utils-v[0-9]*"),
        (SHORT, False, "providers-amazon/[0-9]*"),
        (SHORT, True, "providers-*/[0-9]*"),
        (LOCKSTEP, True, "python-v[0-9]*"),
    ],
)
def test_glob(scheme: TagScheme, any_member: bool, glob: str) -> None:
    assert scheme.glob("[0-9]*", any_member=any_member) == glob


# --- template validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "v{version}",
        "{version}",
        "{name}-v{version}",
        "{name}@{version}",
        "providers-{short}/{version}",
        "python-v{version}",
        "release/{name}/v{version}",
    ],
)
def test_valid_templates(template: str) -> None:
    assert check_template(template) == template


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("release-{name}", "must contain '{version}'"),
        ("{version}-{version}", "only once"),
        ("{pkg}-{version}", "unknown placeholder(s) ['pkg']"),
        ("{name}{version}", "separated by literal text"),
        ("{short}{version}", "separated by literal text"),
        ("{name}-v{version:>3}", "no format spec"),
        ("{name!r}-v{version}", "no format spec"),
        ("{name-v{version}", "malformed tag template"),
        ("v {version}", "' ' cannot be part of a git tag name"),
        ("v..{version}", "'..' cannot be part of a git tag name"),
        ("v~{version}", "'~' cannot be part of a git tag name"),
        ("v:{version}", "':' cannot be part of a git tag name"),
        ("a//{version}", "'//' cannot be part of a git tag name"),
    ],
)
def test_invalid_templates(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        check_template(template)
    assert message in str(info.value)


# --- short names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "prefix"),
    [
        (
            ["apache-airflow-providers-amazon", "apache-airflow-providers-google"],
            "apache-airflow-providers-",
        ),
        (["livekit-agents", "livekit-plugins-openai", "livekit-plugins-silero"], "livekit-"),
        (["livekit-agents"], "livekit-"),  # one name: up to its last dash
        (["ab-cd", "ab-ce"], "ab-"),  # a shared partial word is not a prefix
        (["core", "app"], ""),
        (["core"], ""),
        ([], ""),
    ],
)
def test_common_prefix(names: list[str], prefix: str) -> None:
    assert common_prefix(names) == prefix


@pytest.mark.parametrize(
    ("name", "prefix", "short"),
    [
        ("apache-airflow-providers-amazon", "apache-airflow-providers-", "amazon"),
        ("apache-airflow-core", "apache-airflow-providers-", "apache-airflow-core"),
        ("livekit-", "livekit-", "livekit-"),
        ("core", "", "core"),
    ],
)
def test_short_name(name: str, prefix: str, short: str) -> None:
    assert short_name(name, prefix) == short


@pytest.mark.parametrize(
    ("tag", "splits"),
    [
        ("v1.2.3", [("v", "1.2.3")]),
        ("1.2.3", [("", "1.2.3")]),
        ("pkg-v2-v1.0", [("pkg-v2-v", "1.0")]),
        ("py3-1", [("py", "3-1"), ("py3-", "1")]),
        ("providers-amazon/9.0.0", [("providers-amazon/", "9.0.0")]),
        ("latest", []),
    ],
)
def test_split_version(tag: str, splits: list[tuple[str, str]]) -> None:
    assert split_version(tag) == [(p, Version(v)) for p, v in splits]


# --- resolution: config rules, detection, defaults ----------------------------------------

AIRFLOW = [
    member("apache-airflow-providers-amazon"),
    member("apache-airflow-providers-google"),
]


def schemes(of: list[Member], tags: dict[Path, list[str]], **config: object) -> TagSchemes:
    """Schemes of ``of`` under ``config`` (tag-template keys), with ``tags`` per repo."""
    return TagSchemes(TagTemplates.from_values(config), of, lambda repo: tags.get(repo, []))


def test_defaults_without_tags_or_config() -> None:
    core = member("core", Layout.SUBMODULE)
    app = member("app")
    found = schemes([core, app], {}).all()
    assert (found["core"].template, found["core"].source) == ("v{version}", "default")
    assert (found["app"].template, found["app"].source) == ("{name}-v{version}", "default")


def test_configured_layout_key_wins_over_detection() -> None:
    app = member("app")
    found = schemes([app], {ROOT: ["app@1.0"]}, folder="{name}/v{version}").for_member(app)
    assert (found.template, found.source, found.origin) == (
        "{name}/v{version}",
        "configured",
        "tag-template.folder",
    )


def test_member_rules_exact_name_then_first_glob_then_layout() -> None:
    members = [member("livekit-agents"), member("livekit-plugins-openai"), member("other")]
    config = {
        "members": {
            "livekit-*": "{name}@{version}",
            "livekit-plugins-*": "plugins-{short}-v{version}",
            "livekit-plugins-openai": {"template": "openai/{version}"},
        },
        "folder": "{name}-{version}",
    }
    found = schemes(members, {}, **config).all()
    assert found["livekit-agents"].format("1.0") == "livekit-agents@1.0"
    assert found["livekit-plugins-openai"].format("1.0") == "openai/1.0"
    assert found["other"].format("1.0") == "other-1.0"
    assert found["livekit-agents"].origin == "tag-template.members.'livekit-*'"


def test_member_rule_may_glob_the_path() -> None:
    members = [member("a-one"), member("b-two")]
    found = schemes(members, {}, members={"packages/b-*": "b/{version}"}).all()
    assert found["b-two"].template == "b/{version}"
    assert found["a-one"].source == "default"


def test_short_is_relative_to_the_members_a_rule_covers() -> None:
    members = [*AIRFLOW, member("apache-airflow-core")]
    rule = {"apache-airflow-providers-*": "providers-{short}/{version}"}
    found = schemes(members, {}, members=rule).all()
    assert found["apache-airflow-providers-amazon"].format("9.0.0") == "providers-amazon/9.0.0"


@pytest.mark.parametrize(
    ("config", "tag"),
    [
        ({"short-prefix": "apache-"}, "providers-airflow-providers-amazon/1.0"),
        (
            {
                "members": {
                    "*": {
                        "template": "providers-{short}/{version}",
                        "short-prefix": "apache-airflow-",
                    }
                }
            },
            "providers-providers-amazon/1.0",
        ),
    ],
)
def test_short_prefix_is_configurable(config: dict[str, object], tag: str) -> None:
    members = [member("apache-airflow-providers-amazon")]
    if "members" not in config:
        config = {**config, "members": {"*": "providers-{short}/{version}"}}
    assert (
        schemes(members, {}, **config).all()["apache-airflow-providers-amazon"].format("1.0") == tag
    )


def test_seed_tag_prefix_empty_is_a_configured_bare_version() -> None:
    core = member("core", Layout.SUBMODULE)
    found = schemes([core], {core.path: ["v1.0", "v2.0"]}, repo="{version}").for_member(core)
    assert (found.template, found.source) == ("{version}", "configured")
    assert found.parse("0.1.2") == Version("0.1.2")
    assert found.parse("v1.0") is None


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (
            ["livekit-agents@1.2.3", "livekit-agents@1.2.4", "livekit-plugins-openai@0.1.0"],
            {
                "livekit-agents": "{name}@{version}",
                "livekit-plugins-openai": "{name}@{version}",
                # no tags of its own: the convention of the repo
                "livekit-plugins-silero": "{name}@{version}",
            },
        ),
        (
            ["python-v0.4.9", "python-v0.4.8", "dotnet-v0.1.0"],
            {
                "livekit-agents": "python-v{version}",
                "livekit-plugins-openai": "python-v{version}",
                "livekit-plugins-silero": "python-v{version}",
            },
        ),
        (
            ["v1.0", "v1.1", "latest", "nightly"],
            {
                "livekit-agents": "v{version}",
                "livekit-plugins-openai": "v{version}",
                "livekit-plugins-silero": "v{version}",
            },
        ),
        (["latest", "nightly"], {}),
        ([], {}),
    ],
)
def test_detect_in_a_shared_repo(tags: list[str], expected: dict[str, str]) -> None:
    members = [
        member("livekit-agents"),
        member("livekit-plugins-openai"),
        member("livekit-plugins-silero"),
    ]
    found = detect(tags, members, common_prefix(m.name for m in members))
    assert {name: template for name, (template, _) in found.items()} == expected


def test_detect_short_forms() -> None:
    tags = ["providers-amazon/9.0.0", "providers-amazon/9.1.0", "providers-google/10.0.0"]
    found = detect(tags, AIRFLOW, common_prefix(m.name for m in AIRFLOW))
    assert {n: t for n, (t, _) in found.items()} == {
        "apache-airflow-providers-amazon": "providers-{short}/{version}",
        "apache-airflow-providers-google": "providers-{short}/{version}",
    }
    assert found["apache-airflow-providers-amazon"][1] == "2 of its tags"


@pytest.mark.parametrize(
    ("tag", "owner", "template"),
    [
        ("autogen-core-v1.0", "core", "autogen-{name}-v{version}"),
        ("score-v1.0", None, "score-v{version}"),
        ("core-v1.0", "core", "{name}-v{version}"),
        ("corev1.0", "core", "{name}v{version}"),
        ("cores-v1.0", None, "cores-v{version}"),
        ("release/core/1.0", "core", "release/{name}/{version}"),
    ],
)
def test_detect_finds_a_name_only_as_a_whole_word(
    tag: str, owner: str | None, template: str
) -> None:
    members = [member("core")]
    found = detect([tag], members, "")
    expected = "1 of its tags" if owner else "1 tags of its repo"
    assert found == {"core": (template, expected)}


def test_detect_prefers_the_longest_member_name() -> None:
    members = [member("bench-utils"), member("bench-utils-extra")]
    found = detect(["bench-utils-extra-v1.0", "bench-utils-v2.0"], members, "")
    assert {n: t for n, (t, _) in found.items()} == {
        "bench-utils": "{name}-v{version}",
        "bench-utils-extra": "{name}-v{version}",
    }


def test_detect_ignores_a_stray_template_the_others_do_not_share() -> None:
    # bench-utils-extra is not a member: its tags read as "{name}-extra-v{version}" of
    # bench-utils, but the scheme all members share wins
    members = [member("bench-utils"), member("app")]
    tags = ["bench-utils-extra-v1.0", "bench-utils-extra-v1.1", "bench-utils-v0.1.0", "app-v1.0"]
    found = detect(tags, members, "")
    assert found["bench-utils"][0] == "{name}-v{version}"
    scheme = schemes(members, {ROOT: tags}).for_member(members[0])
    assert scheme.source == "detected"
    assert [t.name for t in scheme.list_tags(tags)] == ["bench-utils-v0.1.0"]


def test_detect_the_seed_bare_versions_in_an_own_repo() -> None:
    core = member("core", Layout.SUBMODULE)
    found = schemes([core], {core.path: ["0.1.0", "0.1.1", "0.1.2.dev1"]}).for_member(core)
    assert (found.template, found.source, found.origin) == (
        "{version}",
        "detected",
        "3 tags of its repo",
    )


def test_detect_reads_each_repo_once() -> None:
    members = [member("a"), member("b"), member("c", Layout.SUBMODULE)]
    calls: list[Path] = []

    def list_tags(repo: Path) -> list[str]:
        calls.append(repo)
        return ["a-v1.0"]

    TagSchemes(TagTemplates.from_values({}), members, list_tags).all()
    assert sorted(calls) == sorted([ROOT, ROOT / "packages/c"])


def test_the_readme_example_is_valid(tmp_path: Path) -> None:
    from release_tool.adapters.toml_files import parse_toml
    from release_tool.core.config import load_config

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Tag templates") :]
    example = section[
        section.index("```toml\n") + 8 : section.index("```\n", section.index("```toml"))
    ]
    text = '[project]\nname = "ws"\n[tool.uv.workspace]\nmembers = []\n' + example
    config = load_config(tmp_path, parse_toml(text, tmp_path / "pyproject.toml"))
    members = [
        member("apache-airflow-providers-amazon"),
        member("autogen-core"),
        member("legacy-lib"),
        member("livekit-agents"),
    ]
    found = TagSchemes(config.tag_template, members, lambda _: []).all()
    assert {n: s.format("1.0") for n, s in found.items()} == {
        "apache-airflow-providers-amazon": "providers-amazon/1.0",
        "autogen-core": "python-v1.0",
        "legacy-lib": "legacy/lib-1.0",
        "livekit-agents": "livekit-agents@1.0",
    }


def test_a_member_with_its_resolver_survives_asdict() -> None:
    from dataclasses import asdict, replace

    core = member("core")
    resolver = TagSchemes(TagTemplates.from_values({}), [core], lambda _: ["core-v1.0"])
    data = asdict(replace(core, schemes=resolver))
    assert data["schemes"] is resolver
    assert replace(core, schemes=resolver).tag_scheme.source == "detected"
