"""Pyproject edits for releases keep comments and layout (snapshots of the edited files)."""

from __future__ import annotations

from release_tool.core.pin_edits import (
    PinUpdate,
    ensure_workspace_sources,
    release_edit,
    repin,
    set_version,
    strip_workspace_sources,
    update_requirements,
)

MEMBER = """\
[project]
name = "pkg-b"   # the name
version = "0.1.0"
dependencies = [
    "pkg-a>=0.1,<0.2",  # internal
    "requests>=2",
]

[project.optional-dependencies]
extra = ["pkg-a[fast]>=0.1,<0.2; python_version >= '3.11'"]

[tool.uv.sources]
pkg-a = { workspace = true }
requests = { index = "internal" }
"""


def test_set_version_and_requirements_keep_layout() -> None:
    text = set_version(MEMBER, "0.2.0.dev1")
    text = update_requirements(
        text,
        {
            "pkg-a>=0.1,<0.2": "pkg-a>=0.2.0.dev1",
            "pkg-a[fast]>=0.1,<0.2; python_version >= '3.11'": (
                "pkg-a[fast]>=0.2.0.dev1; python_version >= '3.11'"
            ),
        },
    )
    assert text == MEMBER.replace('version = "0.1.0"', 'version = "0.2.0.dev1"').replace(
        '"pkg-a>=0.1,<0.2",  # internal', '"pkg-a>=0.2.0.dev1",  # internal'
    ).replace(
        "\"pkg-a[fast]>=0.1,<0.2; python_version >= '3.11'\"",
        "\"pkg-a[fast]>=0.2.0.dev1; python_version >= '3.11'\"",
    )


def test_strip_workspace_sources_keeps_other_sources() -> None:
    text, stripped = strip_workspace_sources(MEMBER)
    assert stripped == ["pkg-a"]
    assert "pkg-a = { workspace = true }" not in text
    assert 'requests = { index = "internal" }' in text


def test_strip_removes_an_emptied_table() -> None:
    text, stripped = strip_workspace_sources(
        '[project]\nname = "x"\n\n[tool.uv.sources]\na = { workspace = true }\n'
    )
    assert stripped == ["a"]
    assert text.strip() == '[project]\nname = "x"'


def test_ensure_workspace_sources_adds_only_missing() -> None:
    root = "[tool.uv.sources]\npkg-a = { workspace = true }  # kept\n"
    assert ensure_workspace_sources(root, ["pkg-a", "pkg-b"]) == (
        "[tool.uv.sources]\npkg-a = { workspace = true }  # kept\npkg-b = { workspace = true }\n"
    )


STAGING = """\
# staging: pinned to dev tags
[project]
name = "staging"
version = "0.0.0"
dependencies = [
    "pkg-a",
]

[tool.uv]
package = false
override-dependencies = [
    "pkg-a @ git+https://github.com/o/ws.git@pkg-a-v0.1.0.dev1#subdirectory=packages/pkg-a",
]

[tool.uv.sources]
pkg-a = { git = "https://github.com/o/ws.git", tag = "pkg-a-v0.1.0.dev1", subdirectory = "packages/pkg-a" }  # a
"""


def test_repin_edits_tag_overrides_and_adds_new_members() -> None:
    updates = [
        PinUpdate("pkg-a", "https://github.com/o/ws.git", "pkg-a-v0.2.0.dev1", "packages/pkg-a"),
        PinUpdate("pkg-c", "https://github.com/o/pkg-c.git", "v1.0.0"),
    ]
    assert (
        repin(STAGING, updates)
        == """\
# staging: pinned to dev tags
[project]
name = "staging"
version = "0.0.0"
dependencies = [
    "pkg-a",
    "pkg-c",
]

[tool.uv]
package = false
override-dependencies = [
    "pkg-a @ git+https://github.com/o/ws.git@pkg-a-v0.2.0.dev1#subdirectory=packages/pkg-a",
]

[tool.uv.sources]
pkg-a = { git = "https://github.com/o/ws.git", tag = "pkg-a-v0.2.0.dev1", subdirectory = "packages/pkg-a" }  # a
pkg-c = { git = "https://github.com/o/pkg-c.git", tag = "v1.0.0" }
"""
    )


def test_repin_replaces_rev_and_branch() -> None:
    text = '[project]\nname = "s"\ndependencies = ["a"]\n\n[tool.uv.sources]\na = { git = "https://x/a.git", branch = "main" }\n'
    out = repin(text, [PinUpdate("a", "https://x/a.git", "v2")])
    assert 'a = { git = "https://x/a.git", tag = "v2" }' in out
    assert "branch" not in out


def test_release_edit_does_version_requirements_and_sources_at_once() -> None:
    text, stripped = release_edit(MEMBER, "0.2.0", {"pkg-a>=0.1,<0.2": "pkg-a>=0.2.0"})
    assert stripped == ["pkg-a"]
    assert 'version = "0.2.0"' in text
    assert '"pkg-a>=0.2.0",  # internal' in text
    assert "workspace = true" not in text and 'requests = { index = "internal" }' in text
