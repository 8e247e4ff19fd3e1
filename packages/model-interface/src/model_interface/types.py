"""Typed inference requests, responses and streamed token events.

Images travel as paths, raw bytes or PIL images; adapters turn them into
pixels with :func:`model_interface.images.to_pil` so every backend accepts
the same inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FinishReason = Literal["stop", "length", "error"]


class GenerationParams(BaseModel):
    """Sampling and length settings of one request (``None`` keeps the model default)."""

    model_config = ConfigDict(extra="forbid")

    max_new_tokens: int = Field(default=128, ge=1, le=32768)
    temperature: float = Field(default=0.0, ge=0.0, le=5.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)
    repetition_penalty: float = Field(default=1.0, gt=0.0)
    stop: list[str] = Field(default_factory=list)
    seed: int | None = None
    # Generate exactly max_new_tokens (vLLM's ``ignore_eos``): fixed output lengths.
    ignore_eos: bool = False
    # OpenAI-style repetition controls over the tokens generated so far (-2..2).
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    # Extra token ids that end a sequence like EOS (vLLM's ``stop_token_ids``).
    stop_token_ids: list[int] = Field(default_factory=list)
    # EOS and stop tokens are masked until this many tokens exist (vLLM's ``min_tokens``).
    min_tokens: int = Field(default=0, ge=0)
    # Return each generated token's logprob, plus the ``top_logprobs`` most likely ones.
    logprobs: bool = False
    top_logprobs: int = Field(default=0, ge=0, le=20)
    # Constrain the output to JSON matching this schema (OpenAI's response_format).
    json_schema: dict[str, Any] | None = None

    @property
    def greedy(self) -> bool:
        """True when sampling is off (temperature 0), so output is deterministic."""
        return self.temperature == 0.0

    def merged(self, overrides: dict[str, Any]) -> GenerationParams:
        """Return a copy with the non-``None`` ``overrides`` applied (request over defaults)."""
        values = {key: value for key, value in overrides.items() if value is not None}
        return self.model_copy(update=values)


class ChatPart(BaseModel):
    """One part of a chat turn: text, or an image (path, bytes or PIL image) in its place."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    type: Literal["text", "image"]
    text: str = ""
    image: Path | bytes | Any = None


class ChatTurn(BaseModel):
    """One message of a multi-turn conversation, its parts in order (images interleaved)."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    parts: list[ChatPart] = Field(default_factory=list)


class InferenceRequest(BaseModel):
    """One prompt with zero or more images; ``id`` is the stable key answers are joined on.

    ``messages``, when given, is the whole conversation (system, user and
    assistant turns with images where they were placed) and replaces
    ``prompt``/``images``/``system_prompt`` for backends that render chat
    templates. ``model`` is the served name a client asked for (a LoRA name
    selects that adapter on backends that switch per request).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    id: str
    prompt: str = ""
    images: list[Path | bytes | Any] = Field(default_factory=list)
    system_prompt: str | None = None
    params: GenerationParams | None = None
    messages: list[ChatTurn] | None = None
    model: str | None = None

    def all_images(self) -> list[Any]:
        """The request's images in prompt order (from ``messages`` when set)."""
        if self.messages is None:
            return list(self.images)
        return [p.image for turn in self.messages for p in turn.parts if p.type == "image"]


class TokenLogprob(BaseModel):
    """One generated token's log probability and the most likely alternatives at that step."""

    token: str
    token_id: int
    logprob: float
    top: list[tuple[str, float]] = Field(default_factory=list)


class InferenceResponse(BaseModel):
    """The answer to one request with its token counts and timings.

    ``ttft_s`` is the time to the first generated token, ``latency_s`` the
    end-to-end time of the request; ``token_times_s`` are the arrival times of
    every generated token relative to the request start (for ITL), when the
    backend can observe them. A failed request has ``error`` set and
    ``finish_reason == "error"``.
    """

    id: str
    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: FinishReason = "stop"
    ttft_s: float | None = None
    latency_s: float = 0.0
    generate_s: float | None = None
    token_times_s: list[float] = Field(default_factory=list)
    error: str | None = None
    # "invalid_request" (the client's mistake, e.g. too long) or "server_error" (a crash).
    error_type: Literal["invalid_request", "server_error"] | None = None
    logprobs: list[TokenLogprob] | None = None

    @property
    def ok(self) -> bool:
        """True when the request produced an answer."""
        return self.error is None


class TokenEvent(BaseModel):
    """One streamed piece of text; ``t_s`` is seconds since the request started.

    The last event of a stream has ``final=True`` and carries the whole
    :class:`InferenceResponse` in ``response``. In a batched stream ``id``
    tells which request the event belongs to; ``logprobs`` covers the tokens
    whose text this event carries, when logprobs were asked for.
    """

    id: str
    text: str = ""
    index: int = 0
    t_s: float = 0.0
    final: bool = False
    response: InferenceResponse | None = None
    logprobs: list[TokenLogprob] | None = None
