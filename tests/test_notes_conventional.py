"""Conventional Commits parsing and the section each commit lands in."""

from __future__ import annotations

import pytest

from release_tool.notes.conventional import must_be_covered, parse_message, section_for


@pytest.mark.parametrize(
    ("subject", "body", "kind", "scope", "description", "breaking"),
    [
        ("feat: add x", "", "feat", None, "add x", False),
        ("fix(api): y", "", "fix", "api", "y", False),
        ("feat(core)!: drop z", "", "feat", "core", "drop z", True),
        ("refactor: r", "BREAKING CHANGE: the API moved", "refactor", None, "r", True),
        ("chore: c", "BREAKING-CHANGE: gone", "chore", None, "c", True),
        ("Update README", "", None, None, "Update README", False),
        ("feat:no space", "", "feat", None, "no space", False),
        ("feat(): empty scope", "", "feat", None, "empty scope", False),
        ("Merge branch 'dev'", "", None, None, "Merge branch 'dev'", False),
    ],
)
def test_parse_message(subject, body, kind, scope, description, breaking) -> None:
    parsed = parse_message(subject, body)
    assert (parsed.type, parsed.scope, parsed.description, parsed.breaking) == (
        kind,
        scope,
        description,
        breaking,
    )


@pytest.mark.parametrize(
    ("subject", "section", "covered"),
    [
        ("feat: a", "Added", True),
        ("fix: a", "Fixed", True),
        ("fix(security): a", "Security", True),
        ("fix: patch CVE-2026-1234 in parser", "Security", True),
        ("security: rotate keys", "Security", True),
        ("perf: faster", "Changed", False),
        ("refactor!: new api", "Changed", True),
        ("deprecate: old flag", "Deprecated", False),
        ("revert: feat a", "Removed", False),
        ("docs: typo", None, False),
        ("ci: cache", None, False),
        ("docs!: remove old guide", "Changed", True),
        ("Add exporter", "Added", True),
        ("Fix crash on start", "Fixed", True),
        ("Tidy up", "Changed", False),
    ],
)
def test_section_and_coverage(subject: str, section: str | None, covered: bool) -> None:
    parsed = parse_message(subject)
    assert section_for(parsed) == section
    assert must_be_covered(parsed) is covered
