"""``release-tool docker build --dry-run`` and ``docker smoke`` (fast tier, no image builds)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from release_tool.adapters import docker as adapter
from release_tool.adapters import image_build
from release_tool.adapters.docker import BuildRequest, buildx_command
from release_tool.adapters.image_smoke import ImageSmokeError, free_port, smoke_image
from release_tool.testing.cli import run_cli

REPO = Path(__file__).resolve().parents[1]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A small uv workspace (bench-utils, model-qwen-vl) with a real lock, in git."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "meta"
            version = "0.3.0"
            requires-python = ">=3.11"
            dependencies = ["bench-utils", "model-qwen-vl"]

            [tool.uv.workspace]
            members = ["packages/*"]

            [tool.uv.sources]
            bench-utils = { workspace = true }
            model-qwen-vl = { workspace = true }

            [tool.release-tool.docker]
            registry = "ghcr.io/example-org"
            """
        )
    )
    for name, extra in (("bench-utils", "serve"), ("model-qwen-vl", "hf")):
        folder = root / "packages" / name
        (folder / "src" / name.replace("-", "_")).mkdir(parents=True)
        (folder / "src" / name.replace("-", "_") / "__init__.py").write_text("")
        (folder / "pyproject.toml").write_text(
            textwrap.dedent(
                f"""\
                [project]
                name = "{name}"
                version = "0.1.0"
                requires-python = ">=3.11"

                [project.optional-dependencies]
                {extra} = []

                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"
                """
            )
        )
    (root / "docker").mkdir()
    shutil.copy2(REPO / "docker" / "Dockerfile-uv", root / "docker" / "Dockerfile-uv")
    subprocess.run(["uv", "lock", "--offline", "--quiet"], cwd=root, check=True)
    _git(root, "init", "--quiet")
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", "init")
    return root


def test_dry_run_json_renders_the_matrix(workspace: Path) -> None:
    result = run_cli(
        "docker", "build", "--mode", "dev", "--cuda", "cu124,cu128,cpu", "--dry-run", "--json",
        cwd=workspace,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    sha = _git(workspace, "rev-parse", "HEAD")
    assert [image["variant"] for image in plan["images"]] == ["cu124", "cu128", "cpu"]
    assert [image["tags"] for image in plan["images"]] == [
        [
            f"ghcr.io/example-org/hyperbench:0.1.0-{v}",
            f"ghcr.io/example-org/hyperbench:0.1.0-{v}-{sha[:7]}",
        ]
        for v in ("cu124", "cu128", "cpu")
    ]
    cu124 = plan["images"][0]
    assert cu124["build_args"]["UV_SELECT"] == (
        "--package bench-utils --package model-qwen-vl --extra serve --extra hf"
    )
    assert cu124["labels"]["org.opencontainers.image.revision"] == sha
    assert cu124["labels"]["org.opencontainers.image.created"] == "2026-01-02T03:04:05+00:00"
    command = plan["commands"][0]
    assert command[:5] == ["docker", "buildx", "build", "--progress", "plain"]
    assert command[-2:] == ["--load", str(workspace)]
    assert "TORCH_VERSION=2.6.0" in command and "CXX11_ABI=FALSE" in command
    assert plan["notes"] == []  # this lock has no torch to disagree with


def test_dry_run_buildah_and_push(workspace: Path) -> None:
    result = run_cli(
        "docker", "build", "--mode", "dev", "--cuda", "cpu", "--builder", "buildah", "--push",
        "--target", "dev", "--dry-run", cwd=workspace,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    sha = _git(workspace, "rev-parse", "HEAD")[:7]
    assert result.stdout.splitlines()[:3] == [
        "cpu (dev):",
        "  tag   ghcr.io/example-org/hyperbench:0.1.0-cpu-dev",
        f"  tag   ghcr.io/example-org/hyperbench:0.1.0-cpu-dev-{sha}",
    ]
    assert "  run   buildah build --isolation chroot ..." in result.stdout
    assert result.stdout.rstrip().endswith(
        f"  push  ghcr.io/example-org/hyperbench:0.1.0-cpu-dev, "
        f"ghcr.io/example-org/hyperbench:0.1.0-cpu-dev-{sha}"
    )
    assert "plan: 1 image(s) from dev mode (buildah)" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--cuda", "cu999"), 12, "unknown CUDA variant(s): cu999"),
        (("--mode", "prod"), 12, "prod mode has no lock"),
        (("--target", "final"), 12, "unknown target 'final'"),
        (("--build-arg", "NOEQUALS"), 3, "expected KEY=VALUE"),
        (("--builder", "podman"), 12, "unknown builder 'podman'"),
    ],
)
def test_build_refusals(workspace: Path, args: tuple[str, ...], code: int, message: str) -> None:
    dry = () if "--builder" in args else ("--dry-run",)
    result = run_cli("docker", "build", "--mode", "dev", *args, *dry, cwd=workspace)
    assert result.exit_code == code, result.output
    assert message in result.stderr


def test_buildah_command_is_exact(tmp_path: Path) -> None:
    request = adapter.BuildRequest(
        context=tmp_path,
        dockerfile=tmp_path / "docker" / "Dockerfile-uv",
        target="runtime",
        build_args={"CUDA": "cpu"},
        tags=("hyperbench:1-cpu", "hyperbench:1-cpu-abc1234"),
        labels={"org.opencontainers.image.version": "1"},
    )
    assert adapter.buildah_command(request) == [
        "buildah", "build", "--isolation", "chroot", "--layers", "--format", "docker",
        "--pull=false", "--file", str(tmp_path / "docker" / "Dockerfile-uv"),
        "--target", "runtime", "--build-arg", "CUDA=cpu",
        "--label", "org.opencontainers.image.version=1",
        "--tag", "hyperbench:1-cpu", "--tag", "hyperbench:1-cpu-abc1234", str(tmp_path),
    ]  # fmt: skip


def test_stage_local_wheels(tmp_path: Path) -> None:
    source, dest = tmp_path / "wheels", tmp_path / "ctx"
    source.mkdir()
    wheel = source / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
    wheel.write_bytes(b"wheel")
    assert image_build.stage_local_wheels(["torch-*+cpu-*.whl"], [source], dest) == [
        dest / wheel.name
    ]
    assert (dest / wheel.name).read_bytes() == b"wheel"
    with pytest.raises(adapter.ImageBuildError, match="no wheel matching 'flash_attn-"):
        image_build.stage_local_wheels(["flash_attn-*.whl"], [source], dest)


def test_stream_command_reports_tail(tmp_path: Path) -> None:
    seen: list[str] = []
    script = "import sys; print('STEP 1'); print('boom', file=sys.stderr); sys.exit(3)"
    with pytest.raises(adapter.ImageBuildError) as info:
        adapter.stream_command([sys.executable, "-c", script], seen.append)
    assert seen == ["STEP 1", "boom"]
    assert "failed (exit 3)" in str(info.value) and str(info.value).endswith("STEP 1\nboom")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "[3/7] STEP 9/10: RUN --mount=type=cache uv export",
            "[3/7] STEP 9/10: RUN --mount=type=cache uv export",
        ),
        ("#12 [deps 3/5] RUN uv pip install", "#12 [deps 3/5] RUN uv pip install"),
        ("Collecting torch", None),
    ],
)
def test_progress_line(line: str, expected: str | None) -> None:
    assert image_build.progress_line(line) == expected


# A stand-in for the API wrapper inside a container: a real HTTP server process.
SERVER = """\
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
mode = sys.argv[2]
class H(BaseHTTPRequestHandler):
    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if self.path == "/health":
            self._send(503 if mode == "sick" else 200, {"status": "healthy"})
        elif self.path == "/v1/models":
            self._send(200, {"data": [] if mode == "empty" else [{"id": "tiny"}]})
    def do_POST(self):
        length = int(self.headers["Content-Length"])
        request = json.loads(self.rfile.read(length))
        self._send(200, {"choices": [{"message": {"content": "echo " + request["model"]}}]})
    def log_message(self, *args):
        print("request", *args, flush=True)
print("server starting", flush=True)
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


class ProcessContainer:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.output = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.output, _ = self.process.communicate(timeout=10)

    def logs(self) -> str:
        return self.output


class ProcessBuilder:
    """Starts the stand-in server as the 'container' (its mode is the image name)."""

    name = "process"

    def __init__(self, tmp_path: Path) -> None:
        self.script = tmp_path / "server.py"
        self.script.write_text(SERVER)
        self.started: list[subprocess.Popen[str]] = []

    def start(self, image: str, *, port: int, volumes: dict[str, str], env: dict[str, str]):
        process = subprocess.Popen(
            [sys.executable, str(self.script), str(port), image],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.started.append(process)
        return ProcessContainer(process)


def test_smoke_answers(tmp_path: Path) -> None:
    builder = ProcessBuilder(tmp_path)
    result = smoke_image(builder, "ok", prompt="hi", timeout=30)  # type: ignore[arg-type]
    assert (result.health, result.models, result.answer) == (
        {"status": "healthy"},
        ("tiny",),
        "echo tiny",
    )
    assert builder.started[0].poll() is not None, "the container is stopped afterwards"


@pytest.mark.parametrize(
    ("mode", "message"),
    [("sick", "did not answer in time"), ("empty", "/v1/models lists no model")],
)
def test_smoke_failures_carry_the_log(tmp_path: Path, mode: str, message: str) -> None:
    builder = ProcessBuilder(tmp_path)
    with pytest.raises(ImageSmokeError) as info:
        smoke_image(builder, mode, port=free_port(), timeout=3)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert "--- container log (tail) ---\nserver starting" in str(info.value)
    assert builder.started[0].poll() is not None


def test_buildx_command_is_exact(tmp_path: Path) -> None:
    request = adapter.BuildRequest(
        context=tmp_path,
        dockerfile=tmp_path / "Dockerfile-uv",
        target="dev",
        build_args={"CUDA": "cu128"},
        tags=("hyperbench:1-cu128-dev",),
        push=True,
    )
    assert adapter.buildx_command(request) == [
        "docker", "buildx", "build", "--progress", "plain",
        "--file", str(tmp_path / "Dockerfile-uv"), "--target", "dev",
        "--build-arg", "CUDA=cu128", "--tag", "hyperbench:1-cu128-dev",
        "--load", str(tmp_path),
    ]  # fmt: skip


def test_docker_sdk_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the ``docker`` extra the builder says how to get it (the import is blocked here)."""
    import sys

    for name in [n for n in sys.modules if n == "docker" or n.startswith("docker.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "docker", None)  # ``import docker`` -> ImportError
    with pytest.raises(adapter.ImageBuildError, match="docker SDK is not installed") as info:
        adapter.DockerBuilder().inspect("hyperbench:1-cpu")
    assert "release-tool[docker]" in str(info.value)


def test_release_version_no_credentials_secret_and_registry_cache(workspace: Path) -> None:
    """The tag is bench-utils' locked version; a token in the remote URL reaches no label."""
    _git(
        workspace, "remote", "add", "origin", "https://x-access-token:ghs_leak@github.com/o/ws.git"
    )
    result = run_cli(
        "docker", "build", "--mode", "dev", "--cuda", "cu128", "--dry-run", "--json",
        "--cache-registry", "ghcr.io/example-org/build-cache",
        cwd=workspace,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "ghs_leak" not in result.stdout
    image = json.loads(result.stdout)["images"][0]
    assert image["tags"][0] == "ghcr.io/example-org/hyperbench:0.1.0-cu128"
    assert image["labels"]["org.opencontainers.image.source"] == "https://github.com/o/ws.git"
    assert image["build_args"]["IMAGE_SOURCE"] == "https://github.com/o/ws.git"
    assert "MAX_JOBS" not in image["build_args"] and image["secrets"] == ["max_jobs"]
    request = BuildRequest(
        workspace, workspace / "docker/Dockerfile-uv", "runtime", {}, ("t",),
        secret_files={"max_jobs": workspace / "mj"}, cache_ref="r/c:cu128-runtime",
    )  # fmt: skip
    command = buildx_command(request)
    assert ["--secret", f"id=max_jobs,src={workspace / 'mj'}"] == command[
        command.index("--secret") : command.index("--secret") + 2
    ]
    assert "type=registry,ref=r/c:cu128-runtime,mode=max" in command
