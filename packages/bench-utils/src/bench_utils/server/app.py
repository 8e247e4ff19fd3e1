"""The FastAPI app: OpenAI-compatible chat completions plus the seed service's /infer and /metrics.

Requests are batched by the service's scheduler (one model thread, so the
event loop keeps answering /health and /metrics while batches decode).
Bodies are size-checked before they are read, parsed and their images
decoded in the threadpool, and every client mistake is an OpenAI error body
with a 4xx status that is counted in /metrics.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bench_utils.metrics.perf import response_metrics
from bench_utils.server import bodies
from bench_utils.server.convert import check_image, to_inference_requests
from bench_utils.server.errors import APIError, invalid
from bench_utils.server.limits import BodyLimitMiddleware, BodyTooLargeError
from bench_utils.server.schemas import ChatCompletionRequest
from bench_utils.server.service import ModelService, RequestEvents, from_arrival
from bench_utils.server.settings import ServerSettings
from model_interface import InferenceRequest, InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from model_interface import InferenceResponse, ModelAdapter

ENDPOINTS = {"/v1/chat/completions": "chat_completions", "/infer": "infer"}


def parse_chat(body: bytes) -> ChatCompletionRequest:
    """Validate a chat request body; 400 naming the bad or unsupported fields."""
    try:
        chat = ChatCompletionRequest.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        param = ".".join(str(p) for p in exc.errors()[0]["loc"]) if exc.errors() else None
        raise APIError(400, f"invalid request: {problems}", param=param or None) from exc
    unsupported = chat.unsupported_parameters()
    if unsupported:
        raise APIError(
            400,
            f"unsupported parameters: {', '.join(unsupported)} "
            "(this server does not implement them)",
            code="unsupported_parameter",
            param=unsupported[0],
        )
    return chat


def _response_error(response: InferenceResponse) -> APIError:
    if response.error_type == "server_error":
        return APIError(500, response.error or "generation failed")
    return invalid(InvalidRequestError(response.error or "invalid request"))


async def _stream_body(
    service: ModelService,
    chat: ChatCompletionRequest,
    completion_id: str,
    events: RequestEvents,
) -> AsyncIterator[str]:
    base = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": chat.model,
    }
    include_usage = bool(chat.stream_options and chat.stream_options.include_usage)
    for index in range(len(events.tickets)):
        yield bodies.sse(bodies.chunk(base, index, {"role": "assistant", "content": ""}))
    finals: dict[int, InferenceResponse] = {}
    status = 499  # until the stream completes: the client went away
    try:
        async for event in events:
            index = events.index[event.id]
            if not event.final:
                yield bodies.sse(
                    bodies.chunk(base, index, {"content": event.text}, logprobs=event.logprobs)
                )
                continue
            assert event.response is not None
            response = from_arrival(event.response, events.ticket(event))
            finals[index] = response
            if response.error:
                error = _response_error(response)
                status = error.status
                yield bodies.sse(error.body())
                break
            finish = bodies.chunk(base, index, {}, response.finish_reason)
            yield bodies.sse({**finish, "metrics": bodies.metrics(response)})
        else:
            status = 200
    except APIError as exc:
        status = exc.status
        yield bodies.sse(exc.body())
    finally:
        if status == 499:
            service.cancel(events)
        service.observe_queue_wait(events)
        service.metrics.observe("chat_completions", status, finals.get(0))
    if status == 200 and include_usage:
        ordered = [finals[i] for i in sorted(finals)]
        usage = {**base, "choices": [], "usage": bodies.usage(ordered)}
        yield bodies.sse({**usage, "metrics": bodies.metrics(ordered[0])})
    yield bodies.sse("[DONE]")


def _install_error_handlers(app: FastAPI, service: ModelService) -> None:
    def count(request: Request, status: int) -> None:
        service.metrics.observe(ENDPOINTS.get(request.url.path, "other"), status, None)

    @app.exception_handler(APIError)
    async def api_error(request: Request, exc: APIError) -> JSONResponse:
        count(request, exc.status)
        return exc.response()

    @app.exception_handler(BodyTooLargeError)
    async def body_too_large(request: Request, exc: BodyTooLargeError) -> JSONResponse:
        count(request, 413)
        return APIError(413, str(exc), code="payload_too_large").response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        count(request, 400)
        return APIError(400, f"invalid request: {problems}").response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        count(request, exc.status_code)
        message = (
            f"unknown route {request.method} {request.url.path}"
            if exc.status_code == 404
            else f"{exc.detail}: {request.method} {request.url.path}"
        )
        return APIError(exc.status_code, message, code=f"http_{exc.status_code}").response()


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
    app.add_middleware(BodyLimitMiddleware, max_bytes=service.settings.max_body_bytes)
    _install_error_handlers(app, service)

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

    def model_card(name: str) -> dict[str, Any]:
        base = adapter.info()["model"]
        return {
            "id": name,
            "object": "model",
            "created": service.created,
            "owned_by": "hyperbench",
            "root": base,
            "parent": None if name == base else base,
        }

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card(name) for name in service.model_names]}

    @app.get("/v1/models/{model_id:path}")
    async def model(model_id: str) -> dict[str, Any]:
        service.check_model(model_id)
        return model_card(model_id)

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(http: Request) -> Any:
        arrival = time.perf_counter()
        chat = await run_in_threadpool(parse_chat, await http.body())
        service.check_model(chat.model)
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        try:
            requests = await run_in_threadpool(
                to_inference_requests,
                completion_id,
                chat,
                service.settings,
                adapter.config.generation,
            )
        except InvalidRequestError as exc:
            raise invalid(exc) from exc
        events = service.submit(requests, arrival)
        first = await service.first_event(http, events)
        if first is None or any(t.cancelled for t in events.tickets):
            service.metrics.observe("chat_completions", 499, None)
            return Response(status_code=499)
        if first.final and first.response is not None and first.response.error:
            service.cancel(events)
            raise _response_error(first.response)
        if chat.stream:
            return StreamingResponse(
                _stream_body(service, chat, completion_id, events),
                media_type="text/event-stream",
            )
        responses = await service.collect(http, events)
        service.observe_queue_wait(events)
        if any(t.cancelled for t in events.tickets):
            service.metrics.observe("chat_completions", 499, None)
            return Response(status_code=499)
        failed = [r for r in responses if r.error]
        if failed:
            raise _response_error(failed[0])
        service.metrics.observe("chat_completions", 200, responses[0])
        return bodies.completion(completion_id, int(time.time()), chat.model, responses)

    @app.post("/infer")
    async def infer(http: Request, file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
        arrival = time.perf_counter()
        data = await file.read(service.settings.max_image_bytes + 1)
        try:
            image = await run_in_threadpool(check_image, data, service.settings)
        except InvalidRequestError as exc:
            raise invalid(exc) from exc
        request = InferenceRequest(
            id=f"infer-{uuid.uuid4().hex[:12]}",
            prompt=service.settings.infer_prompt,
            images=[image],
        )
        events = service.submit([request], arrival)
        [response] = await service.collect(http, events)
        if response.error:
            raise _response_error(response)
        service.metrics.observe("infer", 200, response)
        info = adapter.info()
        return {
            "description": response.text,
            "metadata": {
                "inference_time": round(time.perf_counter() - arrival, 4),
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
