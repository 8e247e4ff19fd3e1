"""Proof tier: the cpu runtime image is built, run and answers, through the tool, with buildah.

No Docker daemon and no registry here: the session fixture installs buildah
and mmdebstrap when missing (root, apt), makes ``debian:bookworm-slim`` from
a Debian minbase rootfs (host CA bundle added) and ``ghcr.io/astral-sh/uv``
from the pinned uv, all cached (tarball under ~/.cache/release-tool/images,
images and layers in buildah's storage). The tests then build a copy of this
repository with ``release-tool docker build --builder buildah --cuda cpu``,
start the image and ask its API wrapper (tiny random-weight model made in the
image at test time), show that a source-only change rebuilds no dependency
layer, and compare the runtime size with the same packages on the devel-style
base (the build stage's image: toolchain, headers, git).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
import uuid
from pathlib import Path

import pytest

from release_tool.testing.cli import run_cli

pytestmark = [pytest.mark.image, pytest.mark.timeout(2400)]

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "docker" / "Dockerfile-uv"
TORCH_WHEELS = sorted(Path("/opt/wheels").glob("torch-*+cpu-cp311-*.whl"))
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Image Test",
    "GIT_AUTHOR_EMAIL": "images@example.org",
    "GIT_COMMITTER_NAME": "Image Test",
    "GIT_COMMITTER_EMAIL": "images@example.org",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _skip_reason() -> str | None:
    if not TORCH_WHEELS:
        return (
            "image tier did not run: no torch-*+cpu-cp311 wheel in /opt/wheels for the cpu variant"
        )
    if shutil.which("buildah") and shutil.which("mmdebstrap"):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return (
            "image tier did not run: buildah is missing and cannot be installed (needs root + apt)"
        )
    return None


@pytest.fixture(scope="session")
def buildah_bases() -> None:
    """buildah installed, local debian and uv base images present (cached across runs)."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from release_tool.adapters import buildah_bases

    buildah_bases.ensure_buildah()
    cache = buildah_bases.default_cache_dir()
    version = re.search(r"^ARG UV_VERSION=(\S+)$", DOCKERFILE.read_text(), re.MULTILINE)
    assert version, "Dockerfile-uv pins UV_VERSION"
    buildah_bases.ensure_debian_base(cache)
    buildah_bases.ensure_uv_image(version.group(1), cache)


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=os.environ | GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def workspace_copy(tmp_path_factory: pytest.TempPathFactory, buildah_bases: None) -> Path:
    """This repository's tracked and untracked files, committed in a fresh repo."""
    files = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    copy = tmp_path_factory.mktemp("image-ws") / "ws"
    for rel in filter(None, files):
        source = REPO / rel
        if source.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    _git(copy, "init", "--quiet", "--initial-branch", "main")
    _git(copy, "add", "-A")
    _git(copy, "commit", "--quiet", "-m", "image test workspace")
    return copy


def _image_repo(workspace: Path) -> str:
    """``<registry>/<image>`` as the workspace configures it."""
    from release_tool.core.workspace import load_workspace

    docker = load_workspace(workspace).config.docker
    return f"{docker.registry}/{docker.image}" if docker.registry else docker.image


def _build(workspace: Path, *args: str) -> dict:
    result = run_cli(
        "docker", "build", "--mode", "dev", "--cuda", "cpu", "--builder", "buildah", "--json",
        *args, cwd=workspace,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def _inspect(image: str):
    from release_tool.adapters.docker import BuildahBuilder

    return BuildahBuilder().inspect(image)


def _run_in(image: str, *cmd: str, volume: str | None = None) -> str:
    container = subprocess.run(
        ["buildah", "from", "--pull=never", "--quiet", image],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        run = ["buildah", "run", "--isolation", "chroot"]
        if volume:
            run += ["--volume", volume]
        done = subprocess.run(
            [*run, container, "--", *cmd], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)


def _image_version(root: Path) -> str:
    """The release version an image carries: the lock's version of its first package."""
    lock = tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))
    [version] = [p["version"] for p in lock["package"] if p["name"] == "bench-utils"]
    return str(version)


@pytest.fixture(scope="module")
def runtime_build(workspace_copy: Path) -> dict:
    return _build(workspace_copy)


def test_runtime_image_built_through_the_tool(workspace_copy: Path, runtime_build: dict) -> None:
    [built] = runtime_build["built"]
    sha = _git(workspace_copy, "rev-parse", "HEAD")
    repo = _image_repo(workspace_copy)
    version = _image_version(workspace_copy)
    assert built["tags"] == [f"{repo}:{version}-cpu", f"{repo}:{version}-cpu-{sha[:7]}"]
    info = _inspect(built["tags"][0])
    assert info.size_bytes == built["size_bytes"] > 0
    assert info.labels["org.opencontainers.image.revision"] == sha
    build_info = json.loads(_run_in(built["tags"][0], "cat", "/etc/hyperbench/build.json"))
    assert (build_info["revision"], build_info["variant"]) == (sha, "cpu")
    assert info.labels["org.opencontainers.image.version"] == version
    assert info.labels["io.hyperbench.variant"] == "cpu"
    assert info.user == "10001:10001"
    assert info.cmd == (
        "hyperbench", "serve", "/etc/hyperbench/serve.toml", "--host", "0.0.0.0", "--port", "8000",
    )  # fmt: skip
    assert "http://127.0.0.1:8000/health" in " ".join(info.healthcheck)
    probe = (
        "import importlib.util as u, torch, bench_utils, model_qwen_vl, fastapi, transformers;"
        "print(torch.__version__);"
        "print([m for m in ('pytest', 'ruff', 'release_tool', 'triton') if u.find_spec(m)])"
    )
    out = _run_in(built["tags"][0], "python", "-c", probe).split("\n")
    assert out[0].endswith("+cpu"), out  # the local CPU wheel, not PyPI's CUDA build
    assert out[1] == "[]", "no dev dependencies, no tool, no CUDA-only packages"
    assert (
        _run_in(built["tags"][0], "ls", "/home/app", "/opt")
        == "/home/app:\n\n/opt:\npython\nvenv\n"
    )


def test_runtime_image_answers(workspace_copy: Path, runtime_build: dict, tmp_path: Path) -> None:
    image = runtime_build["built"][0]["tags"][0]
    models = tmp_path / "models"
    models.mkdir()
    models.chmod(0o777)  # the image runs as uid 10001
    _run_in(
        image, "python", "-m", "model_qwen_vl.testing.tiny", "--family", "qwen2_5_vl",
        "--out", "/out/model", volume=f"{models}:/out",
    )  # fmt: skip
    result = run_cli(
        "docker", "smoke", image, "--builder", "buildah", "--model-dir", str(models / "model"),
        "--prompt", "What is in the picture?", "--timeout", "240", "--json", cwd=workspace_copy,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr[-4000:]
    smoke = json.loads(result.stdout)
    assert smoke["health"]["status"] == "healthy"
    assert smoke["health"]["device"] == "cpu"
    assert smoke["models"] == ["model"]
    assert isinstance(smoke["answer"], str)


def test_source_only_change_rebuilds_no_dependency_layer(
    workspace_copy: Path, runtime_build: dict
) -> None:
    before = _inspect(runtime_build["built"][0]["tags"][0])
    marker = uuid.uuid4().hex
    init = workspace_copy / "packages" / "bench-utils" / "src" / "bench_utils" / "__init__.py"
    init.write_text(init.read_text() + f'\nIMAGE_CACHE_PROBE = "{marker}"\n')
    _git(workspace_copy, "commit", "--quiet", "-am", "source-only change")
    rebuilt = _build(workspace_copy)["built"][0]
    after = _inspect(rebuilt["tags"][0])
    assert after.labels["org.opencontainers.image.revision"] == _git(
        workspace_copy, "rev-parse", "HEAD"
    )
    venv = next(i for i, step in enumerate(before.history) if " in /opt/venv" in step)
    members = next(i for i, step in enumerate(before.history) if " in /tmp/members" in step)
    assert venv < members
    # base, runtime packages, python, the dependency venv (and flash-attn): not rebuilt
    assert after.layers[:members] == before.layers[:members]
    # the member wheels and their install: rebuilt, and small
    assert after.layers[members] != before.layers[members]
    assert after.layers[members + 1] != before.layers[members + 1]
    assert after.layer_sizes[members] + after.layer_sizes[members + 1] < 2_000_000
    new_tag = rebuilt["tags"][0]
    printed = _run_in(
        new_tag, "python", "-c", "import bench_utils; print(bench_utils.IMAGE_CACHE_PROBE)"
    )
    assert printed.strip() == marker
    # the probe image's sha tag is unique to this run: drop it (its layers stay cached)
    subprocess.run(["buildah", "rmi", rebuilt["tags"][1]], capture_output=True, check=False)
    print(
        f"\nsource-only rebuild: {rebuilt['seconds']} s, "
        f"{rebuilt['cached_steps']}/{rebuilt['steps']} steps cached"
    )


def test_runtime_is_smaller_than_on_devel_base(workspace_copy: Path, runtime_build: dict) -> None:
    devel_base = _build(workspace_copy, "--target", "base", "--image", "hyperbench-devel")
    base_tag = devel_base["built"][0]["tags"][0]
    if "/" not in base_tag.split(":")[0]:
        base_tag = "localhost/" + base_tag  # buildah's name for a local short name
    on_devel = _build(
        workspace_copy,
        "--image",
        "hyperbench-devel",
        "--build-arg",
        f"RUNTIME_BASE_IMAGE={base_tag}",
    )["built"][0]
    slim = _inspect(runtime_build["built"][0]["tags"][0])
    devel = _inspect(on_devel["tags"][0])
    assert devel.labels["io.hyperbench.target"] == "runtime"
    assert slim.size_bytes + 200_000_000 < devel.size_bytes
    sizes = f"slim base {slim.size_bytes / 1e6:.0f} MB, devel base {devel.size_bytes / 1e6:.0f} MB"
    print(f"\nruntime: {sizes}")


def test_dev_image_is_the_editable_workspace(workspace_copy: Path, runtime_build: dict) -> None:
    built = _build(workspace_copy, "--target", "dev")["built"][0]
    assert built["tags"][0].endswith(f":{_image_version(workspace_copy)}-cpu-dev")
    probe = (
        "import bench_utils, release_tool, torch;"
        "print(bench_utils.__file__);print(release_tool.__file__);print(torch.__version__)"
    )
    out = _run_in(built["tags"][0], "python", "-c", probe).split()
    assert out == [
        "/workspace/packages/bench-utils/src/bench_utils/__init__.py",
        "/workspace/release_tool/src/release_tool/__init__.py",
        out[2],
    ]
    assert out[2].endswith("+cpu")
    assert _run_in(built["tags"][0], "hadolint", "--version").startswith(
        "Haskell Dockerfile Linter"
    )
