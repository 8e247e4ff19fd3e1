"""A transformers streamer that timestamps every generated token step (batch-aware)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import queue


class TokenClock:
    """Records when ``generate`` emits each new token step, for TTFT and inter-token latency.

    transformers calls ``put`` once with the prompt ids and then once per
    generated step with a ``(batch,)`` tensor; ``end`` when generation stops.
    Optionally forwards each step's ids (and, with a logprob recorder, each
    row's logprobs) to a queue for streaming.
    """

    def __init__(
        self, start: float, sink: queue.Queue[Any] | None = None, recorder: Any = None
    ) -> None:
        self.start = start
        self.step_times: list[float] = []
        self._seen_prompt = False
        self._sink = sink
        self._recorder = recorder

    def put(self, value: Any) -> None:
        if not self._seen_prompt:
            self._seen_prompt = True
            return
        now = time.perf_counter() - self.start
        self.step_times.append(now)
        if self._sink is not None:
            extras = self._recorder.take(value) if self._recorder is not None else []
            self._sink.put((now, value.reshape(-1).tolist(), extras))

    def end(self) -> None:
        if self._sink is not None:
            self._sink.put(None)
