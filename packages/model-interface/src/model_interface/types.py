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

    @property
    def greedy(self) -> bool:
        """True when sampling is off (temperature 0), so output is deterministic."""
        return self.temperature == 0.0

    def merged(self, overrides: dict[str, Any]) -> GenerationParams:
        """Return a copy with the non-``None`` ``overrides`` applied (request over defaults)."""
        values = {key: value for key, value in overrides.items() if value is not None}
        return self.model_copy(update=values)


class InferenceRequest(BaseModel):
    """One prompt with zero or more images; ``id`` is the stable key answers are joined on."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    id: str
    prompt: str
    images: list[Path | bytes | Any] = Field(default_factory=list)
    system_prompt: str | None = None
    params: GenerationParams | None = None


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

    @property
    def ok(self) -> bool:
        """True when the request produced an answer."""
        return self.error is None


class TokenEvent(BaseModel):
    """One streamed piece of text; ``t_s`` is seconds since the request started.

    The last event of a stream has ``final=True`` and carries the whole
    :class:`InferenceResponse` in ``response``.
    """

    id: str
    text: str = ""
    index: int = 0
    t_s: float = 0.0
    final: bool = False
    response: InferenceResponse | None = None
