from __future__ import annotations

import pytest

from bench_utils.serveconfig import load_serve_config
from model_interface import ModelConfigError


def test_flat_model_config_gets_default_server_settings(tmp_path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('family = "qwen3_vl"\nmodel_path = "Qwen/Qwen3-VL-2B-Instruct"\n')
    model, settings = load_serve_config(path)
    assert model.family == "qwen3_vl"
    assert settings.slo.target == 0.99


def test_model_and_server_tables(tmp_path) -> None:
    path = tmp_path / "serve.toml"
    path.write_text(
        '[model]\nfamily = "qwen2_5_vl"\nmodel_path = "m"\n\n'
        "[server]\nmax_image_bytes = 1000\n[server.slo]\nttft_ms = 250\ntarget = 0.9\n"
    )
    model, settings = load_serve_config(path)
    assert model.family == "qwen2_5_vl"
    assert (settings.max_image_bytes, settings.slo.ttft_ms, settings.slo.target) == (1000, 250, 0.9)


def test_bad_server_settings_are_config_errors(tmp_path) -> None:
    path = tmp_path / "serve.json"
    path.write_text(
        '{"model": {"family": "qwen3_vl", "model_path": "m"}, "server": {"slo": {"target": 2}}}'
    )
    with pytest.raises(ModelConfigError, match=r"invalid \[server\] settings"):
        load_serve_config(path)
