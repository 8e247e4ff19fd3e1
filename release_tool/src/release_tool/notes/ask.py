"""One question to the model: cache lookup, call, validation, one retry with the errors.

A cut-off or malformed answer is retried once with what was wrong; a second
failure (or any endpoint error) raises ``NotesFailed`` and the caller falls
back to the commit-based text. Only validated answers reach the cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from release_tool.core.jsonable import dump
from release_tool.errors import ExternalServiceError
from release_tool.notes.budget import estimate_tokens
from release_tool.notes.cache import cache_key
from release_tool.notes.prompt import PROMPT_VERSION, json_schema, retry_messages
from release_tool.notes.validate import AnswerRejected, Checked, parse_answer

if TYPE_CHECKING:
    from collections.abc import Callable

    from release_tool.core.ports import ChatModel
    from release_tool.notes.cache import AnswerCache


class NotesFailed(Exception):
    """The model gave no usable answer; the reason is shown and the fallback used."""


class AskStats(msgspec.Struct, kw_only=True):
    """What talking to the model cost, for ``--json`` output and the benchmark."""

    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    tokens_sent: int = 0
    """Estimated prompt tokens over every call made."""
    max_request_tokens: int = 0
    """The largest single request (estimated prompt tokens + output reserve)."""
    reported_prompt_tokens: int = 0
    reported_completion_tokens: int = 0
    warnings: list[str] = msgspec.field(default_factory=list)
    answer_redactions: list[str] = msgspec.field(default_factory=list)
    """Where secrets in answers were replaced (``Redaction.describe``), never their values."""

    def to_json(self) -> dict[str, Any]:
        """The JSON data of these counts (kept for the callers that embed them)."""
        data: dict[str, Any] = dump(self)
        return data


@dataclass
class Asker:
    """Asks questions of one endpoint through one cache, adding up the cost."""

    client: ChatModel
    cache: AnswerCache
    max_tokens: int
    stats: AskStats = field(default_factory=AskStats)

    def ask(
        self,
        kind: str,
        messages: list[dict[str, str]],
        check: Callable[[dict[str, Any]], Checked],
        ids: list[str] | None = None,
    ) -> Checked:
        """The validated answer to ``messages`` (from the cache when seen before).

        ``ids`` (the commit ids the answer may cite) go into the JSON schema
        sent to servers that constrain their output to it.
        """
        schema = json_schema(kind, ids)
        ep = self.client.endpoint
        key = cache_key(
            model=ep.model,
            base_url=ep.base_url,
            prompt_version=PROMPT_VERSION,
            params={**ep.params(self.max_tokens), "kind": kind, "schema": schema},
            messages=messages,
        )
        cached = self.cache.get(key)
        if cached is not None:
            try:
                checked = check(cached)
            except AnswerRejected:
                pass  # a stale or damaged entry: ask again
            else:
                self.stats.cache_hits += 1
                self._account(checked)
                return checked
        request = messages
        for attempt in (1, 2):
            text, finish = self._call(request, schema)
            try:
                data = parse_answer(text, finish)
                checked = check(data)
            except AnswerRejected as exc:
                if attempt == 2:
                    raise NotesFailed(f"answer rejected twice: {'; '.join(exc.errors)}") from None
                self.stats.retries += 1
                request = retry_messages(messages, text, exc.errors)
                continue
            self._account(checked)
            self.cache.put(key, data)
            return checked
        raise AssertionError("unreachable")

    def _account(self, checked: Checked) -> None:
        self.stats.warnings += checked.warnings
        self.stats.answer_redactions += [r.describe() for r in checked.redactions]

    def _call(
        self, messages: list[dict[str, str]], schema: dict[str, Any]
    ) -> tuple[str, str | None]:
        sent = sum(estimate_tokens(m["content"]) for m in messages)
        self.stats.calls += 1
        self.stats.tokens_sent += sent
        self.stats.max_request_tokens = max(self.stats.max_request_tokens, sent + self.max_tokens)
        try:
            answer = self.client.complete(messages, max_tokens=self.max_tokens, schema=schema)
        except ExternalServiceError as exc:  # the LLM port's failures (adapters.llm.LLMError)
            raise NotesFailed(str(exc)) from None
        self.stats.reported_prompt_tokens += answer.prompt_tokens or 0
        self.stats.reported_completion_tokens += answer.completion_tokens or 0
        return answer.text, answer.finish_reason
