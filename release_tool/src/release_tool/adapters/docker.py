"""Image builders: ``docker buildx build`` and ``buildah build``, as subprocesses.

The docker SDK cannot build with BuildKit (docker-py #2230), so both backends
build through their CLI and stream its output line by line to a callback
(live progress). Inspecting, tagging, pushing and running containers go
through the docker SDK (imported lazily; ``pip install release-tool[docker]``)
for the docker backend, and through the ``buildah`` CLI for hosts without a
Docker daemon.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from release_tool.errors import ExternalServiceError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path


class ImageBuildError(ExternalServiceError):
    """A builder command failed; the message carries the tail of its output."""


@dataclass(frozen=True)
class BuildRequest:
    """One ``build`` invocation, independent of the backend."""

    context: Path
    dockerfile: Path
    target: str
    build_args: dict[str, str]
    tags: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    push: bool = False
    secret_files: dict[str, Path] = field(default_factory=dict)
    """Build secrets by id: files mounted at ``/run/secrets/<id>``, never part of a cache key."""
    cache_ref: str | None = None
    """A registry repository holding the layer cache, read and written by the build."""


@dataclass(frozen=True)
class ImageInfo:
    """What we read back from a built image."""

    name: str
    id: str
    size_bytes: int
    layers: tuple[str, ...]
    labels: dict[str, str]
    cmd: tuple[str, ...]
    user: str
    layer_sizes: tuple[int, ...] = ()
    history: tuple[str, ...] = ()
    """The instruction behind each layer (aligned with ``layers``; buildah only)."""
    healthcheck: tuple[str, ...] = ()


def buildx_command(request: BuildRequest) -> list[str]:
    """``docker buildx build`` for a request, loaded into the daemon (pushed by the SDK after)."""
    cmd = ["docker", "buildx", "build", "--progress", "plain"]
    cmd += ["--file", str(request.dockerfile), "--target", request.target]
    cmd += _common_flags(request)
    if request.cache_ref:
        cmd += ["--cache-from", f"type=registry,ref={request.cache_ref}"]
        cmd += ["--cache-to", f"type=registry,ref={request.cache_ref},mode=max"]
    cmd += ["--load", str(request.context)]
    return cmd


def buildah_command(request: BuildRequest) -> list[str]:
    """``buildah build`` for a request: chroot isolation, layer cache, docker format.

    chroot isolation works where the default (OCI runtime) isolation fails on
    the host's cgroups; the docker format keeps HEALTHCHECK (OCI drops it).
    Local base images are used as they are (no registry check).
    """
    cmd = ["buildah", "build", "--isolation", "chroot", "--layers", "--format", "docker"]
    cmd.append("--pull=false")  # pull a base only when it is not in local storage
    cmd += ["--file", str(request.dockerfile), "--target", request.target]
    cmd += _common_flags(request)
    if request.cache_ref:
        cmd += ["--cache-from", request.cache_ref, "--cache-to", request.cache_ref]
    cmd.append(str(request.context))
    return cmd


def _common_flags(request: BuildRequest) -> list[str]:
    flags: list[str] = []
    for key, value in request.build_args.items():
        flags += ["--build-arg", f"{key}={value}"]
    for key, value in request.labels.items():
        flags += ["--label", f"{key}={value}"]
    for tag in request.tags:
        flags += ["--tag", tag]
    for key, path in request.secret_files.items():
        flags += ["--secret", f"id={key},src={path}"]
    return flags


def stream_command(
    cmd: Sequence[str], on_line: Callable[[str], None], *, cwd: Path | None = None
) -> None:
    """Run ``cmd``, passing each output line to ``on_line``; raise with the tail on failure."""
    tail: deque[str] = deque(maxlen=40)
    try:
        process = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except FileNotFoundError:
        raise ImageBuildError(f"{cmd[0]}: command not found", hint=_install_hint(cmd[0])) from None
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.rstrip("\n")
        tail.append(line)
        on_line(line)
    if process.wait() != 0:
        raise ImageBuildError(
            f"`{' '.join(cmd[:3])} ...` failed (exit {process.returncode}):\n" + "\n".join(tail)
        )


def _run(cmd: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ImageBuildError(f"{cmd[0]}: command not found", hint=_install_hint(cmd[0])) from None
    if done.returncode != 0:
        raise ImageBuildError(f"`{' '.join(cmd)}` failed: {done.stderr.strip() or done.stdout}")
    return done.stdout


def _install_hint(tool: str) -> str:
    if tool == "buildah":
        return "install it (`apt-get install buildah`) or use --builder docker"
    return "install Docker with the buildx plugin, or use --builder buildah"


class RunningContainer(Protocol):
    """A started container; ``stop()`` ends it and frees what it held."""

    def stop(self) -> None: ...

    def logs(self) -> str: ...


class Builder(Protocol):
    """What the CLI needs from a backend."""

    name: str

    def missing(self) -> str | None: ...

    def build(self, request: BuildRequest, on_line: Callable[[str], None]) -> None: ...

    def push(self, tag: str) -> None: ...

    def inspect(self, image: str) -> ImageInfo: ...

    def start(
        self, image: str, *, port: int, volumes: dict[str, str], env: dict[str, str]
    ) -> RunningContainer: ...


class BuildahBuilder:
    """Builds, inspects, pushes and runs images with the ``buildah`` CLI (no daemon)."""

    name = "buildah"

    def missing(self) -> str | None:
        return None if shutil.which("buildah") else "buildah is not installed"

    def build(self, request: BuildRequest, on_line: Callable[[str], None]) -> None:
        stream_command(buildah_command(request), on_line, cwd=request.context)
        if request.push:
            for tag in request.tags:
                self.push(tag)

    def push(self, tag: str) -> None:
        _run(["buildah", "push", tag, f"docker://{tag}"])

    def inspect(self, image: str) -> ImageInfo:
        data = json.loads(_run(["buildah", "inspect", "--type", "image", image]))
        manifest = json.loads(data.get("Manifest") or "{}")
        config = (data.get("Docker") or {}).get("config") or (data.get("OCIv1") or {}).get(
            "config", {}
        )
        sizes = tuple(int(layer.get("size", 0)) for layer in manifest.get("layers", []))
        history = (data.get("Docker") or {}).get("history") or []
        return ImageInfo(
            name=image,
            id=str(data.get("FromImageID", "")),
            size_bytes=sum(sizes),
            layers=tuple(data.get("OCIv1", {}).get("rootfs", {}).get("diff_ids", [])),
            labels=dict(config.get("Labels") or {}),
            cmd=tuple(config.get("Cmd") or ()),
            user=str(config.get("User") or ""),
            layer_sizes=sizes,
            history=tuple(
                str(step.get("created_by", "")) for step in history if not step.get("empty_layer")
            ),
            healthcheck=tuple((config.get("Healthcheck") or {}).get("Test") or ()),
        )

    def start(
        self, image: str, *, port: int, volumes: dict[str, str], env: dict[str, str]
    ) -> RunningContainer:
        info = self.inspect(image)
        container = _run(["buildah", "from", "--pull=never", "--quiet", image]).strip()
        cmd = ["buildah", "run", "--isolation", "chroot", "--network", "host"]
        for host, inside in volumes.items():
            cmd += ["--volume", f"{host}:{inside}:ro"]
        for key, value in env.items():
            cmd += ["--env", f"{key}={value}"]
        cmd += [container, "--", *with_port(info.cmd, port)]
        process = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        return _BuildahContainer(container, process)


def with_port(cmd: Sequence[str], port: int) -> list[str]:
    """The image's command with its ``--port`` value replaced (host networking)."""
    out = list(cmd)
    if "--port" in out[:-1]:
        out[out.index("--port") + 1] = str(port)
    else:
        out += ["--port", str(port)]
    return out


@dataclass
class _BuildahContainer:
    container: str
    process: subprocess.Popen[str]
    _logs: str = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdout is not None:
            self._logs = self.process.stdout.read()
            self.process.stdout.close()
        subprocess.run(["buildah", "rm", self.container], capture_output=True, check=False)

    def logs(self) -> str:
        return self._logs


class DockerBuilder:
    """Builds with ``docker buildx build``; inspect, push and run through the docker SDK."""

    name = "docker"

    def missing(self) -> str | None:
        if not shutil.which("docker"):
            return "docker is not installed"
        return None

    def build(self, request: BuildRequest, on_line: Callable[[str], None]) -> None:
        stream_command(buildx_command(request), on_line, cwd=request.context)
        if request.push:
            for tag in request.tags:
                self.push(tag)

    def _client(self) -> Any:
        try:
            import docker  # heavy and optional: only when an image is inspected, pushed or run
        except ImportError:
            raise ImageBuildError(
                "the docker SDK is not installed", hint="pip install 'release-tool[docker]'"
            ) from None
        try:
            return docker.from_env()  # type: ignore[attr-defined]
        except docker.errors.DockerException as exc:  # type: ignore[attr-defined]
            raise ImageBuildError(f"cannot reach the Docker daemon: {exc}") from None

    def push(self, tag: str) -> None:
        repository, _, name = tag.rpartition(":")
        for event in self._client().images.push(repository, tag=name, stream=True, decode=True):
            if "error" in event:
                raise ImageBuildError(f"push {tag}: {event['error']}")

    def tag(self, image: str, tag: str) -> None:
        repository, _, name = tag.rpartition(":")
        self._client().images.get(image).tag(repository, tag=name)

    def inspect(self, image: str) -> ImageInfo:
        attrs = self._client().images.get(image).attrs
        config = attrs.get("Config") or {}
        return ImageInfo(
            name=image,
            id=attrs.get("Id", ""),
            size_bytes=int(attrs.get("Size", 0)),
            layers=tuple((attrs.get("RootFS") or {}).get("Layers", [])),
            labels=dict(config.get("Labels") or {}),
            cmd=tuple(config.get("Cmd") or ()),
            user=str(config.get("User") or ""),
            healthcheck=tuple((config.get("Healthcheck") or {}).get("Test") or ()),
        )

    def start(
        self, image: str, *, port: int, volumes: dict[str, str], env: dict[str, str]
    ) -> RunningContainer:
        container = self._client().containers.run(
            image,
            detach=True,
            ports={"8000/tcp": ("127.0.0.1", port)},
            volumes={host: {"bind": inside, "mode": "ro"} for host, inside in volumes.items()},
            environment=env,
        )
        return _DockerContainer(container)


@dataclass
class _DockerContainer:
    container: Any
    _logs: str = ""

    def stop(self) -> None:
        self._logs = self.container.logs().decode("utf-8", "replace")
        self.container.stop(timeout=10)
        self.container.remove()

    def logs(self) -> str:
        return self._logs


BUILDERS: dict[str, type[BuildahBuilder] | type[DockerBuilder]] = {
    "docker": DockerBuilder,
    "buildah": BuildahBuilder,
}


def get_builder(name: str) -> Builder:
    """The backend called ``name``; refuses one whose CLI is missing."""
    from release_tool.errors import NotFoundError

    if name not in BUILDERS:
        raise NotFoundError(f"unknown builder {name!r}", hint="choose docker or buildah")
    builder: Builder = BUILDERS[name]()
    reason = builder.missing()
    if reason:
        raise ImageBuildError(reason, hint=_install_hint(name))
    return builder
