"""Check a model's answer against the commits it was given.

Hard errors (cut-off answer, no JSON, wrong shape, nothing usable) reject the
answer: the caller retries once with these errors, then falls back. Soft
problems are repaired: entries citing unknown ids are dropped, and feat, fix,
breaking and security commits the model left out get their deterministic line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from release_tool.notes import prompt
from release_tool.notes.changelog import Entry
from release_tool.notes.conventional import SECTIONS, is_valid_header
from release_tool.notes.prompt import PLACEHOLDERS
from release_tool.notes.redact import Redaction, redact

if TYPE_CHECKING:
    from collections.abc import Mapping

_THINK = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.S | re.I)
_FENCE = re.compile(r"```[\w-]*\s*\n?(.*?)```", re.S)
COMMIT_TYPES = frozenset(prompt.COMMIT_TYPES) | {"security", "deprecate", "remove"}


class AnswerRejected(Exception):
    """The answer cannot be used; ``errors`` are fed back to the model on retry."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Checked:
    """A validated answer: its value plus what was repaired on the way."""

    value: Any
    warnings: list[str] = field(default_factory=list)
    redactions: list[Redaction] = field(default_factory=list)


def clean_answer(text: str) -> str:
    """The JSON object inside an answer: no ``<think>`` blocks, fences or preamble."""
    text = _THINK.sub("", text or "")
    fenced = _FENCE.search(text)
    if fenced and "{" in fenced.group(1):
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return text.strip()
    return text[start : end + 1]


def parse_answer(text: str, finish_reason: str | None) -> dict[str, Any]:
    """The answer's JSON object; a cut-off or non-JSON answer is rejected."""
    if finish_reason == "length":
        raise AnswerRejected(["the answer was cut off (finish_reason=length); answer shorter"])
    cleaned = clean_answer(text)
    try:
        data = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        raise AnswerRejected([f"the answer is not valid JSON ({exc.msg})"]) from None
    if not isinstance(data, dict):
        raise AnswerRejected(["the answer must be one JSON object"])
    return data


def resolve_id(cited: object, known: Mapping[str, str]) -> str | None:
    """The full commit id a cited id (a unique prefix of 7+ characters) stands for."""
    if not isinstance(cited, str):
        return None
    cited = cited.strip().strip("[]").lower()
    if len(cited) < 7:
        return None
    hits = {full for short, full in known.items() if full.startswith(cited) or short == cited}
    return hits.pop() if len(hits) == 1 else None


def check_notes(
    data: dict[str, Any],
    known: Mapping[str, str],
    required: Mapping[str, Entry],
    breaking: set[str],
) -> Checked:
    """Entries from a notes answer, grounded in ``known`` ids and covering ``required``.

    ``known`` maps short ids to full ids; ``required`` maps full ids of
    commits that must be covered to their deterministic entry.
    """
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise AnswerRejected(['the JSON must have an "entries" list'])
    checked = Checked([])
    entries: list[Entry] = []
    for number, item in enumerate(raw, start=1):
        entry, problem = _entry(item, known, breaking)
        if entry is None:
            checked.warnings.append(f"entry {number} dropped: {problem}")
        else:
            entries.append(entry)
            if problem:
                checked.warnings.append(f"entry {number}: {problem}")
    if raw and not entries and known:
        raise AnswerRejected(
            [
                *checked.warnings,
                "no usable entry: each needs a section, text and commit ids as given",
            ]
        )
    cited = {sha for entry in entries for sha in entry.commits}
    for sha, fallback in required.items():
        if sha not in cited:
            entries.append(fallback)
            checked.warnings.append(f"commit {sha[:10]} was not covered; added its commit line")
    final = []
    for entry in entries:
        text, found = redact(entry.text, "answer")
        checked.redactions += found
        final.append(Entry(entry.section, text, entry.commits, entry.breaking))
    checked.value = final
    return checked


def check_summaries(data: dict[str, Any], known: Mapping[str, str]) -> Checked:
    """Per-commit summaries (full id -> sentence); unknown ids and empty ones are dropped."""
    raw = data.get("summaries")
    if not isinstance(raw, list):
        raise AnswerRejected(['the JSON must have a "summaries" list'])
    checked = Checked({})
    for item in raw:
        if not isinstance(item, dict):
            continue
        sha = resolve_id(item.get("commit"), known)
        summary = " ".join(str(item.get("summary") or "").split())
        if sha is None:
            checked.warnings.append(f"summary for unknown commit {item.get('commit')!r} dropped")
        elif not summary or summary in PLACEHOLDERS:
            checked.warnings.append(
                f"summary for {sha[:10]} dropped: "
                + ("empty" if not summary else f"the placeholder {summary!r} was copied")
            )
        else:
            text, found = redact(summary, "answer")
            checked.redactions += found
            checked.value[sha] = text
    if known and not checked.value:
        raise AnswerRejected(
            [*checked.warnings, "no usable summary: write one real sentence per commit id given"]
        )
    return checked


def check_commit_message(data: dict[str, Any]) -> Checked:
    """A Conventional Commits message built from a commit-message answer."""
    kind = str(data.get("type") or "").strip().lower()
    scope = data.get("scope")
    subject = " ".join(str(data.get("subject") or "").split())
    body = str(data.get("body") or "").strip()
    errors = []
    if kind not in COMMIT_TYPES:
        errors.append(f"type must be one of {', '.join(sorted(COMMIT_TYPES))} (got {kind!r})")
    if not subject or subject in PLACEHOLDERS:
        errors.append("subject is empty")
    elif len(subject) > 100:
        errors.append("subject is longer than 100 characters")
    if body in PLACEHOLDERS:
        body = ""
    if errors:
        raise AnswerRejected(errors)
    scope_text = (
        str(scope).strip() if scope and str(scope).strip().lower() not in ("null", "none") else ""
    )
    bang = "!" if data.get("breaking") is True else ""
    header = f"{kind}{f'({scope_text})' if scope_text else ''}{bang}: {subject.rstrip('.')}"
    if not is_valid_header(header):
        raise AnswerRejected([f"the header {header!r} is not a Conventional Commits header"])
    message = header + (f"\n\n{body}" if body else "") + "\n"
    cleaned, found = redact(message, "answer")
    return Checked(cleaned, redactions=found)


def _entry(
    item: object, known: Mapping[str, str], breaking: set[str]
) -> tuple[Entry | None, str | None]:
    if not isinstance(item, dict):
        return None, "not an object"
    section = str(item.get("section") or "").strip().title()
    if section not in SECTIONS:
        return None, f"unknown section {item.get('section')!r}"
    text = " ".join(str(item.get("text") or "").split())
    if not text:
        return None, "empty text"
    if text in PLACEHOLDERS:
        return None, f"the placeholder {text!r} was copied"
    cited = item.get("commits")
    if isinstance(cited, str):
        cited = [cited]
    if not isinstance(cited, list) or not cited:
        return None, "cites no commit"
    resolved = [resolve_id(c, known) for c in cited]
    ids = tuple(dict.fromkeys(sha for sha in resolved if sha))
    unknown = [str(c) for c, sha in zip(cited, resolved, strict=True) if sha is None]
    if not ids:
        return None, f"cites unknown commit id(s) {', '.join(unknown)}"
    is_breaking = item.get("breaking") is True or any(sha in breaking for sha in ids)
    problem = f"unknown id(s) {', '.join(unknown)} removed" if unknown else None
    return Entry(section, text, ids, is_breaking), problem
