"""Server throughput at concurrency 8 vs 1 (CPU, tiny random Qwen VL, ``OMP_NUM_THREADS=1``).

The server runs as its own process (``hyperbench serve``) with torch on one
thread; a closed-loop client sends chat completions (one small image, fixed
output length with ``ignore_eos``) from ``C`` concurrent workers. Rounds
alternate concurrency 1 and 8 so both see the same machine load; the
figures are medians over rounds and the ratio is taken in this one run.
Target (issue 13): output tokens/s at concurrency 8 >= 2.5x concurrency 1.

Usage: ``uv run python bench/bench_serve.py [--rounds 5] [--requests 16] [--max-tokens 32]``
Prints a Markdown table; ``--json PATH`` also writes the raw figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from model_qwen_vl.testing.provision import ensure_hf_stack


def start_server(config: Path, port: int, batch: int) -> subprocess.Popen[bytes]:
    """``hyperbench serve`` with one torch thread; returns once /health answers."""
    import httpx

    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    text = config.read_text().replace("max_batch_size = 8", f"max_batch_size = {batch}")
    if "max_batch_size" not in text:
        text = f"max_batch_size = {batch}\n" + text
    served = config.with_name("bench-serve.toml")
    served.write_text(text)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench_utils.cli",
            "--log-level",
            "warning",
            "serve",
            str(served),
            "--port",
            str(port),
        ],
        env=env,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("server did not start")


async def load(url: str, concurrency: int, total: int, max_tokens: int, image: str) -> dict:
    """Closed loop: ``concurrency`` workers until ``total`` requests are answered."""
    import httpx

    body = {
        "model": "tiny-qwen3_vl",
        "max_tokens": max_tokens,
        "ignore_eos": True,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": image}},
                    {"type": "text", "text": "Describe the diagram."},
                ],
            }
        ],
    }
    latencies: list[float] = []
    tokens = 0
    remaining = total

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining, tokens
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            response = await client.post(f"{url}/v1/chat/completions", json=body)
            response.raise_for_status()
            latencies.append(time.perf_counter() - start)
            tokens += response.json()["usage"]["completion_tokens"]

    async with httpx.AsyncClient(timeout=600) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "tokens": tokens,
        "wall_s": wall,
        "tok_s": tokens / wall,
        "p50_s": statistics.median(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    ensure_hf_stack()
    from bench_utils.testing import data_uri, png_bytes
    from model_qwen_vl.testing.tiny import CONFIG_NAME, make_tiny_checkpoint

    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = make_tiny_checkpoint("qwen3_vl", Path(tmp) / "model")
        server = start_server(checkpoint / CONFIG_NAME, args.port, batch=8)
        url = f"http://127.0.0.1:{args.port}"
        image = data_uri(png_bytes((64, 64), (10, 120, 200)))
        try:
            asyncio.run(load(url, 8, 8, args.max_tokens, image))  # warm-up
            runs: dict[int, list[dict]] = {1: [], 8: []}
            for _ in range(args.rounds):
                for concurrency in (1, 8):
                    runs[concurrency].append(
                        asyncio.run(load(url, concurrency, args.requests, args.max_tokens, image))
                    )
            import httpx

            metrics = httpx.get(f"{url}/metrics").text
        finally:
            server.terminate()
            server.wait(timeout=30)
    median = {c: statistics.median(r["tok_s"] for r in runs[c]) for c in runs}
    p50 = {c: statistics.median(r["p50_s"] for r in runs[c]) for c in runs}
    ratio = median[8] / median[1]
    batches = [line for line in metrics.splitlines() if line.startswith("hyperbench_batch_size_")]
    print(f"load average at the end: {os.getloadavg()}, python {platform.python_version()}")
    print("| concurrency | out tok/s (median) | p50 latency | rounds |")
    print("|---:|---:|---:|---:|")
    for c in (1, 8):
        print(f"| {c} | {median[c]:.1f} | {p50[c] * 1000:.0f} ms | {len(runs[c])} |")
    print(f"\nratio c8/c1: {ratio:.2f}x (target >= 2.5x: {'met' if ratio >= 2.5 else 'NOT met'})")
    print("\n".join(batches[-2:]))
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "ratio": ratio}, indent=2))


if __name__ == "__main__":
    main()
