"""The journal's file format across the pydantic -> msgspec move (issue 11).

The lines below were written by the pydantic models release-tool used
before; a run interrupted under that version must still resume under this
one, and this one writes the very same bytes. A line that does not fit
still raises ``JournalError`` naming the line and what is wrong with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from release_tool.core.journal import pending_journal
from release_tool.core.journal_records import JournalHead, StepRecord
from release_tool.core.jsonable import encode
from release_tool.core.plan import ConstraintUpdate, PinChange, StepKind
from release_tool.errors import JournalError
from release_tool.notes.cache import AnswerCache

if TYPE_CHECKING:
    from pathlib import Path

OLD_HEAD = (
    '{"command":"bump --minor a","plan":{"command":"bump --minor a","releases":[{"member":"b",'
    '"old_version":"0.1.0","new_version":"0.2.0","tag":"b-v0.2.0","repo":"packages/b",'
    '"reason":"dependent of a","constraint_updates":[{"dependency":"a","old":"a<0.2",'
    '"new":"a>=0.2"}]}],"steps":[{"kind":"edit","summary":"edit b","repo":".",'
    '"path":"packages/b/pyproject.toml","content":"x\\n"},{"kind":"tag","summary":"tag b-v0.2.0",'
    '"repo":".","tags":["b-v0.2.0"],"messages":["b 0.2.0\\n"]},{"kind":"push","summary":"push",'
    '"repo":"packages/b","branch":"main","tags":["b-v0.2.0"],"remote":"origin"}],'
    '"pins":[{"mode":"staging","member":"b","old":null,"new":"b-v0.2.0"}],"notes":[],'
    '"release_notes":[{"member":"b","tag":"b-v0.2.0","source":"commits","commits":2,'
    '"written":true}],"dry_run":false},"started":1764529200.5}'
)
"""``JournalHead(...).model_dump_json()`` of the pydantic version."""
OLD_STEPS = (
    '{"index":0,"state":"done","undo":{"backup":"0.bak"}}',
    '{"index":1,"state":"running","undo":{"repo":"packages/b"}}',
    '{"index":0,"state":"done","undo":{"backup":"0.bak","again":true}}',
)
OLD_CACHE_ENTRY = (
    '{"format":"release-tool.llm-answer/1","key":"ab' + "0" * 62 + '",'
    '"answer":{"entries":[{"text":"ü"}]}}'
)


def _write(root: Path, *lines: str) -> Path:
    path = root / ".release-tool" / "journal.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_journal_written_by_the_pydantic_version_is_read(tmp_path: Path) -> None:
    _write(tmp_path, OLD_HEAD, *OLD_STEPS)
    journal = pending_journal(tmp_path)
    assert journal is not None
    plan = journal.plan
    assert (journal.command, journal.started) == ("bump --minor a", 1764529200.5)
    assert [s.kind for s in plan.steps] == [StepKind.EDIT, StepKind.TAG, StepKind.PUSH]
    assert plan.steps[0].repo == "." and plan.steps[2].repo == "packages/b"
    assert plan.steps[1].tags == ("b-v0.2.0",) and plan.steps[1].path is None
    assert plan.pins == (PinChange("staging", "b", None, "b-v0.2.0"),)
    mode, member, old, new = plan.pins[0]
    assert (mode, member, old, new) == ("staging", "b", None, "b-v0.2.0")
    assert plan.releases[0].constraint_updates == (ConstraintUpdate("a", "a<0.2", "a>=0.2"),)
    assert plan.release_notes[0].describe() == "from 2 commits"
    # the last line per step wins, in step order
    assert [(r.index, r.state, r.undo) for r in journal.steps] == [
        (0, "done", {"backup": "0.bak", "again": True}),
        (1, "running", {"repo": "packages/b"}),
    ]


def test_the_new_version_writes_the_same_bytes(tmp_path: Path) -> None:
    _write(tmp_path, OLD_HEAD, *OLD_STEPS)
    journal = pending_journal(tmp_path)
    assert journal is not None
    head = JournalHead(command=journal.command, plan=journal.plan, started=journal.started)
    assert encode(head).decode() == OLD_HEAD
    assert (
        encode(StepRecord(index=1, state="running", undo={"repo": "packages/b"})).decode()
        == (OLD_STEPS[1])
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            (OLD_HEAD, '{"index":"one","state":"done"}'),
            "line 2: Expected `int`, got `str` - at `$.index`",
        ),
        ((OLD_HEAD, '{"index":1}'), "line 2: Object missing required field `state`"),
        ((OLD_HEAD, OLD_STEPS[0], '{"index":1,'), "line 3: Input data was truncated"),
        (('{"command":"bump"}',), "line 1: Object missing required field `plan`"),
        (
            (OLD_HEAD.replace('"kind":"tag"', '"kind":"retag"'),),
            "line 1: Invalid enum value 'retag' - at `$.plan.steps[1].kind`",
        ),
    ],
)
def test_a_line_that_does_not_fit_names_the_problem(
    tmp_path: Path, lines: tuple[str, ...], expected: str
) -> None:
    path = _write(tmp_path, *lines)
    with pytest.raises(JournalError) as caught:
        pending_journal(tmp_path)
    assert caught.value.message == f"{path} cannot be read: {expected}"
    assert "move it aside" in (caught.value.hint or "")


def test_a_cached_answer_written_by_the_pydantic_version_still_loads(tmp_path: Path) -> None:
    key = "ab" + "0" * 62
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / f"{key}.json").write_text(OLD_CACHE_ENTRY, encoding="utf-8")
    cache = AnswerCache(tmp_path)
    assert cache.get(key) == {"entries": [{"text": "ü"}]} and cache.hits == 1
    cache.put(key, {"entries": [{"text": "ü"}]})
    assert (tmp_path / "ab" / f"{key}.json").read_text(encoding="utf-8") == OLD_CACHE_ENTRY
    for damaged in ("[1]", '{"key":"' + key + '"}', "", '{"format":1,"key":"k","answer":1}'):
        (tmp_path / "ab" / f"{key}.json").write_text(damaged, encoding="utf-8")
        assert cache.get(key) is None  # a miss, never a crash
