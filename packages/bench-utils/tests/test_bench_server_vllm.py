"""The API wrapper on the vLLM adapter (fake engine): the engine batches, the server only relays."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import httpx
from openai import OpenAI

from bench_utils.server.app import create_app
from bench_utils.server.live import LiveServer
from model_interface import load_model_config
from model_qwen_vl.testing.fake_vllm import FakeEngineAdapter
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from pathlib import Path

MODEL = "tiny-qwen3_vl"


def test_vllm_backend_streams_batches_and_aborts_through_the_server(tiny_qwen3_dir: Path) -> None:
    config = load_model_config(tiny_qwen3_dir / CONFIG_NAME).model_copy(update={"backend": "vllm"})
    adapter = FakeEngineAdapter(config)
    adapter.load()
    try:
        with LiveServer(create_app(adapter)) as server:
            client = OpenAI(base_url=f"{server.url}/v1", api_key="x", max_retries=0, timeout=60)
            results: list[str] = []

            def one() -> None:
                stream = client.chat.completions.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": "hi"}],
                    max_tokens=20,
                    stream=True,
                )
                results.append("".join(c.choices[0].delta.content or "" for c in stream))

            threads = [threading.Thread(target=one) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert len(results) == 6 and len(set(results)) == 1 and results[0]
            assert adapter.engine.max_active >= 2  # requests ran concurrently in the engine
            body = {
                "model": MODEL,
                "messages": [{"role": "user", "content": "go on"}],
                "max_tokens": 100_000 // 40,
                "stream": True,
            }
            with (
                httpx.Client(timeout=30) as http,
                http.stream("POST", f"{server.url}/v1/chat/completions", json=body) as response,
            ):
                lines = response.iter_lines()
                next(lines)
            deadline = time.monotonic() + 10
            while not adapter.engine.aborted:
                assert time.monotonic() < deadline, "the engine was not told to abort"
                time.sleep(0.02)
            metrics = httpx.get(f"{server.url}/metrics").text
            assert 'status="499"} 1.0' in metrics
            assert 'status="200"} 6.0' in metrics
    finally:
        adapter.close()
