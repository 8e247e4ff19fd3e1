"""One batch row's progress while a batch decodes: its tokens, text, timings and end.

Each generated step hands every unfinished row its token. A row ends on an
end token (EOS or one of ``stop_token_ids``), a stop string, its length
limit or its client leaving; later steps of the batch no longer touch it,
so padding written after a row ended never counts as one of its tokens,
and its timings end at its own last token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from model_interface import InferenceResponse, TokenEvent, TokenLogprob
from model_qwen_vl.decoding import cut_at_stop

if TYPE_CHECKING:
    from model_interface import GenerationParams

RowEnd = Literal["eos", "stop", "length", "cancel"]


@dataclass
class RowState:
    """The decoding state of one request inside a batch."""

    request_id: str
    params: GenerationParams
    prompt_tokens: int
    end_ids: frozenset[int]
    tokenizer: Any
    ids: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    logprobs: list[TokenLogprob] = field(default_factory=list)
    emitted: str = ""
    emitted_logprobs: int = 0
    index: int = 0
    end: RowEnd | None = None

    def _text(self) -> tuple[str, bool]:
        ids = self.ids[:-1] if self.end == "eos" else self.ids
        return cut_at_stop(self.tokenizer.decode(ids, skip_special_tokens=True), self.params.stop)

    def step(self, token: int, now: float, extra: Any = None) -> TokenEvent | None:
        """Take this row's token of a step; return the text that became final, if any."""
        self.ids.append(token)
        self.times.append(now)
        if extra is not None:
            logprob, top = extra
            self.logprobs.append(
                TokenLogprob(
                    token=self.tokenizer.decode([token]),
                    token_id=token,
                    logprob=logprob,
                    top=[(self.tokenizer.decode([i]), v) for i, v in top if v > float("-inf")],
                )
            )
        if token in self.end_ids and not self.params.ignore_eos:
            self.end = "eos"
        text, stopped = self._text()
        if stopped:
            self.end = "stop"
        elif self.end is None and len(self.ids) >= self.params.max_new_tokens:
            self.end = "length"
        if text.endswith("\ufffd") and self.end is None:
            return None  # an incomplete UTF-8 sequence: wait for the next byte
        return self._delta(text, now)

    def _delta(self, text: str, now: float) -> TokenEvent | None:
        if len(text) <= len(self.emitted) or not text.startswith(self.emitted):
            return None
        pieces = self.logprobs[self.emitted_logprobs :] if self.params.logprobs else None
        self.emitted_logprobs = len(self.logprobs)
        event = TokenEvent(
            id=self.request_id,
            text=text[len(self.emitted) :],
            index=self.index,
            t_s=now,
            logprobs=pieces,
        )
        self.emitted = text
        self.index += 1
        return event

    def finish(self, now: float, generate_start: float) -> list[TokenEvent]:
        """End the row: any text still held back, then the final event with the response.

        ``generate_start`` is when ``generate`` started (seconds from the
        request start): the row's generate time runs from there to its last token.
        """
        if self.end is None:
            self.end = "length" if len(self.ids) >= self.params.max_new_tokens else "stop"
        text, _ = self._text()
        events = []
        if (event := self._delta(text, self.times[-1] if self.times else now)) is not None:
            events.append(event)
        latency = self.times[-1] if self.times else now
        response = InferenceResponse(
            id=self.request_id,
            text=text,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=len(self.ids),
            finish_reason="length" if self.end == "length" else "stop",
            ttft_s=self.times[0] if self.times else None,
            latency_s=latency,
            generate_s=max(latency - generate_start, 0.0),
            token_times_s=list(self.times),
            logprobs=list(self.logprobs) if self.params.logprobs else None,
        )
        events.append(
            TokenEvent(
                id=self.request_id, index=self.index, t_s=latency, final=True, response=response
            )
        )
        return events


def failed_event(request_id: str, message: str, now: float, *, invalid: bool = True) -> TokenEvent:
    """The final event of a request that failed (``invalid``: the client's mistake)."""
    response = InferenceResponse(
        id=request_id,
        finish_reason="error",
        error=message,
        error_type="invalid_request" if invalid else "server_error",
        latency_s=now,
    )
    return TokenEvent(id=request_id, t_s=now, final=True, response=response)
