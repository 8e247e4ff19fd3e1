"""OpenAI fidelity of the API wrapper: what is honoured works, what is not is a named 4xx."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from typing import TYPE_CHECKING

import httpx
import openai
import pytest
from openai import OpenAI

from bench_utils.server import app as app_module
from bench_utils.server.app import create_app
from bench_utils.server.live import LiveServer
from bench_utils.server.settings import ServerSettings
from bench_utils.testing import data_uri, png_bytes
from model_interface import GenerationParams, InferenceRequest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from model_qwen_vl.hf_backend import QwenVLHFAdapter

MODEL = "tiny-qwen3_vl"


@pytest.fixture(scope="module")
def server(qwen3_adapter: QwenVLHFAdapter) -> Iterator[LiveServer]:
    settings = ServerSettings(max_body_bytes=1_000_000, max_waiting_requests=3)
    with LiveServer(create_app(qwen3_adapter, settings)) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=120)


def post(server: LiveServer, payload: dict, timeout: float = 60) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/chat/completions", json=payload, timeout=timeout)


def hi(**extra: object) -> dict:
    return {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], **extra}


def count(server: LiveServer, endpoint: str, status: int) -> float:
    key = f'hyperbench_requests_total{{endpoint="{endpoint}",status="{status}"}} '
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith(key):
            return float(line.split()[-1])
    return 0.0


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"tool_choice": "auto", "logit_bias": {"1": 5}}, "logit_bias, tool_choice"),
        ({"parallel_tool_calls": True}, "parallel_tool_calls"),
    ],
)
def test_unsupported_parameters_are_named_in_a_400(
    server: LiveServer, extra: dict, named: str
) -> None:
    before = count(server, "chat_completions", 400)
    response = post(server, hi(**extra))
    assert response.status_code == 400
    error = response.json()["error"]
    assert f"unsupported parameters: {named}" in error["message"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "unsupported_parameter"
    assert count(server, "chat_completions", 400) == before + 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"seed": 2**64}, "seed"),
        ({"max_tokens": 2**40}, "max_tokens"),
        ({"temperature": 3.5}, "temperature"),
        ({"top_logprobs": 3}, "top_logprobs"),
        ({"top_logprobs": 50, "logprobs": True}, "top_logprobs"),
        ({"stop_token_ids": [-1]}, "stop_token_ids"),
        ({"response_format": {"type": "json_schema"}}, "response_format"),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "nonsense"}},
                }
            },
            "response_format",
        ),
        ({"n": 0}, "n"),
    ],
)
def test_out_of_range_and_unserved_values_are_400(
    server: LiveServer, extra: dict, field: str
) -> None:
    response = post(server, hi(**extra))
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]["message"]


def test_n_choices_and_logprobs(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "colours"}],
        max_tokens=5,
        n=3,
        temperature=1.0,
        seed=7,
        logprobs=True,
        top_logprobs=2,
    )
    assert [c.index for c in completion.choices] == [0, 1, 2]
    for choice in completion.choices:
        content = choice.logprobs.content
        assert 1 <= len(content) <= 5
        for item in content:
            assert item.logprob <= 0
            assert len(item.top_logprobs) == 2
            assert item.top_logprobs[0].logprob >= item.top_logprobs[1].logprob
    tokens = sum(len(c.logprobs.content) for c in completion.choices)
    assert completion.usage.completion_tokens == tokens
    # the same seed gives the same choices again
    again = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "colours"}],
        max_tokens=5,
        n=3,
        temperature=1.0,
        seed=7,
    )
    assert [c.message.content for c in again.choices] == [
        c.message.content for c in completion.choices
    ]


def test_stop_token_ids_and_min_tokens(client: OpenAI, qwen3_adapter: QwenVLHFAdapter) -> None:
    messages = [{"role": "user", "content": "what is in the table"}]
    [probe] = qwen3_adapter.generate(
        [
            InferenceRequest(
                id="probe",
                prompt="what is in the table",
                params=GenerationParams(max_new_tokens=1, logprobs=True),
            )
        ]
    )
    first = probe.logprobs[0].token_id
    stopped = client.chat.completions.create(
        model=MODEL, messages=messages, max_tokens=8, extra_body={"stop_token_ids": [first]}
    )
    assert stopped.usage.completion_tokens == 1
    assert stopped.choices[0].finish_reason == "stop"
    assert stopped.choices[0].message.content == ""
    held = client.chat.completions.create(
        model=MODEL,
        messages=messages,
        max_tokens=8,
        extra_body={"stop_token_ids": [first], "min_tokens": 3},
    )
    assert held.usage.completion_tokens >= 3


def test_presence_and_frequency_penalties_change_greedy_output(client: OpenAI) -> None:
    messages = [{"role": "user", "content": "| No | Action | Role |"}]
    plain = client.chat.completions.create(
        model=MODEL, messages=messages, max_tokens=24, extra_body={"ignore_eos": True}
    )
    penalised = client.chat.completions.create(
        model=MODEL,
        messages=messages,
        max_tokens=24,
        presence_penalty=2.0,
        frequency_penalty=2.0,
        logprobs=True,
        extra_body={"ignore_eos": True},
    )
    assert penalised.choices[0].message.content != plain.choices[0].message.content

    def distinct(completion: object) -> int:
        content = completion.choices[0].logprobs.content  # type: ignore[attr-defined]
        return len({item.token for item in content})

    plain_lp = client.chat.completions.create(
        model=MODEL,
        messages=messages,
        max_tokens=24,
        logprobs=True,
        extra_body={"ignore_eos": True},
    )
    assert plain_lp.choices[0].message.content == plain.choices[0].message.content
    assert distinct(penalised) > distinct(plain_lp)


def test_multi_turn_keeps_turns_and_image_places(
    client: OpenAI, qwen3_adapter: QwenVLHFAdapter
) -> None:
    red, blue = data_uri(png_bytes((32, 32), (255, 0, 0))), data_uri(png_bytes((32, 32)))
    messages = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "first"},
                {"type": "image_url", "image_url": {"url": red}},
                {"type": "text", "text": "then"},
                {"type": "image_url", "image_url": {"url": blue}},
            ],
        },
        {"role": "assistant", "content": "a table"},
        {"role": "user", "content": "and now?"},
    ]
    completion = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=3)
    assert completion.choices[0].finish_reason in ("stop", "length")
    from bench_utils.server.convert import to_inference_requests
    from bench_utils.server.schemas import ChatCompletionRequest

    chat = ChatCompletionRequest.model_validate({"model": MODEL, "messages": messages})
    [request] = to_inference_requests("x", chat, ServerSettings(), GenerationParams())
    text = qwen3_adapter.prepare(request).text
    vision = "<|vision_start|><|image_pad|><|vision_end|>"
    expected = (
        "<|im_start|>system\nBe brief.<|im_end|>\n"
        f"<|im_start|>user\nfirst{vision}then{vision}<|im_end|>\n"
        "<|im_start|>assistant\na table<|im_end|>\n"
        "<|im_start|>user\nand now?<|im_end|>\n<|im_start|>assistant\n"
    )
    assert text == expected


def test_streams_end_without_an_empty_chunk_unless_usage_is_asked(client: OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=4, stream=True
        )
    )
    assert all(chunk.choices for chunk in chunks)  # the standard loop: chunk.choices[0]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")
    whole = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=4
    )
    assert text == whole.choices[0].message.content
    with_usage = list(
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=4,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert with_usage[-1].choices == []
    assert with_usage[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_model_retrieval_and_unknown_routes(client: OpenAI, server: LiveServer) -> None:
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")
    before = count(server, "other", 404)
    response = httpx.get(f"{server.url}/v1/embeddings")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
    assert "unknown route GET /v1/embeddings" in response.json()["error"]["message"]
    assert count(server, "other", 404) == before + 1
    wrong_method = httpx.get(f"{server.url}/v1/chat/completions")
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width x height`` pixels in a few bytes (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_decompression_bombs_are_413(server: LiveServer, side: int) -> None:
    bomb = _png_header(side, side)
    payload = {
        "model": MODEL,
        "messages": [
            {
                "role": "user",
                "content": [{"type": "image_url", "image_url": {"url": data_uri(bomb)}}],
            }
        ],
    }
    response = post(server, payload)
    assert response.status_code == 413
    assert "exceeds the limit" in response.json()["error"]["message"]


def test_context_longer_than_the_model_is_400(
    server: LiveServer, qwen3_adapter: QwenVLHFAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qwen3_adapter.config, "max_model_len", 64)
    response = post(
        server, hi(max_tokens=8) | {"messages": [{"role": "user", "content": "x " * 80}]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "context_length_exceeded"
    assert "maximum context length is 64 tokens" in response.json()["error"]["message"]
    stream = post(
        server,
        hi(max_tokens=8, stream=True) | {"messages": [{"role": "user", "content": "x " * 80}]},
    )
    assert stream.status_code == 400


def test_body_limit_applies_before_reading(server: LiveServer) -> None:
    big = b'{"model": "' + b"x" * 2_000_000 + b'"}'
    declared = httpx.post(
        f"{server.url}/v1/chat/completions",
        content=big,
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413
    assert "request body exceeds the limit of 1000000 bytes" in declared.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for offset in range(0, len(big), 65536):
            yield big[offset : offset + 65536]

    chunked = httpx.post(
        f"{server.url}/v1/chat/completions",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413


def test_images_are_decoded_off_the_event_loop(
    client: OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = app_module.to_inference_requests

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app_module, "to_inference_requests", recording)
    client.chat.completions.create(
        model=MODEL,
        max_tokens=2,
        messages=[
            {
                "role": "user",
                "content": [{"type": "image_url", "image_url": {"url": data_uri(png_bytes())}}],
            }
        ],
    )
    assert threads and threads[0] != "uvicorn"  # LiveServer runs the event loop in "uvicorn"


def _long_stream(server: LiveServer) -> tuple[httpx.Client, object, object]:
    """A streamed request that holds the model until the client leaves (lines kept open)."""
    http = httpx.Client(timeout=60)
    body = hi(max_tokens=3000, ignore_eos=True, stream=True)
    context = http.stream("POST", f"{server.url}/v1/chat/completions", json=body)
    response = context.__enter__()
    assert response.status_code == 200, response.read()
    lines = response.iter_lines()  # kept: a collected iterator would close the response
    next(lines)
    return http, context, lines


def _gauge(server: LiveServer, name: str) -> float:
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(name)


def test_full_queue_is_503_with_retry_after_and_waiting_time_counts(
    server: LiveServer, client: OpenAI
) -> None:
    http, context, _ = _long_stream(server)  # occupies the model
    try:
        assert _gauge(server, "hyperbench_num_requests_running") == 1
        result: dict[str, object] = {}

        def queued() -> None:
            start = time.perf_counter()
            completion = client.chat.completions.create(
                model=MODEL, max_tokens=2, n=3, messages=[{"role": "user", "content": "queued"}]
            )
            result["elapsed_ms"] = (time.perf_counter() - start) * 1000
            result["metrics"] = completion.model_extra["metrics"]

        waiter = threading.Thread(target=queued)
        waiter.start()
        deadline = time.monotonic() + 30
        while _gauge(server, "hyperbench_num_requests_waiting") < 3:  # the queue is full
            assert time.monotonic() < deadline
            time.sleep(0.05)
        busy = post(server, hi(max_tokens=2))
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["error"]["code"] == "queue_full"
        time.sleep(0.5)  # the queued request waits behind the long one
    finally:
        context.__exit__(None, None, None)  # the client leaves: the long stream is cancelled
        http.close()
    waiter.join(timeout=60)
    metrics = result["metrics"]
    assert isinstance(metrics, dict)
    # TTFT counts from arrival: it includes the >= 0.5 s spent waiting behind the long stream
    # (from the batch start it would be a few milliseconds)
    assert 500 <= metrics["ttft_ms"] <= metrics["latency_ms"] <= float(result["elapsed_ms"])


def test_abandoned_non_streaming_request_stops_generating(
    server: LiveServer, client: OpenAI
) -> None:
    before = count(server, "chat_completions", 499)
    with pytest.raises(httpx.ReadTimeout):
        post(server, hi(max_tokens=3000, ignore_eos=True), timeout=1.0)
    deadline = time.monotonic() + 10
    while count(server, "chat_completions", 499) < before + 1:
        assert time.monotonic() < deadline, "the abandoned request kept generating"
        time.sleep(0.1)
    start = time.perf_counter()
    client.chat.completions.create(
        model=MODEL, max_tokens=2, messages=[{"role": "user", "content": "ok"}]
    )
    assert time.perf_counter() - start < 5


def test_streaming_n_choices_each_end_with_a_finish_chunk(client: OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=4,
            n=2,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    texts = {0: "", 1: ""}
    finishes = {}
    for chunk in chunks[:-1]:
        choice = chunk.choices[0]
        texts[choice.index] += choice.delta.content or ""
        if choice.finish_reason:
            finishes[choice.index] = choice.finish_reason
    assert set(finishes) == {0, 1}
    assert texts[0] == texts[1]  # greedy: the same answer twice
    whole = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=4
    )
    assert chunks[-1].usage.completion_tokens == 2 * whole.usage.completion_tokens


def test_response_format_constrains_the_answer_to_json(client: OpenAI) -> None:
    import json

    schema = {
        "type": "object",
        "properties": {
            "colour": {"type": "string", "enum": ["red", "green", "blue"]},
            "count": {"type": "integer"},
        },
        "required": ["colour", "count"],
        "additionalProperties": False,
    }
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "json please"}],
        max_tokens=48,
        n=2,
        temperature=1.0,
        seed=3,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        },
    )
    for choice in completion.choices:
        assert choice.finish_reason == "stop", choice.message.content
        value = json.loads(choice.message.content)
        assert set(value) == {"colour", "count"}
        assert value["colour"] in {"red", "green", "blue"} and isinstance(value["count"], int)
    anything = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "json please"}],
        max_tokens=48,
        temperature=1.0,
        seed=5,
        response_format={"type": "json_object"},
    )
    if anything.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(anything.choices[0].message.content), dict)
    else:  # cut by max_tokens: still a valid JSON prefix, starting an object
        assert anything.choices[0].message.content.startswith("{")
