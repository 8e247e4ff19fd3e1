"""The ``docker`` manager: the model's image (from ``release-tool docker build``) as a container.

The runtime image's CMD is ``hyperbench serve``; the manager mounts the
model folder read-only, publishes the server's port on 127.0.0.1 only,
passes GPUs as device requests and reads readiness from the image's
HEALTHCHECK (polled every 2 s instead of the image's 30 s while the
orchestrator waits). The request is built by a pure function so it can be checked
without a daemon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from bench_orchestrator.envs.base import Environment, EnvManager, ModelServer, log_tail
from bench_orchestrator.envs.process import HOST, free_port, probe_health
from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.config import ModelSpec

CONTAINER_PORT = 8000
MOUNT_ROOT = "/mnt/hyperbench"
HEALTH_INTERVAL_NS = 2_000_000_000


def container_request(
    image: str,
    config_path: str,
    *,
    mounts: dict[str, str],
    gpus: int,
    host_port: int,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Keyword arguments of ``client.containers.run`` for one model server."""
    from docker.types import DeviceRequest

    return {
        "image": image,
        "command": [
            "hyperbench",
            "serve",
            config_path,
            "--host",
            "0.0.0.0",
            "--port",
            str(CONTAINER_PORT),
        ],
        "detach": True,
        "ports": {f"{CONTAINER_PORT}/tcp": (HOST, host_port)},
        "volumes": {host: {"bind": inside, "mode": "ro"} for host, inside in mounts.items()},
        "device_requests": [DeviceRequest(count=gpus, capabilities=[["gpu"]])] if gpus else [],
        # An empty test inherits the image's HEALTHCHECK; only the interval is shortened.
        "healthcheck": {"test": [], "interval": HEALTH_INTERVAL_NS},
        "labels": {"hyperbench": "model-server", **(labels or {})},
    }


def health_status(attrs: dict[str, Any]) -> str | None:
    """The container's HEALTHCHECK status (``starting``/``healthy``/``unhealthy``), if any."""
    health = attrs.get("State", {}).get("Health")
    return health.get("Status") if health else None


def exited(attrs: dict[str, Any]) -> bool:
    """True when the container is no longer running."""
    return attrs.get("State", {}).get("Status") in ("exited", "dead")


class DockerManager(EnvManager):
    """One container per model server (all of a model's cells) from the model's image."""

    name: ClassVar[str] = "docker"

    def __init__(self, cache_dir: Path) -> None:
        super().__init__(cache_dir)
        self._client: Any = None

    def client(self) -> Any:
        """The docker SDK client (lazily: docker is an extra)."""
        if self._client is None:
            try:
                import docker

                self._client = docker.from_env()  # type: ignore[attr-defined]
            except Exception as exc:
                raise EnvironmentSetupError(f"cannot reach a docker engine: {exc}") from exc
        return self._client

    def setup(self, name: str, model: ModelSpec) -> Environment:
        """Pull the image when it is not present locally."""
        import docker.errors

        client = self.client()
        try:
            client.images.get(model.image)
        except docker.errors.ImageNotFound:
            client.images.pull(model.image)
        return Environment(
            model=name, detail={"image": model.image, "gpus": model.gpus, "mounts": {}}
        )

    def mount_data(self, env: Environment, local_path: Path) -> str:
        """Bind-mount ``local_path`` read-only under ``/mnt/hyperbench``."""
        mounts: dict[str, str] = env.detail["mounts"]
        inside = mounts.setdefault(str(local_path), f"{MOUNT_ROOT}/{len(mounts)}")
        return inside

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        """Create and start the container."""
        port = free_port()
        request = container_request(
            env.detail["image"],
            config_path,
            mounts=env.detail["mounts"],
            gpus=env.detail["gpus"],
            host_port=port,
            labels={"hyperbench.model": env.model},
        )
        container = self.client().containers.run(**request)
        return ModelServer(url=f"http://{HOST}:{port}", log_path=log_path, handle=container)

    def health(self, server: ModelServer) -> bool:
        """Healthy per HEALTHCHECK (or ``/health`` for an image without one)."""
        container = server.handle
        container.reload()
        if exited(container.attrs):
            server.log_path.write_bytes(container.logs())
            raise EnvironmentSetupError("the model container exited:\n" + log_tail(server.log_path))
        status = health_status(container.attrs)
        return status == "healthy" if status is not None else probe_health(server.url)

    def cleanup(self, env: Environment, server: ModelServer | None) -> None:
        """Keep the container's log, stop and remove it."""
        if server is None:
            return
        container = server.handle
        try:
            server.log_path.write_bytes(container.logs())
            container.stop(timeout=15)
        finally:
            container.remove(force=True)
