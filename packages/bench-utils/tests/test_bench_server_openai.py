"""The API wrapper under real uvicorn on 127.0.0.1, driven by the ``openai`` client."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import httpx
import openai
import pytest
from openai import OpenAI
from prometheus_client.parser import text_string_to_metric_families

from bench_utils.server.app import create_app
from bench_utils.server.live import LiveServer
from bench_utils.server.settings import ServerSettings, SLOSettings
from bench_utils.testing import data_uri, png_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator

    from model_qwen_vl.hf_backend import QwenVLHFAdapter

MODEL = "tiny-qwen3_vl"


@pytest.fixture(scope="module")
def server(qwen3_adapter: QwenVLHFAdapter) -> Iterator[LiveServer]:
    settings = ServerSettings(
        max_image_bytes=200_000,
        max_image_pixels=1_000_000,
        slo=SLOSettings(ttft_ms=60_000, latency_ms=120_000, target=0.95),
    )
    with LiveServer(create_app(qwen3_adapter, settings, load_time_s=1.5)) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=120)


def user_message(text: str = "What is in the image?", image: bytes | None = None) -> dict:
    parts: list[dict] = (
        [{"type": "image_url", "image_url": {"url": data_uri(image)}}] if image else []
    )
    return {"role": "user", "content": [*parts, {"type": "text", "text": text}]}


def test_models_and_health(client: OpenAI, server: LiveServer) -> None:
    assert [m.id for m in client.models.list()] == [MODEL]
    health = httpx.get(f"{server.url}/health").json()
    assert health == {
        "status": "healthy",
        "model_loaded": True,
        "processor_loaded": True,
        "model": MODEL,
        "device": "cpu",
        "model_load_time": 1.5,
    }


def test_chat_completion_with_image_and_system_prompt(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        max_tokens=6,
        messages=[
            {"role": "system", "content": "Answer in one word."},
            user_message(image=png_bytes()),
        ],
    )
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert choice.finish_reason in ("stop", "length")
    assert completion.usage is not None
    assert 1 <= completion.usage.completion_tokens <= 6
    metrics = completion.model_extra["metrics"]
    assert metrics["completion_tokens"] == completion.usage.completion_tokens
    assert 0 < metrics["ttft_ms"] <= metrics["latency_ms"]
    assert metrics["peak_mem_mb"] > 0


def test_streaming_matches_the_non_streamed_answer(client: OpenAI) -> None:
    messages = [user_message("Describe it.", png_bytes((80, 40), (0, 0, 255)))]
    whole = client.chat.completions.create(model=MODEL, max_tokens=8, messages=messages)
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            max_tokens=8,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == [whole.choices[0].finish_reason]
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage.completion_tokens == whole.usage.completion_tokens
    assert usage_chunk.model_extra["metrics"]["completion_tokens"] == whole.usage.completion_tokens


def test_infer_endpoint_like_the_seed_service(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/infer",
        files={"file": ("d.png", png_bytes((100, 70)), "image/png")},
        timeout=120,
    )
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["description"], str)
    meta = body["metadata"]
    assert meta["image_size"] == [100, 70]
    assert (meta["model"], meta["device"]) == (MODEL, "cpu")
    assert 0 < meta["generation_time"] <= meta["inference_time"]


def test_prometheus_metrics_count_requests_and_tokens(client: OpenAI, server: LiveServer) -> None:
    def scrape() -> dict[tuple[str, tuple], float]:
        text = httpx.get(f"{server.url}/metrics").text
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    before = scrape()
    completion = client.chat.completions.create(
        model=MODEL, max_tokens=4, messages=[user_message("hi")]
    )
    after = scrape()
    key = ("hyperbench_requests_total", (("endpoint", "chat_completions"), ("status", "200")))
    assert after[key] - before.get(key, 0) == 1
    tokens = ("hyperbench_completion_tokens_total", ())
    assert after[tokens] - before.get(tokens, 0) == completion.usage.completion_tokens
    count = ("hyperbench_time_to_first_token_seconds_count", (("endpoint", "chat_completions"),))
    assert after[count] - before.get(count, 0) == 1
    assert after[("hyperbench_slo_objective", (("objective", "target"),))] == 0.95
    assert after[("hyperbench_slo_error_budget_burn_rate", (("objective", "latency"),))] == 0.0


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (
            {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
            404,
            "does not exist",
        ),
        ({"model": MODEL, "messages": []}, 400, "messages"),
        (
            {
                "model": MODEL,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image_url",
                                "image_url": {"url": "data:image/png;base64,aGVsbG8="},
                            }
                        ],
                    }
                ],
            },
            400,
            "not a readable image",
        ),
        (
            {
                "model": MODEL,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image_url",
                                "image_url": {"url": "https://example.org/cat.png"},
                            }
                        ],
                    }
                ],
            },
            400,
            "only data: URIs",
        ),
        (
            {
                "model": MODEL,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image_url",
                                "image_url": {"url": data_uri(png_bytes((1200, 1000)))},
                            }
                        ],
                    }
                ],
            },
            413,
            "exceeds the limit",
        ),
        ({"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "n": 17}, 400, "n"),
        (
            {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 100000},
            400,
            "max_tokens exceeds",
        ),
    ],
)
def test_bad_requests_get_4xx_with_a_clear_message(
    server: LiveServer, payload: dict, status: int, message: str
) -> None:
    response = httpx.post(f"{server.url}/v1/chat/completions", json=payload, timeout=60)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]
    assert httpx.get(f"{server.url}/health").json()["status"] == "healthy"


def test_malformed_json_and_bad_uploads(server: LiveServer, client: OpenAI) -> None:
    bad_json = httpx.post(
        f"{server.url}/v1/chat/completions",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert bad_json.status_code == 400
    assert "invalid request" in bad_json.json()["error"]["message"]
    not_image = httpx.post(f"{server.url}/infer", files={"file": ("a.txt", b"hello", "text/plain")})
    assert not_image.status_code == 400
    assert "not a readable image" in not_image.json()["error"]["message"]
    too_big = httpx.post(
        f"{server.url}/infer", files={"file": ("a.png", b"\0" * 300_000, "image/png")}
    )
    assert too_big.status_code == 413
    missing = httpx.post(f"{server.url}/infer")
    assert missing.status_code == 400
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="unknown", messages=[user_message("x")])
    # still serving after all of that
    completion = client.chat.completions.create(
        model=MODEL, max_tokens=2, messages=[user_message("ok")]
    )
    assert completion.usage.completion_tokens >= 1


def test_client_leaving_mid_stream_frees_the_model(server: LiveServer, client: OpenAI) -> None:
    import threading

    # ignore_eos: the random model would otherwise stop by itself after ~90 tokens
    body = {
        "model": MODEL,
        "max_tokens": 4000,
        "ignore_eos": True,
        "stream": True,
        "messages": [user_message("go on")],
    }
    with (
        httpx.Client(timeout=60) as http,
        http.stream("POST", f"{server.url}/v1/chat/completions", json=body) as response,
    ):
        first = next(response.iter_lines())
        assert first.startswith("data: ")
    # the stream's generation stops and releases the model lock: the next request is served
    # at once (4000 tokens would hold the model for tens of seconds)
    start = time.perf_counter()
    completion = client.chat.completions.create(
        model=MODEL, max_tokens=2, messages=[user_message("ok")]
    )
    assert completion.usage.completion_tokens >= 1
    assert time.perf_counter() - start < 5

    def generating() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("generate-") and t.is_alive()]

    # the last request's worker may still be finishing its final step; nothing runs on for long
    deadline = time.monotonic() + 2
    while generating() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not generating()
    text = httpx.get(f"{server.url}/metrics").text
    assert 'hyperbench_requests_total{endpoint="chat_completions",status="499"} 1.0' in text
