"""The shared model server's rules, with real loopback server processes (``health_server.py``).

One start serves every acquire; a failed start is reported again to every
later cell without a new attempt; a server that dies is restarted once per
model, and a second death leaves no restart. The model-serving parts are the
``process`` manager's own (health from the process and ``/health``, process
group stop); only the command it starts is a stand-in that loads no model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from orch_support import StandInManager, kill

from bench_orchestrator.config import ModelSpec
from bench_orchestrator.stages.serving import ServerFailedError, SharedServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def model(tmp_path: Path) -> ModelSpec:
    return ModelSpec(config=str(tmp_path / "model" / "m.toml"), startup_timeout_s=30)


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[StandInManager]:
    made = StandInManager(tmp_path)
    yield made
    for server in made.servers:
        if server.handle.poll() is None:
            kill(server)


def test_one_start_serves_every_acquire_and_stop_ends_it(
    manager: StandInManager, model: ModelSpec, tmp_path: Path
) -> None:
    shared = SharedServer(manager, "m", model, tmp_path / "logs")
    first = shared.acquire()
    assert shared.acquire() is first and shared.check_alive()
    assert (first.index, shared.starts, len(manager.servers)) == (1, 1, 1)
    assert first.start_s > 0 and first.log_path == tmp_path / "logs" / "server-1.log"
    assert shared.stop() is not None
    assert manager.servers[0].handle.poll() is not None
    assert shared.stop() is None


def test_a_failed_start_fails_every_later_acquire_without_a_new_attempt(
    tmp_path: Path, model: ModelSpec
) -> None:
    manager = StandInManager(tmp_path, mode="fail")
    shared = SharedServer(manager, "m", model, tmp_path / "logs")
    for _ in range(3):
        with pytest.raises(ServerFailedError, match="exited with code 1") as caught:
            shared.acquire()
        assert "missing-weights does not exist" in caught.value.log_tail
    assert len(manager.servers) == 1 and shared.starts == 1


def test_a_dead_server_is_restarted_once_then_no_more(
    manager: StandInManager, model: ModelSpec, tmp_path: Path
) -> None:
    shared = SharedServer(manager, "m", model, tmp_path / "logs")
    kill(shared.acquire().server)
    assert not shared.check_alive()
    assert shared.death is not None and "exited with code -9" in shared.death
    second = shared.acquire()
    assert second.index == 2 and shared.check_alive()
    kill(second.server)
    assert not shared.check_alive()
    with pytest.raises(ServerFailedError, match=r"died 2 times; no restart left \(1 per model\)"):
        shared.acquire()
    with pytest.raises(ServerFailedError, match="no restart left"):
        shared.acquire()
    assert len(manager.servers) == 2 and shared.deaths == 2
    assert "stand-in server starting" in (shared.failure.log_tail if shared.failure else "")
