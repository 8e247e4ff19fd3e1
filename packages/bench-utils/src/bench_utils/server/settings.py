"""Server settings: limits on input and the service-level objectives tracked in /metrics."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SLOSettings(BaseModel):
    """Objectives: a request is good when TTFT and latency are within bounds and it did not fail.

    ``target`` is the share of good requests promised; the error budget is
    ``1 - target`` and the burn rate is the observed bad share over that.
    """

    model_config = ConfigDict(extra="forbid")

    ttft_ms: float = Field(default=2000.0, gt=0)
    latency_ms: float = Field(default=30000.0, gt=0)
    target: float = Field(default=0.99, gt=0, lt=1)


class ServerSettings(BaseModel):
    """Limits and objectives of one API wrapper instance (``[server]`` table of the config)."""

    model_config = ConfigDict(extra="forbid")

    max_image_bytes: int = Field(default=20 * 2**20, ge=1)
    max_image_pixels: int = Field(default=64 * 2**20, ge=1)
    max_images_per_request: int = Field(default=8, ge=1)
    max_new_tokens_limit: int = Field(default=4096, ge=1)
    # Request bodies over this are refused (413) before they are read.
    max_body_bytes: int = Field(default=64 * 2**20, ge=1024)
    # Requests waiting for a batch slot; beyond this the server answers 503 + Retry-After.
    max_waiting_requests: int = Field(default=256, ge=1)
    retry_after_s: int = Field(default=1, ge=1)
    # How long the first waiting request waits for others to share its batch.
    batch_window_ms: float = Field(default=5.0, ge=0, le=1000)
    infer_prompt: str = "Describe the image."
    slo: SLOSettings = Field(default_factory=SLOSettings)
