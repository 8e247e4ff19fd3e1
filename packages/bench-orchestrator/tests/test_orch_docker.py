"""The docker manager's container request and health reading, without a daemon.

No docker-API engine runs on this machine (buildah has no daemon), so the
manager's calls to a live engine are untested here; what is checked is the
request it would send and how it reads a container's state.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_orchestrator.envs.base import Environment
from bench_orchestrator.envs.docker import (
    DockerManager,
    container_request,
    exited,
    health_status,
)


def test_request_publishes_on_loopback_mounts_read_only_and_asks_for_gpus() -> None:
    request = container_request(
        "ghcr.io/hyperbench/runtime:cu128",
        "/mnt/hyperbench/0/hyperbench-model.toml",
        mounts={"/models/qwen": "/mnt/hyperbench/0"},
        gpus=2,
        host_port=40123,
        labels={"hyperbench.model": "qwen"},
    )
    assert request["command"] == [
        "hyperbench",
        "serve",
        "/mnt/hyperbench/0/hyperbench-model.toml",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]
    assert request["ports"] == {"8000/tcp": ("127.0.0.1", 40123)}
    assert request["volumes"] == {"/models/qwen": {"bind": "/mnt/hyperbench/0", "mode": "ro"}}
    [device] = request["device_requests"]
    assert device["Count"] == 2 and device["Capabilities"] == [["gpu"]]
    assert request["healthcheck"] == {"test": [], "interval": 2_000_000_000}
    assert request["labels"] == {"hyperbench": "model-server", "hyperbench.model": "qwen"}
    assert request["detach"] is True


def test_cpu_model_asks_for_no_device() -> None:
    request = container_request("img", "/c.toml", mounts={}, gpus=0, host_port=1)
    assert request["device_requests"] == []


@pytest.mark.parametrize(
    ("attrs", "status", "gone"),
    [
        ({"State": {"Status": "running", "Health": {"Status": "starting"}}}, "starting", False),
        ({"State": {"Status": "running", "Health": {"Status": "healthy"}}}, "healthy", False),
        ({"State": {"Status": "running"}}, None, False),
        ({"State": {"Status": "exited", "ExitCode": 1}}, None, True),
    ],
)
def test_health_and_exit_from_container_state(attrs: dict, status: str | None, gone: bool) -> None:
    assert health_status(attrs) == status
    assert exited(attrs) is gone


def test_mount_data_assigns_stable_paths_per_folder(tmp_path: Path) -> None:
    manager = DockerManager(tmp_path)
    env = Environment(model="m", detail={"image": "img", "gpus": 0, "mounts": {}})
    assert manager.mount_data(env, Path("/models/a")) == "/mnt/hyperbench/0"
    assert manager.mount_data(env, Path("/data/b")) == "/mnt/hyperbench/1"
    assert manager.mount_data(env, Path("/models/a")) == "/mnt/hyperbench/0"
    assert env.detail["mounts"] == {
        "/models/a": "/mnt/hyperbench/0",
        "/data/b": "/mnt/hyperbench/1",
    }
