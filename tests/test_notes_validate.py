"""Answer cleaning and validation rules, without a server."""

from __future__ import annotations

import pytest

from release_tool.notes.changelog import Entry
from release_tool.notes.validate import (
    AnswerRejected,
    check_commit_message,
    check_notes,
    clean_answer,
    parse_answer,
    resolve_id,
)

FULL = {"abcdef1234": "abcdef1234" + "0" * 30, "abcdef9999": "abcdef9999" + "1" * 30}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('<think>plan {"x"}</think>{"a": 1}', '{"a": 1}'),
        ('<think>never closed {"a": 2}', ""),
        ('Here you go:\n```json\n{"a": 1}\n```\nDone.', '{"a": 1}'),
        ('Sure! {"a": {"b": 1}} hope it helps', '{"a": {"b": 1}}'),
    ],
)
def test_clean_answer(raw: str, clean: str) -> None:
    assert clean_answer(raw) == clean


def test_parse_rejects_length_and_non_json() -> None:
    with pytest.raises(AnswerRejected, match="finish_reason=length"):
        parse_answer('{"entries": []}', "length")
    with pytest.raises(AnswerRejected, match="not valid JSON"):
        parse_answer("no json here", "stop")
    with pytest.raises(AnswerRejected, match="one JSON object"):
        parse_answer("[1, 2]", "stop")


def test_resolve_id_needs_a_unique_prefix_of_seven() -> None:
    assert resolve_id("abcdef1234", FULL) == FULL["abcdef1234"]
    assert resolve_id("[abcdef9]", FULL) == FULL["abcdef9999"]
    assert resolve_id("abcdef", FULL) is None  # too short
    assert resolve_id("abcdef1", FULL) == FULL["abcdef1234"]
    assert resolve_id("abcdef0", FULL) is None
    assert resolve_id(42, FULL) is None


def test_check_notes_repairs_and_reports() -> None:
    required = {FULL["abcdef9999"]: Entry("Fixed", "Fix it", (FULL["abcdef9999"],))}
    data = {
        "entries": [
            {"section": "added", "text": "Thing", "commits": "abcdef1234", "breaking": False},
            {"section": "Misc", "text": "Bad", "commits": ["abcdef1234"]},
            {"section": "Added", "text": "<one line for users>", "commits": ["abcdef1234"]},
        ]
    }
    checked = check_notes(data, FULL, required, breaking={FULL["abcdef1234"]})
    assert checked.value == [
        Entry("Added", "Thing", (FULL["abcdef1234"],), breaking=True),
        Entry("Fixed", "Fix it", (FULL["abcdef9999"],)),
    ]
    assert checked.warnings == [
        "entry 2 dropped: unknown section 'Misc'",
        "entry 3 dropped: the placeholder '<one line for users>' was copied",
        "commit abcdef9999 was not covered; added its commit line",
    ]


def test_check_notes_rejects_wrong_shape() -> None:
    with pytest.raises(AnswerRejected, match='"entries" list'):
        check_notes({"notes": []}, FULL, {}, set())


def test_commit_message_is_built_and_checked() -> None:
    checked = check_commit_message(
        {
            "type": "Feat",
            "scope": "cli",
            "subject": "add  --json.",
            "body": "Why.",
            "breaking": True,
        }
    )
    assert checked.value == "feat(cli)!: add --json\n\nWhy.\n"
    with pytest.raises(AnswerRejected, match="type must be one of"):
        check_commit_message({"type": "wip", "subject": "x"})
    with pytest.raises(AnswerRejected, match="subject is empty"):
        check_commit_message({"type": "fix", "subject": ""})


def test_summaries_reject_copied_placeholders_and_say_so() -> None:
    from release_tool.notes.validate import check_summaries

    with pytest.raises(AnswerRejected) as caught:
        check_summaries(
            {"summaries": [{"commit": "abcdef1234", "summary": "<one sentence>"}]}, FULL
        )
    assert caught.value.errors == [
        "summary for abcdef1234 dropped: the placeholder '<one sentence>' was copied",
        "no usable summary: write one real sentence per commit id given",
    ]
    checked = check_summaries(
        {"summaries": [{"commit": "abcdef9", "summary": " Fixes  it "}, {"commit": "zzz"}]}, FULL
    )
    assert checked.value == {FULL["abcdef9999"]: "Fixes it"}
    assert checked.warnings == ["summary for unknown commit 'zzz' dropped"]
