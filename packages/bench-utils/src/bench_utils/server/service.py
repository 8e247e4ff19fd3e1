"""The model service behind the endpoints: admission, batching, timing from arrival, cancel.

Every HTTP request becomes one ticket per choice in the scheduler; its
events come back on one queue (:class:`RequestEvents`). Times the adapter
reports count from the start of the batch; the service shifts them to the
request's arrival, so TTFT, latency and the SLO include queueing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from bench_utils.server.errors import APIError
from bench_utils.server.observability import ServerMetrics
from bench_utils.server.scheduler import BatchScheduler, EngineDispatcher, QueueFullError, Ticket

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from starlette.requests import Request

    from bench_utils.server.settings import ServerSettings
    from model_interface import InferenceRequest, InferenceResponse, ModelAdapter, TokenEvent


def from_arrival(response: InferenceResponse, ticket: Ticket) -> InferenceResponse:
    """``response`` with its times counted from the HTTP request's arrival."""
    offset = ticket.offset_s
    if not offset:
        return response
    return response.model_copy(
        update={
            "ttft_s": None if response.ttft_s is None else response.ttft_s + offset,
            "latency_s": response.latency_s + offset,
            "token_times_s": [t + offset for t in response.token_times_s],
        }
    )


class RequestEvents:
    """The events of all tickets of one HTTP request, in arrival order, on one queue."""

    def __init__(self, tickets: Sequence[Ticket], queue: asyncio.Queue[Any]) -> None:
        self.tickets = list(tickets)
        self.queue = queue
        self.index = {ticket.request.id: i for i, ticket in enumerate(self.tickets)}
        self._open = len(self.tickets)
        self._held: list[Any] = []

    def ticket(self, event: TokenEvent) -> Ticket:
        """The ticket an event belongs to."""
        return self.tickets[self.index[event.id]]

    async def peek(self) -> TokenEvent | None:
        """The next event without consuming it (``None`` when every ticket ended)."""
        if not self._held:
            self._held.append(await self._next())
        item = self._held[0]
        return item  # type: ignore[no-any-return]

    async def _next(self) -> TokenEvent | None:
        while self._open:
            item = await self.queue.get()
            if item is None:
                self._open -= 1
                continue
            if isinstance(item, BaseException):
                raise APIError(500, f"generation failed: {item}") from item
            return item  # type: ignore[no-any-return]
        return None

    async def __aiter__(self) -> AsyncIterator[TokenEvent]:
        while True:
            item = self._held.pop(0) if self._held else await self._next()
            if item is None:
                return
            yield item


class ModelService:
    """Holds the adapter, its scheduler and the metrics; endpoint logic lives here."""

    def __init__(
        self, adapter: ModelAdapter, settings: ServerSettings, load_time_s: float | None
    ) -> None:
        self.adapter = adapter
        self.settings = settings
        self.load_time_s = load_time_s
        info = adapter.info()
        self.model_names = [info["model"]] + ([info["lora"]] if info.get("lora") else [])
        self.metrics = ServerMetrics(settings.slo, info["model"])
        self.created = int(time.time())
        batch = adapter.config.max_batch_size
        self.scheduler: BatchScheduler | EngineDispatcher
        if adapter.continuous_batching:
            self.scheduler = EngineDispatcher(
                adapter, max_waiting=settings.max_waiting_requests, max_batch_size=batch
            )
        else:
            self.scheduler = BatchScheduler(
                adapter,
                max_batch_size=batch,
                max_waiting=settings.max_waiting_requests,
                window_s=settings.batch_window_ms / 1000,
                on_batch=self.metrics.batch_size.observe,
            )
        self.metrics.waiting.set_function(lambda: self.scheduler.waiting)
        self.metrics.running.set_function(lambda: self.scheduler.running)

    def check_model(self, name: str) -> None:
        """404 for a model name this server does not serve."""
        if name not in self.model_names:
            raise APIError(
                404,
                f"The model {name!r} does not exist; available: {', '.join(self.model_names)}",
                code="model_not_found",
                param="model",
            )

    def submit(self, requests: Sequence[InferenceRequest], arrival: float) -> RequestEvents:
        """Queue one HTTP request's rows; 503 with ``Retry-After`` when the queue is full."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        tickets = [Ticket(request, arrival, loop, queue) for request in requests]
        try:
            self.scheduler.submit(tickets)
        except QueueFullError as exc:
            raise APIError(
                503,
                f"the server is busy ({exc}); retry later",
                code="queue_full",
                headers={"Retry-After": str(self.settings.retry_after_s)},
            ) from exc
        return RequestEvents(tickets, queue)

    def cancel(self, events: RequestEvents) -> None:
        """The client left: stop every ticket of its request."""
        for ticket in events.tickets:
            if not ticket.done:
                self.scheduler.cancel(ticket)

    async def watch_disconnect(self, http: Request, events: RequestEvents) -> None:
        """Cancel the request's tickets when its client disconnects (runs until cancelled)."""
        while True:
            await asyncio.sleep(0.05)
            if await http.is_disconnected():
                self.cancel(events)
                return

    async def first_event(self, http: Request, events: RequestEvents) -> TokenEvent | None:
        """Wait for the request's first event while watching for the client leaving."""
        watcher = asyncio.ensure_future(self.watch_disconnect(http, events))
        try:
            return await events.peek()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def collect(self, http: Request, events: RequestEvents) -> list[InferenceResponse]:
        """Every choice's final response (times from arrival), in choice order."""
        watcher = asyncio.ensure_future(self.watch_disconnect(http, events))
        finals: dict[int, InferenceResponse] = {}
        try:
            async for event in events:
                if event.final and event.response is not None:
                    ticket = events.ticket(event)
                    finals[events.index[event.id]] = from_arrival(event.response, ticket)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        return [finals[i] for i in sorted(finals)]

    def observe_queue_wait(self, events: RequestEvents) -> None:
        """Record how long the request waited for its batch."""
        self.metrics.queue_wait.observe(events.tickets[0].offset_s)
