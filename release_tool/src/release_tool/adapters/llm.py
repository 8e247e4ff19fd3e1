"""The LLM adapter: chat completions from any OpenAI-compatible endpoint.

The official ``openai`` client is imported on first use so ``--help`` stays
fast. Base URL, model and key come from ``[tool.release-tool.llm]`` or the
environment (``RELEASE_TOOL_LLM_BASE_URL``, ``RELEASE_TOOL_LLM_MODEL``, the
key from the variable ``api-key-env`` names). The client's own retries honour
``Retry-After`` on 429 and back off on 5xx; timeouts are per request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from release_tool.errors import ExternalServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from release_tool.core.config import LLMSettings

ENV_BASE_URL = "RELEASE_TOOL_LLM_BASE_URL"
ENV_MODEL = "RELEASE_TOOL_LLM_MODEL"
NO_KEY = "not-needed"
"""Sent when no key is set: local servers (llama.cpp, Ollama, vLLM) ignore it."""


class LLMError(ExternalServiceError):
    """The endpoint failed: connection, timeout, HTTP error after retries."""


@dataclass(frozen=True)
class Endpoint:
    """Resolved endpoint and request parameters (the key is never printed)."""

    base_url: str | None
    model: str
    api_key: str
    timeout: float
    max_retries: int
    temperature: float
    seed: int | None
    stream: bool
    response_format: str

    def params(self, max_tokens: int) -> dict[str, Any]:
        """The sampling parameters of a request (part of the cache key)."""
        return {
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": max_tokens,
            "response_format": self.response_format,
        }


@dataclass(frozen=True)
class Completion:
    """One answer: its text, why it stopped, and the token counts the server reported."""

    text: str
    finish_reason: str | None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def resolve_endpoint(
    settings: LLMSettings, env: Mapping[str, str] | None = None
) -> Endpoint | None:
    """The endpoint to call, or None when no model is configured (commit-based notes)."""
    env = os.environ if env is None else env
    model = env.get(ENV_MODEL) or settings.model
    if not model:
        return None
    base_url = env.get(ENV_BASE_URL) or settings.base_url or env.get("OPENAI_BASE_URL") or None
    return Endpoint(
        base_url=base_url,
        model=model,
        api_key=env.get(settings.api_key_env) or NO_KEY,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        temperature=settings.temperature,
        seed=settings.seed,
        stream=settings.stream,
        response_format=settings.response_format,
    )


def chat_client(settings: LLMSettings) -> ChatClient | None:
    """The LLM port (``core.ports.ChatOpener``): a client for the configured endpoint, or None."""
    endpoint = resolve_endpoint(settings)
    return ChatClient(endpoint) if endpoint is not None else None


class ChatClient:
    """Sends chat requests; counts calls so callers can report them."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.calls = 0
        self._client: Any = None

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
    ) -> Completion:
        """One chat completion; raises ``LLMError`` when the endpoint fails."""
        import openai

        ep = self.endpoint
        request: dict[str, Any] = {
            "model": ep.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": ep.temperature,
        }
        if ep.seed is not None:
            request["seed"] = ep.seed
        if ep.response_format == "json_object":
            request["response_format"] = {"type": "json_object"}
        elif ep.response_format == "json_object_schema" and schema is not None:
            # llama-cpp-python's form: the schema becomes a sampling grammar
            request["response_format"] = {"type": "json_object", "schema": schema}
        elif ep.response_format == "json_schema" and schema is not None:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema},
            }
        self.calls += 1
        try:
            if ep.stream:
                return self._streamed(request)
            response = self._openai().chat.completions.create(**request)
        except openai.APITimeoutError:
            raise LLMError(f"LLM request timed out after {ep.timeout:g} s ({_where(ep)})") from None
        except openai.APIStatusError as exc:
            raise LLMError(
                f"LLM endpoint answered HTTP {exc.status_code} ({_where(ep)}): "
                f"{_short(exc.message)}"
            ) from None
        except openai.APIError as exc:
            raise LLMError(f"LLM request failed ({_where(ep)}): {_short(str(exc))}") from None
        if not response.choices:
            raise LLMError(f"LLM endpoint sent no choices ({_where(ep)})")
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            choice.message.content or "",
            choice.finish_reason,
            usage.prompt_tokens if usage else None,
            usage.completion_tokens if usage else None,
        )

    def _streamed(self, request: dict[str, Any]) -> Completion:
        parts: list[str] = []
        finish = None
        stream = self._openai().chat.completions.create(**request, stream=True)
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta and choice.delta.content:
                    parts.append(choice.delta.content)
                finish = choice.finish_reason or finish
        return Completion("".join(parts), finish)

    def _openai(self) -> Any:
        if self._client is None:
            import openai

            ep = self.endpoint
            self._client = openai.OpenAI(
                base_url=ep.base_url,
                api_key=ep.api_key,
                timeout=ep.timeout,
                max_retries=ep.max_retries,
            )
        return self._client


def _where(ep: Endpoint) -> str:
    return f"model {ep.model} at {ep.base_url or 'the OpenAI API'}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:200] + "..."
