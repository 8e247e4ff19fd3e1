"""The ``process`` manager: the API wrapper as a local process in a venv synced from a lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bench_orchestrator.envs.base import Environment, EnvManager, ModelServer, log_tail
from bench_orchestrator.envs.venvs import child_environment, synced_venv
from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from bench_orchestrator.config import ModelSpec

HOST = "127.0.0.1"
STOP_TIMEOUT_S = 15.0


def free_port(host: str = HOST) -> int:
    """A TCP port free on ``host`` right now."""
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _load_libc() -> Any:
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


# Loaded here, in the parent: the child between fork and exec must not load libraries.
_LIBC = _load_libc() if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM when the starting thread's process dies.

    A killed orchestrator then leaves no model server behind; the next run
    resumes and starts its own.
    """
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def probe_health(url: str) -> bool:
    """True when ``GET url/health`` answers 200 with status ``healthy``."""
    import httpx

    try:
        response = httpx.get(f"{url}/health", timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.json().get("status") == "healthy"


class ProcessManager(EnvManager):
    """No containers: one venv per lock (shared), one ``hyperbench serve`` per model server."""

    name: ClassVar[str] = "process"

    def setup(self, name: str, model: ModelSpec) -> Environment:
        """Sync (or reuse) the venv of ``model.lock``."""
        venv = synced_venv(Path(model.lock), model.extras, self.cache_dir)
        return Environment(model=name, detail={"venv": str(venv)})

    def mount_data(self, env: Environment, local_path: Path) -> str:
        """A local process sees local paths as they are."""
        return str(local_path)

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        """Start ``hyperbench serve CONFIG`` from the venv on a free loopback port."""
        port = free_port()
        command = [
            str(Path(env.detail["venv"]) / "bin" / "hyperbench"),
            "--log-level",
            "warning",
            "serve",
            config_path,
            "--host",
            HOST,
            "--port",
            str(port),
        ]
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=child_environment(),
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        return ModelServer(url=f"http://{HOST}:{port}", log_path=log_path, handle=process)

    def health(self, server: ModelServer) -> bool:
        """Probe ``/health``; a server process that exited is an error with its log's tail."""
        process: subprocess.Popen[bytes] = server.handle
        code = process.poll()
        if code is not None:
            raise EnvironmentSetupError(
                f"the model server exited with code {code}:\n" + log_tail(server.log_path)
            )
        return probe_health(server.url)

    def cleanup(self, env: Environment, server: ModelServer | None) -> None:
        """Stop the server's process group (TERM, then KILL after a grace period)."""
        if server is None:
            return
        stop_process_group(server.handle)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """TERM the process group of ``process``, KILL it if it does not exit in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)
    except ProcessLookupError:
        pass
