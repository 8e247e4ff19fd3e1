"""OpenAI chat-completions request shapes accepted by the API wrapper."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ImageURL(BaseModel):
    """An ``image_url`` part: a ``data:`` URI (URLs to other hosts are refused: offline)."""

    url: str
    detail: str | None = None


class ContentPart(BaseModel):
    """One part of a message's content: text or an image."""

    model_config = ConfigDict(extra="allow")

    type: Literal["text", "image_url"]
    text: str | None = None
    image_url: ImageURL | None = None


class ChatMessage(BaseModel):
    """A chat message; content is a string or a list of parts."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    """``stream_options``; usage is always sent in the final chunk, as if include_usage were set."""

    include_usage: bool = True


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's chat-completions request the wrapper honours."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    top_k: int | None = Field(default=None, ge=0)
    repetition_penalty: float | None = Field(default=None, gt=0)
    stop: str | list[str] | None = None
    seed: int | None = None
    ignore_eos: bool | None = None  # vLLM's extension: generate exactly max_tokens
    n: int = Field(default=1, ge=1, le=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = None

    def generation_overrides(self) -> dict[str, Any]:
        """Request fields that override the model's generation defaults."""
        stop = [self.stop] if isinstance(self.stop, str) else self.stop
        return {
            "max_new_tokens": self.max_completion_tokens or self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "repetition_penalty": self.repetition_penalty,
            "stop": stop,
            "seed": self.seed,
            "ignore_eos": self.ignore_eos,
        }
