"""OpenAI chat-completions request shapes accepted by the API wrapper.

Every field the wrapper honours is declared with OpenAI's bounds (so an
overflowing value is a 400, never a crash later); any other parameter a
client sends with a value is refused by name (``unsupported_parameters``),
instead of being silently ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MAX = 2**31 - 1


class ImageURL(BaseModel):
    """An ``image_url`` part: a ``data:`` URI (URLs to other hosts are refused: offline)."""

    model_config = ConfigDict(extra="forbid")

    url: str
    detail: Literal["auto", "low", "high"] | None = None


class ContentPart(BaseModel):
    """One part of a message's content: text or an image."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text", "image_url"]
    text: str | None = None
    image_url: ImageURL | None = None


class ChatMessage(BaseModel):
    """A chat message; content is a string or a list of parts."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None
    name: str | None = None


class StreamOptions(BaseModel):
    """``stream_options``: a final usage chunk (``choices: []``) only when ``include_usage``."""

    model_config = ConfigDict(extra="forbid")

    include_usage: bool = False


class JSONSchemaFormat(BaseModel):
    """``response_format.json_schema``: a named JSON schema the answer must match."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=64)
    description: str | None = None
    json_schema: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    """``response_format``: text, any JSON object, or JSON matching a schema."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text", "json_object", "json_schema"]
    json_schema: JSONSchemaFormat | None = None

    def schema_for_decoding(self) -> dict[str, Any] | None:
        """The JSON schema to constrain decoding to (``None`` for plain text)."""
        if self.type == "json_object":
            return {"type": "object"}
        if self.type == "json_schema":
            if self.json_schema is None:
                raise ValueError("response_format: json_schema type needs a json_schema object")
            return self.json_schema.json_schema or {"type": "object"}
        return None


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's chat-completions request the wrapper honours."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1, le=INT32_MAX)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=INT32_MAX)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    top_k: int | None = Field(default=None, ge=-1, le=INT32_MAX)
    repetition_penalty: float | None = Field(default=None, gt=0, le=10)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    stop: str | list[str] | None = Field(default=None)
    stop_token_ids: list[int] | None = Field(default=None, max_length=64)
    min_tokens: int | None = Field(default=None, ge=0, le=INT32_MAX)
    seed: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    ignore_eos: bool | None = None  # vLLM's extension: generate exactly max_tokens
    n: int = Field(default=1, ge=1, le=16)
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    response_format: ResponseFormat | None = None
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ChatCompletionRequest:
        if isinstance(self.stop, list) and len(self.stop) > 16:
            raise ValueError("stop: at most 16 stop strings")
        if self.top_logprobs and not self.logprobs:
            raise ValueError("top_logprobs: needs logprobs set to true")
        if self.response_format is not None:
            self.response_format.schema_for_decoding()
        if any(token < 0 or token > INT32_MAX for token in self.stop_token_ids or []):
            raise ValueError("stop_token_ids: token ids must be between 0 and 2**31-1")
        return self

    def unsupported_parameters(self) -> list[str]:
        """Parameters the client set that this server does not implement (``None`` is unset)."""
        return sorted(key for key, value in (self.model_extra or {}).items() if value is not None)

    def generation_overrides(self) -> dict[str, Any]:
        """Request fields that override the model's generation defaults."""
        stop = [self.stop] if isinstance(self.stop, str) else self.stop
        return {
            "max_new_tokens": self.max_completion_tokens or self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": 0 if self.top_k == -1 else self.top_k,
            "repetition_penalty": self.repetition_penalty,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "stop": stop,
            "stop_token_ids": self.stop_token_ids,
            "min_tokens": self.min_tokens,
            "seed": self.seed,
            "ignore_eos": self.ignore_eos,
            "logprobs": self.logprobs,
            "top_logprobs": self.top_logprobs,
            "json_schema": self.response_format.schema_for_decoding()
            if self.response_format
            else None,
        }
