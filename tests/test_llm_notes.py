"""Release notes against a scripted OpenAI-compatible server, through the real openai client."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

import pytest
from notes_support import LLM_ENV, commit, make_workspace

from release_tool.core.config import LLMSettings
from release_tool.core.workspace import load_workspace
from release_tool.notes import NotesOptions, release_notes, tag_message
from release_tool.notes.budget import estimate_tokens
from release_tool.testing.llm_server import (
    Reply,
    ScriptedLLMServer,
    request_ids,
)

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.workspace import Workspace


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


HISTORY = [
    ("feat(api): add greet function", {"greet.py": "def greet(name):\n    return f'hi {name}'\n"}),
    ("fix: handle empty names", {"greet.py": "def greet(name):\n    return f'hi {name or 0}'\n"}),
    ("docs: explain greet", {"README.md": "# alpha\n"}),
    ("feat!: drop Python 3.10\n\nBREAKING CHANGE: requires Python 3.11", {"compat.py": "X = 1\n"}),
    ("fix(security): escape user input in templates", {"tpl.py": "ESCAPE = True\n"}),
    ("refactor: simplify loop", {"loop.py": "for i in range(3):\n    pass\n"}),
]


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Workspace, list[str]]:
    root = make_workspace(tmp_path / "ws")
    shas = [
        commit(root, message, {f"packages/alpha/src/alpha/{k}": v for k, v in files.items()})
        for message, files in HISTORY
    ]
    return load_workspace(root), shas


def options(tmp_path: Path, server: ScriptedLLMServer | None, **llm: object) -> NotesOptions:
    values: dict[str, object] = {"model": "scripted", "max_retries": 0, "timeout": 10.0}
    if server is not None:
        values["base_url"] = server.url
    else:
        values["model"] = None
    values.update(llm)
    return NotesOptions(llm=LLMSettings(**values), cache_dir=tmp_path / "cache", date="2026-01-02")


def notes_for(ws: Workspace, opts: NotesOptions):
    return release_notes(ws, ws.member("alpha"), "0.2.0", settings=opts)


def answer(entries: list[dict[str, object]]) -> str:
    return json.dumps({"entries": entries})


def test_without_llm_the_notes_come_from_commits(workspace, tmp_path: Path) -> None:
    ws, shas = workspace
    notes = notes_for(ws, options(tmp_path, None))
    s = [sha[:7] for sha in shas]
    assert notes.source == "commits"
    assert notes.fallback_reason == "no LLM configured"
    assert notes.markdown == (
        "## [0.2.0] - 2026-01-02\n\n"
        "### Added\n\n"
        f"- **BREAKING:** Drop Python 3.10 (requires Python 3.11) ({s[3]})\n"
        f"- api: Add greet function ({s[0]})\n\n"
        "### Changed\n\n"
        f"- Simplify loop ({s[5]})\n\n"
        "### Fixed\n\n"
        f"- Handle empty names ({s[1]})\n\n"
        "### Security\n\n"
        f"- security: Escape user input in templates ({s[4]})\n"
    )
    assert tag_message(notes) == notes.markdown


def test_llm_notes_are_grounded_and_a_rerun_is_served_from_the_cache(workspace, tmp_path) -> None:
    ws, shas = workspace
    with ScriptedLLMServer() as server:
        first = notes_for(ws, options(tmp_path, server))
        again = notes_for(ws, options(tmp_path, server))
    assert first.source == "llm", first.fallback_reason
    assert "- Notes: fix: handle empty names" in first.markdown
    assert "- **BREAKING:** Notes: feat!: drop Python 3.10" in first.markdown
    assert "docs: explain greet" not in first.markdown.split("### Changed")[0]
    body = server.chat_requests[0].body
    assert (body["temperature"], body["seed"], body["model"]) == (0.0, 0, "scripted")
    assert body["response_format"] == {"type": "json_object"}
    assert [i for i, _ in request_ids(body)] == [sha[:10] for sha in shas]
    assert first.stats.calls == 1 and len(server.chat_requests) == 1
    assert again.stats.calls == 0 and again.stats.cache_hits == 1
    assert again.markdown == first.markdown


def test_429_with_retry_after_is_waited_for_then_answered(workspace, tmp_path) -> None:
    ws, _ = workspace
    with ScriptedLLMServer([Reply.error(429, retry_after=1)]) as server:
        notes = notes_for(ws, options(tmp_path, server, max_retries=2))
    first, second = server.chat_requests
    assert notes.source == "llm"
    assert second.at - first.at >= 0.9


def test_server_errors_fall_back_to_commits(workspace, tmp_path) -> None:
    ws, _ = workspace
    with ScriptedLLMServer(default=lambda body: Reply.error(500)) as server:
        notes = notes_for(ws, options(tmp_path, server, max_retries=1))
    assert notes.source == "commits"
    assert "HTTP 500" in (notes.fallback_reason or "")
    assert len(server.chat_requests) == 2  # the first try and one client retry
    assert "### Security" in notes.markdown


def test_timeout_falls_back_to_commits(workspace, tmp_path) -> None:
    ws, _ = workspace
    started = time.monotonic()
    with ScriptedLLMServer([Reply(delay=5)]) as server:
        notes = notes_for(ws, options(tmp_path, server, timeout=0.5))
    assert notes.source == "commits"
    assert "timed out after 0.5 s" in (notes.fallback_reason or "")
    assert time.monotonic() - started < 5


def test_cut_off_answer_is_retried_with_the_error_fed_back(workspace, tmp_path) -> None:
    ws, _ = workspace
    with ScriptedLLMServer([Reply('{"entries": [', finish_reason="length")]) as server:
        notes = notes_for(ws, options(tmp_path, server))
    assert notes.source == "llm"
    assert notes.stats.retries == 1
    retry = server.chat_requests[1].body["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"entries": ['}
    assert "finish_reason=length" in retry[-1]["content"]


def test_cut_off_twice_falls_back_and_caches_nothing(workspace, tmp_path) -> None:
    ws, _ = workspace
    cut = Reply('{"entries": []}', finish_reason="length")
    with ScriptedLLMServer([cut, cut]) as server:
        notes = notes_for(ws, options(tmp_path, server))
        assert notes.source == "commits"
        assert "answer rejected twice" in (notes.fallback_reason or "")
        again = notes_for(ws, options(tmp_path, server))
    assert again.source == "llm" and again.stats.calls == 1


def test_think_blocks_fences_and_preambles_are_cleaned(workspace, tmp_path) -> None:
    ws, shas = workspace
    content = (
        '<think>The user wants notes. I will mention {"entries": 1}.</think>\n'
        "Sure! Here are the release notes:\n```json\n"
        + answer(
            [
                {
                    "section": "Added",
                    "text": "Greeting API",
                    "commits": [shas[0][:10]],
                    "breaking": False,
                }
            ]
        )
        + "\n```\nHope this helps."
    )
    with ScriptedLLMServer([Reply(content)]) as server:
        notes = notes_for(ws, options(tmp_path, server))
    assert notes.source == "llm"
    assert f"- Greeting API ({shas[0][:7]})" in notes.markdown
    assert "think" not in notes.markdown and "Sure" not in notes.markdown


def test_invented_ids_are_dropped_and_missing_fixes_are_added(workspace, tmp_path) -> None:
    ws, shas = workspace
    content = answer(
        [
            {
                "section": "Added",
                "text": "Greeting API",
                "commits": [shas[0][:10]],
                "breaking": False,
            },
            {
                "section": "Added",
                "text": "Time travel",
                "commits": ["deadbeef00"],
                "breaking": False,
            },
            {
                "section": "Changed",
                "text": "Loop",
                "commits": [shas[5][:10], "cafebabe11"],
                "breaking": False,
            },
        ]
    )
    with ScriptedLLMServer([Reply(content)]) as server:
        notes = notes_for(ws, options(tmp_path, server))
    assert notes.source == "llm"
    assert "Time travel" not in notes.markdown
    assert f"- Loop ({shas[5][:7]})" in notes.markdown
    # the model skipped both fixes and the breaking feat: their commit lines are added
    assert f"- Handle empty names ({shas[1][:7]})" in notes.markdown
    assert f"- security: Escape user input in templates ({shas[4][:7]})" in notes.markdown
    assert (
        f"- **BREAKING:** Drop Python 3.10 (requires Python 3.11) ({shas[3][:7]})" in notes.markdown
    )
    warnings = "\n".join(notes.stats.warnings)
    assert "entry 2 dropped: cites unknown commit id(s) deadbeef00" in warnings
    assert "entry 3: unknown id(s) cafebabe11 removed" in warnings
    assert f"commit {shas[1][:10]} was not covered" in warnings


def test_answer_citing_only_invented_ids_is_rejected_then_falls_back(workspace, tmp_path) -> None:
    ws, _ = workspace
    bad = Reply(
        answer(
            [{"section": "Added", "text": "Magic", "commits": ["0000000aaa"], "breaking": False}]
        )
    )
    with ScriptedLLMServer([bad, bad]) as server:
        notes = notes_for(ws, options(tmp_path, server))
    assert notes.source == "commits"
    assert len(server.chat_requests) == 2
    assert "commit ids as given" in server.chat_requests[1].body["messages"][-1]["content"]


def test_streaming_answers_are_assembled(workspace, tmp_path) -> None:
    ws, _ = workspace
    with ScriptedLLMServer() as server:
        notes = notes_for(ws, options(tmp_path, server, stream=True))
    assert server.chat_requests[0].body["stream"] is True
    assert notes.source == "llm"
    assert "- Notes: refactor: simplify loop" in notes.markdown


def test_streamed_cut_off_answer_counts_as_cut_off(workspace, tmp_path) -> None:
    ws, _ = workspace
    with ScriptedLLMServer([Reply('{"entries": []}', finish_reason="length")]) as server:
        notes = notes_for(ws, options(tmp_path, server, stream=True))
    assert notes.stats.retries == 1 and notes.source == "llm"


def test_big_inputs_are_summarized_per_commit_within_the_budget(tmp_path) -> None:
    root = make_workspace(tmp_path / "ws")
    for i in range(12):
        lines = "".join(f"value_{i}_{n} = {n}\n" for n in range(300))
        commit(root, f"feat: module {i}", {f"packages/alpha/src/alpha/m{i}.py": lines})
    ws = load_workspace(root)
    with ScriptedLLMServer() as server:
        opts = options(tmp_path, server, context_tokens=3000, output_tokens=400)
        notes = notes_for(ws, opts)
    assert notes.mode == "per-commit" and notes.source == "llm"
    requests = server.chat_requests
    assert len(requests) >= 3  # summary batches, then one final call
    assert '"entries"' in requests[-1].body["messages"][0]["content"]
    assert all('"summaries"' in r.body["messages"][0]["content"] for r in requests[:-1])
    for request in requests:
        sent = sum(estimate_tokens(m["content"]) for m in request.body["messages"])
        assert sent + request.body["max_tokens"] <= 3000
    assert notes.stats.max_request_tokens <= 3000
    assert notes.markdown.count("- Notes: feat: module") == 12


def test_engine_style_call_with_the_whole_config(workspace) -> None:
    from packaging.version import Version

    ws, shas = workspace
    notes = release_notes(
        ws, ws.member("alpha"), Version("0.2.0"), since_tag="alpha-v0.1.0", settings=ws.config
    )
    assert notes.source == "commits" and notes.commits == len(shas)
    first = release_notes(
        ws, ws.member("alpha"), Version("0.2.0"), since_tag=None, settings=ws.config
    )
    assert first.commits == len(shas) + 1  # the whole history: the initial commit too
    assert first.markdown.startswith("## [0.2.0] - ")
