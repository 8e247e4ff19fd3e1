"""Bridge an adapter's blocking token stream to the event loop, and stop it when the client goes.

The adapter's stream generator lives entirely in one producer thread, which
holds the model lock. Events cross to the event loop through an asyncio
queue. When the client disconnects, the consumer sets ``cancelled``; the
producer closes the adapter's stream at the next event, which stops
generation early and releases the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from model_interface import InferenceRequest, ModelAdapter, TokenEvent


async def stream_events(
    adapter: ModelAdapter, lock: threading.Lock, request: InferenceRequest
) -> AsyncIterator[TokenEvent]:
    """Yield the adapter's token events without blocking the loop; errors re-raise here."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    cancelled = threading.Event()

    def send(kind: str, item: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone (server shutting down)
            loop.call_soon_threadsafe(queue.put_nowait, (kind, item))

    def produce() -> None:
        try:
            with lock:
                events = adapter.stream(request)
                try:
                    for event in events:
                        send("event", event)
                        if cancelled.is_set():
                            break
                finally:
                    close = getattr(events, "close", None)  # generators stop generating early
                    if close is not None:
                        close()
        except Exception as exc:
            send("error", exc)
        finally:
            send("end", None)

    threading.Thread(target=produce, name=f"stream-{request.id}", daemon=True).start()
    try:
        while True:
            kind, item = await queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        cancelled.set()
