"""The environment-manager interface: setup, mount_data, run, health, cleanup.

A manager prepares an isolated environment for one model (a venv synced
from a lock, an image, a Ray actor), starts the model's API wrapper
(``hyperbench serve``) in it and says when it is healthy. The orchestrator
talks to the wrapper over HTTP only, so the same infer stage works whatever
the manager.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.config import ModelSpec


@dataclass
class Environment:
    """A prepared environment: what the manager needs to start servers in it."""

    model: str
    detail: dict[str, Any] = field(default_factory=dict)
    handle: Any = None


@dataclass
class ModelServer:
    """A running API wrapper: its base URL (``http://127.0.0.1:PORT``) and log file."""

    url: str
    log_path: Path
    handle: Any = None


class EnvManager(ABC):
    """Prepares environments and runs a model's API wrapper in them."""

    name: ClassVar[str]

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    @abstractmethod
    def setup(self, name: str, model: ModelSpec) -> Environment:
        """Prepare the environment of ``model`` (idempotent: reuses what is already there)."""

    @abstractmethod
    def mount_data(self, env: Environment, local_path: Path) -> str:
        """Make a local folder (model weights, data) visible in ``env``; return its path there.

        Call it before ``run``: a container's mounts are fixed when it is created.
        """

    @abstractmethod
    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        """Start the API wrapper on the model config at ``config_path`` (as ``env`` sees it).

        Returns at once; ``health`` says when the server is ready.
        """

    @abstractmethod
    def health(self, server: ModelServer) -> bool:
        """True when the server answers healthy; ``EnvironmentSetupError`` when it died."""

    @abstractmethod
    def cleanup(self, env: Environment, server: ModelServer | None) -> None:
        """Stop the server and release what ``setup`` held (not the shared caches)."""

    def wait_healthy(self, server: ModelServer, timeout_s: float, poll_s: float = 0.2) -> float:
        """Poll ``health`` until it is true; return the seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout_s:
            if self.health(server):
                return time.monotonic() - start
            time.sleep(poll_s)
        raise EnvironmentSetupError(
            f"server at {server.url} not healthy after {timeout_s:.0f} s; see {server.log_path}"
        )


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file ('' when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
