"""Single-stream decode speed through the server. Usage: stream_decode.py PORT MAXTOK IMAGE

One streamed chat completion (``ignore_eos``) at a time, three times; prints the
client-side TTFT and decode tokens/s ((tokens - 1) / (last token - first token))
and the server's own figures from the finish chunk's ``metrics``.
"""

import base64
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

port, MT, img = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
url = f"http://127.0.0.1:{port}"
b64 = base64.b64encode(Path(img).read_bytes()).decode()
model = httpx.get(f"{url}/v1/models").json()["data"][0]["id"]
body = {
    "model": model,
    "max_tokens": MT,
    "temperature": 0,
    "ignore_eos": True,
    "stream": True,
    "stream_options": {"include_usage": True},
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64}"}},
                {"type": "text", "text": "Describe the image."},
            ],
        }
    ],
}
rates, ttfts = [], []
for attempt in range(3):
    t0 = time.perf_counter()
    first = last = None
    tokens = 0
    server = {}
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=600) as r:
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
                server = chunk.get("metrics", {})
                continue
            if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                now = time.perf_counter()
                first = first or now
                last = now
    rate = (tokens - 1) / (last - first) if tokens > 1 and last > first else 0.0
    rates.append(rate)
    ttfts.append(first - t0)
    print(
        json.dumps(
            {
                "attempt": attempt,
                "tokens": tokens,
                "client_ttft_s": round(first - t0, 3),
                "client_decode_tok_per_s": round(rate, 1),
                "server_tpot_ms": server.get("tpot_ms"),
                "server_ttft_ms": server.get("ttft_ms"),
            }
        )
    )
print(
    json.dumps(
        {
            "single_stream_decode_tok_per_s_median": round(statistics.median(rates), 1),
            "ttft_s_median": round(statistics.median(ttfts), 3),
            "target_tok_per_s": 150,
        }
    )
)
