"""Commit messages through the scripted server: validation, retry, fallback and cache."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from notes_support import LLM_ENV, make_workspace, write

from release_tool.adapters.llm import chat_client
from release_tool.core.config import LLMSettings
from release_tool.core.workspace import load_workspace
from release_tool.notes import NotesOptions
from release_tool.notes.collect import collect_member
from release_tool.notes.commit_message import CommitMessage, commit_message
from release_tool.testing.llm_server import Reply, ScriptedLLMServer

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.notes.collect import MemberChanges


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


def changes(tmp_path: Path):
    root = make_workspace(tmp_path / "ws")
    write(root / "packages/alpha/src/alpha/cli.py", "def main():\n    print('hi')\n")
    write(root / "packages/alpha/tests/test_cli.py", "def test_main():\n    pass\n")
    ws = load_workspace(root)
    return collect_member(ws, ws.member("alpha"), history=False)


def write_message(found: MemberChanges, options: NotesOptions) -> CommitMessage:
    """The message, through the real LLM port wired as the CLI wires it."""
    return commit_message(found, options, client=chat_client(options.llm))


def opts(tmp_path: Path, server: ScriptedLLMServer) -> NotesOptions:
    llm = LLMSettings(model="scripted", base_url=server.url, max_retries=0)
    return NotesOptions(llm=llm, cache_dir=tmp_path / "cache")


def test_fenced_answer_becomes_a_conventional_message_and_is_cached(tmp_path: Path) -> None:
    found = changes(tmp_path)
    answer = {
        "type": "feat",
        "scope": "cli",
        "subject": "add a main entry point",
        "body": "",
        "breaking": False,
    }
    with ScriptedLLMServer([Reply("```json\n" + json.dumps(answer) + "\n```")]) as server:
        first = write_message(found, opts(tmp_path, server))
        again = write_message(found, opts(tmp_path, server))
    assert first.source == "llm"
    assert first.message == "feat(cli): add a main entry point\n"
    assert again.message == first.message and again.stats.calls == 0
    sent = server.chat_requests[0].body["messages"][1]["content"]
    assert "+    print('hi')" in sent and "?? packages/alpha/src/alpha/cli.py" in sent


def test_invalid_type_twice_falls_back_to_the_paths(tmp_path: Path) -> None:
    found = changes(tmp_path)
    bad = Reply(json.dumps({"type": "wip", "subject": "stuff", "body": "", "breaking": False}))
    with ScriptedLLMServer([bad, bad]) as server:
        written = write_message(found, opts(tmp_path, server))
    assert written.source == "paths"
    assert "type must be one of" in (written.fallback_reason or "")
    assert written.message.startswith("chore(alpha): update 2 files\n\n- ?? packages/alpha/")
    assert "type must be one of" in server.chat_requests[1].body["messages"][-1]["content"]
