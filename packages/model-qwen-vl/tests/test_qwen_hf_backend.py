"""The transformers backend on tiny real Qwen2.5-VL and Qwen3-VL checkpoints (CPU)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PIL import Image

from model_interface import GenerationParams, InferenceRequest, ModelConfigError, load_model_config
from model_qwen_vl.hf_backend import QwenVLHFAdapter, cut_at_stop, generate_kwargs
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from pathlib import Path

GREEDY = GenerationParams(max_new_tokens=6)


def request(rid: str, colour=(200, 30, 30), size=(64, 48), **kwargs) -> InferenceRequest:
    image = Image.new("RGB", size, colour)
    return InferenceRequest(
        id=rid, prompt="What is in the image?", images=[image], params=GREEDY, **kwargs
    )


def test_batched_answers_equal_one_by_one(tiny_adapter: QwenVLHFAdapter) -> None:
    requests = [request("a"), request("b", (10, 200, 10), (96, 40)), request("c", size=(40, 90))]
    batched = tiny_adapter.generate(requests)
    single = [tiny_adapter.generate([r])[0] for r in requests]
    assert [r.id for r in batched] == ["a", "b", "c"]
    assert [r.text for r in batched] == [r.text for r in single]
    assert [r.completion_tokens for r in batched] == [r.completion_tokens for r in single]
    assert len({r.prompt_tokens for r in batched}) > 1  # different image sizes, different prompts


def test_stream_yields_the_same_text_as_generate(tiny_adapter: QwenVLHFAdapter) -> None:
    [expected] = tiny_adapter.generate([request("s")])
    events = list(tiny_adapter.stream(request("s")))
    final = events[-1]
    assert final.final and final.response is not None
    assert "".join(e.text for e in events[:-1]) == final.response.text == expected.text
    times = [e.t_s for e in events]
    assert times == sorted(times)
    assert final.response.completion_tokens == expected.completion_tokens
    assert len(final.response.token_times_s) == final.response.completion_tokens


def test_system_prompt_from_request_or_config_reaches_the_model(
    tiny_adapter: QwenVLHFAdapter,
) -> None:
    [plain] = tiny_adapter.generate([request("p")])
    [with_system] = tiny_adapter.generate([request("p", system_prompt="You read charts.")])
    assert with_system.prompt_tokens > plain.prompt_tokens
    config = tiny_adapter.config
    tiny_adapter.config = config.model_copy(update={"system_prompt": "You read charts."})
    try:
        [from_config] = tiny_adapter.generate([request("p")])
    finally:
        tiny_adapter.config = config
    assert from_config.prompt_tokens == with_system.prompt_tokens


def test_length_limit_and_timings(tiny_adapter: QwenVLHFAdapter) -> None:
    params = GenerationParams(max_new_tokens=3)
    [response] = tiny_adapter.generate([InferenceRequest(id="t", prompt="hi", params=params)])
    assert 1 <= response.completion_tokens <= 3
    if response.completion_tokens == 3 and response.finish_reason != "stop":
        assert response.finish_reason == "length"
    assert response.ttft_s is not None and response.ttft_s <= response.latency_s
    assert response.generate_s is not None and response.generate_s <= response.latency_s


def test_ignore_eos_generates_exactly_max_new_tokens(tiny_adapter: QwenVLHFAdapter) -> None:
    params = GenerationParams(max_new_tokens=120, ignore_eos=True)
    [response] = tiny_adapter.generate([InferenceRequest(id="e", prompt="go on", params=params)])
    assert response.completion_tokens == 120
    assert response.finish_reason == "length"
    assert len(response.token_times_s) == 120


def test_seeded_sampling_is_reproducible(tiny_adapter: QwenVLHFAdapter) -> None:
    params = GenerationParams(max_new_tokens=8, temperature=1.0, top_k=50, seed=7)
    make = lambda: InferenceRequest(id="r", prompt="hello", params=params)  # noqa: E731
    first, second = tiny_adapter.generate([make()]), tiny_adapter.generate([make()])
    assert first[0].text == second[0].text


def test_bad_image_fails_only_its_own_request(tiny_adapter: QwenVLHFAdapter) -> None:
    bad = InferenceRequest(id="bad", prompt="?", images=[b"not an image"], params=GREEDY)
    good, failed = tiny_adapter.generate([request("good"), bad])
    assert good.ok and good.id == "good"
    assert not failed.ok and failed.finish_reason == "error"
    assert "not a readable image" in (failed.error or "")


def test_family_mismatch_is_refused(tiny_qwen25_dir: Path) -> None:
    config = load_model_config(tiny_qwen25_dir / CONFIG_NAME).model_copy(
        update={"family": "qwen3_vl"}
    )
    with pytest.raises(ModelConfigError, match="holds a 'qwen2_5_vl' checkpoint"):
        QwenVLHFAdapter(config).load()


def test_generate_before_load_is_an_error(tiny_qwen25_dir: Path) -> None:
    from model_interface import AdapterNotLoadedError

    adapter = QwenVLHFAdapter(load_model_config(tiny_qwen25_dir / CONFIG_NAME))
    with pytest.raises(AdapterNotLoadedError):
        adapter.generate([request("x")])


def test_generate_kwargs_translate_sampling_settings() -> None:
    greedy = generate_kwargs(GenerationParams(max_new_tokens=5, stop=["\n"]))
    assert greedy["do_sample"] is False and greedy["stop_strings"] == ["\n"]
    sampled = generate_kwargs(
        GenerationParams(temperature=0.8, top_p=0.9, top_k=20, repetition_penalty=1.1)
    )
    assert sampled["do_sample"] is True
    assert (sampled["temperature"], sampled["top_p"], sampled["top_k"]) == (0.8, 0.9, 20)
    assert sampled["repetition_penalty"] == 1.1


def test_cut_at_stop() -> None:
    assert cut_at_stop("abc. def", [".", "d"]) == ("abc", True)
    assert cut_at_stop("abc", ["x"]) == ("abc", False)


def test_rows_in_a_batch_end_on_their_own_token(tiny_qwen3_dir: Path) -> None:
    """A row cut by a stop string keeps only its own tokens and timings (no phantom token)."""
    adapter = QwenVLHFAdapter(load_model_config(tiny_qwen3_dir / CONFIG_NAME))
    adapter.load()
    try:
        free = GenerationParams(max_new_tokens=16, ignore_eos=True, logprobs=True)
        prompts = {"a": "red green blue", "b": "| No | Action | Role |"}
        probes = adapter.generate(
            [InferenceRequest(id=k, prompt=p, params=free) for k, p in prompts.items()]
        )
        tokenizer = adapter.processor.tokenizer
        a, b = probes
        ids = [lp.token_id for lp in a.logprobs or []]
        # a stop string that a's answer reaches early and b's never does
        stop, cut = None, 0
        for end in range(2, 10):
            text = tokenizer.decode(ids[:end], skip_special_tokens=True)
            piece = text[-2:]
            if piece.strip() and piece not in b.text and piece not in text[:-2]:
                stop, cut = piece, end
                break
        assert stop is not None, (a.text, b.text)
        params = free.model_copy(update={"stop": [stop]})
        stopped, full = adapter.generate(
            [InferenceRequest(id=k, prompt=p, params=params) for k, p in prompts.items()]
        )
    finally:
        adapter.close()
    assert stopped.completion_tokens == cut
    assert len(stopped.token_times_s) == cut
    assert stopped.finish_reason == "stop" and stop not in stopped.text
    assert full.completion_tokens == 16 and full.finish_reason == "length"
    # the stopped row's latency (and so its TPOT) ends at its own last token
    assert stopped.latency_s == stopped.token_times_s[-1] < full.latency_s


def test_fast_decode_uses_a_static_cache_warms_up_and_answers_the_same(
    tiny_qwen3_dir: Path,
) -> None:
    config = load_model_config(tiny_qwen3_dir / CONFIG_NAME)
    assert config.fast_decode is None  # auto: on for CUDA only
    requests = [request("a"), request("b", (10, 200, 10), (96, 40))]
    with QwenVLHFAdapter(config) as plain:
        assert plain.fast_decode is False and plain.warm_up_s is None
        expected = [r.text for r in plain.generate(requests)]
    with QwenVLHFAdapter(config.model_copy(update={"fast_decode": True})) as fast:
        assert fast.warm_up_s is not None  # the decode path ran at load
        assert fast.info()["fast_decode"] is True
        seen: list[object] = []
        original = fast.model.generate

        def spy(*args: object, **kwargs: object) -> object:
            seen.append(kwargs.get("past_key_values"))
            return original(*args, **kwargs)

        fast.model.generate = spy
        assert [r.text for r in fast.generate(requests)] == expected
    assert type(seen[0]).__name__ == "StaticCache"
