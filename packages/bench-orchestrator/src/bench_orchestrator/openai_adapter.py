"""The ``openai`` backend: benchmark any OpenAI-compatible endpoint through the official client.

A model config with ``backend = "openai"`` names the endpoint (``base_url``)
and the model id it serves (``model_path``). Every request is streamed, so
TTFT, TPOT and inter-token gaps are measured on the client exactly as for an
in-process backend; images travel as base64 ``data:`` URLs. ``generate``
sends a batch as concurrent streams (up to ``max_batch_size`` in flight), so
a server that batches across requests is measured as it is used.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from model_interface import (
    InferenceResponse,
    InvalidRequestError,
    ModelAdapter,
    ModelConfigError,
    TokenEvent,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from model_interface import GenerationParams, InferenceRequest

REQUEST_TIMEOUT_S = 600.0
_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"))


def image_data_url(image: Any) -> str:
    """A ``data:`` URL for a path, raw bytes or PIL image (the forms a request may hold)."""
    if isinstance(image, str | Path):
        path = Path(image)
        data = path.read_bytes()
        mime = mimetypes.guess_type(path.name)[0] or _sniff(data)
    elif isinstance(image, bytes | bytearray):
        data = bytes(image)
        mime = _sniff(data)
    elif hasattr(image, "save"):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        data, mime = buffer.getvalue(), "image/png"
    else:
        raise InvalidRequestError(f"unsupported image type {type(image).__name__}")
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _sniff(data: bytes) -> str:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def chat_messages(request: InferenceRequest, default_system: str | None) -> list[dict[str, Any]]:
    """The chat messages of one request: optional system turn, then images and the prompt."""
    messages: list[dict[str, Any]] = []
    system = request.system_prompt or default_system
    if system:
        messages.append({"role": "system", "content": system})
    parts: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": image_data_url(image)}}
        for image in request.images
    ]
    parts.append({"type": "text", "text": request.prompt})
    messages.append({"role": "user", "content": parts})
    return messages


def completion_arguments(params: GenerationParams) -> dict[str, Any]:
    """Keyword arguments of ``chat.completions.create`` for ``params``.

    Standard fields map one to one; ``top_k``, ``repetition_penalty`` and
    ``ignore_eos`` are not in the OpenAI API, so they go in ``extra_body``
    (vLLM reads them there) only when set, and a strict server is never sent
    fields it would reject.
    """
    arguments: dict[str, Any] = {
        "max_tokens": params.max_new_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
    }
    if params.stop:
        arguments["stop"] = params.stop
    if params.seed is not None:
        arguments["seed"] = params.seed
    extra: dict[str, Any] = {}
    if params.top_k is not None:
        extra["top_k"] = params.top_k
    if params.repetition_penalty != 1.0:
        extra["repetition_penalty"] = params.repetition_penalty
    if params.ignore_eos:
        extra["ignore_eos"] = True
    if extra:
        arguments["extra_body"] = extra
    return arguments


class OpenAIAdapter(ModelAdapter):
    """Sends requests to an OpenAI-compatible ``/v1/chat/completions`` endpoint."""

    name: ClassVar[str] = "openai"
    backend: ClassVar[str] = "openai"
    families: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self._client: Any = None

    @property
    def model_id(self) -> str:
        """The model id sent with each request."""
        return self.config.served_name or self.config.model_path

    def load(self) -> None:
        """Connect and check that the endpoint serves ``model_id`` (a typo fails here)."""
        import openai

        if not self.config.base_url:
            raise ModelConfigError(
                "backend 'openai' needs base_url (e.g. http://127.0.0.1:8000/v1)"
            )
        key = os.environ.get(self.config.api_key_env or "", "") or "EMPTY"
        self._client = openai.OpenAI(
            base_url=self.config.base_url, api_key=key, max_retries=0, timeout=REQUEST_TIMEOUT_S
        )
        try:
            served = [model.id for model in self._client.models.list()]
        except openai.OpenAIError as exc:
            raise ModelConfigError(f"cannot list models at {self.config.base_url}: {exc}") from exc
        if self.model_id not in served:
            raise ModelConfigError(
                f"{self.config.base_url} does not serve {self.model_id!r}; it serves {served}"
            )
        self._loaded = True

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            self._client.close()
        self._client = None
        self._loaded = False

    def info(self) -> dict[str, Any]:
        """The base description plus the endpoint; the device is the server's, unknown here."""
        return {**super().info(), "model": self.model_id, "endpoint": self.config.base_url}

    def stream(self, request: InferenceRequest) -> Iterator[TokenEvent]:
        """Stream one request; the final event carries the timed response (or its error)."""
        self.require_loaded()
        import openai

        params = self.config.generation.merged(
            request.params.model_dump(exclude_unset=True) if request.params else {}
        )
        start = time.perf_counter()
        pieces: list[str] = []
        times: list[float] = []
        usage: Any = None
        finish = "stop"
        try:
            chunks = self._client.chat.completions.create(
                model=self.model_id,
                messages=chat_messages(request, self.config.system_prompt),
                stream=True,
                stream_options={"include_usage": True},
                **completion_arguments(params),
            )
            for chunk in chunks:
                if chunk.usage is not None:
                    usage = chunk.usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.delta is not None and choice.delta.content:
                    times.append(time.perf_counter() - start)
                    pieces.append(choice.delta.content)
                    yield TokenEvent(
                        id=request.id,
                        text=choice.delta.content,
                        index=len(pieces) - 1,
                        t_s=times[-1],
                    )
                if choice.finish_reason:
                    finish = "length" if choice.finish_reason == "length" else "stop"
        except (openai.OpenAIError, InvalidRequestError, OSError) as exc:
            latency = time.perf_counter() - start
            failed = InferenceResponse(
                id=request.id, finish_reason="error", latency_s=latency, error=str(exc)
            )
            yield TokenEvent(id=request.id, t_s=latency, final=True, response=failed)
            return
        latency = time.perf_counter() - start
        response = InferenceResponse(
            id=request.id,
            text="".join(pieces),
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else len(pieces),
            finish_reason=finish,  # type: ignore[arg-type]
            ttft_s=times[0] if times else None,
            latency_s=latency,
            generate_s=latency,
            token_times_s=times,
        )
        yield TokenEvent(id=request.id, t_s=latency, final=True, response=response)

    def _complete(self, request: InferenceRequest) -> InferenceResponse:
        final = None
        for event in self.stream(request):
            final = event
        assert final is not None and final.response is not None
        return final.response

    def generate(self, requests: Sequence[InferenceRequest]) -> list[InferenceResponse]:
        """Send ``requests`` as concurrent streams; responses come back in request order."""
        self.require_loaded()
        if not requests:
            return []
        workers = min(len(requests), self.config.max_batch_size)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openai") as pool:
            return list(pool.map(self._complete, requests))
