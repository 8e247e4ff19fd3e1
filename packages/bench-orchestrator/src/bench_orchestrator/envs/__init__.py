"""Environment managers: where and how a model's API wrapper runs (process, docker, ray)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.config import ExperimentSpec
    from bench_orchestrator.envs.base import EnvManager

MANAGERS = ("process", "docker", "ray")


def create_manager(spec: ExperimentSpec, cache_dir: Path) -> EnvManager:
    """The manager named by the experiment (imported lazily: docker and ray are extras)."""
    if spec.manager == "docker":
        from bench_orchestrator.envs.docker import DockerManager

        return DockerManager(cache_dir)
    if spec.manager == "ray":
        from bench_orchestrator.envs.ray import RayManager

        return RayManager(cache_dir, address=spec.ray_address)
    from bench_orchestrator.envs.process import ProcessManager

    return ProcessManager(cache_dir)
