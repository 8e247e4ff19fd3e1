"""``hyperbench serve CONFIG --host --port`` serves a tiny checkpoint to the ``openai`` client."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from openai import OpenAI

from bench_utils.server.live import free_port
from bench_utils.testing import data_uri, png_bytes
from model_qwen_vl.testing.tiny import CONFIG_NAME


def wait_healthy(url: str, process: subprocess.Popen[str], timeout_s: float = 180) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1][-3000:]
        try:
            return httpx.get(f"{url}/health", timeout=2).json()
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("server did not become healthy")


def test_serve_command_answers_health_models_chat_and_infer(tiny_qwen25_dir: Path) -> None:
    port = free_port()
    hyperbench = Path(sys.executable).parent / "hyperbench"
    process = subprocess.Popen(
        [
            str(hyperbench),
            "serve",
            str(tiny_qwen25_dir / CONFIG_NAME),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        health = wait_healthy(url, process)
        assert health["status"] == "healthy"
        assert health["device"] == "cpu"
        client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        assert [model.id for model in client.models.list()] == ["tiny-qwen2_5_vl"]
        completion = client.chat.completions.create(
            model="tiny-qwen2_5_vl",
            max_tokens=6,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": data_uri(png_bytes())}},
                        {"type": "text", "text": "What is this?"},
                    ],
                }
            ],
        )
        assert completion.usage is not None and 1 <= completion.usage.completion_tokens <= 6
        infer = httpx.post(
            f"{url}/infer", files={"file": ("a.png", png_bytes(), "image/png")}, timeout=60
        )
        assert infer.status_code == 200
        assert infer.json()["metadata"]["image_size"] == [64, 48]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_with_a_missing_model_folder_is_exit_1(tmp_path: Path) -> None:
    config = tmp_path / "model.toml"
    config.write_text(
        f'family = "qwen3_vl"\nmodel_path = "{tmp_path / "absent"}"\ndevice = "cpu"\n'
    )
    hyperbench = Path(sys.executable).parent / "hyperbench"
    result = subprocess.run(
        [str(hyperbench), "serve", str(config), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert f"error: model folder {tmp_path / 'absent'} does not exist" in result.stderr
