"""Harness-overhead benchmark of the hyperbench packages (CPU, tiny random Qwen VL models).

Two questions, each measured against its baseline in the same run:

1. Runner overhead: time ``hyperbench run`` spends outside the model's
   ``generate`` per request (dataset rows -> requests, image decoding and
   processor preprocessing, decoding, joining, peak-memory reads), as a share
   of generate time. Target: <= 2 %.
2. API wrapper overhead: latency of a chat completion through uvicorn and the
   ``openai`` client versus calling ``adapter.generate`` directly with the
   same request.

The machine these run on is shared (load averages far above its 2 cores), so
wall-clock figures are noisy. Each figure is therefore also taken in CPU
time of this process (``time.process_time``) with torch on one thread, which
contention does not inflate; API timings are interleaved pairs and the
overhead is the median of the per-pair differences.

Usage: ``uv run python bench/bench_harness.py [--family qwen3_vl] [--samples 24]``
Writes a JSON record to ``--json`` when given and prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from model_qwen_vl.testing.provision import ensure_hf_stack

SIZES = {"tiny": (64, 2), "small": (256, 4), "medium": (512, 8)}


def build_adapter(family: str, size: str, folder: Path, max_new_tokens: int):
    """Make a random checkpoint of ``size`` and load the HF adapter on it."""
    from model_interface import load_model_config
    from model_qwen_vl.hf_backend import QwenVLHFAdapter
    from model_qwen_vl.testing.tiny import CONFIG_NAME, make_tiny_checkpoint

    hidden, layers = SIZES[size]
    ckpt = make_tiny_checkpoint(
        family, folder / f"{family}-{size}", hidden_size=hidden, layers=layers
    )
    config = load_model_config(ckpt / CONFIG_NAME)
    config = config.model_copy(
        update={
            "generation": config.generation.model_copy(update={"max_new_tokens": max_new_tokens})
        }
    )
    adapter = QwenVLHFAdapter(config)
    adapter.load()
    return adapter


class Meter:
    """Adds up wall and CPU time of one callable attribute of an object (bench-only wrapper)."""

    def __init__(self, owner: object, attribute: str) -> None:
        self.wall_s = 0.0
        self.cpu_s = 0.0
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.wall_s += time.perf_counter() - wall
                self.cpu_s += time.process_time() - cpu

        setattr(owner, attribute, timed)


def runner_overhead(adapter, folder: Path, samples: int, batch_size: int) -> dict[str, float]:
    """Run the dataset loop (after a warm-up batch); split its time into generate and the rest."""
    from bench_utils.dataset import load_dataset
    from bench_utils.runner import answer_samples
    from bench_utils.testing import make_sample_dataset

    dataset = load_dataset(make_sample_dataset(folder / "data", samples))
    answer_samples(adapter, dataset[:batch_size], batch_size=batch_size)  # warm-up
    meter = Meter(adapter.model, "generate")
    from model_qwen_vl import batching

    # the processor: image resize/patching + tokenizing
    preprocess = Meter(batching, "processor_inputs")
    cpu = time.process_time()
    record = answer_samples(adapter, dataset, batch_size=batch_size)
    cpu_s = time.process_time() - cpu
    outside_wall = record.wall_s - meter.wall_s
    outside_cpu = cpu_s - meter.cpu_s
    glue_wall = outside_wall - preprocess.wall_s
    glue_cpu = outside_cpu - preprocess.cpu_s
    return {
        "samples": samples,
        "batch_size": batch_size,
        "wall_s": record.wall_s,
        "generate_wall_s": meter.wall_s,
        "cpu_s": cpu_s,
        "generate_cpu_s": meter.cpu_s,
        "outside_ms_per_request_wall": outside_wall / samples * 1000,
        "outside_ms_per_request_cpu": outside_cpu / samples * 1000,
        "overhead_share_wall": outside_wall / meter.wall_s,
        "overhead_share_cpu": outside_cpu / meter.cpu_s,
        "preprocess_ms_per_request_cpu": preprocess.cpu_s / samples * 1000,
        "glue_ms_per_request_wall": glue_wall / samples * 1000,
        "glue_ms_per_request_cpu": glue_cpu / samples * 1000,
        "glue_share_wall": glue_wall / meter.wall_s,
        "glue_share_cpu": glue_cpu / meter.cpu_s,
    }


def _timed(call) -> tuple[object, tuple[float, float]]:
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, (time.perf_counter() - start, time.process_time() - cpu)


class CallLog:
    """Records wall and CPU time of every call of one callable attribute (bench-only wrapper)."""

    def __init__(self, owner: object, attribute: str) -> None:
        self.calls: list[tuple[float, float]] = []
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            result, spent = _timed(lambda: original(*args, **kwargs))
            self.calls.append(spent)
            return result

        setattr(owner, attribute, timed)


def api_overhead(adapter, requests: int) -> dict[str, float]:
    """Wrapper overhead per request: client-observed latency minus the adapter call inside it.

    Paired within each request (the server's ``adapter.generate`` call is
    timed for that very request), so contention that slows generation does
    not leak into the difference. Raw httpx isolates the wrapper (HTTP, JSON,
    base64, validation, threadpool, metrics); the openai client adds its own
    cost. A direct ``adapter.generate`` is timed in between as the baseline.
    """
    import httpx
    from openai import OpenAI

    from bench_utils.server.app import create_app
    from bench_utils.server.live import LiveServer
    from bench_utils.testing import data_uri, png_bytes
    from model_interface import InferenceRequest

    image = png_bytes((96, 64), (30, 160, 60))
    params = adapter.config.generation
    direct: list[tuple[float, float]] = []
    overhead: dict[str, list[tuple[float, float]]] = {"httpx": [], "openai": []}
    latency: dict[str, list[tuple[float, float]]] = {"httpx": [], "openai": []}
    app = create_app(adapter)
    log = CallLog(adapter, "generate")  # after create_app: the service calls adapter.generate
    with LiveServer(app) as server, httpx.Client(timeout=120) as http:
        client = OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
        content = [
            {"type": "image_url", "image_url": {"url": data_uri(image)}},
            {"type": "text", "text": "What colour?"},
        ]
        body = {
            "model": adapter.config.served_model_name,
            "max_tokens": params.max_new_tokens,
            "messages": [{"role": "user", "content": content}],
        }
        request = InferenceRequest(id="d", prompt="What colour?", images=[image], params=params)
        calls = {
            "httpx": lambda: http.post(f"{server.url}/v1/chat/completions", json=body),
            "openai": lambda: client.chat.completions.create(**body),
        }
        for index in range(requests + 2):  # two warm-up rounds
            _, spent = _timed(lambda: adapter.generate([request]))
            log.calls.clear()
            if index >= 2:
                direct.append(spent)
            for path, call in calls.items():
                _, seen = _timed(call)
                inner = log.calls.pop()
                if index >= 2:
                    latency[path].append(seen)
                    overhead[path].append((seen[0] - inner[0], seen[1] - inner[1]))
    figures: dict[str, float] = {"requests": requests}
    for index, clock in enumerate(("wall", "cpu")):
        base = statistics.median(t[index] for t in direct)
        figures[f"direct_ms_{clock}"] = base * 1000
        for path in ("httpx", "openai"):
            extra = statistics.median(t[index] for t in overhead[path])
            figures[f"{path}_ms_{clock}"] = (
                statistics.median(t[index] for t in latency[path]) * 1000
            )
            figures[f"{path}_overhead_ms_{clock}"] = extra * 1000
            figures[f"{path}_overhead_share_{clock}"] = extra / base
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--family", default="qwen3_vl", choices=["qwen2_5_vl", "qwen3_vl"])
    parser.add_argument("--sizes", default="tiny,small,medium")
    parser.add_argument("--samples", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--api-requests", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    ensure_hf_stack()
    import torch

    torch.set_num_threads(args.threads)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            adapter = build_adapter(args.family, size, Path(tmp), args.max_new_tokens)
            try:
                runner = runner_overhead(adapter, Path(tmp) / size, args.samples, args.batch_size)
                api = api_overhead(adapter, args.api_requests)
            finally:
                adapter.close()
            results.append(
                {
                    "size": size,
                    "hidden_size": SIZES[size][0],
                    "layers": SIZES[size][1],
                    "runner": runner,
                    "api": api,
                }
            )
    record = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "family": args.family,
        "max_new_tokens": args.max_new_tokens,
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    print(
        f"family {args.family}, max_new_tokens {args.max_new_tokens}, torch {torch.__version__} "
        f"({torch.get_num_threads()} thread), {record['cpus']} CPUs, "
        f"load average {record['load_average']}"
    )
    print(
        "| model size | generate s | outside generate ms/req | of which processor ms/req "
        "| overhead share (outside generate) | harness glue share (minus processor) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for item in results:
        r = item["runner"]
        print(
            f"| {item['size']} (h{item['hidden_size']}, {item['layers']}L) | "
            f"{r['generate_wall_s']:.2f} / {r['generate_cpu_s']:.2f} | "
            f"{r['outside_ms_per_request_wall']:.2f} / {r['outside_ms_per_request_cpu']:.2f} | "
            f"{r['preprocess_ms_per_request_cpu']:.2f} | "
            f"{r['overhead_share_wall']:.2%} / {r['overhead_share_cpu']:.2%} | "
            f"{r['glue_share_wall']:.2%} / {r['glue_share_cpu']:.2%} |"
        )
    print()
    print(
        "| model size | direct ms | via httpx ms | wrapper overhead ms | wrapper overhead "
        "| via openai ms | openai overhead ms | openai overhead |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for item in results:
        a = item["api"]
        cells = [f"{a['direct_ms_wall']:.1f} / {a['direct_ms_cpu']:.1f}"]
        for path in ("httpx", "openai"):
            cells += [
                f"{a[f'{path}_ms_wall']:.1f} / {a[f'{path}_ms_cpu']:.1f}",
                f"{a[f'{path}_overhead_ms_wall']:.1f} / {a[f'{path}_overhead_ms_cpu']:.1f}",
                f"{a[f'{path}_overhead_share_wall']:.1%} / {a[f'{path}_overhead_share_cpu']:.1%}",
            ]
        print(f"| {item['size']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
