"""One model server shared by all of a model's cells (the model-major schedule).

Starting ``hyperbench serve`` (importing torch, loading the weights) is
almost all of a cell's fixed cost, so a model's cells run one after another
against one server: started on the first cell that needs inference, checked
after each cell, stopped after the last one.

Failure rules:

- the server does not start: every later request for it fails with that
  error and the server-log tail, with no new attempt;
- the server dies while a cell runs (seen by the health check after the
  cell): that cell fails; the next cell gets a fresh server, once per model
  (``restarts``); a server that dies again fails every later cell of the model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench_orchestrator.envs.base import log_tail
from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from bench_orchestrator.config import ModelSpec
    from bench_orchestrator.envs.base import Environment, EnvManager, ModelServer

ALIVE_POLLS = 5
ALIVE_POLL_S = 1.0


class ServerFailedError(EnvironmentSetupError):
    """A model server did not start, or died; ``log_tail`` holds the end of its log."""

    def __init__(self, message: str, tail: str) -> None:
        super().__init__(message)
        self.log_tail = tail


@dataclass
class RunningServer:
    """One start of a model's server: where it is and what starting it cost."""

    env: Environment
    server: ModelServer
    index: int
    setup_s: float
    start_s: float
    cells: int = 0

    @property
    def url(self) -> str:
        """Base URL of the API wrapper."""
        return self.server.url

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.server.log_path


@dataclass
class SharedServer:
    """A model's server, started on first use and reused by its cells.

    ``acquire`` returns the running server (starting it when none runs),
    ``check_alive`` after a cell says whether it survived, ``stop`` ends it.
    """

    manager: EnvManager
    model_name: str
    model: ModelSpec
    log_dir: Path
    restarts: int = 1
    starts: int = 0
    deaths: int = 0
    current: RunningServer | None = None
    failure: ServerFailedError | None = None
    last_log: Path | None = None
    death: str | None = None
    stopped_s: list[float] = field(default_factory=list)

    def acquire(self) -> RunningServer:
        """The running server; start one if none runs (the error again after a failed start)."""
        if self.current is not None:
            return self.current
        if self.failure is not None:
            raise ServerFailedError(str(self.failure), self.failure.log_tail)
        if self.deaths > self.restarts:
            raise self._fail(
                f"the model server of {self.model_name!r} died {self.deaths} times; "
                f"no restart left ({self.restarts} per model)",
                self.last_log,
            )
        self.current = self._start()
        return self.current

    def _fail(self, message: str, log_path: Path | None) -> ServerFailedError:
        self.failure = ServerFailedError(message, log_tail(log_path) if log_path else "")
        return self.failure

    def _start(self) -> RunningServer:
        self.starts += 1
        log_path = self.log_dir / f"server-{self.starts}.log"
        self.last_log = log_path
        mark = time.perf_counter()
        env = self.manager.setup(self.model_name, self.model)
        server: ModelServer | None = None
        try:
            config_folder = self.manager.mount_data(env, Path(self.model.config).parent)
            config_path = f"{config_folder}/{Path(self.model.config).name}"
            setup_s = time.perf_counter() - mark
            mark = time.perf_counter()
            server = self.manager.run(env, config_path, log_path)
            self.manager.wait_healthy(server, self.model.startup_timeout_s)
            start_s = time.perf_counter() - mark
        except Exception as exc:
            try:
                self.manager.cleanup(env, server)
            finally:
                message = str(exc) if isinstance(exc, EnvironmentSetupError) else repr(exc)
                raise self._fail(message, log_path) from exc
        return RunningServer(env, server, self.starts, setup_s, start_s)

    def check_alive(self) -> bool:
        """After a cell: is the server still healthy? A dead one is cleaned up and counted."""
        running = self.current
        if running is None:
            return False
        self.death = f"stopped answering /health at {running.url}"
        for _ in range(ALIVE_POLLS):
            try:
                if self.manager.health(running.server):
                    self.death = None
                    return True
            except EnvironmentSetupError as exc:
                self.death = str(exc).splitlines()[0].removesuffix(":")
                break
            time.sleep(ALIVE_POLL_S)
        self.deaths += 1
        self.stop()
        return False

    def stop(self) -> float | None:
        """Stop the running server (if any); return the seconds its cleanup took."""
        running, self.current = self.current, None
        if running is None:
            return None
        mark = time.perf_counter()
        self.manager.cleanup(running.env, running.server)
        seconds = time.perf_counter() - mark
        self.stopped_s.append(seconds)
        return seconds
