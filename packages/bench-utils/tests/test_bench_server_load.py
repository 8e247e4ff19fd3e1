"""A loopback load on the API wrapper: bounded, batched, nothing lost, flat memory, loop free."""

from __future__ import annotations

import gc
import threading
import time
from typing import TYPE_CHECKING

import httpx
from openai import OpenAI
from prometheus_client.parser import text_string_to_metric_families

from bench_utils.memory import current_rss_mb
from bench_utils.server.app import create_app
from bench_utils.server.live import LiveServer
from bench_utils.testing import data_uri, png_bytes

if TYPE_CHECKING:
    from model_qwen_vl.hf_backend import QwenVLHFAdapter

WORKERS = 8
REQUESTS_PER_WORKER = 6
DEADLINE_S = 120
MAX_RSS_GROWTH_MB = 64


def _scrape(url: str) -> dict[tuple[str, tuple], float]:
    text = httpx.get(f"{url}/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_loopback_load_is_batched_and_loses_nothing(qwen3_adapter: QwenVLHFAdapter) -> None:
    image = data_uri(png_bytes((64, 64), (10, 120, 200)))
    with LiveServer(create_app(qwen3_adapter)) as server:
        client = OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=60)

        def messages(seed: int, index: int) -> list[dict]:
            return [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": image}},
                        {"type": "text", "text": f"What colour? {seed}-{index}"},
                    ],
                }
            ]

        def one(seed: int, index: int) -> tuple[str, int]:
            """(request key, output tokens) through the client's standard loops."""
            key = f"{seed}-{index}"
            if (seed + index) % 2 == 0:  # the standard streaming loop: choices[0] on every chunk
                text, tokens = "", 0
                for chunk in client.chat.completions.create(
                    model="tiny-qwen3_vl",
                    messages=messages(seed, index),
                    max_tokens=6,
                    stream=True,
                    stream_options={"include_usage": True},
                ):
                    if chunk.usage is not None:
                        tokens = chunk.usage.completion_tokens
                        continue
                    text += chunk.choices[0].delta.content or ""
                return key, tokens
            completion = client.chat.completions.create(
                model="tiny-qwen3_vl", messages=messages(seed, index), max_tokens=6
            )
            return key, completion.usage.completion_tokens

        for index in range(4):  # warm-up: allocator pools and caches settle
            one(0, index)
        gc.collect()
        rss_before = current_rss_mb()
        before = _scrape(server.url)
        errors: list[BaseException] = []
        done: dict[str, int] = {}
        deadline = time.monotonic() + DEADLINE_S

        def worker(seed: int) -> None:
            for index in range(REQUESTS_PER_WORKER):
                if time.monotonic() > deadline:
                    return
                try:
                    key, tokens = one(seed, index)
                    done[key] = tokens
                except Exception as exc:  # collected and asserted below
                    errors.append(exc)

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(WORKERS)]
        for thread in threads:
            thread.start()
        health_latencies = []
        while any(t.is_alive() for t in threads):
            start = time.perf_counter()
            assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
            health_latencies.append(time.perf_counter() - start)
            time.sleep(0.2)
        for thread in threads:
            thread.join()
        gc.collect()
        rss_after = current_rss_mb()
        after = _scrape(server.url)
    assert errors == []
    expected = {f"{s}-{i}" for s in range(WORKERS) for i in range(REQUESTS_PER_WORKER)}
    assert set(done) == expected, "requests lost or load not finished within its time bound"
    assert all(tokens >= 1 for tokens in done.values())
    ok = ("hyperbench_requests_total", (("endpoint", "chat_completions"), ("status", "200")))
    assert after[ok] - before[ok] == len(expected)
    # batching happened: fewer batches than requests, and some batch held more than one
    batches = (
        after[("hyperbench_batch_size_count", ())] - before[("hyperbench_batch_size_count", ())]
    )
    rows = after[("hyperbench_batch_size_sum", ())] - before[("hyperbench_batch_size_sum", ())]
    assert rows == len(expected)
    assert batches < len(expected) / 2, (batches, rows)
    single = ("hyperbench_batch_size_bucket", (("le", "1.0"),))
    assert after[("hyperbench_batch_size_count", ())] > after[single]
    assert after[("hyperbench_num_requests_waiting", ())] == 0
    assert after[("hyperbench_num_requests_running", ())] == 0
    assert rss_after - rss_before < MAX_RSS_GROWTH_MB, (rss_before, rss_after)
    assert max(health_latencies) < 5  # the event loop is not blocked by generation
