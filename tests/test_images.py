"""The image build matrix: variants, build args, tags, labels, rendering (pure core)."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_tool.core.images import (
    VARIANTS,
    ImageSettings,
    Revision,
    build_args,
    dockerfile_args,
    image_tags,
    label_args,
    lock_facts,
    max_jobs_for,
    oci_labels,
    parse_variants,
    plan_images,
    render_dockerfile,
)
from release_tool.errors import ExitCode, NotFoundError

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "docker" / "Dockerfile-uv"
SETTINGS = ImageSettings()
REVISION = Revision(sha="1a2b3c4d5e6f" + "0" * 28, created="2026-01-02T03:04:05+00:00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cu124,cu128", ("cu124", "cu128")),
        (" cpu ", ("cpu",)),
        ("cu128,cu128,cpu", ("cu128", "cpu")),
    ],
)
def test_parse_variants(text: str, expected: tuple[str, ...]) -> None:
    assert parse_variants(text) == expected


@pytest.mark.parametrize("text", ["cu999", "cpu,rocm", "", ","])
def test_parse_variants_rejects_unknown(text: str) -> None:
    with pytest.raises(NotFoundError) as info:
        parse_variants(text)
    assert info.value.exit_code == ExitCode.NOT_FOUND
    assert "cu124, cu128, cpu" in str(info.value)


@pytest.mark.parametrize(
    ("settings", "version", "variant", "target", "sha", "expected"),
    [
        (
            SETTINGS,
            "0.3.0",
            "cu128",
            "runtime",
            "1a2b3c4d5e",
            ("hyperbench:0.3.0-cu128", "hyperbench:0.3.0-cu128-1a2b3c4"),
        ),
        (SETTINGS, "0.3.0", "cpu", "dev", "", ("hyperbench:0.3.0-cpu-dev",)),
        (
            ImageSettings(registry="ghcr.io/example-org/", image="bench"),
            "0.2.0.dev3",
            "cu124",
            "runtime",
            "abcdef0123",
            (
                "ghcr.io/example-org/bench:0.2.0.dev3-cu124",
                "ghcr.io/example-org/bench:0.2.0.dev3-cu124-abcdef0",
            ),
        ),
        (SETTINGS, "1.0+local.7", "cpu", "runtime", "", ("hyperbench:1.0-local.7-cpu",)),
    ],
)
def test_image_tags(
    settings: ImageSettings,
    version: str,
    variant: str,
    target: str,
    sha: str,
    expected: tuple[str, ...],
) -> None:
    assert image_tags(settings, version, variant, target, sha) == expected


def test_oci_labels() -> None:
    source = Revision(REVISION.sha, REVISION.created, "https://github.com/example-org/hyperbench")
    assert oci_labels(SETTINGS, "0.3.0", source, "cu128", "prod", "runtime") == {
        "org.opencontainers.image.title": "hyperbench",
        "org.opencontainers.image.version": "0.3.0",
        "org.opencontainers.image.revision": REVISION.sha,
        "org.opencontainers.image.created": "2026-01-02T03:04:05+00:00",
        "io.hyperbench.variant": "cu128",
        "io.hyperbench.mode": "prod",
        "io.hyperbench.target": "runtime",
        "org.opencontainers.image.source": "https://github.com/example-org/hyperbench",
    }
    assert "org.opencontainers.image.source" not in oci_labels(
        SETTINGS, "0.3.0", REVISION, "cpu", "dev", "runtime"
    )


def test_build_args_cpu_dev_mode() -> None:
    args = build_args(
        SETTINGS,
        VARIANTS["cpu"],
        mode_dir=".",
        member_names=("a",),
        lock_extras=frozenset({"serve", "hf"}),
    )
    assert args == {
        "BUILD_BASE_IMAGE": "debian:bookworm-slim",
        "RUNTIME_BASE_IMAGE": "debian:bookworm-slim",
        "PYTHON_VERSION": "3.11",
        "PYTHON_SOURCE": "system",
        "MODE_DIR": ".",
        "UV_SELECT": "--package bench-utils --package model-qwen-vl --extra serve --extra hf",
        "UV_NO_EMIT_MEMBERS": "--no-emit-workspace",
        "EXCLUDE_PACKAGES": "flash-attn|torch|triton|nvidia-[a-z0-9-]+|cuda-[a-z0-9-]+",
        "LOCAL_WHEELS": "torch-*+cpu-*.whl",
        "CUDA": "cpu",
    }


@pytest.mark.parametrize(
    ("variant", "torch", "flash_attn", "abi", "build_base", "runtime_base"),
    [
        (
            "cu124",
            "2.6.0",
            "2.7.4.post1",
            "FALSE",
            "nvidia/cuda:12.4.1-devel-ubuntu22.04",
            "nvidia/cuda:12.4.1-base-ubuntu22.04",
        ),
        (
            "cu128",
            "2.8.0",
            "2.8.3",
            "TRUE",
            "nvidia/cuda:12.8.1-devel-ubuntu22.04",
            "nvidia/cuda:12.8.1-base-ubuntu22.04",
        ),
    ],
)
def test_build_args_gpu_prod_mode(
    variant: str, torch: str, flash_attn: str, abi: str, build_base: str, runtime_base: str
) -> None:
    args = build_args(
        ImageSettings(nvcc_threads=4),
        VARIANTS[variant],
        mode_dir="prod",
        member_names=("bench-utils", "model-interface"),
        lock_extras=frozenset({variant, "hf"}),
        memory_gib=64,
    )
    assert args["BUILD_BASE_IMAGE"] == build_base
    assert args["RUNTIME_BASE_IMAGE"] == runtime_base  # -base, never -devel, at runtime
    assert args["PYTHON_SOURCE"] == "managed"
    assert (args["TORCH_VERSION"], args["FLASH_ATTN_VERSION"], args["CXX11_ABI"]) == (
        torch,
        flash_attn,
        abi,
    )
    assert "MAX_JOBS" not in args  # a build secret: never part of the cache key
    assert args["NVCC_THREADS"] == "4"
    assert args["FLASH_ATTN_CUDA_ARCHS"] == "80;90"
    # prod: the mode project is exported; its member pins are left to the members stage
    assert args["UV_SELECT"] == f"--extra hf --extra {variant}"
    assert args["UV_NO_EMIT_MEMBERS"] == (
        "--no-emit-project --no-emit-package bench-utils --no-emit-package model-interface"
    )
    assert args["EXCLUDE_PACKAGES"] == "flash-attn"


def test_base_image_overrides() -> None:
    settings = ImageSettings(base_images={"cpu-runtime": "localhost/devel:cpu"})
    args = build_args(
        settings, VARIANTS["cpu"], mode_dir=".", member_names=(), lock_extras=frozenset()
    )
    assert args["RUNTIME_BASE_IMAGE"] == "localhost/devel:cpu"
    assert args["BUILD_BASE_IMAGE"] == "debian:bookworm-slim"


@pytest.mark.parametrize(
    ("memory", "threads", "expected"),
    [(None, 2, 1), (8, 2, 1), (24, 2, 2), (128, 2, 12), (128, 8, 3)],
)
def test_max_jobs_for(memory: float | None, threads: int, expected: int) -> None:
    assert max_jobs_for(memory, threads) == expected


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_dockerfile_declares_every_build_arg(variant: str) -> None:
    args = build_args(
        SETTINGS,
        VARIANTS[variant],
        mode_dir=".",
        member_names=(),
        lock_extras=frozenset(),
        memory_gib=16,
    )
    args |= label_args("0.1.0", REVISION)
    assert set(args) <= dockerfile_args(DOCKERFILE.read_text())


def test_render_dockerfile_sets_arg_defaults() -> None:
    text = 'ARG A=1\nARG B\nARG C="x"\nRUN echo $A\n'
    rendered = render_dockerfile(text, {"A": "two words", "B": 'q"uote'})
    assert rendered == 'ARG A="two words"\nARG B="q\\"uote"\nARG C="x"\nRUN echo $A\n'


LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "bench-utils"
version = "0.1.0"
source = { editable = "packages/bench-utils" }

[package.optional-dependencies]
serve = []

[[package]]
name = "model-qwen-vl"
version = "0.1.0"
source = { editable = "packages/model-qwen-vl" }

[package.optional-dependencies]
hf = []
vllm = []

[[package]]
name = "other"
version = "1.0"
source = { editable = "packages/other" }

[package.optional-dependencies]
unrelated = []

[[package]]
name = "torch"
version = "2.11.0"
source = { registry = "https://pypi.org/simple" }
"""


def test_lock_facts(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(LOCK)
    extras, versions = lock_facts(tmp_path / "uv.lock", ("bench-utils", "model-qwen-vl"))
    assert extras == {"serve", "hf", "vllm"}
    assert versions["torch"] == "2.11.0"


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile-uv").write_text("FROM scratch\n")
    (tmp_path / "uv.lock").write_text(LOCK)
    return tmp_path


def test_plan_images_notes_torch_mismatch(tmp_path: Path) -> None:
    plan = plan_images(
        SETTINGS,
        root=_workspace(tmp_path),
        mode="dev",
        mode_dir=".",
        variants=("cu128", "cpu"),
        target="runtime",
        builder="buildah",
        version="0.1.0",
        revision=REVISION,
        member_names=("bench-utils", "model-qwen-vl", "other"),
    )
    assert [image.variant for image in plan.images] == ["cu128", "cpu"]
    assert plan.images[0].primary_tag == "hyperbench:0.1.0-cu128"
    assert plan.images[1].local_wheels == ("torch-*+cpu-*.whl",)
    assert plan.notes == (
        "cu128: uv.lock has torch 2.11.0, flash-attn is built for torch 2.8.0 "
        "(add a `cu128` extra pinning torch to lock both)",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "qa"}, "unknown mode 'qa'"),
        ({"target": "final"}, "unknown target 'final'"),
        ({"settings": ImageSettings(packages=("nope",))}, "no package(s) nope to put in the image"),
        ({"settings": ImageSettings(dockerfile="docker/missing")}, "no Dockerfile"),
    ],
)
def test_plan_images_refuses(tmp_path: Path, changes: dict[str, object], message: str) -> None:
    kwargs: dict[str, object] = {
        "root": _workspace(tmp_path),
        "mode": "dev",
        "mode_dir": ".",
        "variants": ("cpu",),
        "target": "runtime",
        "builder": "docker",
        "version": "0.1.0",
        "revision": REVISION,
        "member_names": (),
    }
    settings = changes.pop("settings", SETTINGS)
    kwargs |= changes
    with pytest.raises(NotFoundError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_images(settings, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://x-access-token:ghs_secret@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://user@github.com/o/r", "https://github.com/o/r"),
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("ssh://git:pw@host:22/o/r.git", "ssh://host:22/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        (None, None),
    ],
)
def test_public_url_drops_credentials(url: str | None, public: str | None) -> None:
    from release_tool.core.images import public_url

    assert public_url(url) == public


MODE_LOCK = """\
version = 1

[[package]]
name = "hyperbench-workspace-prod"
version = "0.0.0"
source = { virtual = "." }

[package.optional-dependencies]
cu128 = []

[[package]]
name = "bench-utils"
version = "0.3.0"
source = { git = "https://github.com/org/ws.git?subdirectory=packages%2Fbench-utils&tag=bench-utils-v0.3.0" }

[package.optional-dependencies]
serve = []
"""


def test_a_pinned_mode_selects_only_its_own_projects_extras(tmp_path: Path) -> None:
    """`uv export --extra` names the mode project's extras; members' come from its list."""
    (tmp_path / "uv.lock").write_text(MODE_LOCK)
    extras, versions = lock_facts(tmp_path / "uv.lock", (), root_only=True)
    assert extras == {"cu128"} and versions["bench-utils"] == "0.3.0"
    assert lock_facts(tmp_path / "uv.lock", ())[0] == {"cu128", "serve"}
