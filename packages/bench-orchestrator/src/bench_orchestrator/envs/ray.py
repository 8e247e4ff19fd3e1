"""The ``ray`` manager: each model server lives in a Ray actor holding its resources.

One actor serves all of a model's cells (``stages/serving.py``); a restart
after a death places a new actor.

The actor reserves the model's CPUs and GPUs on whichever node Ray picks,
syncs the model's venv from its lock there (once per node, as ``process``
does) and runs the API wrapper beside it. Paths handed to ``mount_data``
must be valid on every node (a shared file system); on the single-node
cluster the tests start that is the local disk. Servers bind 127.0.0.1, so
clients must run on the actor's node: true on one machine, which is what
this manager is tested on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bench_orchestrator.envs.base import Environment, EnvManager, ModelServer
from bench_orchestrator.envs.process import ProcessManager
from bench_orchestrator.errors import EnvironmentSetupError

if TYPE_CHECKING:
    from bench_orchestrator.config import ModelSpec


class ServerActor:
    """Runs inside a Ray worker: a ``ProcessManager`` for one model's environment and server."""

    def __init__(self, cache_dir: str) -> None:
        self.manager = ProcessManager(Path(cache_dir))
        self.env: Environment | None = None
        self.server: ModelServer | None = None

    def setup(self, name: str, model: ModelSpec) -> dict[str, Any]:
        """Sync the venv on this node; return its details and the node's address."""
        import ray

        self.env = self.manager.setup(name, model)
        return {**self.env.detail, "node": ray.util.get_node_ip_address()}

    def mount_data(self, local_path: str) -> str:
        """Paths are shared: the same path on this node."""
        assert self.env is not None
        return self.manager.mount_data(self.env, Path(local_path))

    def run(self, config_path: str, log_path: str) -> str:
        """Start the server; return its URL."""
        assert self.env is not None
        self.server = self.manager.run(self.env, config_path, Path(log_path))
        return self.server.url

    def health(self) -> bool:
        """Probe the server."""
        assert self.server is not None
        return self.manager.health(self.server)

    def cleanup(self) -> None:
        """Stop the server."""
        if self.env is not None:
            self.manager.cleanup(self.env, self.server)
        self.server = None


def _get(ref: Any, timeout_s: float | None = None, waiting_for: str = "") -> Any:
    import ray

    try:
        return ray.get(ref, timeout=timeout_s)
    except ray.exceptions.GetTimeoutError as exc:
        raise EnvironmentSetupError(
            f"Ray did not start {waiting_for} within {timeout_s:.0f} s: "
            f"no node has its resources free? (cluster: {ray.available_resources()})"
        ) from exc
    except ray.exceptions.RayError as exc:
        cause = getattr(exc, "cause", None)
        raise EnvironmentSetupError(str(cause or exc)) from exc


class RayManager(EnvManager):
    """One Ray actor per model server (all of a model's cells) holding its ``cpus`` and ``gpus``."""

    name: ClassVar[str] = "ray"

    def __init__(self, cache_dir: Path, address: str | None = None) -> None:
        super().__init__(cache_dir)
        self.address = address

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError as exc:
            raise EnvironmentSetupError(
                "manager 'ray' needs ray: install bench-orchestrator[ray]"
            ) from exc
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        return ray

    def setup(self, name: str, model: ModelSpec) -> Environment:
        """Place an actor with the model's resources and sync its venv on that node."""
        ray = self._ray()
        actor_class = ray.remote(ServerActor)
        actor = actor_class.options(
            num_cpus=model.cpus, num_gpus=model.gpus, name=None, max_restarts=0
        ).remote(str(self.cache_dir))
        env = Environment(model=name, handle=actor)
        try:
            env.detail = _get(
                actor.setup.remote(name, model),
                model.startup_timeout_s,
                f"an actor with {model.cpus} CPUs and {model.gpus} GPUs for {name!r}",
            )
        except EnvironmentSetupError:
            ray.kill(actor)
            raise
        return env

    def mount_data(self, env: Environment, local_path: Path) -> str:
        """The path on the actor's node (shared file system)."""
        return str(_get(env.handle.mount_data.remote(str(local_path))))

    def run(self, env: Environment, config_path: str, log_path: Path) -> ModelServer:
        """Start the server inside the actor."""
        url = _get(env.handle.run.remote(config_path, str(log_path)))
        return ModelServer(url=url, log_path=log_path, handle=env.handle)

    def health(self, server: ModelServer) -> bool:
        """Probe through the actor (it sees the server's process)."""
        return bool(_get(server.handle.health.remote()))

    def cleanup(self, env: Environment, server: ModelServer | None) -> None:
        """Stop the server and end the actor, freeing its resources."""
        import ray

        if env.handle is None:
            return
        try:
            _get(env.handle.cleanup.remote())
        finally:
            ray.kill(env.handle)
