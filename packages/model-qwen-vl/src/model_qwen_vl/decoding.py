"""What ``model.generate`` is given per batch: keyword arguments, logits processors, criteria.

OpenAI's repetition controls (presence and frequency penalties over the
generated tokens), per-row early stops (a client went away, a row already
answered) and logprob recording are small transformers processors and
criteria; torch is imported only when one is built.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from model_interface import GenerationParams


def generate_kwargs(params: GenerationParams, eos_ids: Sequence[int] = ()) -> dict[str, Any]:
    """Translate ``GenerationParams`` into ``model.generate`` keyword arguments.

    ``eos_ids`` are the model's end tokens; ``stop_token_ids`` are added to
    them, so transformers ends rows on either and ``min_tokens`` masks both.
    """
    kwargs: dict[str, Any] = {
        "max_new_tokens": params.max_new_tokens,
        "repetition_penalty": params.repetition_penalty,
        "do_sample": not params.greedy,
    }
    if not params.greedy:
        kwargs.update(temperature=params.temperature, top_p=params.top_p)
        if params.top_k:
            kwargs["top_k"] = params.top_k
    else:
        kwargs.update(temperature=None, top_p=None, top_k=None)
    if params.stop:
        kwargs["stop_strings"] = list(params.stop)
    if params.stop_token_ids:
        kwargs["eos_token_id"] = sorted({*eos_ids, *params.stop_token_ids})
    if params.ignore_eos:
        kwargs["min_new_tokens"] = params.max_new_tokens  # masks EOS until the length is reached
    elif params.min_tokens:
        kwargs["min_new_tokens"] = min(params.min_tokens, params.max_new_tokens)
    return kwargs


def penalty_processor(presence: float, frequency: float) -> Any:
    """OpenAI's penalties over generated tokens: ``logit -= presence * seen + frequency * n``."""
    import torch
    from transformers import LogitsProcessor

    class PresenceFrequencyPenalty(LogitsProcessor):
        prompt_len: int | None = None

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            if self.prompt_len is None:
                self.prompt_len = input_ids.shape[1]
            generated = input_ids[:, self.prompt_len :]
            if generated.shape[1] == 0:
                return scores
            counts = torch.zeros_like(scores)
            counts.scatter_add_(1, generated, torch.ones_like(generated, dtype=scores.dtype))
            return scores - presence * (counts > 0).to(scores.dtype) - frequency * counts

    return PresenceFrequencyPenalty()


class LogprobRecorder:
    """Keeps the log-softmax of each step's scores so the step's tokens can be looked up.

    It runs as the last custom logits processor, after repetition and
    presence/frequency penalties and before temperature and top-k/top-p:
    logprobs describe the model's (penalised) distribution, not the sampling
    filter.
    """

    def __init__(self, top: int) -> None:
        self.top = top
        self.last: Any = None

    def processor(self) -> Any:
        """The transformers ``LogitsProcessor`` that feeds this recorder."""
        import torch
        from transformers import LogitsProcessor

        recorder = self

        class RecordLogprobs(LogitsProcessor):
            def __call__(self, input_ids: Any, scores: Any) -> Any:
                recorder.last = torch.log_softmax(scores.float(), dim=-1)
                return scores

        return RecordLogprobs()

    def take(self, token_ids: Any) -> list[tuple[float, list[tuple[int, float]]]]:
        """Per row: the chosen token's logprob and the ``top`` most likely (id, logprob)."""
        if self.last is None:
            return []
        chosen = self.last.gather(1, token_ids.reshape(-1, 1)).reshape(-1).tolist()
        tops: list[list[tuple[int, float]]] = [[] for _ in chosen]
        if self.top:
            values, ids = self.last.topk(self.top, dim=-1)
            tops = [
                list(zip(row_ids, row_values, strict=True))
                for row_ids, row_values in zip(ids.tolist(), values.tolist(), strict=True)
            ]
        self.last = None
        return list(zip(chosen, tops, strict=True))


class RowStops:
    """Rows the consumer has finished (answered, cancelled); generation skips them.

    A transformers stopping criterion that marks those rows done, so a batch
    ends as soon as every row is finished, and a row whose client left stops
    costing anything but its slot.
    """

    def __init__(self, rows: int) -> None:
        self.done = [False] * rows
        self._lock = threading.Lock()

    def finish(self, row: int) -> None:
        """Mark ``row`` finished."""
        with self._lock:
            self.done[row] = True

    def criteria(self) -> Any:
        """The ``StoppingCriteriaList`` to pass to ``generate``."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        stops = self

        class StopFinishedRows(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                with stops._lock:
                    flags = list(stops.done)
                return torch.tensor(flags, dtype=torch.bool, device=input_ids.device)

        return StoppingCriteriaList([StopFinishedRows()])


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` at the first stop string; return the text and whether one was found."""
    positions = [text.find(s) for s in stop if s and s in text]
    if not positions:
        return text, False
    return text[: min(positions)], True


def cache_bucket(needed: int, minimum: int = 256) -> int:
    """The static cache length for ``needed`` positions: the next power of two (>= minimum).

    A few fixed lengths keep compiled shapes stable, so the compiled decode
    step is reused instead of recompiled for every prompt length.
    """
    size = minimum
    while size < needed:
        size *= 2
    return size
