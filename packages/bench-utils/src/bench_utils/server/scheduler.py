"""Run concurrent requests together: a bounded queue in front of the adapter's batch path.

Requests arrive on the event loop as :class:`Ticket` s. One worker thread
owns the model (transformers models are not thread-safe): it takes the
oldest waiting ticket, waits a short collection window for more, and runs
up to ``max_batch_size`` tickets with equal generation params as one batch
through ``adapter.stream_batch``. Token events go back to each ticket's
asyncio queue as they are produced, so streaming works inside a batch.
A cancelled ticket (its client left) is dropped from the queue, or its row
stops at the next token step. A full queue refuses new tickets
(:class:`QueueFullError`, answered 503 with ``Retry-After``).

Engines that batch by themselves (``adapter.continuous_batching``, vLLM)
get :class:`EngineDispatcher` instead: every ticket streams straight from
``adapter.astream`` and the engine schedules them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from model_interface import InferenceRequest, ModelAdapter

logger = logging.getLogger(__name__)


class QueueFullError(Exception):
    """The waiting queue is full: the client should retry later."""


@dataclass(eq=False)
class Ticket:
    """One request's place in the scheduler and the channel its events come back on.

    ``events`` receives ``TokenEvent`` s, then ``None`` when the request is
    over, or an exception when the batch crashed. Times are
    ``time.perf_counter()`` values: ``arrival`` when the HTTP request came
    in, ``started`` when its batch started (the adapter's time zero).
    """

    request: InferenceRequest
    arrival: float
    loop: asyncio.AbstractEventLoop
    events: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    started: float | None = None
    cancelled: bool = False
    done: bool = False

    def send(self, item: Any) -> None:
        """Hand ``item`` to the ticket's event loop (from any thread)."""
        with contextlib.suppress(RuntimeError):  # the loop is gone (server shutting down)
            self.loop.call_soon_threadsafe(self.events.put_nowait, item)

    @property
    def offset_s(self) -> float:
        """Seconds between arrival and the adapter's time zero (queueing, batching window)."""
        return (self.started or self.arrival) - self.arrival


class BatchScheduler:
    """Queue plus one model thread that runs compatible waiting requests as batches."""

    def __init__(
        self,
        adapter: ModelAdapter,
        *,
        max_batch_size: int,
        max_waiting: int,
        window_s: float = 0.005,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.adapter = adapter
        self.max_batch_size = max_batch_size
        self.max_waiting = max_waiting
        self.window_s = window_s
        self.on_batch = on_batch
        self._waiting: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="batch-scheduler", daemon=True)
        self._thread.start()

    @property
    def waiting(self) -> int:
        """Tickets queued and not yet in a batch."""
        return len(self._waiting)

    @property
    def running(self) -> int:
        """Tickets in the batch that is decoding now."""
        return len(self._running)

    def submit(self, tickets: Sequence[Ticket]) -> None:
        """Queue ``tickets`` (all of one HTTP request); ``QueueFullError`` when they do not fit."""
        with self._cond:
            if len(self._waiting) + len(tickets) > self.max_waiting:
                raise QueueFullError(f"{len(self._waiting)} requests are waiting already")
            self._waiting.extend(tickets)
            self._cond.notify()

    def cancel(self, ticket: Ticket) -> None:
        """The client left: drop a waiting ticket, or stop its row at the next token."""
        with self._cond:
            ticket.cancelled = True
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                ticket.done = True
                ticket.send(None)

    def close(self) -> None:
        """Stop the worker after the current batch."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=30)

    def _take_batch(self) -> list[Ticket]:
        with self._cond:
            while not self._waiting and not self._closed:
                self._cond.wait()
            if self._closed:
                return []
            first = self._waiting[0]
        # A short window lets requests sent together start together.
        deadline = first.arrival + self.window_s
        while time.perf_counter() < deadline and self.waiting < self.max_batch_size:
            time.sleep(min(0.001, max(deadline - time.perf_counter(), 0)))
        with self._cond:
            if not self._waiting:
                return []
            params = self._waiting[0].request.params
            batch = [t for t in self._waiting if t.request.params == params]
            batch = batch[: self.max_batch_size]
            for ticket in batch:
                self._waiting.remove(ticket)
            self._running = batch
            return batch

    def _work(self) -> None:
        while not self._closed:
            batch = self._take_batch()
            if batch:
                try:
                    self._run(batch)
                finally:
                    with self._cond:
                        self._running = []

    def _run(self, batch: list[Ticket]) -> None:
        started = time.perf_counter()
        by_id = {ticket.request.id: ticket for ticket in batch}
        for ticket in batch:
            ticket.started = started
        if self.on_batch is not None:
            self.on_batch(len(batch))
        try:
            events = self.adapter.stream_batch(
                [ticket.request for ticket in batch],
                should_stop=lambda request_id: by_id[request_id].cancelled,
            )
            for event in events:
                ticket = by_id[event.id]
                ticket.send(event)
                if event.final:
                    ticket.done = True
                    ticket.send(None)
        except Exception as exc:  # a crash fails this batch's requests, not the server
            logger.exception("batch of %d failed", len(batch))
            for ticket in batch:
                if not ticket.done:
                    ticket.send(exc)
        finally:
            for ticket in batch:
                if not ticket.done:
                    ticket.done = True
                    ticket.send(None)


class EngineDispatcher:
    """Streams every ticket straight from an engine that batches itself (``adapter.astream``)."""

    def __init__(self, adapter: ModelAdapter, *, max_waiting: int, max_batch_size: int) -> None:
        self.adapter = adapter
        self.limit = max_waiting + max_batch_size
        self.max_batch_size = max_batch_size
        self._tasks: dict[Ticket, asyncio.Task[None]] = {}

    @property
    def waiting(self) -> int:
        """Requests beyond what the engine decodes at once (the engine queues them)."""
        return max(len(self._tasks) - self.max_batch_size, 0)

    @property
    def running(self) -> int:
        """Requests the engine decodes now (at most ``max_batch_size``)."""
        return min(len(self._tasks), self.max_batch_size)

    def submit(self, tickets: Sequence[Ticket]) -> None:
        """Start streaming ``tickets``; ``QueueFullError`` when too many are in flight."""
        if len(self._tasks) + len(tickets) > self.limit:
            raise QueueFullError(f"{len(self._tasks)} requests are in flight already")
        for ticket in tickets:
            ticket.started = time.perf_counter()
            self._tasks[ticket] = asyncio.ensure_future(self._pump(ticket))

    async def _pump(self, ticket: Ticket) -> None:
        try:
            async for event in self.adapter.astream(ticket.request):
                ticket.events.put_nowait(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            ticket.events.put_nowait(exc)
        finally:
            ticket.done = True
            ticket.events.put_nowait(None)
            self._tasks.pop(ticket, None)

    def cancel(self, ticket: Ticket) -> None:
        """The client left: cancel the stream; the adapter aborts the request in the engine."""
        ticket.cancelled = True
        task = self._tasks.get(ticket)
        if task is not None:
            task.cancel()

    def close(self) -> None:
        """Cancel what is in flight."""
        for task in list(self._tasks.values()):
            task.cancel()
