"""Conventional Commits parsing and the deterministic changelog entries made from it.

This text is always computed: it is the result when no LLM is configured or
the model fails, and the safety net the LLM's answer is checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
"""Keep a Changelog sections, in the order they are rendered."""

_HEADER = re.compile(
    r"^(?P<type>[A-Za-z][\w-]*)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?:[ \t]*(?P<desc>\S.*)$"
)
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE:[ \t]*(?P<text>.+)$", re.MULTILINE)
_SECURITY_WORDS = re.compile(r"\b(security|cve-\d{4}-\d+|vulnerab\w*|xss|csrf|injection)\b", re.I)

# Commit types that do not describe a change a user of the package sees.
HIDDEN_TYPES = frozenset({"docs", "chore", "test", "tests", "ci", "build", "style"})
_TYPE_SECTION = {
    "feat": "Added",
    "feature": "Added",
    "add": "Added",
    "fix": "Fixed",
    "bugfix": "Fixed",
    "hotfix": "Fixed",
    "security": "Security",
    "sec": "Security",
    "deprecate": "Deprecated",
    "deprecated": "Deprecated",
    "remove": "Removed",
    "removed": "Removed",
    "revert": "Removed",
}


@dataclass(frozen=True)
class ConventionalCommit:
    """A commit message split into its Conventional Commits parts."""

    type: str | None
    """Lower-case type, or None when the subject is not conventional."""
    scope: str | None
    description: str
    body: str
    breaking: bool
    breaking_note: str | None


def parse_message(subject: str, body: str = "") -> ConventionalCommit:
    """Parse a commit's subject line and body (footers included)."""
    subject = subject.strip()
    footer = _BREAKING_FOOTER.search(body or "")
    note = footer.group("text").strip() if footer else None
    match = _HEADER.match(subject)
    if match is None:
        return ConventionalCommit(None, None, subject, body, note is not None, note)
    return ConventionalCommit(
        type=match.group("type").lower(),
        scope=(match.group("scope") or "").strip() or None,
        description=match.group("desc").strip(),
        body=body,
        breaking=bool(match.group("bang")) or note is not None,
        breaking_note=note,
    )


def is_valid_header(subject: str) -> bool:
    """Whether ``subject`` is a Conventional Commits header line."""
    return _HEADER.match(subject.strip()) is not None


def section_for(commit: ConventionalCommit) -> str | None:
    """The Keep a Changelog section of a commit, or None when it is not user-facing."""
    kind = commit.type
    if kind in ("security", "sec") or (kind == "fix" and _mentions_security(commit)):
        return "Security"
    if kind in _TYPE_SECTION:
        return _TYPE_SECTION[kind]
    if kind is None:
        lowered = commit.description.lower()
        if lowered.startswith(("add ", "added ", "new ")):
            return "Added"
        if lowered.startswith(("fix ", "fixed ", "fixes ")):
            return "Fixed"
        if lowered.startswith(("remove ", "removed ", "drop ")):
            return "Removed"
        return "Changed"
    if kind in HIDDEN_TYPES and not commit.breaking:
        return None
    return "Changed"


def must_be_covered(commit: ConventionalCommit) -> bool:
    """feat, fix, breaking and security commits must appear in any release notes."""
    section = section_for(commit)
    return commit.breaking or section in ("Added", "Fixed", "Security")


def _mentions_security(commit: ConventionalCommit) -> bool:
    text = " ".join(filter(None, (commit.scope, commit.description)))
    return bool(_SECURITY_WORDS.search(text))
