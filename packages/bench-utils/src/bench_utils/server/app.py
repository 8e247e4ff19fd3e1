"""The FastAPI app: OpenAI-compatible chat completions plus the seed service's /infer and /metrics.

One adapter serves every request; a lock serialises access to the model
(transformers models are not safe to call from several threads). Model
calls run in the threadpool so the event loop keeps answering /health and
/metrics while a request generates.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from bench_utils.memory import peak_memory_mb
from bench_utils.metrics.perf import response_metrics
from bench_utils.server.convert import PayloadTooLargeError, check_image, to_inference_request
from bench_utils.server.observability import ServerMetrics
from bench_utils.server.schemas import ChatCompletionRequest  # noqa: TC001 (FastAPI reads it)
from bench_utils.server.settings import ServerSettings
from bench_utils.server.streaming import stream_events
from model_interface import InferenceRequest, InferenceResponse, InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from model_interface import ModelAdapter


class APIError(Exception):
    """An error answered as OpenAI's ``{"error": {...}}`` body with an HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code

    def response(self) -> JSONResponse:
        body = {
            "error": {"message": self.message, "type": self.kind, "code": self.code, "param": None}
        }
        return JSONResponse(body, status_code=self.status)


def _invalid(exc: InvalidRequestError) -> APIError:
    status = 413 if isinstance(exc, PayloadTooLargeError) else 400
    return APIError(
        status, str(exc), code="payload_too_large" if status == 413 else "invalid_request"
    )


class ModelService:
    """Holds the adapter, the lock around it, and the metrics; endpoint logic lives here."""

    def __init__(
        self, adapter: ModelAdapter, settings: ServerSettings, load_time_s: float | None
    ) -> None:
        self.adapter = adapter
        self.settings = settings
        self.load_time_s = load_time_s
        self.lock = threading.Lock()
        info = adapter.info()
        self.model_names = [info["model"]] + ([info["lora"]] if info.get("lora") else [])
        self.metrics = ServerMetrics(settings.slo, info["model"])
        self.created = int(time.time())

    def check_model(self, name: str) -> None:
        """404 for a model name this server does not serve."""
        if name not in self.model_names:
            raise APIError(
                404,
                f"model {name!r} is not served here; available: {', '.join(self.model_names)}",
                code="model_not_found",
            )

    def generate(self, request: InferenceRequest) -> InferenceResponse:
        """One request through the adapter, holding the model lock."""
        with self.lock:
            return self.adapter.generate([request])[0]


def _completion_body(
    service: ModelService,
    chat: ChatCompletionRequest,
    completion_id: str,
    response: InferenceResponse,
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": chat.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": response.text},
                "finish_reason": response.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": _usage(response),
        "metrics": {**response_metrics(response), "peak_mem_mb": round(peak_memory_mb(), 1)},
    }


def _usage(response: InferenceResponse) -> dict[str, int]:
    return {
        "prompt_tokens": response.prompt_tokens,
        "completion_tokens": response.completion_tokens,
        "total_tokens": response.prompt_tokens + response.completion_tokens,
    }


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream_body(
    service: ModelService,
    chat: ChatCompletionRequest,
    completion_id: str,
    request: InferenceRequest,
) -> AsyncIterator[str]:
    base = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": chat.model,
    }
    yield _sse(
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            ],
        }
    )
    final: InferenceResponse | None = None
    status = 499  # until the stream completes: the client went away
    try:
        async for event in stream_events(service.adapter, service.lock, request):
            if event.final:  # the last event: the stream ends right after it
                final = event.response
                status = 200
                continue
            yield _sse(
                {
                    **base,
                    "choices": [
                        {"index": 0, "delta": {"content": event.text}, "finish_reason": None}
                    ],
                }
            )
    except InvalidRequestError as exc:
        status = 400
        yield _sse({"error": {"message": str(exc), "type": "invalid_request_error"}})
    except Exception as exc:  # the stream has started: report in-band, keep serving
        status = 500
        yield _sse({"error": {"message": f"generation failed: {exc}", "type": "server_error"}})
    finally:
        service.metrics.observe("chat_completions", status, final)
    if final is not None:
        yield _sse(
            {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": final.finish_reason}]}
        )
        yield _sse(
            {
                **base,
                "choices": [],
                "usage": _usage(final),
                "metrics": {**response_metrics(final), "peak_mem_mb": round(peak_memory_mb(), 1)},
            }
        )
    yield "data: [DONE]\n\n"


async def _generate(
    service: ModelService, endpoint: str, request: InferenceRequest
) -> InferenceResponse:
    """Run the model off the event loop; a crash becomes a 500 and the server keeps serving."""
    try:
        return await run_in_threadpool(service.generate, request)
    except InvalidRequestError as exc:
        service.metrics.observe(endpoint, 400, None)
        raise _invalid(exc) from exc
    except Exception as exc:
        service.metrics.observe(endpoint, 500, None)
        raise APIError(500, f"generation failed: {exc}", kind="server_error") from exc


def create_app(
    adapter: ModelAdapter,
    settings: ServerSettings | None = None,
    *,
    load_time_s: float | None = None,
) -> FastAPI:
    """Build the API wrapper around a loaded ``adapter``."""
    service = ModelService(adapter, settings or ServerSettings(), load_time_s)
    app = FastAPI(title="hyperbench API wrapper", version="1")
    app.state.service = service

    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return APIError(400, f"invalid request: {problems}").response()

    @app.get("/")
    async def root() -> dict[str, Any]:
        return {
            "service": "hyperbench API wrapper",
            "models": service.model_names,
            "endpoints": ["/health", "/v1/models", "/v1/chat/completions", "/infer", "/metrics"],
        }

    @app.get("/health")
    async def health() -> dict[str, Any]:
        info = adapter.info()
        return {
            "status": "healthy" if adapter.loaded else "unavailable",
            "model_loaded": adapter.loaded,
            "processor_loaded": adapter.loaded,
            "model": info["model"],
            "device": info["device"],
            "model_load_time": service.load_time_s,
        }

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        info = adapter.info()
        data = [
            {
                "id": info["model"],
                "object": "model",
                "created": service.created,
                "owned_by": "hyperbench",
                "root": info["model"],
                "parent": None,
            }
        ]
        if info.get("lora"):
            data.append(
                {
                    "id": info["lora"],
                    "object": "model",
                    "created": service.created,
                    "owned_by": "hyperbench",
                    "root": info["model"],
                    "parent": info["model"],
                }
            )
        return {"object": "list", "data": data}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(chat: ChatCompletionRequest) -> Any:
        service.check_model(chat.model)
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        try:
            request = to_inference_request(
                completion_id, chat, service.settings, adapter.config.generation
            )
        except InvalidRequestError as exc:
            service.metrics.observe("chat_completions", 400, None)
            raise _invalid(exc) from exc
        if chat.stream:
            return StreamingResponse(
                _stream_body(service, chat, completion_id, request), media_type="text/event-stream"
            )
        response = await _generate(service, "chat_completions", request)
        if response.error:
            service.metrics.observe("chat_completions", 400, response)
            raise APIError(400, response.error)
        service.metrics.observe("chat_completions", 200, response)
        return _completion_body(service, chat, completion_id, response)

    @app.post("/infer")
    async def infer(file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008 (FastAPI idiom)
        start = time.perf_counter()
        data = await file.read(service.settings.max_image_bytes + 1)
        try:
            image = check_image(data, service.settings)
        except InvalidRequestError as exc:
            service.metrics.observe(
                "infer", 413 if isinstance(exc, PayloadTooLargeError) else 400, None
            )
            raise _invalid(exc) from exc
        request = InferenceRequest(
            id=f"infer-{uuid.uuid4().hex[:12]}",
            prompt=service.settings.infer_prompt,
            images=[image],
        )
        response = await _generate(service, "infer", request)
        if response.error:
            service.metrics.observe("infer", 400, response)
            raise APIError(400, response.error)
        service.metrics.observe("infer", 200, response)
        info = adapter.info()
        return {
            "description": response.text,
            "metadata": {
                "inference_time": round(time.perf_counter() - start, 4),
                "generation_time": round(response.generate_s or response.latency_s, 4),
                "image_size": [image.width, image.height],
                "model": info["model"],
                "device": info["device"],
            },
            "metrics": response_metrics(response),
        }

    @app.get("/metrics")
    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST

        return Response(service.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return app
