from __future__ import annotations

import pytest
from pydantic import ValidationError

from model_interface import GenerationParams, InferenceRequest, InferenceResponse


def test_generation_params_defaults_are_greedy() -> None:
    params = GenerationParams()
    assert params.greedy
    assert params.max_new_tokens == 128


@pytest.mark.parametrize(
    "field",
    [{"max_new_tokens": 0}, {"temperature": -0.1}, {"top_p": 0.0}, {"top_k": -1}, {"unknown": 1}],
)
def test_generation_params_reject_bad_values(field: dict) -> None:
    with pytest.raises(ValidationError):
        GenerationParams(**field)


def test_merged_applies_only_given_overrides() -> None:
    base = GenerationParams(max_new_tokens=64, temperature=0.7, stop=["\n"])
    merged = base.merged({"max_new_tokens": 8, "temperature": None, "stop": None, "seed": 3})
    assert (merged.max_new_tokens, merged.temperature, merged.stop, merged.seed) == (
        8,
        0.7,
        ["\n"],
        3,
    )
    assert base.max_new_tokens == 64


def test_request_accepts_paths_bytes_and_objects(tmp_path) -> None:
    request = InferenceRequest(id="1", prompt="q", images=[tmp_path / "a.png", b"\x89PNG"])
    assert len(request.images) == 2
    assert request.params is None


def test_response_ok_reflects_error() -> None:
    assert InferenceResponse(id="1", text="x").ok
    failed = InferenceResponse(id="1", finish_reason="error", error="bad image")
    assert not failed.ok
