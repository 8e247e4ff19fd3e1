"""The ``openai`` backend adapter against the real API wrapper (tiny Qwen3-VL) on 127.0.0.1."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import pytest

from bench_orchestrator.openai_adapter import (
    OpenAIAdapter,
    chat_messages,
    completion_arguments,
    image_data_url,
)
from bench_utils.runner import run_from_config
from bench_utils.server.app import create_app
from bench_utils.server.live import LiveServer
from bench_utils.server.settings import ServerSettings
from bench_utils.testing import make_sample_dataset, png_bytes
from model_interface import (
    GenerationParams,
    InferenceRequest,
    ModelConfig,
    ModelConfigError,
    create_adapter,
    load_model_config,
)
from model_qwen_vl.testing.tiny import CONFIG_NAME

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MODEL = "tiny-qwen3_vl"


@pytest.fixture(scope="module")
def server(tiny_qwen3_dir: Path) -> Iterator[LiveServer]:
    from model_qwen_vl.hf_backend import QwenVLHFAdapter

    adapter = QwenVLHFAdapter(load_model_config(tiny_qwen3_dir / CONFIG_NAME))
    adapter.load()
    with LiveServer(create_app(adapter, ServerSettings())) as live:
        yield live
    adapter.close()


def endpoint_config(url: str, **overrides: object) -> ModelConfig:
    values: dict[str, object] = {
        "family": "qwen3_vl",
        "backend": "openai",
        "model_path": MODEL,
        "base_url": f"{url}/v1",
        "max_batch_size": 3,
        "generation": {"max_new_tokens": 5, "ignore_eos": True},
    }
    return ModelConfig.model_validate({**values, **overrides})


def test_registry_picks_the_openai_adapter_for_any_family(server: LiveServer) -> None:
    assert type(create_adapter(endpoint_config(server.url))) is OpenAIAdapter
    other = endpoint_config(server.url, family="some_future_vlm")
    assert type(create_adapter(other)) is OpenAIAdapter


def test_image_data_urls_for_path_bytes_and_pil(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    assert image_data_url(path).startswith("data:image/png;base64,iVBOR")
    assert image_data_url(b"\xff\xd8\xff\xe0rest").startswith("data:image/jpeg;base64,")
    assert image_data_url(Image.new("RGB", (4, 4))).startswith("data:image/png;base64,")


def test_messages_and_arguments_map_the_request() -> None:
    request = InferenceRequest(id="a", prompt="Say", images=[png_bytes()], system_prompt="Be brief")
    messages = chat_messages(request, default_system="ignored")
    assert messages[0] == {"role": "system", "content": "Be brief"}
    assert [part["type"] for part in messages[1]["content"]] == ["image_url", "text"]
    plain = completion_arguments(GenerationParams(max_new_tokens=7))
    assert plain == {"max_tokens": 7, "temperature": 0.0, "top_p": 1.0}
    extended = completion_arguments(
        GenerationParams(top_k=5, repetition_penalty=1.1, ignore_eos=True, stop=["x"], seed=3)
    )
    assert extended["extra_body"] == {"top_k": 5, "repetition_penalty": 1.1, "ignore_eos": True}
    assert extended["stop"] == ["x"] and extended["seed"] == 3


def test_generate_streams_a_batch_concurrently_with_timings(server: LiveServer) -> None:
    requests = [
        InferenceRequest(id=f"r{i}", prompt="What colour?", images=[png_bytes(color=(0, 0, i))])
        for i in range(4)
    ]
    with OpenAIAdapter(endpoint_config(server.url)) as adapter:
        responses = adapter.generate(requests)
    assert [r.id for r in responses] == ["r0", "r1", "r2", "r3"]
    for response in responses:
        assert response.ok, response.error
        assert response.completion_tokens == 5
        assert response.prompt_tokens > 0
        assert response.ttft_s is not None and 0 < response.ttft_s <= response.latency_s
        assert response.token_times_s == sorted(response.token_times_s)
        assert response.finish_reason == "length"


def test_stream_yields_pieces_then_the_final_response(server: LiveServer) -> None:
    with OpenAIAdapter(endpoint_config(server.url)) as adapter:
        events = list(adapter.stream(InferenceRequest(id="s", prompt="Hi")))
    assert events[-1].final and events[-1].response is not None
    pieces = "".join(e.text for e in events[:-1])
    assert pieces == events[-1].response.text


def test_unknown_model_or_unreachable_endpoint_fails_at_load(server: LiveServer) -> None:
    with pytest.raises(ModelConfigError, match="does not serve 'nope'"):
        OpenAIAdapter(endpoint_config(server.url, model_path="nope")).load()
    from bench_utils.server.live import free_port

    dead = endpoint_config(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ModelConfigError, match="cannot list models"):
        OpenAIAdapter(dead).load()


def test_a_failed_request_is_an_error_row_not_an_exception(server: LiveServer) -> None:
    bad = InferenceRequest(id="bad", prompt="x", images=[b"not an image"])
    good = InferenceRequest(id="good", prompt="x")
    with OpenAIAdapter(endpoint_config(server.url)) as adapter:
        responses = adapter.generate([bad, good])
    assert responses[0].finish_reason == "error" and "400" in (responses[0].error or "")
    assert responses[1].ok


def test_hyperbench_run_measures_the_endpoint(server: LiveServer, tmp_path: Path) -> None:
    dataset = make_sample_dataset(tmp_path / "data", count=4)
    config = tmp_path / "run.toml"
    config.write_text(
        f'[model]\nfamily = "qwen3_vl"\nbackend = "openai"\nmodel_path = "{MODEL}"\n'
        f'base_url = "{server.url}/v1"\nmax_batch_size = 2\n'
        "[model.generation]\nmax_new_tokens = 4\nignore_eos = true\n\n"
        f'[dataset]\npath = "{dataset}"\n\n[run]\nout_dir = "out"\n',
        encoding="utf-8",
    )
    result = run_from_config(config, progress=False)
    assert result.ok
    with (result.out_dir / "answers.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["s000", "s001", "s002", "s003"]
    assert all(float(row["ttft_ms"]) > 0 and float(row["tpot_ms"]) > 0 for row in rows)
    assert all(row["completion_tokens"] == "4" for row in rows)
    metrics = (result.out_dir / "metrics.csv").read_text(encoding="utf-8")
    assert "ttft_ms,p50,all" in metrics and "exact_match,mean,all" in metrics
