"""The prompts: release notes, per-commit summaries and commit messages.

No worked example is given: a model that copies its few-shot example into
the answer (opencommit #252) cannot do that here. The schema is described
with placeholders the validator rejects if they come back verbatim.
"""

from __future__ import annotations

from release_tool.notes.conventional import SECTIONS

PROMPT_VERSION = "2026-11-23.1"
"""Part of every cache key: change it whenever a prompt's wording changes."""

NOTES_SYSTEM = (
    "You write release notes for one Python package in Keep a Changelog form. "
    "Use only the commits given; never invent a change. Reply with JSON only, no prose:\n"
    '{"entries": [{"section": "<section>", "text": "<one line for users>", '
    '"commits": ["<commit id>"], "breaking": false}]}\n'
    f"section is one of: {', '.join(SECTIONS)}. "
    "Every entry cites the ids (as given in brackets) of the commits it describes. "
    "Cover every feat, fix, security and breaking commit; set breaking true for breaking "
    "changes. Merge commits that describe the same change into one entry. Skip changes "
    "users do not see (tests, CI, formatting)."
)

SUMMARY_SYSTEM = (
    "Summarize each commit below in one sentence saying what changed for users of the "
    "package, from its message and diff. Use only what is given. Reply with JSON only:\n"
    '{"summaries": [{"commit": "<commit id>", "summary": "<one sentence>"}]}\n'
    "Give exactly one summary per commit id listed."
)

COMMIT_SYSTEM = (
    "You write a git commit message in Conventional Commits form for the uncommitted "
    "changes of one package. Describe only what the diff shows. Reply with JSON only:\n"
    '{"type": "<feat|fix|docs|refactor|perf|test|build|ci|chore|style|revert>", '
    '"scope": "<scope or null>", "subject": "<imperative summary, at most 72 characters>", '
    '"body": "<what and why, may be empty>", "breaking": false}'
)

COMMIT_TYPES = (
    "feat",
    "fix",
    "docs",
    "refactor",
    "perf",
    "test",
    "build",
    "ci",
    "chore",
    "style",
    "revert",
)

PLACEHOLDERS = frozenset(
    {
        "<one line for users>",
        "<one sentence>",
        "<commit id>",
        "<section>",
        "<imperative summary, at most 72 characters>",
        "<what and why, may be empty>",
    }
)


def messages(system: str, user: str) -> list[dict[str, str]]:
    """A chat request's messages."""
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def retry_messages(
    base: list[dict[str, str]], answer: str, errors: list[str]
) -> list[dict[str, str]]:
    """The first request plus the rejected answer and what was wrong with it."""
    from release_tool.notes.redact import redact

    answer, _ = redact(answer[:2000], "answer")
    feedback = (
        "Your answer was rejected:\n- "
        + "\n- ".join(errors)
        + "\nReply again with the corrected JSON only."
    )
    return [*base, {"role": "assistant", "content": answer}, {"role": "user", "content": feedback}]


def notes_user(
    member: str,
    version: str,
    since: str | None,
    commit_lines: str,
    stat: str,
    details_title: str,
    details: str,
) -> str:
    """The user message of a release-notes request."""
    since_text = f"since {since}" if since else "(first release)"
    parts = [
        f"Package: {member}\nNew version: {version} {since_text}",
        f"Commits (oldest first):\n{commit_lines}",
        f"Diff statistics:\n{stat}",
    ]
    if details:
        parts.append(f"{details_title}:\n{details}")
    return "\n\n".join(parts)


def json_schema(kind: str, ids: list[str] | None = None) -> dict[str, object]:
    """The JSON schema of an answer, for servers that constrain output to it.

    With ``ids``, cited commit ids are limited to those: a server that turns
    the schema into a sampling grammar (llama.cpp) cannot produce an invented
    id or an extra property.
    """
    id_type: dict[str, object] = {"type": "string", "enum": ids} if ids else {"type": "string"}
    # No "pattern": llama-cpp-python 0.3.36 then drops the whole grammar.
    text = {"type": "string", "minLength": 3, "maxLength": 200}
    if kind == "notes":
        entry = _object(
            section={"type": "string", "enum": list(SECTIONS)},
            text=text,
            commits={"type": "array", "items": id_type, "minItems": 1},
            breaking={"type": "boolean"},
        )
        entries: dict[str, object] = {"type": "array", "items": entry}
        if ids:  # a grammar-bound model cannot ramble past one entry per commit
            entries["maxItems"] = len(ids) + 1
        return _object(entries=entries)
    if kind == "summaries":
        summaries: dict[str, object] = {
            "type": "array",
            "items": _object(commit=id_type, summary={**text, "maxLength": 300}),
            "minItems": 1,
        }
        if ids:
            summaries["maxItems"] = len(ids)
        return _object(summaries=summaries)
    return _object(
        type={"type": "string", "enum": list(COMMIT_TYPES)},
        scope={"type": ["string", "null"]},
        subject={**text, "maxLength": 72},
        body={"type": "string", "maxLength": 600},
        breaking={"type": "boolean"},
    )


def _object(**properties: object) -> dict[str, object]:
    """An object schema whose properties are all required and the only ones allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
