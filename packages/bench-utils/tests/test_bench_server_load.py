"""A short loopback load on the API wrapper: bounded in count and time, no errors, flat memory."""

from __future__ import annotations

import gc
import threading
import time
from typing import TYPE_CHECKING

import httpx
from openai import OpenAI

from bench_utils.memory import current_rss_mb
from bench_utils.server.app import create_app
from bench_utils.server.live import LiveServer
from bench_utils.testing import data_uri, png_bytes

if TYPE_CHECKING:
    from model_qwen_vl.hf_backend import QwenVLHFAdapter

WORKERS = 4
REQUESTS_PER_WORKER = 12
DEADLINE_S = 120
MAX_RSS_GROWTH_MB = 64


def test_loopback_load_has_no_errors_and_flat_memory(qwen3_adapter: QwenVLHFAdapter) -> None:
    image = data_uri(png_bytes((64, 64), (10, 120, 200)))
    with LiveServer(create_app(qwen3_adapter)) as server:
        client = OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=60)
        messages = [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": image}},
                    {"type": "text", "text": "What colour?"},
                ],
            }
        ]

        def one(stream: bool) -> int:
            if stream:
                chunks = list(
                    client.chat.completions.create(
                        model="tiny-qwen3_vl", messages=messages, max_tokens=6, stream=True
                    )
                )
                return chunks[-1].usage.completion_tokens
            return client.chat.completions.create(
                model="tiny-qwen3_vl", messages=messages, max_tokens=6
            ).usage.completion_tokens

        for index in range(8):  # warm-up: allocator pools and caches settle
            one(stream=index % 2 == 0)
        gc.collect()
        rss_before = current_rss_mb()
        errors: list[BaseException] = []
        done: list[int] = []
        deadline = time.monotonic() + DEADLINE_S

        def worker(seed: int) -> None:
            for index in range(REQUESTS_PER_WORKER):
                if time.monotonic() > deadline:
                    return
                try:
                    done.append(one(stream=(seed + index) % 3 == 0))
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
        metrics = httpx.get(f"{server.url}/metrics").text
    assert errors == []
    assert len(done) == WORKERS * REQUESTS_PER_WORKER, "load did not finish within its time bound"
    assert all(tokens >= 1 for tokens in done)
    assert rss_after - rss_before < MAX_RSS_GROWTH_MB, (rss_before, rss_after)
    assert max(health_latencies) < 5  # the event loop is not blocked by generation
    total = (
        f'hyperbench_requests_total{{endpoint="chat_completions",status="200"}} {8 + len(done)}.0'
    )
    assert total in metrics
