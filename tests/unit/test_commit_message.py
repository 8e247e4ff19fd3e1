"""notes.commit_message against an in-memory LLM port: no server, no network.

``tests/test_llm_commit.py`` runs the same code through the real ``openai``
client against a local server; here a scripted ``ChatModel`` answers, so
the retry, fallback and dry-run rules are checked alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from release_tool.adapters.llm import Completion, Endpoint, LLMError
from release_tool.notes.collect import FileDiff, MemberChanges
from release_tool.notes.commit_message import commit_message
from release_tool.notes.release import NotesOptions

if TYPE_CHECKING:
    from pathlib import Path

ENDPOINT = Endpoint(None, "fake-model", "no-key", 5.0, 0, 0.0, 1, False, "json_schema")


@dataclass
class ScriptedChat:
    """A ``core.ports.ChatModel`` answering from a list (an exception is raised)."""

    answers: list[str | Exception]
    endpoint: Endpoint = ENDPOINT
    requests: list[list[dict[str, str]]] = field(default_factory=list)

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
    ) -> Completion:
        self.requests.append(messages)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return Completion(answer, "stop", 10, 5)


def changes(tmp_path: Path) -> MemberChanges:
    diff = FileDiff("src/alpha/core.py", "@@ -1 +1 @@\n-a = 1\n+a = 2\n", 1, 1)
    return MemberChanges(
        "alpha",
        tmp_path,
        None,
        None,
        None,
        status=" M src/alpha/core.py",
        uncommitted_files=(diff,),
    )


def options(tmp_path: Path) -> NotesOptions:
    return NotesOptions(cache_dir=tmp_path / "cache")


def test_a_rejected_answer_is_retried_with_the_errors_then_used(tmp_path: Path) -> None:
    good = {"type": "fix", "scope": "alpha", "subject": "set a to 2"}
    chat = ScriptedChat([json.dumps({"type": "wip", "subject": ""}), json.dumps(good)])

    written = commit_message(changes(tmp_path), options(tmp_path), client=chat)

    assert (written.source, written.message) == ("llm", "fix(alpha): set a to 2\n")
    assert (written.stats.calls, written.stats.retries) == (2, 1)
    assert "type must be one of" in chat.requests[1][-1]["content"]
    again = commit_message(changes(tmp_path), options(tmp_path), client=ScriptedChat([]))
    assert (again.message, again.stats.cache_hits) == (written.message, 1)


def test_an_endpoint_failure_falls_back_to_the_changed_paths(tmp_path: Path) -> None:
    chat = ScriptedChat([LLMError("connection refused")])

    written = commit_message(changes(tmp_path), options(tmp_path), client=chat)

    assert written.source == "paths" and written.fallback_reason == "connection refused"
    assert written.message.startswith("chore(alpha): update core.py")


def test_no_model_and_dry_run_never_call(tmp_path: Path) -> None:
    unused = ScriptedChat([])

    without = commit_message(changes(tmp_path), options(tmp_path), client=None)
    dry = commit_message(changes(tmp_path), options(tmp_path), client=unused, call=False)

    assert without.fallback_reason == "no LLM configured"
    assert dry.fallback_reason == "dry run: the model was not called"
    assert unused.requests == [] and dry.request  # the request is still prepared and shown


def test_the_release_date_comes_from_the_clock_port() -> None:
    import datetime as dt

    from release_tool.adapters.clock import FixedClock
    from release_tool.notes.release import release_date

    assert release_date(NotesOptions(clock=FixedClock(dt.date(2031, 2, 3)))) == "2031-02-03"
    assert release_date(NotesOptions(date="2020-01-01", clock=FixedClock(dt.date(2031, 2, 3)))) == (
        "2020-01-01"
    )
