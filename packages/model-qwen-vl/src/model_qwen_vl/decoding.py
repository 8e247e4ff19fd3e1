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


def json_grammar(schema: dict[str, Any]) -> str:
    """The llguidance grammar for ``schema``; ``ValueError`` naming the problem when invalid."""
    from llguidance import LLMatcher

    # compact JSON: flexible whitespace lets a weak model loop on blanks
    grammar = LLMatcher.grammar_from_json_schema(schema, defaults={"whitespace_flexible": False})
    error = LLMatcher.validate_grammar(grammar)  # "" when the grammar is valid
    if error:
        raise ValueError(f"invalid JSON schema: {error}")
    return str(grammar)


_LL_TOKENIZERS: dict[int, Any] = {}


def grammar_processor(tokenizer: Any, grammar: str, rows: int) -> Any:
    """A logits processor that lets each row produce only text the grammar accepts (llguidance).

    Each row has its own matcher; at every step it consumes the row's last
    token and masks the tokens the grammar forbids. Once a row's grammar is
    complete only the end token remains, so the row ends with valid output.
    """
    import llguidance.hf
    import llguidance.torch
    import torch
    from llguidance import LLMatcher
    from transformers import LogitsProcessor

    key = id(tokenizer)
    if key not in _LL_TOKENIZERS:
        _LL_TOKENIZERS[key] = llguidance.hf.from_tokenizer(tokenizer)
    lltok = _LL_TOKENIZERS[key]
    matchers = [LLMatcher(lltok, grammar) for _ in range(rows)]
    eos = tokenizer.eos_token_id

    class ConstrainToGrammar(LogitsProcessor):
        prompt_len: int | None = None

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            if self.prompt_len is None:
                self.prompt_len = input_ids.shape[1]
            else:
                for row, matcher in enumerate(matchers):
                    if not matcher.is_stopped() and not matcher.is_error():
                        matcher.consume_token(int(input_ids[row, -1]))
            vocab = lltok.vocab_size
            bitmask = llguidance.torch.allocate_token_bitmask(rows, vocab)
            for row, matcher in enumerate(matchers):
                llguidance.torch.fill_next_token_bitmask(matcher, bitmask, row)
            head = scores[:, :vocab].float().cpu()
            llguidance.torch.apply_token_bitmask_inplace(head, bitmask)
            masked = torch.full_like(scores, float("-inf"))
            masked[:, :vocab] = head.to(scores.device, scores.dtype)
            for row, matcher in enumerate(matchers):
                if matcher.is_error() or not torch.isfinite(masked[row]).any():
                    masked[row, eos] = 0.0  # a finished or broken row may only end
            return masked

    return ConstrainToGrammar()
